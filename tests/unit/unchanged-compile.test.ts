import { appendFileSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as fs from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { compileCommand } from '../../src/cli/compile.js';
import { ParseCache } from '../../src/project/parse-cache.js';
import { Compiler } from '../../src/template/compiler.js';
import { copyShop as copyShopFixture, removeShopCopies } from '../helpers/shop-copy.js';

// A compile of a project where nothing changed since the last compile reuses its outputs
// (only the manifest's metadata is rewritten); any change of input or output compiles in full.

// readdirSync counted (and still done): a folder vouched for by its stamp is not read
vi.mock('node:fs', async (original) => {
  const real = await original<typeof import('node:fs')>();
  return { ...real, default: real, readdirSync: vi.fn(real.readdirSync) };
});

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

/** Runs `body` with these environment variables set, then puts them back. */
async function withEnv(vars: Record<string, string>, body: () => Promise<void>): Promise<void> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    await body();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

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

  it('compiles in full after a change of a flag, an env var the project reads, a new file or a deleted output', async () => {
    const dir = copyShop();
    await compile(dir);
    expect(await compile(dir, { vars: '{min_amount: 7}' })).toBe(true);
    expect(readFileSync(compiledFile(dir), 'utf8')).toContain('amount >= 7');
    expect(await compile(dir)).toBe(true);
    expect(readFileSync(compiledFile(dir), 'utf8')).toContain('amount >= 0');

    // --debug and --log-format change only what is printed
    expect(await compile(dir, { debug: true })).toBe(false);
    expect(await compile(dir, { logFormat: 'json' })).toBe(false);
    // profiles.yml reads FT_DATABASE; nothing reads FT_TEST_UNREAD (nor OLDPWD, which `cd` changes)
    await withEnv({ FT_TEST_UNREAD: '1', OLDPWD: '/elsewhere' }, async () => expect(await compile(dir)).toBe(false));
    await withEnv({ FT_DATABASE: 'shop_other' }, async () => {
      expect(await compile(dir)).toBe(true);
      expect(readFileSync(compiledFile(dir), 'utf8')).toContain('`shop_other`');
    });
    expect(await compile(dir)).toBe(true);

    writeFileSync(join(dir, 'models/marts/extra.sql'), 'select 1 as id\n');
    expect(await compile(dir)).toBe(true);
    expect(manifestOf(dir).nodes).toHaveProperty(['model.shop.extra']);

    rmSync(compiledFile(dir));
    expect(await compile(dir)).toBe(true);
    expect(readFileSync(compiledFile(dir), 'utf8')).toContain('amount >= 0');
    expect(await compile(dir)).toBe(false);
  });

  it('compiles again when a variable a template names with env_var changes, or any variable once a JS helper names process', async () => {
    const dir = copyShop();
    const model = join(dir, 'models/staging/stg_orders.sql');
    writeFileSync(model, `${readFileSync(model, 'utf8')}-- region {{env_var "FT_TEST_REGION" "eu"}}\n`);
    await compile(dir);
    expect(await compile(dir)).toBe(false);
    await withEnv({ FT_TEST_REGION: 'us' }, async () => {
      expect(await compile(dir)).toBe(true);
      expect(readFileSync(compiledFile(dir), 'utf8')).toContain('-- region us');
      expect(await compile(dir)).toBe(false);
    });
    expect(await compile(dir)).toBe(true);
    expect(readFileSync(compiledFile(dir), 'utf8')).toContain('-- region eu');

    appendFileSync(join(dir, 'macros/helpers.js'), '\nexport const region = () => process.env.FT_TEST_ANY ?? "none";\n');
    expect(await compile(dir)).toBe(true);
    expect(await compile(dir)).toBe(false);
    await withEnv({ FT_TEST_ANY: 'x' }, async () => expect(await compile(dir)).toBe(true));
  });

  it('an env_var whose name is computed ties the compile, and the model\'s cached SQL, to the whole environment', async () => {
    const dir = copyShop();
    const model = join(dir, 'models/staging/stg_orders.sql');
    writeFileSync(model, `${readFileSync(model, 'utf8')}-- region {{env_var (var "region_var" "FT_TEST_DYN") "none"}}\n`);
    await compile(dir);
    expect(readFileSync(compiledFile(dir), 'utf8')).toContain('-- region none');
    expect(await compile(dir)).toBe(false);
    await withEnv({ FT_TEST_DYN: 'apac' }, async () => {
      expect(await compile(dir)).toBe(true);
      expect(readFileSync(compiledFile(dir), 'utf8')).toContain('-- region apac');
    });
  });

  it('trusts a folder listing only while the folder stamp is unchanged: added, removed and deleted files are seen', async () => {
    const dir = copyShop();
    await compile(dir);
    expect(await compile(dir)).toBe(false);
    const record = (): { folders: Record<string, unknown>; compiled: Record<string, [unknown, unknown]> } =>
      JSON.parse(readFileSync(join(dir, 'target/compile_record.json'), 'utf8'));
    // the second compile found every folder settled: their entries are recorded, and read no more
    expect(Object.keys(record().folders)).toContain(join(dir, 'models/marts'));
    expect(record().compiled[join(dir, 'target/compiled/shop/models/marts')]![0]).not.toBeNull();
    const readdir = vi.mocked(fs.readdirSync);
    readdir.mockClear();
    expect(await compile(dir)).toBe(false);
    expect(readdir).not.toHaveBeenCalled();

    writeFileSync(join(dir, 'models/marts/late.sql'), 'select 2 as id\n');
    expect(await compile(dir)).toBe(true);
    expect(manifestOf(dir).nodes).toHaveProperty(['model.shop.late']);
    expect(await compile(dir)).toBe(false);
    rmSync(join(dir, 'models/marts/late.sql'));
    expect(await compile(dir)).toBe(true);
    expect(manifestOf(dir).nodes).not.toHaveProperty(['model.shop.late']);

    expect(await compile(dir)).toBe(false);
    rmSync(join(dir, 'target/compiled/shop/models/marts/customer_orders.sql'));
    expect(await compile(dir)).toBe(true);
    expect(readFileSync(join(dir, 'target/compiled/shop/models/marts/customer_orders.sql'), 'utf8')).toContain('select');
  });

  it('compiles in full when the manifest was rewritten by another command', async () => {
    const dir = copyShop();
    await compile(dir);
    const m = manifestOf(dir);
    writeFileSync(join(dir, 'target/manifest.json'), JSON.stringify({ ...m, nodes: {} }));
    expect(await compile(dir)).toBe(true);
    expect(Object.keys(manifestOf(dir).nodes as object).length).toBeGreaterThan(0);
  });

  it('reads again a file changed in the last 2 s (racily clean), even when its stamp has not changed', async () => {
    vi.useRealTimers();
    const dir = copyShop();
    await compileCommand({ projectDir: dir });
    const record = JSON.parse(readFileSync(join(dir, 'target/compile_record.json'), 'utf8')) as { unsure: string[] };
    expect(record.unsure).toContain(join(dir, 'models/staging/stg_orders.sql'));
    // nor can the folders' stamps vouch for their entries
    expect((record as unknown as { folders: object }).folders).toEqual({});
    // every file was just copied: the schema YAML among them cannot be vouched for, so in full again
    const spy = vi.spyOn(ParseCache.prototype, 'save');
    await compileCommand({ projectDir: dir });
    expect(spy).toHaveBeenCalled();
  });
});

