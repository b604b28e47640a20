import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject, type TestProject } from '../helpers/project-builder.js';

/**
 * A custom generic test's argument written `ref('x')` or `source('s', 't')` is that relation
 * when the test renders, as dbt renders test arguments (dbt-expectations' compare_model). It
 * reached the SQL as the text `ref("x")`: a syntax error at run time.
 */
describe('relations in the arguments of custom generic tests', () => {
  let p: TestProject;
  beforeAll(async () => {
    p = await createProject({
      label: 'custrel',
      seeds: { 'raw_items.csv': 'id\n1\n2\n3\n' },
      models: {
        'items.sql': '{{config materialized="table"}}\nselect id from {{ref "raw_items"}}',
        'fewer.sql': '{{config materialized="table"}}\nselect id from {{ref "raw_items"}} where id < 3',
      },
      macros: {
        'test_row_count_equals.sql': 'select a.n, b.n as other from (select count(*) as n from {{model}}) a cross join (select count(*) as n from {{compare_model}}) b where a.n <> b.n',
        'test_rows_in_all.sql': '{{#each others}}select id from {{../model}} where id not in (select id from {{this}})\n{{#unless @last}}union all\n{{/unless}}{{/each}}',
      },
      yaml: {
        'schema.yml': [
          'sources:',
          '  - name: raw',
          '    schema: "{{ target.schema }}"',
          '    tables: [{name: raw_items}]',
          'models:',
          '  - name: items',
          '    data_tests:',
          "      - row_count_equals: {compare_model: ref('raw_items')}",
          "      - row_count_equals: {name: items_vs_fewer, compare_model: \"ref('fewer')\"}",
          "      - row_count_equals: {name: items_vs_source, compare_model: \"source('raw', 'raw_items')\"}",
          "      - rows_in_all: {others: [ref('raw_items'), ref('fewer')]}",
          '',
        ].join('\n'),
      },
    });
  });
  afterAll(async () => {
    await p?.cleanup();
  });

  it('each ref and source argument renders as its relation; the tests pass and fail on the data', async () => {
    const r = await p.ft(['build']);
    expect(r.code, r.output).toBe(1);
    const results = new Map((p.readJson('target/run_results.json').results as Array<{ unique_id: string; status: string; failures: number | null }>).map((x) => [x.unique_id.split('.')[2]!, x]));
    expect(results.get('row_count_equals_items_ref_raw_items_')).toMatchObject({ status: 'pass' });
    expect(results.get('items_vs_source')).toMatchObject({ status: 'pass' });
    expect(results.get('items_vs_fewer')).toMatchObject({ status: 'fail', failures: 1 });
    // id 3 is in items and raw_items but not in fewer
    const all = [...results.entries()].find(([k]) => k.startsWith('rows_in_all_items'));
    expect(all?.[1]).toMatchObject({ status: 'fail', failures: 1 });
    const file = p.list('target').find((f) => f.endsWith('/items_vs_fewer.sql'));
    expect(file, p.list('target').join('\n')).toBeDefined();
    const compiled = p.read(file!);
    expect(compiled).toContain(`\`${p.database}\`.\`fewer\``);
    expect(compiled).not.toContain('ref(');
  });
});
