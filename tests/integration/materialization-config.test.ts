import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject, type CliResult, type TestProject } from '../helpers/project-builder.js';

/** Model config as the server sees it: enabled, alias, schema, tags, indexes, hooks, persist_docs. */
describe('model config', () => {
  /** A fresh project (its own database): for tests that need a state no other test made. */
  const fresh = (): Promise<TestProject> =>
    createProject({
      label: 'config',
      project: {
        'on-run-start': ['create table if not exists {{target.database}}.run_log (event varchar(20), at_ms bigint)', "insert into {{target.database}}.run_log values ('start', 1)"],
        'on-run-end': ["insert into {{target.database}}.run_log values ('end', (select count(*) from {{ref \"tagged\"}}))"],
        models: { proj: { '+materialized': 'table', silver: { '+schema': 'silver' } } },
      },
      models: {
        'off.sql': '{{config enabled=false}}\nselect 1 as x',
        'aliased.sql': '{{config alias="renamed_table"}}\nselect 1 as x',
        'uses_alias.sql': '{{config materialized="view"}}\nselect x from {{ref "aliased"}}',
        'silver/in_silver.sql': 'select 2 as y',
        'gold_one.sql': '{{config schema="gold"}}\nselect y from {{ref "in_silver"}}',
        'tagged.sql': '{{config tags="nightly"}}\nselect 3 as z',
        'indexed.sql': "select 1 as id, 'a' as code, 10 as amount union all select 2, 'b', 20",
        'hooked.sql': [
          '{{config',
          '  pre_hook="create table if not exists {{this.schema}}.hook_log (what varchar(40), rows_seen int)"',
          '  post_hook="insert into {{this.schema}}.hook_log select \'post {{this.name}}\', count(*) from {{this}}"',
          '}}',
          'select 1 as h union all select 2',
        ].join('\n'),
        'documented.sql': "select 1 as id, 'x' as code",
      },
      yaml: {
        'schema.yml': `models:
  - name: indexed
    config:
      indexes:
        - columns: [code]
        - columns: [id, code]
          unique: true
  - name: documented
    description: "One row per thing; it's documented."
    config:
      persist_docs: {relation: true, columns: true}
    columns:
      - name: id
        description: The key of the thing.
      - name: code
        description: "A code with a 'quote' and a backslash \\\\ in it."
  - name: tagged
    config:
      tags: [hourly]
`,
      },
    });

  /** The shared, read-only fixture: a project run twice, `run -s tag:hourly` then `run`; no test changes it. */
  let p: TestProject;
  let tagRun: CliResult;
  let fullRun: CliResult;

  beforeAll(async () => {
    p = await fresh();
    tagRun = await p.ft(['run', '-s', 'tag:hourly']);
    fullRun = await p.ft(['run']);
    // every test below reads what these runs built
    expect(tagRun.code, tagRun.output).toBe(0);
    expect(fullRun.code, fullRun.output).toBe(0);
  });

  afterAll(async () => {
    await p?.cleanup();
  });

  it('--select tag: runs only the tagged models', async () => {
    const own = await fresh();
    try {
      const r = await own.ft(['run', '-s', 'tag:hourly']);
      expect(r.code, r.output).toBe(0);
      expect(r.output).toMatch(/1 of 1 OK created table model \S+\.tagged/);
      expect(await own.tables()).toEqual(['run_log', 'tagged']);
      const r2 = await own.ft(['ls', '-s', 'tag:nightly']);
      expect(r2.stdout.trim()).toBe('tagged');
    } finally {
      await own.cleanup();
    }
  });

  it('builds everything else with alias, schema, indexes, hooks and docs', async () => {
    expect(tagRun.code, tagRun.output).toBe(0);
    const r = fullRun;
    expect(r.code, r.output).toBe(0);
    // enabled=false: not built, not counted
    expect(r.output).not.toMatch(/\boff\b/);
    expect(await p.relationType('off')).toBeNull();
    // alias: the relation is named by the alias; refs follow it
    expect(await p.relationType('renamed_table')).toBe('table');
    expect(await p.relationType('aliased')).toBeNull();
    expect(await p.query(`select x from ${p.rel('uses_alias')}`)).toEqual([{ x: 1 }]);
    // schema: <target database>_<schema>, from a folder (+schema) or the model
    expect(await p.tables('silver')).toEqual(['in_silver']);
    expect(await p.tables('gold')).toEqual(['gold_one']);
    expect(r.output).toMatch(new RegExp(`OK created table model ${p.schema('gold')}\\.gold_one`));
  });

  it('indexes are created on the new table before it is swapped in', async () => {
    const stats = await p.query<{ i: string; u: number; c: string }>(
      `select index_name as i, non_unique as u, group_concat(column_name order by seq_in_index) as c
         from information_schema.statistics where table_schema = ? and table_name = 'indexed' group by index_name, non_unique order by c`,
      [p.database],
    );
    expect(stats.map((s) => [s.c, Number(s.u)])).toEqual([
      ['code', 1],
      ['id,code', 0],
    ]);
    const sql = p.read('target/run/proj/models/indexed.sql');
    const addIndex = sql.indexOf('`indexed__ft_tmp` ADD INDEX');
    const addUnique = sql.indexOf('`indexed__ft_tmp` ADD UNIQUE INDEX');
    const rename = sql.indexOf('RENAME TABLE');
    expect(addIndex).toBeGreaterThan(0);
    expect(addUnique).toBeGreaterThan(0);
    expect(rename).toBeGreaterThan(Math.max(addIndex, addUnique));
  });

  it('pre_hook runs before and post_hook after the build, with {{this}} rendered', async () => {
    expect(await p.query(`select what, rows_seen from ${p.rel('hook_log')}`)).toEqual([{ what: 'post hooked', rows_seen: 2 }]);
    const sql = p.read('target/run/proj/models/hooked.sql');
    expect(sql.indexOf('create table if not exists')).toBeLessThan(sql.indexOf('CREATE TABLE'));
    expect(sql.indexOf(`from \`${p.prefix}\`.\`hooked\``)).toBeGreaterThan(sql.indexOf('RENAME TABLE'));
  });

  it('on-run-start and on-run-end hooks run once per run, around the models', async () => {
    // the fixture's two runs: one start and one end row each; `end` counts the one tagged row
    expect(await p.query(`select event, at_ms from ${p.rel('run_log')} order by event desc, at_ms`)).toEqual([
      { event: 'start', at_ms: 1 },
      { event: 'start', at_ms: 1 },
      { event: 'end', at_ms: 1 },
      { event: 'end', at_ms: 1 },
    ]);
  });

  it('persist_docs: the description and column descriptions become comments', async () => {
    const [t] = await p.query<{ c: string }>('select table_comment as c from information_schema.tables where table_schema = ? and table_name = ?', [p.database, 'documented']);
    expect(t!.c).toBe("One row per thing; it's documented.");
    const cols = await p.query<{ n: string; c: string; t: string }>(
      'select column_name as n, column_comment as c, column_type as t from information_schema.columns where table_schema = ? and table_name = ? order by ordinal_position',
      [p.database, 'documented'],
    );
    expect(cols.map((c) => [c.n, c.c])).toEqual([
      ['id', 'The key of the thing.'],
      ['code', "A code with a 'quote' and a backslash \\ in it."],
    ]);
    // re-declaring a column for its comment keeps its type
    expect(cols[1]!.t).toMatch(/^varchar\(1\)/);
  });

  it('persist_docs on a view: one warning naming the file, line and view (MySQL keeps no comments on views)', async () => {
    const v = await createProject({
      label: 'viewdocs',
      models: { 'shown.sql': 'select 1 as id', 'bare.sql': 'select 1 as id' },
      yaml: {
        'schema.yml': 'models:\n  - name: shown\n    description: Described.\n    config: {persist_docs: {relation: true}}\n  - name: bare\n    config: {persist_docs: {relation: true}}\n',
      },
    });
    try {
      const r = await v.ft(['run']);
      expect(r.code, r.output).toBe(0);
      expect(r.stderr).toContain('warning: persist_docs on view shown (models/schema.yml:2): MySQL and MariaDB keep no comments on views');
      expect(r.stderr).not.toContain('view bare');
    } finally {
      await v.cleanup();
    }
  });

  it("a failing model hook says it was the hook, which one, and whether the model was built", async () => {
    const h = await createProject({
      label: 'hookfail',
      models: {
        'post.sql': '{{config materialized="table" post_hook=\'["select 1", "insert into no_such_db_xyz.t values (1)"]\'}}\nselect 1 as id',
        'pre.sql': '{{config materialized="table" pre_hook="insert into no_such_db_xyz.t values (1)"}}\nselect 1 as id',
      },
    });
    try {
      const r = await h.ft(['run']);
      expect(r.code).toBe(1);
      expect(r.output).toMatch(/post-hook 2 of 2 of post failed: .*no_such_db_xyz.* The model itself was built; its relation is in place\. Fix the hook in its config\./);
      expect(r.output).toMatch(/pre-hook of pre failed: .*no_such_db_xyz.* The model was not built\./);
      expect(await h.query('select id from ' + h.rel('post'))).toEqual([{ id: 1 }]);
    } finally {
      await h.cleanup();
    }
  });

  it("on-run-end sees dbt's results, schemas and database_schemas", async () => {
    const h = await createProject({
      label: 'runend',
      models: { 'one.sql': '{{config materialized="table"}}\nselect 1 as id', 'two.sql': '{{config schema="mart"}}\nselect 2 as id' },
      project: {
        'on-run-start': ['create table if not exists {{target.schema}}.audit (what text)'],
        'on-run-end': [
          "insert into {{target.schema}}.audit values ('{{#each results}}{{this.node.name}}={{this.status}};{{/each}}|{{#each schemas}}{{this}},{{/each}}|{{#each database_schemas}}{{this.[1]}},{{/each}}')",
        ],
      },
    });
    try {
      const r = await h.ft(['run']);
      expect(r.code, r.output).toBe(0);
      const [row] = await h.query<{ what: string }>(`select what from ${h.rel('audit')}`);
      const [names, schemas, pairs] = row!.what.split('|');
      expect(names!.split(';').filter(Boolean).sort()).toEqual(['one=success', 'two=success']);
      expect(schemas!.split(',').filter(Boolean).sort()).toEqual([h.schema(), h.schema('mart')].sort());
      expect(pairs!.split(',').filter(Boolean).sort()).toEqual([h.schema(), h.schema('mart')].sort());
    } finally {
      await h.cleanup();
    }
  });

  it('a failing on-run-start hook stops the run before any model, naming the hook', async () => {
    const own = await fresh();
    try {
      own.write('project.yml', own.read('project.yml').replace("insert into {{target.database}}.run_log values ('start', 1)", 'insert into no_such_db_xyz.nope values (1)'));
      const r = await own.ft(['run', '-s', 'tagged']);
      expect(r.code).toBe(1);
      expect(r.output).toMatch(/project\.yml: on-run-start hook 2 failed: .*no_such_db_xyz/);
      expect(r.output).not.toMatch(/\n\s+at /);
      expect(r.output).not.toMatch(/OK created/);
    } finally {
      await own.cleanup();
    }
  });
});

describe('generate_schema_name override', () => {
  let p: TestProject;

  beforeAll(async () => {
    p = await createProject({
      label: 'genschema',
      macros: {
        'generate_schema_name.sql': '{{#if custom_schema_name}}{{target.database}}_x_{{custom_schema_name}}{{else}}{{target.database}}{{/if}}',
      },
      models: {
        'plain.sql': 'select 1 as a',
        'custom.sql': '{{config schema="mart"}}\nselect a from {{ref "plain"}}',
      },
    });
  });

  afterAll(async () => {
    await p.cleanup();
  });

  it('places models where the macro says', async () => {
    const r = await p.ft(['run']);
    expect(r.code, r.output).toBe(0);
    expect(await p.tables()).toEqual(['plain']);
    expect(await p.tables('x_mart')).toEqual(['custom']);
    expect(await p.tables('mart')).toEqual([]);
    expect(await p.query(`select a from ${p.rel('custom', 'x_mart')}`)).toEqual([{ a: 1 }]);
  });
});