describe('compile after edits of model SQL only (patch)', () => {
  const model = (dir: string): string => join(dir, 'models/staging/stg_orders.sql');
  /** The manifest and compiled files of a full compile of the same files, for comparison. */
  const fullCompileOf = async (dir: string): Promise<{ manifest: Record<string, unknown>; sql: string }> => {
    expect(await compile(dir, { partialParse: false })).toBe(true);
    const out = { manifest: { ...manifestOf(dir), metadata: undefined }, sql: readFileSync(compiledFile(dir), 'utf8') };
    expect(await compile(dir)).toBe(true); // the record of a normal compile again
    return out;
  };

  it('renders only the edited model and patches the manifest: the same result as a full compile', async () => {
    const dir = copyShop();
    await compile(dir);
    const before = manifestOf(dir);
    writeFileSync(model(dir), readFileSync(model(dir), 'utf8').replace('status,', 'upper(status) as status,') + '-- edited\n');
    expect(await compile(dir)).toBe(false);
    const patched = manifestOf(dir);
    const sql = readFileSync(compiledFile(dir), 'utf8');
    expect(sql).toContain('upper(status) as status');
    expect(sql).toContain('-- edited');
    expect(patched.metadata.generated_at).not.toBe(before.metadata.generated_at);
    expect(stdout.join('')).toMatch(/Compiled \d+ nodes/);
    const full = await fullCompileOf(dir);
    expect({ ...patched, metadata: undefined }).toEqual(full.manifest);
    expect(sql).toBe(full.sql);
    // and the next compile of the unchanged project reuses the patched one
    expect(await compile(dir)).toBe(false);
  });

  it('patches several models at once, an incremental one with inline config among them', async () => {
    const dir = copyShop();
    await compile(dir);
    const inc = join(dir, 'models/marts/orders_inc.sql');
    writeFileSync(model(dir), `${readFileSync(model(dir), 'utf8')}-- one\n`);
    writeFileSync(inc, readFileSync(inc, 'utf8').replace('amount, status', 'amount, status, amount * 2 as doubled'));
    expect(await compile(dir)).toBe(false);
    const patched = { ...manifestOf(dir), metadata: undefined };
    const incSql = readFileSync(join(dir, 'target/compiled/shop/models/marts/orders_inc.sql'), 'utf8');
    expect(incSql).toContain('amount * 2 as doubled');
    const full = await fullCompileOf(dir);
    expect(patched).toEqual(full.manifest);
    expect(readFileSync(join(dir, 'target/compiled/shop/models/marts/orders_inc.sql'), 'utf8')).toBe(incSql);
  });

  it('patches again after a patch: the recorded node positions follow each edit', async () => {
    const dir = copyShop();
    await compile(dir);
    const inc = join(dir, 'models/marts/orders_inc.sql');
    const original = readFileSync(model(dir), 'utf8');
    writeFileSync(model(dir), `${original}-- a much longer comment, so everything after this node moves\n`);
    expect(await compile(dir)).toBe(false);
    writeFileSync(model(dir), original.replace('status,', 'status ,'));
    writeFileSync(inc, `${readFileSync(inc, 'utf8')}-- two\n`);
    expect(await compile(dir)).toBe(false);
    const patched = { ...manifestOf(dir), metadata: undefined };
    // every recorded range is exactly its node's JSON
    const bytes = readFileSync(join(dir, 'target/manifest.json'));
    const { offsets } = JSON.parse(readFileSync(join(dir, 'target/compile_record.json'), 'utf8')) as { offsets: Record<string, [number, number]> };
    expect(Object.keys(offsets).length).toBeGreaterThan(5);
    for (const [id, [start, end]] of Object.entries(offsets)) expect((JSON.parse(bytes.toString('utf8', start, end)) as { unique_id: string }).unique_id).toBe(id);
    expect(patched).toEqual((await fullCompileOf(dir)).manifest);
  });

  it('renders a model that reads run_started_at or invocation_id again in every compile, alone', async () => {
    const dir = copyShop();
    writeFileSync(model(dir), `${readFileSync(model(dir), 'utf8')}-- built {{run_started_at}} by {{invocation_id}}\n`);
    await compile(dir);
    const rendered = vi.spyOn(Compiler.prototype, 'compile');
    expect(await compile(dir)).toBe(false);
    expect(rendered.mock.calls.map(([node]) => node.unique_id)).toEqual(['model.shop.stg_orders']);
    expect(readFileSync(compiledFile(dir), 'utf8')).toMatch(/-- built \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6} by [0-9a-f-]{36}/);
  });

  it('records the environment variables an edited model names: changing one compiles again', async () => {
    const dir = copyShop();
    writeFileSync(model(dir), `${readFileSync(model(dir), 'utf8')}-- {{env_var "FT_TEST_A" "a"}}\n`);
    await compile(dir);
    writeFileSync(model(dir), readFileSync(model(dir), 'utf8').replace('"FT_TEST_A" "a"', '"FT_TEST_B" "b"'));
    expect(await compile(dir)).toBe(false);
    expect(readFileSync(compiledFile(dir), 'utf8')).toContain('-- b\n');
    await withEnv({ FT_TEST_B: 'x' }, async () => {
      expect(await compile(dir)).toBe(true);
      expect(readFileSync(compiledFile(dir), 'utf8')).toContain('-- x\n');
    });
  });

  it('compiles in full when an edit adds Jinja or mends a file that was warned of: the warnings are those of the files as they are', async () => {
    const dir = copyShop();
    const original = readFileSync(model(dir), 'utf8');
    await compile(dir);
    writeFileSync(model(dir), `${original}{% if is_incremental() %} where 1 {% endif %}\n`);
    expect(await compile(dir)).toBe(true);
    const warned = (): string[] => stderr.join('').split('\n').filter((l) => l.includes('is a Jinja statement'));
    expect(warned()).toEqual([expect.stringMatching(/^warning: models\/staging\/stg_orders\.sql:\d+: "\{% if is_incremental\(\) %\}" is a Jinja statement/)]);
    stderr = [];
    expect(await compile(dir)).toBe(false);
    expect(warned()).toHaveLength(1); // replayed
    stderr = [];
    writeFileSync(model(dir), original);
    expect(await compile(dir)).toBe(true);
    expect(warned()).toEqual([]);
  });

  it('a file saved again unchanged is read and found unchanged', async () => {
    const dir = copyShop();
    await compile(dir);
    const before = manifestOf(dir);
    writeFileSync(model(dir), readFileSync(model(dir), 'utf8'));
    expect(await compile(dir)).toBe(false);
    expect({ ...manifestOf(dir), metadata: undefined }).toEqual({ ...before, metadata: undefined });
  });

  it('compiles in full when an edit changes what the model refs or configures, edits an ephemeral model, or does not parse', async () => {
    const dir = copyShop();
    await compile(dir);
    writeFileSync(model(dir), readFileSync(model(dir), 'utf8').replace('{{ref "orders"}}', '{{ref "orders"}} join {{ref "customers"}} using (customer_id)'));
    expect(await compile(dir)).toBe(true);
    expect(manifestOf(dir).nodes).toMatchObject({ 'model.shop.stg_orders': { depends_on: { nodes: expect.arrayContaining(['seed.shop.customers']) } } });

    writeFileSync(model(dir), `{{config tags="x"}}\n${readFileSync(model(dir), 'utf8')}`);
    expect(await compile(dir)).toBe(true);

    const ephemeral = join(dir, 'models/staging/stg_customers.sql');
    writeFileSync(ephemeral, `${readFileSync(ephemeral, 'utf8')}-- edited\n`);
    expect(await compile(dir)).toBe(true);
    expect(readFileSync(join(dir, 'target/compiled/shop/models/marts/customer_orders.sql'), 'utf8')).toContain('-- edited');

    writeFileSync(model(dir), `${readFileSync(model(dir), 'utf8')}{{#if}}\n`);
    vi.setSystemTime((clock += 1000));
    await expect(compileCommand({ projectDir: dir })).rejects.toThrow(/stg_orders.sql|Handlebars syntax error/);
  });
});
