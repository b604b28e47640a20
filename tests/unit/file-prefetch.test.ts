import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FilePrefetch, type PrefetchedFile } from '../../src/project/file-prefetch.js';
import { stampOf } from '../../src/project/parse-cache.js';
import { sha256 } from '../../src/util/hash.js';

const work = mkdtempSync(join(tmpdir(), 'ft-prefetch-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Every file the thread hands over, by absolute path. */
async function allOf(prefetch: FilePrefetch): Promise<Map<string, PrefetchedFile>> {
  const all = new Map<string, PrefetchedFile>();
  for await (const batch of prefetch.batches()) for (const [file, got] of batch) all.set(file, got);
  return all;
}

/** `n` SQL files m0.sql… in a new folder of the work folder, each holding `text(i)`. */
function sqlFiles(folder: string, n: number, text = (i: number): string => `select ${i}\n`): string[] {
  mkdirSync(join(work, folder));
  const files: string[] = [];
  for (let i = 0; i < n; i++) {
    const f = join(work, folder, `m${i}.sql`);
    writeFileSync(f, text(i));
    files.push(f);
  }
  return files;
}

describe('FilePrefetch', () => {
  it('returns each file with the checksum the loader computes and its stamp, and leaves out what it cannot read', async () => {
    const files = sqlFiles('models', 700, (i) => `select ${i} as n -- é ✓\n`);
    const missing = join(work, 'models', 'gone.sql');
    const got = await allOf(new FilePrefetch([...files.slice(0, 350), missing, ...files.slice(350)]));
    expect(got.size).toBe(700);
    expect(got.has(missing)).toBe(false);
    for (const f of [files[0]!, files[699]!]) {
      const text = `select ${f.endsWith('m0.sql') ? 0 : 699} as n -- é ✓\n`;
      // and the file's stamp, as stampOf takes it
      expect(got.get(f)).toEqual({ text, checksum: sha256(text), stamp: stampOf(f) });
    }
  });

  it('hands the files over batch by batch, in the order asked, before it has read them all', async () => {
    const files = sqlFiles('ordered', 1500);
    const seen: string[] = [];
    let batches = 0;
    for await (const batch of new FilePrefetch(files).batches()) {
      batches++;
      seen.push(...batch.keys());
    }
    expect(seen).toEqual(files);
    // more than one batch: the loader can parse the first while the rest are read
    expect(batches).toBeGreaterThan(1);
  });

  it('can be cancelled before it is done: it still answers, with only files it read whole', async () => {
    const files = sqlFiles('many', 2000);
    const p = new FilePrefetch(files);
    p.cancel();
    const got = await allOf(p);
    // cancelled before the thread could start, it must not have read them all: a cancel()
    // that did not stop the thread hands over all 2000 (the thread needs far longer to read
    // 2000 files than terminate() takes to land, so this is not a race in practice)
    expect(got.size).toBeLessThan(files.length);
    for (const [f, v] of got) {
      const text = `select ${f.replace(/.*m(\d+)\.sql$/, '$1')}\n`;
      expect(v).toEqual({ text, checksum: sha256(text), stamp: stampOf(f) });
    }
  });
});
