import { createHash } from 'node:crypto';
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// `ft compile` of the fixture project (tests/fixtures/shop), pinned by golden files, and the
// manifest it writes: dbt's shape, valid against docs/schemas/manifest.schema.json, no credentials.
//
// Updating the goldens after an intended change of the generated SQL:
//
//   npm run build && UPDATE_GOLDENS=1 npx vitest run tests/unit/compile-golden.test.ts
//
// then review `git diff tests/goldens/compile` before committing.

const repo = resolve(import.meta.dirname, '../..');
const bin = join(repo, 'bin', 'ft.js');
const shop = join(repo, 'tests', 'fixtures', 'shop');
const goldens = join(repo, 'tests', 'goldens', 'compile');
const schema = JSON.parse(readFileSync(join(repo, 'docs', 'schemas', 'manifest.schema.json'), 'utf8')) as JsonSchema;
const work = mkdtempSync(join(tmpdir(), 'ft-golden-'));
const update = process.env.UPDATE_GOLDENS === '1';

beforeAll(() => {
  if (!existsSync(join(repo, 'dist', 'cli', 'main.js'))) {
    try {
      execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: repo, stdio: 'ignore' });
    } catch {
      // type errors elsewhere still emit JavaScript
    }
  }
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The real CLI in a clean environment (no FT_* variables), so the output is reproducible. */
function ft(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [bin, ...args], { env: { PATH: process.env.PATH, HOME: work, NO_COLOR: '1', ...env } }, (err, stdout, stderr) =>
      done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

let n = 0;
function copy(src: string): string {
  const dir = join(work, `p${++n}`);
  cpSync(src, dir, { recursive: true, filter: (f) => !f.startsWith(join(src, 'target')) });
  return dir;
}

function files(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as Array<{ isFile(): boolean; name: string; parentPath?: string; path?: string }>)
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath ?? e.path ?? dir, e.name).slice(dir.length + 1))
    .sort();
}

type Json = unknown;
interface JsonSchema {
  [k: string]: unknown;
}

/**
 * A validator for the subset of JSON Schema that manifest.schema.json uses: type, required,
 * properties, additionalProperties, items, enum, const, pattern, minLength, minItems,
 * propertyNames, allOf and local $ref. Returns the list of violations.
 */
function validate(value: Json, s: JsonSchema, root: JsonSchema, path = '$'): string[] {
  const errs: string[] = [];
  if (typeof s.$ref === 'string') {
    const target = (s.$ref as string).replace(/^#\//, '').split('/').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], root);
    if (!target) return [`${path}: unresolved $ref ${s.$ref}`];
    errs.push(...validate(value, target as JsonSchema, root, path));
  }
  for (const sub of (s.allOf as JsonSchema[] | undefined) ?? []) errs.push(...validate(value, sub, root, path));
  const typeOf = (v: Json): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v);
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
    const t = typeOf(value);
    if (!types.includes(t) && !(t === 'integer' && types.includes('number'))) return [...errs, `${path}: expected ${types.join('|')}, got ${t}`];
  }
  if (s.enum && !(s.enum as Json[]).includes(value)) errs.push(`${path}: ${JSON.stringify(value)} not in ${JSON.stringify(s.enum)}`);
  if ('const' in s && s.const !== value) errs.push(`${path}: ${JSON.stringify(value)} is not ${JSON.stringify(s.const)}`);
  if (typeof value === 'string') {
    if (typeof s.pattern === 'string' && !new RegExp(s.pattern).test(value)) errs.push(`${path}: "${value}" does not match ${s.pattern}`);
    if (typeof s.minLength === 'number' && value.length < s.minLength) errs.push(`${path}: shorter than ${s.minLength}`);
  }
  if (Array.isArray(value)) {
    if (typeof s.minItems === 'number' && value.length < s.minItems) errs.push(`${path}: fewer than ${s.minItems} items`);
    if (s.items) value.forEach((v, i) => errs.push(...validate(v, s.items as JsonSchema, root, `${path}[${i}]`)));
  }
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const obj = value as Record<string, Json>;
    for (const k of (s.required as string[] | undefined) ?? []) if (!(k in obj)) errs.push(`${path}: missing required "${k}"`);
    const props = (s.properties as Record<string, JsonSchema> | undefined) ?? {};
    for (const [k, v] of Object.entries(obj)) {
      if (s.propertyNames) errs.push(...validate(k, s.propertyNames as JsonSchema, root, `${path} key "${k}"`));
      if (props[k]) errs.push(...validate(v, props[k]!, root, `${path}.${k}`));
      else if (s.additionalProperties === false) errs.push(`${path}: unexpected property "${k}"`);
      else if (s.additionalProperties && typeof s.additionalProperties === 'object') errs.push(...validate(v, s.additionalProperties as JsonSchema, root, `${path}["${k}"]`));
    }
  }
  return errs;
}

