import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createProject, expectGolden, normaliseRunSql, type TestProject } from '../helpers/project-builder.js';

/**
 * Golden SQL of each materialization: the statements a real run writes to target/run/**.sql,
 * with the unique database prefix replaced by `<db>`, pinned under tests/goldens/materializations/.
 * UPDATE_GOLDENS=1 rewrites them.
 */
const inc = (config: string, select: string, filter: string): string =>
  `{{config materialized="incremental" ${config}}}\n${select}\n{{#if (is_incremental)}}\n${filter}\n{{/if}}\n`;

describe('golden SQL of the materializations', () => {
  /** Each test has its own project and databases (beforeEach), built as far as the test needs. */
  let p: TestProject;
  const golden = (name: string, file: string): void => expectGolden(`materializations/${name}.sql`, normaliseRunSql(p.read(`target/run/proj/${file}`), p.prefix));

  beforeEach(async () => {
    p = await createProject({
      label: 'golden',
      yaml: {
        'sources.yml': 'sources:\n  - name: raw\n    tables:\n      - name: events\n',
        'schema.yml': `models:
  - name: g_table_decorated
    description: A table with indexes, docs and hooks.
    config:
      indexes:
        - columns: [code]
        - columns: [id, code]
          unique: true
          type: btree
      persist_docs: {relation: true, columns: true}
      pre_hook: ["create table if not exists {{this.schema}}.audit (model varchar(64), n int)"]
      post_hook: ["insert into {{this.schema}}.audit select '{{this.name}}', count(*) from {{this}}"]
    columns:
      - name: code
        description: The code.
  - name: g_merge_composite
    config:
      unique_key: [id, code]
  - name: g_delete_insert
    config:
      incremental_predicates: ["updated_at >= '2024-01-01'"]
`,
      },
      seeds: { 'g_seed.csv': 'id,name,price,active,day\n1,a,1.50,true,2024-01-01\n2,b,,false,2024-01-02\n' },
      models: {
        'g_view.sql': "select 1 as id, 'a' as code",
        'g_table.sql': "{{config materialized=\"table\"}}\nselect 1 as id, 'a' as code",
        'g_table_decorated.sql': "{{config materialized=\"table\"}}\nselect 1 as id, 'a' as code",
        'g_append.sql': inc('incremental_strategy="append"', 'select id, code, updated_at from {{source "raw" "events"}}', 'where id > (select max(id) from {{this}})'),
        'g_merge.sql': inc('unique_key="id"', 'select id, code, updated_at from {{source "raw" "events"}}', 'where updated_at > (select max(updated_at) from {{this}})'),
        'g_merge_composite.sql': inc('incremental_strategy="merge"', 'select id, code, updated_at from {{source "raw" "events"}}', 'where updated_at > (select max(updated_at) from {{this}})'),
        'g_delete_insert.sql': inc(
          'incremental_strategy="delete+insert" unique_key="id"',
          'select id, code, updated_at from {{source "raw" "events"}}',
          'where updated_at > (select max(updated_at) from {{this}})',
        ),
        'g_sync.sql': inc('on_schema_change="sync_all_columns" unique_key="id"', 'select id, code, note from {{source "raw" "events"}}', 'where id > (select max(id) from {{this}})'),
        'g_append_new.sql': inc('on_schema_change="append_new_columns"', 'select id, code from {{source "raw" "events"}}', 'where id > (select max(id) from {{this}})'),
      },
    });
    await p.query(`create database \`${p.schema('raw')}\``);
    await p.query(`create table ${p.rel('events', 'raw')} (id int, code varchar(8), note varchar(5), updated_at datetime)`);
    await p.query(`insert into ${p.rel('events', 'raw')} values (1, 'a', 'n1', '2024-01-01 00:00:00'), (2, 'b', 'n2', '2024-01-02 00:00:00')`);
  });

  afterEach(async () => {
    await p.cleanup();
  });

  const ftOk = async (args: string[]) => {
    const r = await p.ft(args);
    expect(r.code, r.output).toBe(0);
  };

  it('first builds', async () => {
    const r = await p.ft(['build']);
    expect(r.code, r.output).toBe(0);
    golden('view_create', 'models/g_view.sql');
    golden('table_create', 'models/g_table.sql');
    golden('table_create_indexes_docs_hooks', 'models/g_table_decorated.sql');
    golden('incremental_first_append', 'models/g_append.sql');
    golden('incremental_first_merge', 'models/g_merge.sql');
    golden('incremental_first_merge_composite', 'models/g_merge_composite.sql');
    golden('incremental_first_delete_insert', 'models/g_delete_insert.sql');
    golden('seed_create', 'seeds/g_seed.csv');
  });

  it('rebuilds and incremental runs', async () => {
    await ftOk(['build']);
    await p.query(`insert into ${p.rel('events', 'raw')} values (3, 'c', 'n3', '2024-01-03 00:00:00')`);
    const r = await p.ft(['build']);
    expect(r.code, r.output).toBe(0);
    golden('view_replace', 'models/g_view.sql');
    golden('table_swap', 'models/g_table.sql');
    golden('table_swap_indexes_docs_hooks', 'models/g_table_decorated.sql');
    golden('incremental_append', 'models/g_append.sql');
    golden('incremental_merge', 'models/g_merge.sql');
    golden('incremental_merge_composite', 'models/g_merge_composite.sql');
    golden('incremental_delete_insert', 'models/g_delete_insert.sql');
    golden('incremental_merge_schema_unchanged', 'models/g_sync.sql');
    golden('seed_replace', 'seeds/g_seed.csv');
  });

  it('on_schema_change', async () => {
    await ftOk(['run', '-s', 'g_sync', 'g_append_new']);
    await p.query(`insert into ${p.rel('events', 'raw')} values (3, 'c', 'n3', '2024-01-03 00:00:00'), (4, 'd', 'n4', '2024-01-04 00:00:00')`);
    // note is gone, code is wider, extra is new
    p.write(
      'models/g_sync.sql',
      inc('on_schema_change="sync_all_columns" unique_key="id"', "select id, cast(code as char(12)) as code, concat(note, '!') as extra from {{source \"raw\" \"events\"}}", 'where id > (select max(id) from {{this}})'),
    );
    p.write('models/g_append_new.sql', inc('on_schema_change="append_new_columns"', 'select id, code, note from {{source "raw" "events"}}', 'where id > (select max(id) from {{this}})'));
    const r = await p.ft(['run', '-s', 'g_sync', 'g_append_new']);
    expect(r.code, r.output).toBe(0);
    golden('incremental_sync_all_columns', 'models/g_sync.sql');
    golden('incremental_append_new_columns', 'models/g_append_new.sql');
  });

  it('--full-refresh and a view replacing a table', async () => {
    await ftOk(['run', '-s', 'g_merge', 'g_table']);
    let r = await p.ft(['run', '-s', 'g_merge', '--full-refresh']);
    expect(r.code, r.output).toBe(0);
    golden('incremental_full_refresh', 'models/g_merge.sql');
    p.write('models/g_table.sql', "{{config materialized=\"view\"}}\nselect 1 as id, 'a' as code");
    r = await p.ft(['run', '-s', 'g_table']);
    expect(r.code, r.output).toBe(0);
    golden('view_replaces_table', 'models/g_table.sql');
  });
});
