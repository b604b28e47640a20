import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { FileBatchWriter } from '../../src/artifacts/file-batch-writer.js';
import { FtError } from '../../src/util/errors.js';

const work = mkdtempSync(join(tmpdir(), 'ft-writer-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// The writer's threads are real worker threads, recorded as they start and as files are sent
// to them: "written on a worker thread" is then something a test can see (the files on disk
// look the same whichever thread wrote them).
const threads = vi.hoisted(() => ({ started: [] as Array<{ files: string[] }> }));
vi.mock('node:worker_threads', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:worker_threads')>();
  class RecordedWorker extends real.Worker {
    readonly files: string[] = [];
    constructor(...args: ConstructorParameters<typeof real.Worker>) {
      super(...args);
      threads.started.push(this);
    }
    override postMessage(value: unknown, transferList?: readonly import('node:worker_threads').TransferListItem[]): void {
      if (Array.isArray(value)) for (let i = 0; i < value.length; i += 2) this.files.push(value[i] as string);
      super.postMessage(value, transferList);
    }
  }
  return { ...real, default: { ...real, Worker: RecordedWorker }, Worker: RecordedWorker };
});
beforeEach(() => {
  threads.started.length = 0;
});

describe('FileBatchWriter', () => {
  it('writes nothing until closed, then every file, on this thread below the threshold', async () => {
    const dir = join(work, 'small');
    const w = new FileBatchWriter(100);
    w.write(join(dir, 'a', 'one.sql'), 'select 1\n');
    w.write(join(dir, 'b', 'c', 'two.sql'), 'select 2\n');
    expect(() => readdirSync(dir)).toThrow();
    expect(await w.close()).toBe(2);
    expect(threads.started).toHaveLength(0);
    expect(readFileSync(join(dir, 'a', 'one.sql'), 'utf8')).toBe('select 1\n');
    expect(readFileSync(join(dir, 'b', 'c', 'two.sql'), 'utf8')).toBe('select 2\n');
  });

  it('writes thousands of files on a worker thread, creating folders', async () => {
    const dir = join(work, 'large');
    const w = new FileBatchWriter(10);
    for (let i = 0; i < 3000; i++) w.write(join(dir, `f${i % 7}`, `n${i}.sql`), `select ${i}\n`);
    expect(await w.close()).toBe(3000);
    // every file went to a writing thread, none was left for this one
    expect(threads.started.length).toBeGreaterThanOrEqual(1);
    expect(threads.started.reduce((n, t) => n + t.files.length, 0)).toBe(3000);
    for (const i of [0, 1, 1234, 2999]) expect(readFileSync(join(dir, `f${i % 7}`, `n${i}.sql`), 'utf8')).toBe(`select ${i}\n`);
    expect(readdirSync(dir).sort()).toEqual(['f0', 'f1', 'f2', 'f3', 'f4', 'f5', 'f6']);
  });

  it('spreads folders over several threads; a file written twice ends with its last content', async () => {
    const dir = join(work, 'threads');
    const w = new FileBatchWriter(10, 3);
    // files 0-999 in 11 folders, each written twice: as i and as i + 1000
    for (let i = 0; i < 2000; i++) w.write(join(dir, `f${(i % 1000) % 11}`, `n${i % 1000}.sql`), `select ${i}\n`);
    expect(await w.close()).toBe(2000);
    // three threads, each folder's files all sent to one of them, and every thread given some
    expect(threads.started).toHaveLength(3);
    expect(threads.started.reduce((n, t) => n + t.files.length, 0)).toBe(2000);
    const folders = threads.started.map((t) => new Set(t.files.map((f) => dirname(f))));
    for (const f of folders) expect(f.size).toBeGreaterThan(0);
    expect(folders.reduce((n, f) => n + f.size, 0)).toBe(11);
    expect(readdirSync(dir)).toHaveLength(11);
    for (let n = 0; n < 1000; n++) expect(readFileSync(join(dir, `f${n % 11}`, `n${n}.sql`), 'utf8')).toBe(`select ${n + 1000}\n`);
  });

  for (const threshold of [1, 1000]) {
    it(`names the file it could not write, as an FtError (${threshold === 1 ? 'worker' : 'same thread'})`, async () => {
      const blocker = join(work, `blocker-${threshold}`);
      writeFileSync(blocker, 'a file where a folder is expected');
      const w = new FileBatchWriter(threshold);
      w.write(join(work, `ok-${threshold}.sql`), 'select 1');
      w.write(join(blocker, 'x.sql'), 'select 2');
      const err = await w.close().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(FtError);
      expect((err as FtError).message).toContain(`cannot write ${join(blocker, 'x.sql')}`);
      expect((err as FtError).message).toContain('one of its parents is a file, not a folder (ENOTDIR)');
      expect((err as FtError).exitCode).toBe(2);
      // threshold 1: the failure came from a writing thread; 1000: no thread was started
      if (threshold === 1) expect(threads.started.length).toBeGreaterThanOrEqual(1);
      else expect(threads.started).toHaveLength(0);
    });
  }
});
