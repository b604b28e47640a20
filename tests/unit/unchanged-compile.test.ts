import { appendFileSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { compileCommand } from '../../src/cli/compile.js';
import { ParseCache } from '../../src/project/parse-cache.js';
import { copyShop as copyShopFixture, removeShopCopies } from '../helpers/shop-copy.js';

// A compile of a project where nothing changed since the last compile reuses its outputs
// (only the manifest's metadata is rewritten); any change of input or output compiles in full.

afterAll(removeShopCopies);
const copyShop = (): string => copyShopFixture('ft-uc-');

let stdout: string[] = [];
let stderr: string[] = [];
let clock = Date.now();
beforeEach(() => {
  stdout = [];
  stderr = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => (stdout.push(String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => (stderr.push(String(s)), true));
  // Files written by the test count as settled only once they are 2 s old: run "later".
  clock = Date.now() + 5000;
  vi.useFakeTimers({ now: clock, toFake: ['Date'] });
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

/** Compiles; true when the project was loaded (a full compile), false when the last one was reused. */
async function compile(dir: string, flags: Record<string, unknown> = {}): Promise<boolean> {
  vi.setSystemTime((clock += 1000));
  const spy = vi.spyOn(ParseCache.prototype, 'save');
  expect(await compileCommand({ projectDir: dir, ...flags })).toBe(0);
  const loaded = spy.mock.calls.length > 0;
  spy.mockRestore();
  return loaded;
}

const manifestOf = (dir: string): { metadata: Record<string, string> } & Record<string, unknown> =>
  JSON.parse(readFileSync(join(dir, 'target/manifest.json'), 'utf8'));
const compiledFile = (dir: string): string => join(dir, 'target/compiled/shop/models/staging/stg_orders.sql');

describe('compile of an unchanged project', () => {
  it('reuses the last compile: same compiled files and manifest, new generated_at, same output', async () => {
    const dir = copyShop();
    expect(await compile(dir)).toBe(true);
    const full = manifestOf(dir);
    const fullOut = stdout.join('');
    const mtime = statSync(compiledFile(dir)).mtimeMs;
    expect(await compile(dir)).toBe(false);
    const reused = manifestOf(dir);
    expect(reused.metadata.generated_at).not.toBe(full.metadata.generated_at);
    expect({ ...reused, metadata: undefined }).toEqual({ ...full, metadata: undefined });
    expect(statSync(compiledFile(dir)).mtimeMs).toBe(mtime);
    expect(stdout.join('').replace(/in [\d.]+s/g, '')).toBe((fullOut + fullOut).replace(/in [\d.]+s/g, ''));
    expect(await compile(dir)).toBe(false);
  });

  it('replays the warnings of the load', async () => {
    const dir = copyShop();
    appendFileSync(join(dir, 'project.yml'), 'colour: red\n');
    await compile(dir);
    const warned = stderr.join('');
    expect(warned).toContain('colour');
    stderr = [];
    expect(await compile(dir)).toBe(false);
    expect(stderr.join('')).toBe(warned);
  });

  it('compiles in full after a change of a model, a flag, an env var, a new file or a deleted output', async () => {
    const dir = copyShop();
    await compile(dir);
    writeFileSync(join(dir, 'models/staging/stg_orders.sql'), readFileSync(join(dir, 'models/staging/stg_orders.sql'), 'utf8') + '-- edited\n');
    expect(await compile(dir)).toBe(true);
    expect(readFileSync(compiledFile(dir), 'utf8')).toContain('-- edited');
    expect(await compile(dir)).toBe(false);

    expect(await compile(dir, { vars: '{min_amount: 7}' })).toBe(true);
    expect(readFileSync(compiledFile(dir), 'utf8')).toContain('amount >= 7');
    expect(await compile(dir)).toBe(true);
    expect(readFileSync(compiledFile(dir), 'utf8')).toContain('amount >= 0');

    process.env.FT_TEST_UNCHANGED = '1';
    try {
      expect(await compile(dir)).toBe(true);
    } finally {
      delete process.env.FT_TEST_UNCHANGED;
    }
    expect(await compile(dir)).toBe(true);

    writeFileSync(join(dir, 'models/marts/extra.sql'), 'select 1 as id\n');
    expect(await compile(dir)).toBe(true);
    expect(manifestOf(dir).nodes).toHaveProperty(['model.shop.extra']);

    rmSync(compiledFile(dir));
    expect(await compile(dir)).toBe(true);
    expect(readFileSync(compiledFile(dir), 'utf8')).toContain('amount >= 0');
    expect(await compile(dir)).toBe(false);
  });

  it('compiles in full when the manifest was rewritten by another command', async () => {
    const dir = copyShop();
    await compile(dir);
    const m = manifestOf(dir);
    writeFileSync(join(dir, 'target/manifest.json'), JSON.stringify({ ...m, nodes: {} }));
    expect(await compile(dir)).toBe(true);
    expect(Object.keys(manifestOf(dir).nodes as object).length).toBeGreaterThan(0);
  });

  it('never reuses a compile of files changed in the last 2 s (racily clean)', async () => {
    vi.useRealTimers();
    const dir = copyShop();
    await compileCommand({ projectDir: dir });
    const spy = vi.spyOn(ParseCache.prototype, 'save');
    await compileCommand({ projectDir: dir });
    expect(spy).toHaveBeenCalled();
    expect(readdirSync(join(dir, 'target'))).not.toContain('compile_record.json');
  });
});
