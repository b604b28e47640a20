import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { compileCommand } from '../../src/cli/compile.js';
import { loadProject } from '../../src/project/load-project.js';
import { ParseCache } from '../../src/project/parse-cache.js';
import type { Project } from '../../src/project/project.js';
import { FtError } from '../../src/util/errors.js';

// Nothing a dbt user wrote is silently ignored or misread: what ft does not act on gets one
// warning naming the file and line; YAML holding Jinja is an error with the Handlebars to write.

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const PROFILES = 'p:\n  target: dev\n  outputs:\n    dev: {type: mysql, host: 127.0.0.1, port: 3306, user: root, password: "", database: db_dev}\n';

function project(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'ft-ignored-'));
  dirs.push(root);
  const all: Record<string, string> = { 'profiles.yml': PROFILES, 'project.yml': 'name: p\nprofile: p\n', 'models/a.sql': 'select 1 as id\n', ...files };
  for (const [rel, text] of Object.entries(all)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

async function load(root: string, partialParse = false): Promise<{ p: Project; warnings: string[] }> {
  const warnings: string[] = [];
  const p = await loadProject({ projectDir: root, partialParse, warn: (w) => warnings.push(w) });
  return { p, warnings };
}

async function loadError(root: string): Promise<FtError> {
  let thrown: unknown;
  try {
    await load(root);
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(FtError);
  expect((thrown as FtError).exitCode).toBe(2);
  return thrown as FtError;
}

const savedEnv = { ...process.env };
beforeEach(() => {
  delete process.env.FT_PROFILES_DIR;
});
afterEach(() => {
  for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
  Object.assign(process.env, savedEnv);
});

/** The warnings that start with `file:line:`, for each expected place. */
const at = (warnings: string[], place: string): string[] => warnings.filter((w) => w.startsWith(`${place}: `));

describe('schema YAML sections ft does not build', () => {
  const SCHEMA = [
    'version: 2', // 1
    'models:', // 2
    '  - name: a', // 3
    'unit_tests:', // 4 (ft runs them: no warning)
    '  - {name: t1, model: a, given: [],', // 5
    '     expect: {rows: []}}', // 6
    'macros:', // 7
    '  - name: mc', // 8
    'groups:', // 9
    '  - name: g', // 10
    '# semantic_models:, metrics: and saved_queries: are read (tests/unit/metrics-yaml.test.ts)', // 11
    '', // 12
    'analyses:', // 13
    '  - name: an', // 14
    '',
  ].join('\n');

  it('one warning each, with the file, the line of the section and what ft does instead', async () => {
    const { warnings } = await load(project({ 'models/schema.yml': SCHEMA }));
    expect(at(warnings, 'models/schema.yml:4')).toEqual([]);
    expect(at(warnings, 'models/schema.yml:7')).toEqual([expect.stringMatching(/macros:.*ft does not document macros yet; this section is ignored/)]);
    expect(at(warnings, 'models/schema.yml:9')).toEqual([expect.stringMatching(/groups:.*ft does not enforce model access or groups yet/)]);
    expect(at(warnings, 'models/schema.yml:11')).toEqual([]);
    expect(at(warnings, 'models/schema.yml:13')).toEqual([expect.stringMatching(/analyses:.*ft does not compile analyses yet/)]);
    expect(warnings).toHaveLength(3);
  });

  it('the warnings come back when the schema file is taken from the parse cache', async () => {
    const root = project({ 'models/schema.yml': SCHEMA });
    const cold = await load(root, true);
    const warm = await load(root, true);
    expect(warm.warnings).toEqual(cold.warnings);
    expect(warm.warnings).toHaveLength(3);
  });
});

describe('keys ft does not act on', () => {
  it('access, group, grants, unknown keys of models and columns, and constraints without an enforced contract', async () => {
    const { warnings } = await load(
      project({
        'models/schema.yml': [
          'version: 2', // 1
          'models:', // 2
          '  - name: a', // 3
          '    access: public', // 4
          '    group: finance', // 5
          '    constraints:', // 6
          '      - type: primary_key', // 7
          '        columns: [id]', // 8
          '    config:', // 9
          '      contract: {enforced: false}', // 10
          '      grants: {select: [reporter]}', // 11
          '    colums: []', // 12
          '    columns:', // 13
          '      - name: id', // 14
          '        constraints: [{type: not_null}]', // 15
          '        test: [unique]', // 16
          '',
        ].join('\n'),
      }),
    );
    expect(at(warnings, 'models/schema.yml:4')).toEqual([expect.stringMatching(/"access".*ft does not enforce model access or groups yet; ignored/)]);
    expect(at(warnings, 'models/schema.yml:5')).toEqual([expect.stringMatching(/"group".*ft does not enforce model access or groups yet/)]);
    expect(at(warnings, 'models/schema.yml:7')).toEqual([expect.stringMatching(/a has 2 constraints but no enforced contract; constraints apply only with config contract: \{enforced: true\}/)]);
    expect(at(warnings, 'models/schema.yml:11')).toEqual([expect.stringMatching(/"grants".*ft does not apply grants yet/)]);
    expect(at(warnings, 'models/schema.yml:12')).toEqual([expect.stringMatching(/unknown key "colums" ignored.*"columns"/)]);
    expect(at(warnings, 'models/schema.yml:16')).toEqual([expect.stringMatching(/unknown key "test" ignored.*"tests"/)]);
    expect(warnings).toHaveLength(6);
  });

  it('microbatch: batch_size, lookback, begin and incremental_strategy microbatch (event_time is read: continuous builds measure freshness by it)', async () => {
    const { warnings } = await load(
      project({
        'models/a.sql': '{{config materialized="incremental" incremental_strategy="microbatch" event_time="ts" batch_size="day"}}\nselect 1 as id\n',
        'models/b.sql': 'select 1 as id\n',
        'models/schema.yml': ['version: 2', 'models:', '  - name: b', '    config:', '      lookback: 2', '      begin: "2024-01-01"', ''].join('\n'),
      }),
    );
    for (const key of ['incremental_strategy', 'batch_size']) {
      expect(at(warnings, 'models/a.sql:1').filter((w) => w.includes(`"${key}"`))).toEqual([expect.stringMatching(/ft does not build microbatch models yet/)]);
    }
    expect(warnings.filter((w) => w.includes('"event_time"'))).toEqual([]);
    expect(at(warnings, 'models/schema.yml:5')).toEqual([expect.stringMatching(/"lookback".*ft does not build microbatch models yet/)]);
    expect(at(warnings, 'models/schema.yml:6')).toEqual([expect.stringMatching(/"begin".*ft does not build microbatch models yet/)]);
    expect(warnings).toHaveLength(4);
  });

  it('project.yml: folder config ft does not act on, and sections it does not read, at their line', async () => {
    const { warnings } = await load(
      project({
        'project.yml': [
          'name: p', // 1
          'profile: p', // 2
          'config-version: 2', // 3
          'models:', // 4
          '  p:', // 5
          '    +grants: {select: [bi]}', // 6
          '    +materialized: table', // 7
          'snapshots:', // 8
          '  p:', // 9
          '    +target_schema: snapshots', // 10
          '',
        ].join('\n'),
      }),
    );
    expect(at(warnings, 'project.yml:6')).toEqual([expect.stringMatching(/grants.*ft does not apply grants yet/)]);
    // snapshots: is project-level snapshot config (target_schema a snapshot key): nothing to say
    expect(warnings).toHaveLength(1);
  });

  it('lint_ignore is a config key', async () => {
    const { warnings } = await load(project({ 'models/a.sql': '{{config lint_ignore="double_dash"}}\nselect 1 as id\n' }));
    expect(warnings).toEqual([]);
  });
});

describe('files ft does not read', () => {
  it('packages.yml and dependencies.yml: a warning per package ft neither installed nor covers, at its line', async () => {
    const { warnings } = await load(
      project({
        'packages.yml': 'packages:\n  - package: dbt-labs/dbt_utils\n    version: 1.1.1\n  - git: "https://github.com/x/y.git"\n  - local: ../nowhere\n',
        'dependencies.yml': 'projects:\n  - name: upstream\n',
      }),
    );
    // dbt_utils is ft's built-in library: nothing to say
    expect(at(warnings, 'packages.yml:2')).toEqual([]);
    expect(at(warnings, 'packages.yml:4')).toEqual([expect.stringMatching(/github\.com\/x\/y\.git.*ft does not have it built in.*ft convert/)]);
    expect(at(warnings, 'packages.yml:5')).toEqual([expect.stringMatching(/\.\.\/nowhere.*is not installed: run ft deps/)]);
    expect(at(warnings, 'dependencies.yml:2')).toEqual([expect.stringMatching(/upstream.*does not read other projects' models/)]);
    expect(warnings).toHaveLength(3);
  });

  it('{% snapshot %} blocks: an error in snapshots/, a warning in a model, each saying how ft writes a snapshot', async () => {
    const e = await loadError(project({ 'snapshots/orders_snapshot.sql': '-- keep history\n{% snapshot orders_snapshot %}\nselect 1\n{% endsnapshot %}\n' }));
    expect(e.format()).toMatch(/snapshots\/orders_snapshot\.sql:2.*legacy snapshot block.*snapshots\/orders_snapshot\.sql with its config as \{\{config strategy=/s);
    const { warnings } = await load(project({ 'models/snap_in_models.sql': '{% snapshot s %}\nselect 1\n{% endsnapshot %}\n' }));
    expect(at(warnings, 'models/snap_in_models.sql:1')).toEqual([expect.stringMatching(/snapshots\/<name>\.sql file holding the SELECT/)]);
    expect(warnings).toHaveLength(1);
  });
});

describe('Jinja left in YAML values', () => {
  it('a schema config value holding a macro call ft cannot render is an error with the Handlebars to write', async () => {
    const e = await loadError(
      project({
        'models/schema.yml': ['version: 2', 'models:', '  - name: a', '    config:', '      materialized: table', '      enabled: "{{ var(\'on\', true) }}"', '      alias: "{{ my_alias(\'a\') }}"', ''].join('\n'),
      }),
    );
    expect(e.format()).toMatch(/^models\/schema\.yml:7: .*\{\{ my_alias\('a'\) \}\}.*renders var, env_var and target in YAML values, not this/);
  });

  it('a {% if %} in a test argument, and Jinja in project.yml', async () => {
    const e = await loadError(
      project({
        'models/schema.yml': ['version: 2', 'models:', '  - name: a', '    columns:', '      - name: id', '        tests:', '          - accepted_values:', '              values: ["{% if true %}1{% endif %}"]', ''].join('\n'),
      }),
    );
    expect(e.format()).toMatch(/^models\/schema\.yml:8: .*Jinja statement.*\{\{#if/);
    // var/env_var/target in project.yml are rendered once the vars are known; an unset variable says so
    const p = await loadError(project({ 'project.yml': 'name: p\nprofile: p\nmodels:\n  p:\n    +schema: "{{ env_var(\'FT_UNSET_S\') }}"\n' }));
    expect(p.format()).toMatch(/^project\.yml: environment variable FT_UNSET_S is not set and has no default/);
    const macro = await loadError(project({ 'project.yml': 'name: p\nprofile: p\nmodels:\n  p:\n    +schema: "{{ my_schema() }}"\n' }));
    expect(macro.format()).toMatch(/^project\.yml:5: .*my_schema/);
  });

  it('Handlebars where ft renders it is left alone', async () => {
    const { warnings } = await load(
      project({
        'project.yml': 'name: p\nprofile: p\nmodels:\n  p:\n    +post_hook: "select 1 from {{this}}"\n',
        'models/schema.yml': 'version: 2\nsources:\n  - name: raw\n    schema: "{{target.database}}_raw"\n    tables: [{name: t}]\n',
      }),
    );
    expect(warnings).toEqual([]);
  });
});

describe('a warm compile prints the warnings of a cold one', () => {
  let stderr: string[] = [];
  let clock = Date.now();
  beforeEach(() => {
    stderr = [];
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => (stderr.push(String(s)), true));
    // files written by the test count as settled (unchanged since) only once they are 2 s old: run "later"
    clock = Date.now() + 5000;
    vi.useFakeTimers({ now: clock, toFake: ['Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('replays them, and compiles in full when packages.yml or a snapshot is added', async () => {
    const root = project({ 'models/schema.yml': 'version: 2\nanalyses:\n  - name: m\n' });
    const compile = async (): Promise<{ warned: string[]; loaded: boolean }> => {
      stderr = [];
      vi.setSystemTime((clock += 5000));
      const spy = vi.spyOn(ParseCache.prototype, 'save');
      expect(await compileCommand({ projectDir: root })).toBe(0);
      const loaded = spy.mock.calls.length > 0;
      spy.mockRestore();
      return { warned: stderr.join('').split('\n').filter((l) => l.includes('ft does not')), loaded };
    };
    const cold = await compile();
    expect(cold.warned).toEqual([expect.stringContaining('models/schema.yml:2: ')]);
    const warm = await compile();
    expect(warm.loaded).toBe(false); // the last compile reused, its warnings replayed
    expect(warm.warned).toEqual(cold.warned);
    writeFileSync(join(root, 'packages.yml'), 'packages:\n  - package: someone/not_built_in\n');
    const withPackages = await compile();
    expect(withPackages.loaded).toBe(true);
    expect(withPackages.warned).toEqual([...cold.warned, expect.stringContaining('packages.yml:2: ')]);
    mkdirSync(join(root, 'snapshots'));
    writeFileSync(join(root, 'snapshots/s.sql'), '{{config strategy="check" unique_key="id" check_cols="all"}}\nselect 1 as id\n');
    const withSnapshot = await compile();
    expect(withSnapshot.loaded).toBe(true);
    expect(withSnapshot.warned).toHaveLength(2);
  });
});
