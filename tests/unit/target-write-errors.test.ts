import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeManifestAfter } from '../../src/artifacts/manifest.js';
import { FtError } from '../../src/util/errors.js';
import type { Project } from '../../src/project/project.js';
import { copyShop, removeShopCopies } from '../helpers/shop-copy.js';

// Every writer of target/ (compiled files, manifest, compile record, caches, partial parse)
// on a disk that is full or a path that cannot be written: one message naming the file that
// could not be written and why (ENOSPC, EISDIR, ENOTDIR…), exit 2, and never a stack trace.
// A full disk is real here, where the machine lets the test mount one (root, as in CI): a
// tmpfs with no room left as a compiled files' folder, and a 12 KiB tmpfs as the target folder.

const repo = resolve(import.meta.dirname, '../..');
const bin = join(repo, 'bin', 'ft.js');
const mounts: string[] = [];

beforeAll(() => {
  if (!existsSync(join(repo, 'dist', 'cli', 'main.js'))) execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: repo, stdio: 'ignore' });
});
afterAll(() => {
  for (const m of mounts) {
    try {
      execFileSync('umount', [m], { stdio: 'ignore' });
    } catch {
      // already gone
    }
  }
  removeShopCopies();
});

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function ft(dir: string, args: string[]): Promise<Result> {
  return new Promise((done) => {
    execFile('node', [bin, ...args, '--project-dir', dir], { cwd: dir, env: { PATH: process.env.PATH, HOME: dir, NO_COLOR: '1' }, timeout: 60_000 }, (err, stdout, stderr) => {
      done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** The shape every write failure must have: exit 2, the file and the reason, no stack trace. */
function expectWriteError(r: Result, file: RegExp, reason: RegExp): void {
  expect(r.stderr).toMatch(file);
  expect(r.stderr).toMatch(reason);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stderr).not.toContain('Node.js v');
  expect(r.code).toBe(2);
}

describe('writing target/ fails', () => {
  it('a compiled file on a full device (ENOSPC): names the file and the disk, exit 2', async (ctx) => {
    const dir = copyShop('ft-wr-');
    expect((await ft(dir, ['compile'])).code).toBe(0);
    // compiled files are written under a temporary name and renamed over the old one: the
    // model's folder is moved to a tmpfs with no room left, where that temporary file cannot be written
    const full = mountTmpfs('8k');
    if (!full) return ctx.skip();
    const folder = join(dir, 'target/compiled/shop/models/staging');
    for (const f of readdirSync(folder)) copyFileSync(join(folder, f), join(full, f));
    try {
      writeFileSync(join(full, 'filler'), Buffer.alloc(64 * 1024));
    } catch {
      // the tmpfs is full now
    }
    rmSync(folder, { recursive: true });
    symlinkSync(full, folder);
    // --vars: not the last compile, so the model is rendered and written again
    const r = await ft(dir, ['compile', '--vars', '{min_amount: 3}']);
    expectWriteError(r, /cannot write \S*target\/compiled\/shop\/models\/staging\/stg_\w+\.sql/, /no space left on device \(ENOSPC\)/);
  });

  it('a compiled file that is a link (to /dev/full) is replaced whole by the next compile, not written through', async () => {
    const dir = copyShop('ft-wr-');
    expect((await ft(dir, ['compile'])).code).toBe(0);
    const file = join(dir, 'target/compiled/shop/models/staging/stg_orders.sql');
    rmSync(file);
    symlinkSync('/dev/full', file);
    const r = await ft(dir, ['compile', '--vars', '{min_amount: 3}']);
    expect(r.code, r.stderr).toBe(0);
    expect(lstatSync(file).isSymbolicLink()).toBe(false);
    expect(readFileSync(file, 'utf8')).toMatch(/select/i);
  });

  it('target/ is a file: says a file is in the way, exit 2', async () => {
    const dir = copyShop('ft-wr-');
    writeFileSync(join(dir, 'target'), 'not a folder\n');
    const r = await ft(dir, ['compile']);
    expectWriteError(r, /cannot (write|create the folder) \S*target\b/, /\((EEXIST|ENOTDIR)\)/);
    expect(r.stderr).toMatch(/is a file|not a folder/);
  });

  for (const name of ['compile_record.json', 'partial_parse.json', 'compile_cache.json']) {
    it(`target/${name} is a folder (EISDIR): names it, exit 2`, async () => {
      const dir = copyShop('ft-wr-');
      mkdirSync(join(dir, 'target', name), { recursive: true });
      writeFileSync(join(dir, 'target', name, 'x'), 'x');
      const r = await ft(dir, ['compile']);
      expectWriteError(r, new RegExp(`cannot write \\S*target/${name.replace('.', '\\.')}`), /\(EISDIR\)/);
    });
  }

  it('the manifest cannot be staged while the compiled files failed too: one error, no unhandled rejection', async () => {
    const dir = copyShop('ft-wr-');
    writeFileSync(join(dir, 'blocker'), 'a file where the target folder should be');
    const project = { root: dir, config: { targetPath: 'blocker/target' } } as unknown as Project;
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown): void => void unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const pending = Promise.reject(new FtError('cannot write compiled file'));
      // the compiled files' failure came first: it is the one reported
      await expect(writeManifestAfter(project, { nodes: {} }, pending)).rejects.toThrow('cannot write compiled file');
      await expect(writeManifestAfter(project, { nodes: {} }, Promise.resolve())).rejects.toThrow(/cannot (write|create the folder) \S*blocker\/target\S*manifest\.json: one of its parents is a file, not a folder \(ENOTDIR\)/);
      await new Promise((r) => setTimeout(r, 50));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});

/** Whether this machine lets the test mount a tmpfs (root with CAP_SYS_ADMIN). */
function mountTmpfs(size: string): string | undefined {
  const at = mkdtempSync(join(tmpdir(), 'ft-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', at], { stdio: 'ignore' });
    mounts.push(at);
    return at;
  } catch {
    rmSync(at, { recursive: true, force: true });
    return undefined;
  }
}

describe('a full disk', () => {
  it('ft compile with target/ on a 12 KiB tmpfs: the file it could not write, ENOSPC, exit 2, no stack trace', async (ctx) => {
    const full = mountTmpfs('12k');
    if (!full) return ctx.skip();
    const dir = copyShop('ft-wr-');
    symlinkSync(full, join(dir, 'target'));
    const r = await ft(dir, ['compile']);
    expectWriteError(r, /cannot write \S*target\//, /no space left on device \(ENOSPC\)/);
    // one error: the first write that failed
    expect(r.stderr.match(/^error:/gm)).toHaveLength(1);
  });
});