describe('ft compile of tests/fixtures/shop matches the golden files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = copy(shop);
    const r = await ft(['compile', '--project-dir', dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Compiled 10 nodes/);
  });

  it('target/compiled/** equals tests/goldens/compile/**', () => {
    const compiledDir = join(dir, 'target', 'compiled');
    const produced = files(compiledDir);
    if (update) {
      for (const f of files(goldens)) if (f !== 'README.md') rmSync(join(goldens, f));
      for (const f of produced) {
        mkdirSync(dirname(join(goldens, f)), { recursive: true });
        writeFileSync(join(goldens, f), readFileSync(join(compiledDir, f)));
      }
    }
    expect(produced).toEqual(files(goldens).filter((f) => f !== 'README.md'));
    for (const f of produced) {
      expect(readFileSync(join(compiledDir, f), 'utf8'), `${f} differs from its golden file (UPDATE_GOLDENS=1 to accept)`).toBe(readFileSync(join(goldens, f), 'utf8'));
    }
  });

  it('writes target/manifest.json valid against docs/schemas/manifest.schema.json', () => {
    const manifest = JSON.parse(readFileSync(join(dir, 'target', 'manifest.json'), 'utf8')) as Json;
    expect(validate(manifest, schema, schema)).toEqual([]);
  });

  it('the manifest has dbt\'s shape: nodes by unique id, parent and child maps, raw and compiled SQL', () => {
    const m = JSON.parse(readFileSync(join(dir, 'target', 'manifest.json'), 'utf8')) as {
      metadata: Record<string, string>;
      nodes: Record<string, Record<string, unknown>>;
      parent_map: Record<string, string[]>;
      child_map: Record<string, string[]>;
    };
    expect(m.metadata.project_name).toBe('shop');
    expect(Object.keys(m.nodes).filter((k) => !k.startsWith('test.')).sort()).toEqual([
      'model.shop.customer_orders',
      'model.shop.orders_inc',
      'model.shop.stg_customers',
      'model.shop.stg_orders',
      'seed.shop.customers',
      'seed.shop.orders',
    ]);
    const stg = m.nodes['model.shop.stg_orders']!;
    expect(stg).toMatchObject({
      name: 'stg_orders',
      resource_type: 'model',
      path: 'staging/stg_orders.sql',
      original_file_path: 'models/staging/stg_orders.sql',
      config: { materialized: 'view', tags: ['staging'] },
      depends_on: { nodes: ['seed.shop.orders'], macros: ['macro.shop.cents'] },
      description: 'One row per order.',
    });
    expect(stg.raw_code).toBe(readFileSync(join(shop, 'models/staging/stg_orders.sql'), 'utf8'));
    expect(stg.compiled_code).toBe(readFileSync(join(goldens, 'shop/models/staging/stg_orders.sql'), 'utf8'));
    expect(Object.keys(stg.columns as object)).toEqual(['order_id', 'status', 'customer_id']);
    expect((stg.checksum as { checksum: string }).checksum).toMatch(/^[0-9a-f]{64}$/);
    // parent_map and child_map mirror each other and depends_on
    for (const [id, parents] of Object.entries(m.parent_map)) {
      for (const p of parents) expect(m.child_map[p]).toContain(id);
      if (m.nodes[id]) expect([...parents].sort()).toEqual([...(m.nodes[id]!.depends_on as { nodes: string[] }).nodes].sort());
    }
    expect(m.child_map['model.shop.stg_orders']).toEqual(expect.arrayContaining(['model.shop.customer_orders', 'model.shop.orders_inc', 'test.shop.no_negative_amounts']));
  });

  it('an unchanged warm compile produces the same files', async () => {
    const r = await ft(['compile', '--project-dir', dir]);
    expect(r.code, r.stderr).toBe(0);
    for (const f of files(goldens).filter((x) => x !== 'README.md')) {
      expect(readFileSync(join(dir, 'target', 'compiled', f), 'utf8')).toBe(readFileSync(join(goldens, f), 'utf8'));
    }
  });
});

