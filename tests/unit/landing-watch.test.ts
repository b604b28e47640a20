import { appendFileSync, mkdirSync, mkdtempSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Landing } from '../../src/stream/landing.js';

// A watched landing directory learns of files from the directory's own watch (which names the
// file), not by listing it: a file renamed into place, one appended to, one removed; temporary
// names, subdirectories and other patterns stay out.

const dirs: string[] = [];
let landing: Landing | null = null;
afterEach(async () => {
  await landing?.close();
  landing = null;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function until<T>(what: () => Promise<T | null | undefined | false>): Promise<T> {
  // generous: a loaded machine delivers watch events late
  for (let i = 0; i < 3000; i++) {
    const v = await what();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('timed out');
}

describe('a watched landing directory', () => {
  it('sees a file renamed into place, its growth and its removal, and nothing else', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ft-landing-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'sub'));
    landing = new Landing({ path: dir, pattern: '*.ndjson', watch: true, stableMs: 30, log: () => undefined });
    await landing.start();
    writeFileSync(join(dir, 'a.ndjson.tmp'), '{"x":1}\n');
    writeFileSync(join(dir, 'notes.txt'), 'x\n');
    writeFileSync(join(dir, 'sub', 'b.ndjson'), '{"x":2}\n');
    renameSync(join(dir, 'a.ndjson.tmp'), join(dir, 'a.ndjson'));
    const a = await until(async () => {
      await landing!.refresh();
      return landing!.takeReady();
    });
    expect(a.rel).toBe('a.ndjson');
    expect(a.size).toBe(8);
    landing.markDone(a, a.size);
    // appended after it was loaded: offered again, at its new size
    appendFileSync(join(dir, 'a.ndjson'), '{"x":3}\n');
    const again = await until(async () => {
      await landing!.refresh();
      return landing!.takeReady();
    });
    expect([again.rel, again.size]).toEqual(['a.ndjson', 16]);
    landing.markDone(again, again.size);
    // a file that goes before it is stable is never offered
    writeFileSync(join(dir, 'c.ndjson'), '{"x":4}\n');
    unlinkSync(join(dir, 'c.ndjson'));
    await new Promise((r) => setTimeout(r, 150));
    await landing.refresh();
    expect(landing.takeReady()).toBeNull();
  });
});
