import { readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { compileCommand } from '../../src/cli/compile.js';
import { loadProject } from '../../src/project/load-project.js';
import { ParseCache } from '../../src/project/parse-cache.js';
import { copyShop as copyShopFixture, removeShopCopies } from '../helpers/shop-copy.js';

// Partial parsing: a warm run re-parses only templates and schema files whose content changed
// (the cache is keyed by content hash and by the globals: vars, target, macros), and
// re-renders only what changed.

afterAll(removeShopCopies);
const copyShop = (): string => copyShopFixture('ft-pp-');

/** Counts ParseCache hits and misses (templates and schema files) during one load. */
async function countedLoad(dir: string, vars?: Record<string, unknown>, target?: string): Promise<{ hits: number; misses: number }> {
  const counts = { hits: 0, misses: 0 };
  const wrap = (name: 'get' | 'getSchema'): void => {
    const orig = ParseCache.prototype[name] as (this: ParseCache, ...a: unknown[]) => unknown;
    vi.spyOn(ParseCache.prototype, name).mockImplementation(function (this: ParseCache, ...a: unknown[]) {
      const r = orig.apply(this, a);
      if (r === undefined) counts.misses++;
      else counts.hits++;
      return r as never;
    });
  };
  wrap('get');
  wrap('getSchema');
  try {
    await loadProject({ projectDir: dir, vars, target });
  } finally {
    vi.restoreAllMocks();
  }
  return counts;
}

// the shop fixture: 4 models + 1 singular test (templates) and 1 schema file
const PARSED = 6;

describe('parse cache (target/partial_parse.json)', () => {
  it('cold: everything parsed; warm: nothing; one file changed: only that file', async () => {
    const dir = copyShop();
    expect(await countedLoad(dir)).toEqual({ hits: 0, misses: PARSED });
    expect(await countedLoad(dir)).toEqual({ hits: PARSED, misses: 0 });
    writeFileSync(join(dir, 'models/staging/stg_customers.sql'), '{{config materialized="ephemeral"}}\nselect customer_id, name from {{ref "customers"}}\n');
    expect(await countedLoad(dir)).toEqual({ hits: PARSED - 1, misses: 1 });
    writeFileSync(join(dir, 'models/schema.yml'), readFileSync(join(dir, 'models/schema.yml'), 'utf8') + '\n# a comment\n');
    expect(await countedLoad(dir)).toEqual({ hits: PARSED - 1, misses: 1 });
    expect(await countedLoad(dir)).toEqual({ hits: PARSED, misses: 0 });
  });

  it('a change of vars or macros invalidates every entry', async () => {
    const dir = copyShop();
    await countedLoad(dir);
    expect(await countedLoad(dir, { min_amount: 5 })).toEqual({ hits: 0, misses: PARSED });
    expect(await countedLoad(dir, { min_amount: 5 })).toEqual({ hits: PARSED, misses: 0 });
    writeFileSync(join(dir, 'macros/cents.sql'), 'ROUND({{column}} * 100, 0)');
    expect(await countedLoad(dir, { min_amount: 5 })).toEqual({ hits: 0, misses: PARSED });
  });

  it('a change of target invalidates every entry: another database, or another target name', async () => {
    const dir = copyShop();
    // `dev2`: another target name with dev's database
    const profiles = join(dir, 'profiles.yml');
    writeFileSync(
      profiles,
      readFileSync(profiles, 'utf8') + '    dev2:\n      type: mysql\n      host: 127.0.0.1\n      user: root\n      database: "{{env_var "FT_DATABASE" "shop_dev"}}"\n',
    );
    await countedLoad(dir);
    expect(await countedLoad(dir)).toEqual({ hits: PARSED, misses: 0 });
    // the same target `dev`, its database moved by the env var profiles.yml reads
    vi.stubEnv('FT_DATABASE', 'shop_other');
    try {
      expect(await countedLoad(dir)).toEqual({ hits: 0, misses: PARSED });
      expect(await countedLoad(dir)).toEqual({ hits: PARSED, misses: 0 });
    } finally {
      vi.unstubAllEnvs();
    }
    expect(await countedLoad(dir)).toEqual({ hits: 0, misses: PARSED });
    expect(await countedLoad(dir, undefined, 'dev2')).toEqual({ hits: 0, misses: PARSED });
    expect(await countedLoad(dir, undefined, 'dev2')).toEqual({ hits: PARSED, misses: 0 });
    expect(await countedLoad(dir, undefined, 'dev')).toEqual({ hits: 0, misses: PARSED });
  });

  it('a corrupt cache file only means a full parse', async () => {
    const dir = copyShop();
    await countedLoad(dir);
    writeFileSync(join(dir, 'target/partial_parse.json'), '{"version": 2, "globalKey": tru');
    expect(await countedLoad(dir)).toEqual({ hits: 0, misses: PARSED });
    expect(await countedLoad(dir)).toEqual({ hits: PARSED, misses: 0 });
  });

  it('--no-partial-parse ignores the cache', async () => {
    const dir = copyShop();
    await countedLoad(dir);
    const counts = { misses: 0 };
    const spy = vi.spyOn(ParseCache.prototype, 'get');
    await loadProject({ projectDir: dir, partialParse: false });
    counts.misses = spy.mock.results.filter((r) => r.value === undefined).length;
    vi.restoreAllMocks();
    expect(counts.misses).toBe(5);
  });
});

describe('stat shortcut: unchanged files are not read', () => {
  // Files read by a load: templates, schema files and seeds (ParseCache.read).
  async function readsOf(dir: string): Promise<number> {
    let reads = 0;
    const orig = ParseCache.prototype.save;
    vi.spyOn(ParseCache.prototype, 'save').mockImplementation(function (this: ParseCache) {
      reads = this.reads;
      orig.call(this);
    });
    try {
      await loadProject({ projectDir: dir });
    } finally {
      vi.restoreAllMocks();
    }
    return reads;
  }
  // Loads "5 s later": the files just copied count as settled, as they would after a pause.
  const later = (): void => void vi.useFakeTimers({ now: Date.now() + 5000, toFake: ['Date'] });

  it('a file last changed long ago is read once, then vouched for by its stat', async () => {
    const dir = copyShop();
    const cold = await readsOf(dir);
    expect(cold).toBeGreaterThanOrEqual(6);
    // just copied: too recent to trust a stat (racily clean), so read again
    expect(await readsOf(dir)).toBe(cold);
    later();
    try {
      expect(await readsOf(dir)).toBe(cold);
      expect(await readsOf(dir)).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a changed file is always read: new size, new mtime, or an mtime set back (ctime moves)', async () => {
    const dir = copyShop();
    const rel = 'models/staging/stg_orders.sql';
    const file = join(dir, rel);
    later();
    try {
      await readsOf(dir);
      const settled = await readsOf(dir);
      const text = readFileSync(file, 'utf8');
      const before = statSync(file);
      // same size, mtime put back as it was: only the ctime tells
      writeFileSync(file, text.replace('amount', 'AMOUNT'));
      utimesSync(file, before.atime, before.mtime);
      expect(statSync(file).size).toBe(before.size);
      expect(await readsOf(dir)).toBe(settled + 1);
      const p = await loadProject({ projectDir: dir });
      expect(p.nodes.get('model.shop.stg_orders')!.raw_code).toContain('AMOUNT');
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('compile re-renders only what changed', () => {
  beforeEach(() => {
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  });
  afterEach(() => vi.restoreAllMocks());

  const listCompiled = (dir: string): string[] =>
    (readdirSync(join(dir, 'target/compiled'), { recursive: true }) as string[])
      .filter((f) => f.endsWith('.sql'))
      .sort();
  const mtimes = (dir: string): Map<string, number> =>
    new Map(listCompiled(dir).map((f) => [f, statSync(join(dir, 'target/compiled', f)).mtimeMs]));
  const pause = (): Promise<void> => new Promise((r) => setTimeout(r, 30));

  it('a warm run rewrites no compiled file; a changed model rewrites only its own file', async () => {
    const dir = copyShop();
    expect(await compileCommand({ projectDir: dir })).toBe(0);
    const cold = mtimes(dir);
    expect(cold.size).toBe(10);
    await pause();
    await compileCommand({ projectDir: dir });
    expect(mtimes(dir)).toEqual(cold);

    await pause();
    writeFileSync(join(dir, 'models/marts/orders_inc.sql'), readFileSync(join(dir, 'models/marts/orders_inc.sql'), 'utf8') + '-- edited\n');
    await compileCommand({ projectDir: dir });
    const after = mtimes(dir);
    const changed = [...after].filter(([f, t]) => cold.get(f) !== t).map(([f]) => f);
    expect(changed).toEqual(['shop/models/marts/orders_inc.sql']);
    expect(readFileSync(join(dir, 'target/compiled', changed[0]!), 'utf8')).toContain('-- edited');
  });

  it('a changed var re-renders the models that use it', async () => {
    const dir = copyShop();
    await compileCommand({ projectDir: dir });
    const file = join(dir, 'target/compiled/shop/models/staging/stg_orders.sql');
    expect(readFileSync(file, 'utf8')).toContain('where amount >= 0');
    await compileCommand({ projectDir: dir, vars: '{min_amount: 7}' });
    expect(readFileSync(file, 'utf8')).toContain('where amount >= 7');
    await compileCommand({ projectDir: dir });
    expect(readFileSync(file, 'utf8')).toContain('where amount >= 0');
  });

  it('a changed environment variable re-renders the models that read it with env_var, in the model or in a macro', async () => {
    const dir = copyShop();
    const model = join(dir, 'models/staging/stg_orders.sql');
    writeFileSync(model, `${readFileSync(model, 'utf8')}\n-- region {{env_var "FT_TEST_REGION" "eu"}}\n`);
    writeFileSync(join(dir, 'macros/tier.sql'), "'{{env_var \"FT_TEST_TIER\" \"gold\"}}'");
    const marts = join(dir, 'models/marts/customer_orders.sql');
    writeFileSync(marts, `${readFileSync(marts, 'utf8')}\n-- tier {{> tier}}\n`);
    const compiled = (f: string): string => readFileSync(join(dir, 'target/compiled/shop/models', f), 'utf8');
    const env = (k: string, v: string | undefined): void => {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    };
    try {
      await compileCommand({ projectDir: dir });
      expect(compiled('staging/stg_orders.sql')).toContain('-- region eu');
      expect(compiled('marts/customer_orders.sql')).toContain("-- tier 'gold'");
      env('FT_TEST_REGION', 'us');
      env('FT_TEST_TIER', 'silver');
      await compileCommand({ projectDir: dir });
      expect(compiled('staging/stg_orders.sql')).toContain('-- region us');
      expect(compiled('marts/customer_orders.sql')).toContain("-- tier 'silver'");
    } finally {
      env('FT_TEST_REGION', undefined);
      env('FT_TEST_TIER', undefined);
    }
  });

  it('a deleted compiled file is written again on a warm run', async () => {
    const dir = copyShop();
    await compileCommand({ projectDir: dir });
    const file = join(dir, 'target/compiled/shop/models/marts/customer_orders.sql');
    const before = readFileSync(file, 'utf8');
    rmSync(join(dir, 'target/compiled'), { recursive: true });
    await compileCommand({ projectDir: dir });
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(listCompiled(dir)).toHaveLength(10);
  });
});
