import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject, expectGolden, normaliseRunSql, type TestProject } from '../helpers/project-builder.js';

// dbt_utils' macros that read the database while compiling (star, get_column_values,
// union_relations, unpivot, get_relations_by_pattern, get_single_value, nullcheck_table,
// get_filtered_columns_in_relation) and deduplicate/pivot, built by `ft run` on MariaDB: the
// rows each model holds, and its compiled SQL pinned in tests/goldens/dbt-macros/dbt-utils-introspect.sql
// (the reference page docs/dbt-macros.md shows that file).
//
// One project built once in beforeAll; the tests only read it.

let p: TestProject;
let run: { code: number | null; output: string };

const MODELS: Record<string, string> = {
  'orders.sql': "{{config materialized=\"table\"}}\nselect 1 as id, 'paid' as status, 10.50 as amount, 'a' as note\nunion all select 2, 'open', 5.25, ''\nunion all select 3, 'paid', 7.00, 'b'\n",
  'returns.sql': "{{config materialized=\"table\"}}\nselect 1 as id, 'damaged' as reason, cast('2024-01-01' as date) as returned_on, 'refunded' as status\n",
  'events.sql': "{{config materialized=\"table\"}}\nselect 1 as event_id, 1 as version, 'x' as payload\nunion all select 1, 2, 'y'\nunion all select 2, 1, 'z'\n",
  'star_except.sql': 'select\n  {{dbt_utils.star (ref "orders") except=(array "note")}}\nfrom {{ref "orders"}}\n',
  'star_prefixed.sql': 'select\n  {{dbt_utils.star from=(ref "orders") relation_alias="o" except=(array "NOTE" "amount") prefix="o_"}}\nfrom {{ref "orders"}} o\n',
  'pivoted.sql': 'select\n  {{dbt_utils.pivot "status" (dbt_utils.get_column_values (ref "orders") "status" order_by="status")}}\nfrom {{ref "orders"}}\n',
  'unioned.sql': '{{dbt_utils.union_relations (array (ref "orders") (ref "returns"))}}\n',
  'unpivoted.sql': '{{dbt_utils.unpivot (ref "returns") exclude=(array "id") field_name="field" value_name="val"}}\n',
  'deduplicated.sql': '{{dbt_utils.deduplicate (ref "events") "event_id" "version desc"}}\n',
  'by_pattern.sql':
    '-- depends_on: {{ref "orders"}}\nselect count(*) as n from (\n{{#each (dbt_utils.get_relations_by_pattern target.schema "ord%")}}  select 1 as x from {{this}}\n{{#unless @last}}  union all\n{{/unless}}{{/each}}) t\n',
  'single.sql': 'select {{dbt_utils.get_single_value (cat "select max(id) from " (ref "orders"))}} as max_id\n',
  'nullchecked.sql': '{{dbt_utils.nullcheck_table (ref "orders")}}\n',
  'nullchecked_table.sql': '{{config materialized="table"}}\n{{dbt_utils.nullcheck_table (ref "orders")}}\n',
  'filtered.sql': "select '{{#each (dbt_utils.get_filtered_columns_in_relation (ref \"orders\") except=(array \"amount\"))}}{{this}},{{/each}}' as cols\n",
  'intervals.sql': "select {{dbt_utils.get_intervals_between \"cast('2024-01-01' as date)\" \"cast('2024-03-01' as date)\" \"month\"}} as n\n",
  'as_dict.sql': "select '{{#with (dbt_utils.get_query_results_as_dict (cat \"select id, status from \" (ref \"orders\") \" order by id\"))}}{{#each status}}{{this}},{{/each}}{{/with}}' as statuses\n",
  'with_default.sql': "select '{{#each (dbt_utils.get_column_values (source \"raw\" \"missing\") \"x\" default=(array \"d1\"))}}{{this}}{{/each}}' as v\n",
};

beforeAll(async () => {
  p = await createProject({
    label: 'dbtmacrosintro',
    models: MODELS,
    yaml: { 'sources.yml': 'version: 2\nsources:\n  - name: raw\n    tables: [{name: missing}]\n' },
  });
  run = await p.ft(['run']);
}, 180_000);
afterAll(async () => {
  await p?.cleanup();
});

