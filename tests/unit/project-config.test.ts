import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadProject } from '../../src/project/load-project.js';
import { profileSearchPath } from '../../src/project/profiles.js';
import type { Project } from '../../src/project/project.js';
import { FtError } from '../../src/util/errors.js';

// project.yml / dbt_project.yml keys, profiles.yml, discovery and config precedence.

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const PROFILES = 'p:\n  target: dev\n  outputs:\n    dev: {type: mysql, host: 127.0.0.1, port: 3306, user: root, password: "", database: db_dev}\n';

function project(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'ft-proj-'));
  dirs.push(root);
  const all: Record<string, string> = { 'profiles.yml': PROFILES, ...files };
  if (!('project.yml' in all) && !('dbt_project.yml' in all)) all['project.yml'] = 'name: p\nprofile: p\n';
  for (const [rel, text] of Object.entries(all)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

async function load(root: string, extra: Partial<Parameters<typeof loadProject>[0]> = {}): Promise<{ p: Project; warnings: string[] }> {
  const warnings: string[] = [];
  const p = await loadProject({ projectDir: root, partialParse: false, warn: (w) => warnings.push(w), ...extra });
  return { p, warnings };
}

const savedEnv = { ...process.env };
beforeEach(() => {
  delete process.env.FT_PROFILES_DIR;
});
afterEach(() => {
  for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
  Object.assign(process.env, savedEnv);
});

describe('project.yml accepts dbt_project.yml keys', () => {
  it('reads name, version, profile, every *-paths key, target-path and vars from dbt_project.yml', async () => {
    const root = project({
      'dbt_project.yml': [
        'name: jaffle',
        'version: "2.1.0"',
        'config-version: 2',
        'profile: p',
        'model-paths: ["transform"]',
        'seed-paths: ["data"]',
        'test-paths: ["checks"]',
        'macro-paths: ["mac"]',
        'target-path: "out"',
        'vars:',
        '  limit: 5',
        '  jaffle:',
        '    scoped: yes-scoped',
        '',
      ].join('\n'),
      'transform/a.sql': 'select {{var "limit"}} as l, \'{{var "scoped"}}\' as s from {{ref "seed_one"}}\n',
      'data/seed_one.csv': 'id\n1\n',
      'checks/no_rows.sql': 'select * from {{ref "a"}} where 1 = 0\n',
      'mac/twice.sql': '({{x}} * 2)',
      'models/ignored.sql': 'select 1\n',
    });
    const { p } = await load(root);
    expect(p.config).toMatchObject({
      name: 'jaffle',
      version: '2.1.0',
      profile: 'p',
      modelPaths: ['transform'],
      seedPaths: ['data'],
      testPaths: ['checks'],
      macroPaths: ['mac'],
      targetPath: 'out',
      file: 'dbt_project.yml',
    });
    expect([...p.nodes.keys()].sort()).toEqual(['model.jaffle.a', 'seed.jaffle.seed_one', 'test.jaffle.no_rows']);
    expect(p.vars).toMatchObject({ limit: 5, scoped: 'yes-scoped' });
    expect(p.partials.has('twice')).toBe(true);
  });

  it('applies nested folder config under models: and seeds:, with or without the + prefix', async () => {
    const root = project({
      'project.yml': [
        'name: p',
        'profile: p',
        'models:',
        '  p:',
        '    +tags: [all]',
        '    silver:',
        '      +materialized: table',
        '      schema: silver',
        '      deep:',
        '        materialized: incremental',
        '        +tags: deep',
        'seeds:',
        '  p:',
        '    +quote_columns: false',
        '    lookups:',
        '      delimiter: ";"',
        '',
      ].join('\n'),
      'models/top.sql': 'select 1\n',
      'models/silver/s1.sql': 'select 1\n',
      'models/silver/deep/d1.sql': 'select 1\n',
      'seeds/lookups/l.csv': 'a;b\n1;2\n',
      'seeds/plain.csv': 'a\n1\n',
    });
    const { p, warnings } = await load(root);
    const cfg = (id: string) => p.nodes.get(id)!.config;
    expect(cfg('model.p.top')).toMatchObject({ materialized: 'view', tags: ['all'] });
    expect(cfg('model.p.s1')).toMatchObject({ materialized: 'table', schema: 'silver', tags: ['all'] });
    expect(cfg('model.p.d1')).toMatchObject({ materialized: 'incremental', schema: 'silver', tags: ['all', 'deep'] });
    expect(p.nodes.get('model.p.s1')!.schema).toBe('db_dev_silver');
    expect(p.nodes.get('model.p.top')!.schema).toBe('db_dev');
    expect(cfg('seed.p.l')).toMatchObject({ quote_columns: false, delimiter: ';' });
    expect(cfg('seed.p.plain')).toMatchObject({ quote_columns: false, delimiter: ',' });
    expect(warnings).toEqual([]);
  });

  it('config precedence: inline {{config}} > schema YAML config > project.yml folder > defaults', async () => {
    const root = project({
      'project.yml': 'name: p\nprofile: p\nmodels:\n  p:\n    +materialized: table\n    +alias: from_folder\n    +schema: folder\n    +tags: [f]\n',
      'models/m.sql': '{{config materialized="incremental" tags="inline"}}\nselect 1\n',
      'models/n.sql': 'select 1\n',
      'models/schema.yml': [
        'version: 2',
        'models:',
        '  - name: m',
        '    config: {materialized: ephemeral, schema: yaml, tags: [y]}',
        '  - name: n',
        '    config: {schema: yaml_n}',
        '',
      ].join('\n'),
    });
    const { p } = await load(root);
    const m = p.nodes.get('model.p.m')!;
    expect(m.config.materialized).toBe('incremental'); // inline wins over YAML and folder
    expect(m.config.schema).toBe('yaml'); // YAML wins over folder
    expect(m.config.alias).toBe('from_folder'); // folder wins over defaults
    expect(m.config.tags).toEqual(['f', 'y', 'inline']); // tags add up, as in dbt
    expect(m.config.enabled).toBe(true); // default
    const n = p.nodes.get('model.p.n')!;
    expect(n.config).toMatchObject({ materialized: 'table', schema: 'yaml_n', alias: 'from_folder' });
    expect(n.relation_name).toBe('`db_dev_yaml_n`.`from_folder`');
  });

  it('warns (does not fail) on an unknown config key, naming the closest known key', async () => {
    const root = project({
      'project.yml': 'name: p\nprofile: p\nmodels:\n  p:\n    +materalized: table\n',
      'models/m.sql': '{{config materialised="table"}}\nselect 1\n',
      'models/schema.yml': 'version: 2\nmodels:\n  - name: m\n    config: {uniqe_key: id}\n',
    });
    const { warnings } = await load(root);
    expect(warnings.some((w) => w.includes('models/m.sql:1') && w.includes('"materialised"') && w.includes('"materialized"'))).toBe(true);
    expect(warnings.some((w) => w.includes('models/schema.yml:4') && w.includes('"uniqe_key"') && w.includes('"unique_key"'))).toBe(true);
    expect(warnings.some((w) => w.includes('project.yml') && w.includes('+materalized') && w.includes('"materialized"'))).toBe(true);
  });

  it('a disabled model leaves the project', async () => {
    const root = project({ 'models/a.sql': '{{config enabled=false}}\nselect 1\n', 'models/b.sql': 'select 1\n' });
    const { p } = await load(root);
    expect([...p.nodes.keys()]).toEqual(['model.p.b']);
  });
});

describe('discovery', () => {
  it('finds models, schema YAML (models, sources, seeds, exposures), seeds, macros and singular tests', async () => {
    const root = project({
      'models/staging/stg_events.sql': 'select * from {{source "raw" "events"}}\n',
      'models/marts/daily.sql': 'select {{> pct x="a"}} as p, {{ratio "a" "b"}} as r from {{ref "stg_events"}} join {{ref "countries"}}\n',
      'models/schema.yml': [
        'version: 2',
        'sources:',
        '  - name: raw',
        '    schema: landing',
        '    description: Raw landing tables.',
        '    tables:',
        '      - name: events',
        '        identifier: events_v2',
        '        columns:',
        '          - name: id',
        '            data_tests: [not_null]',
        'models:',
        '  - name: stg_events',
        '    description: Cleaned events.',
        '    config:',
        '      materialized: table',
        '    columns:',
        '      - name: id',
        '        description: The key.',
        '        data_type: bigint',
        '        tests: [unique, not_null]',
        '      - name: kind',
        '        data_tests:',
        '          - accepted_values:',
        '              values: [a, b]',
        '  - name: daily',
        '    columns:',
        '      - name: country',
        '        tests:',
        '          - relationships: {to: ref(\'countries\'), field: code}',
        'seeds:',
        '  - name: countries',
        '    description: ISO countries.',
        '    config: {column_types: {code: char(2)}}',
        'exposures:',
        '  - name: kpi_dashboard',
        '    type: dashboard',
        '    owner: {name: Ana, email: ana@example.com}',
        '    depends_on: ["ref(\'daily\')", "source(\'raw\', \'events\')"]',
        '',
      ].join('\n'),
      'seeds/countries.csv': 'code,name\nFR,France\n',
      'macros/pct.sql': 'ROUND({{x}} * 100, 2)',
      'macros/math.js': 'export function ratio(a, b) { return `(${a} / NULLIF(${b}, 0))`; }\nexport const notAHelper = 3;\n',
      'tests/assert_positive.sql': 'select * from {{ref "daily"}} where p < 0\n',
    });
    const { p } = await load(root);
    const ids = [...p.nodes.keys()].sort();
    expect(ids.filter((i) => !i.startsWith('test.'))).toEqual([
      'exposure.p.kpi_dashboard',
      'model.p.daily',
      'model.p.stg_events',
      'seed.p.countries',
      'source.p.raw.events',
    ]);
    const tests = ids.filter((i) => i.startsWith('test.'));
    expect(tests).toContain('test.p.assert_positive');
    // tests: and data_tests: are both read, on columns of models and source tables
    const generic = [...p.nodes.values()].filter((n) => n.test_metadata).map((n) => n.name).sort();
    expect(generic).toEqual([
      'accepted_values_stg_events_kind__a__b',
      'not_null_stg_events_id',
      'relationships_daily_country__code__ref_countries_',
      'source_not_null_raw_events_id', // dbt's name for a test on a source
      'unique_stg_events_id',
    ]);
    const stg = p.nodes.get('model.p.stg_events')!;
    expect(stg.description).toBe('Cleaned events.');
    expect(stg.config.materialized).toBe('table');
    expect(stg.columns.id).toMatchObject({ name: 'id', description: 'The key.', data_type: 'bigint' });
    expect(stg.patch_path).toBe('models/schema.yml:13');
    expect(stg.depends_on.nodes).toEqual(['source.p.raw.events']);
    const src = p.nodes.get('source.p.raw.events')!;
    expect(src.relation_name).toBe('`landing`.`events_v2`');
    expect(src.source_description).toBe('Raw landing tables.');
    const seed = p.nodes.get('seed.p.countries')!;
    expect(seed.description).toBe('ISO countries.');
    expect(seed.config.column_types).toEqual({ code: 'char(2)' });
    const daily = p.nodes.get('model.p.daily')!;
    expect(daily.depends_on.nodes.sort()).toEqual(['model.p.stg_events', 'seed.p.countries']);
    expect(daily.depends_on.macros).toEqual(['macro.p.pct']);
    expect(p.helpers.has('ratio')).toBe(true);
    expect(p.helpers.has('notAHelper')).toBe(false);
    expect(p.nodes.get('exposure.p.kpi_dashboard')!.depends_on.nodes.sort()).toEqual(['model.p.daily', 'source.p.raw.events']);
    expect(p.nodes.get('exposure.p.kpi_dashboard')!.owner).toEqual({ name: 'Ana', email: 'ana@example.com' });
  });

  it('accepts `to: customers` as well as `to: ref(\'customers\')`', async () => {
    const root = project({
      'models/orders.sql': 'select 1 as customer_id\n',
      'models/customers.sql': 'select 1 as id\n',
      'models/schema.yml': 'version: 2\nmodels:\n  - name: orders\n    columns:\n      - name: customer_id\n        tests:\n          - relationships: {to: customers, field: id}\n',
    });
    const { p } = await load(root);
    const t = [...p.nodes.values()].find((n) => n.test_metadata?.name === 'relationships')!;
    expect(t.depends_on.nodes.sort()).toEqual(['model.p.customers', 'model.p.orders']);
  });
});

describe('profiles.yml', () => {
  const prof = (db: string, extra = ''): string => `p:\n  target: dev\n  outputs:\n    dev:\n      type: mysql\n      database: ${db}\n${extra}`;

  it('reads dbt-mysql aliases server/username/schema', async () => {
    const root = project({
      'profiles.yml': 'p:\n  target: dev\n  outputs:\n    dev:\n      type: mysql\n      server: db.internal\n      port: 3307\n      username: etl\n      password: pw\n      schema: analytics\n      threads: 8\n',
    });
    const { p } = await load(root);
    expect(p.target).toMatchObject({ host: 'db.internal', port: 3307, user: 'etl', password: 'pw', database: 'analytics', threads: 8, targetName: 'dev' });
  });

  it('is found via --profiles-dir, then FT_PROFILES_DIR, then the project directory, then ~/.ft/', async () => {
    const root = project({ 'profiles.yml': prof('from_project') });
    const flagDir = project({ 'profiles.yml': prof('from_flag') });
    const envDir = project({ 'profiles.yml': prof('from_env') });
    const home = mkdtempSync(join(tmpdir(), 'ft-home-'));
    dirs.push(home);
    mkdirSync(join(home, '.ft'));
    writeFileSync(join(home, '.ft', 'profiles.yml'), prof('from_home'));
    process.env.HOME = home;
    process.env.FT_PROFILES_DIR = envDir;
    expect((await load(root, { profilesDir: flagDir })).p.target.database).toBe('from_flag');
    expect((await load(root)).p.target.database).toBe('from_env');
    delete process.env.FT_PROFILES_DIR;
    expect((await load(root)).p.target.database).toBe('from_project');
    rmSync(join(root, 'profiles.yml'));
    expect((await load(root)).p.target.database).toBe('from_home');
    expect(profileSearchPath(root, {})).toEqual([root, join(home, '.ft')]);
  });

  it('renders {{env_var "NAME" "default"}} before parsing, and --target picks the output', async () => {
    const root = project({
      'profiles.yml': [
        'p:',
        '  target: dev',
        '  outputs:',
        '    dev:',
        '      type: mysql',
        '      host: "{{env_var "FT_T_HOST" "localhost"}}"',
        '      password: "{{env_var "FT_T_PASSWORD"}}"',
        '      database: "{{env_var "FT_T_DB" "dev_db"}}"',
        '    prod:',
        '      type: mariadb',
        '      database: prod_db',
        '',
      ].join('\n'),
    });
    process.env.FT_T_PASSWORD = 'from-env';
    process.env.FT_T_HOST = 'db.example';
    const dev = (await load(root)).p.target;
    expect(dev).toMatchObject({ host: 'db.example', password: 'from-env', database: 'dev_db', targetName: 'dev' });
    expect((await load(root, { target: 'prod' })).p.target).toMatchObject({ database: 'prod_db', targetName: 'prod', type: 'mariadb' });
    delete process.env.FT_T_PASSWORD;
    const err = await load(root).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FtError);
    expect((err as FtError).message).toContain('FT_T_PASSWORD');
  });

  it('--vars override project vars', async () => {
    const root = project({ 'project.yml': 'name: p\nprofile: p\nvars: {a: 1, b: 2}\n' });
    const { p } = await load(root, { vars: { b: 20, c: 30 } });
    expect(p.vars).toEqual({ a: 1, b: 20, c: 30 });
  });
});