describe('manifest with sources, exposures and docs', () => {
  it('validates against the schema', async () => {
    const dir = join(work, 'rich');
    const put = (rel: string, text: string): void => {
      mkdirSync(dirname(join(dir, rel)), { recursive: true });
      writeFileSync(join(dir, rel), text);
    };
    put('project.yml', 'name: rich\nprofile: rich\n');
    put('profiles.yml', 'rich:\n  target: dev\n  outputs:\n    dev: {type: mysql, database: rich_dev}\n');
    put('models/docs.md', '{{#docs "events_doc"}}\nEvents from the shop.\n{{/docs}}\n');
    put('models/events.sql', 'select * from {{source "raw" "events"}}\n');
    put(
      'models/schema.yml',
      [
        'version: 2',
        'sources:',
        '  - name: raw',
        '    loaded_at_field: ts',
        '    freshness: {warn_after: {count: 1, period: hour}}',
        '    tables:',
        '      - name: events',
        '        description: \'{{doc "events_doc"}}\'',
        '        columns: [{name: id, tests: [not_null]}]',
        'models:',
        '  - name: events',
        '    columns: [{name: id, data_type: int, tests: [unique]}]',
        'exposures:',
        '  - name: board',
        '    type: dashboard',
        '    maturity: high',
        '    url: https://bi.example/board',
        '    owner: {name: BI team}',
        '    depends_on: ["ref(\'events\')"]',
        '',
      ].join('\n'),
    );
    const r = await ft(['parse', '--project-dir', dir]);
    expect(r.code, r.stderr).toBe(0);
    const m = JSON.parse(readFileSync(join(dir, 'target', 'manifest.json'), 'utf8')) as Record<string, Record<string, Record<string, unknown>>>;
    expect(validate(m, schema, schema)).toEqual([]);
    expect(m.sources!['source.rich.raw.events']).toMatchObject({ description: 'Events from the shop.', relation_name: '`rich_dev_raw`.`events`' });
    expect(m.exposures!['exposure.rich.board']).toMatchObject({ depends_on: { nodes: ['model.rich.events'] } });
    // ft parse renders nothing
    expect(m.nodes!['model.rich.events']!.compiled_code).toBeUndefined();
    // the validator itself catches violations
    const broken = structuredClone(m) as Record<string, Record<string, Record<string, unknown>>>;
    delete broken.nodes!['model.rich.events']!.checksum;
    broken.nodes!['model.rich.events']!.resource_type = 'view';
    expect(validate(broken, schema, schema)).toEqual([
      expect.stringContaining('missing required "checksum"'),
      expect.stringContaining('"view" not in'),
    ]);
  });
});

describe('no credentials in target/', () => {
  it('the profile password never appears in any file under target/ nor in the output', async () => {
    const dir = copy(join(repo, 'tests', 'fixtures', 'bad', 'ok'));
    expect(readFileSync(join(dir, 'profiles.yml'), 'utf8')).toContain('s3cret-pw');
    const outputs = [
      await ft(['compile', '--project-dir', dir]),
      await ft(['parse', '--project-dir', dir]),
      await ft(['ls', '--project-dir', dir, '--output', 'json']),
    ];
    for (const r of outputs) {
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout + r.stderr).not.toContain('s3cret-pw');
    }
    const shopDir = copy(shop);
    const r = await ft(['compile', '--project-dir', shopDir], { FT_PASSWORD: 's3cret-pw' });
    expect(r.code, r.stderr).toBe(0);
    for (const d of [dir, shopDir]) {
      const all = files(join(d, 'target'));
      expect(all.length).toBeGreaterThan(2);
      for (const f of all) {
        const text = readFileSync(join(d, 'target', f), 'utf8');
        expect(text, f).not.toContain('s3cret-pw');
        // nor a hash of it (the compile record keeps hashes of the environment variables it read)
        expect(text, f).not.toContain(createHash('sha256').update('s3cret-pw').digest('hex'));
      }
    }
  });
});