const rows = (model: string, order = '1') => p.query(`select * from ${p.rel(model)} order by ${order}`);

describe('dbt_utils macros that read the database, built on MariaDB', () => {
  it('builds every model', () => {
    expect(run.output).toContain('PASS=17 WARN=0 ERROR=0');
    expect(run.code).toBe(0);
  });

  it('star: the columns but those left out (any case), with alias and prefix', async () => {
    expect(Object.keys((await rows('star_except'))[0]!)).toEqual(['id', 'status', 'amount']);
    expect((await rows('star_prefixed'))[0]).toEqual({ o_id: 1, o_status: 'paid' });
  });

  it('pivot over get_column_values: one column per distinct value', async () => {
    expect(await rows('pivoted')).toEqual([{ open: '1', paid: '2' }]);
  });

  it('union_relations: every column of every relation, NULL where a relation lacks it, the source named', async () => {
    const r = await rows('unioned', '`_dbt_source_relation`, id');
    expect(Object.keys(r[0]!)).toEqual(['_dbt_source_relation', 'id', 'status', 'amount', 'note', 'reason', 'returned_on']);
    expect(r).toHaveLength(4);
    // status is char(4) in orders, char(8) in returns: the wider type, so 'refunded' is whole
    expect(r.filter((x) => x.reason === 'damaged')).toEqual([
      { _dbt_source_relation: `\`${p.prefix}\`.\`returns\``, id: 1, status: 'refunded', amount: null, note: null, reason: 'damaged', returned_on: '2024-01-01' },
    ]);
  });

  it('unpivot: one row per column but those excluded', async () => {
    expect(await rows('unpivoted', 'field')).toEqual([
      { id: 1, field: 'reason', val: 'damaged' },
      { id: 1, field: 'returned_on', val: '2024-01-01' },
      { id: 1, field: 'status', val: 'refunded' },
    ]);
  });

  it('deduplicate: the first row of each partition in the order given', async () => {
    expect(await rows('deduplicated', 'event_id')).toEqual([
      { event_id: 1, version: 2, payload: 'y' },
      { event_id: 2, version: 1, payload: 'z' },
    ]);
  });

  it('nullcheck_table as a table: text columns with \'\' made NULL, the others as they are (strict mode refuses comparing them with \'\')', async () => {
    expect((await rows('nullchecked_table', 'id')).map((r) => [r.note, r.amount])).toEqual([['a', '10.50'], [null, '5.25'], ['b', '7.00']]);
  });

  it('get_relations_by_pattern, get_single_value, nullcheck_table, get_filtered_columns_in_relation, get_column_values with a default, get_intervals_between, get_query_results_as_dict', async () => {
    expect(await rows('by_pattern')).toEqual([{ n: 3 }]);
    expect(await rows('single')).toEqual([{ max_id: 3 }]);
    expect((await rows('nullchecked', 'id')).map((r) => r.note)).toEqual(['a', null, 'b']);
    expect(await rows('filtered')).toEqual([{ cols: 'id,status,note,' }]);
    expect(await rows('with_default')).toEqual([{ v: 'd1' }]);
    expect(await rows('intervals')).toEqual([{ n: 2 }]);
    expect(await rows('as_dict')).toEqual([{ statuses: 'paid,open,paid,' }]);
  });

  it('renders the SQL its golden file pins', () => {
    const dir = join(p.dir, 'target', 'run', 'proj', 'models');
    const names = Object.keys(MODELS).filter((m) => !['orders.sql', 'returns.sql', 'events.sql', 'nullchecked_table.sql'].includes(m));
    const text = names.map((m) => `-- ${m}: ${MODELS[m]!.trim().replace(/\n/g, ' ')}\n${normaliseRunSql(readFileSync(join(dir, m), 'utf8').trim(), p.prefix)}\n`).join('\n');
    expectGolden('dbt-macros/dbt-utils-introspect.sql', text);
  });
});
