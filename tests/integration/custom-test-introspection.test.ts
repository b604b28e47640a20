import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject, type TestProject } from '../helpers/project-builder.js';

/**
 * A project's own generic test that reads the database while it renders (get_columns_in_relation,
 * as dbt-expectations' column-shape tests do) runs, rendered after its model is built; and its
 * column need not exist (that may be what it checks). Both stopped the whole run with exit 2:
 * the read was refused as if in "a hook or an operation", the column as "a typo in the YAML".
 */
describe('custom generic tests that read the database, or test a column that may be missing', () => {
  let p: TestProject;
  beforeAll(async () => {
    p = await createProject({
      label: 'custintro',
      models: { 'm.sql': "{{config materialized=\"table\"}}\nselect 1 as id, 'a' as email" },
      macros: {
        // one failing row when the column is not among the relation's columns
        'test_column_exists.sql': 'select 1 as missing from (select 1 as one) x where 1 = 1{{#each (get_columns_in_relation model)}}{{#if (eq this.name ../column_name_raw)}} and 1 = 0{{/if}}{{/each}}',
      },
      yaml: {
        'schema.yml': 'models:\n  - name: m\n    columns:\n      - name: email\n        data_tests: [column_exists]\n      - name: phone\n        data_tests: [column_exists]\n      - name: id\n        data_tests: [not_null]\n',
      },
    });
  });
  afterAll(async () => {
    await p?.cleanup();
  });

  it('each runs against the built model: the present column passes, the missing one fails; exit 1', async () => {
    const r = await p.ft(['build']);
    expect(r.code, r.output).toBe(1);
    const status = new Map((p.readJson('target/run_results.json').results as Array<{ unique_id: string; status: string }>).map((x) => [x.unique_id.split('.')[2]!, x.status]));
    expect(Object.fromEntries(status)).toEqual({ m: 'success', column_exists_m_email: 'pass', column_exists_m_phone: 'fail', not_null_m_id: 'pass' });
  });

  it("a built-in test's missing column is still an error naming the YAML line, before anything runs", async () => {
    const original = p.read('models/schema.yml');
    try {
      p.write('models/schema.yml', original.replace('- name: id\n        data_tests: [not_null]', '- name: idd\n        data_tests: [not_null]'));
      const r = await p.ft(['build']);
      expect(r.code).toBe(2);
      expect(r.output).toContain('models/schema.yml:9: test not_null_m_idd: column "idd" does not exist in the model m. Did you mean "id"? Fix the column name in the YAML.');
    } finally {
      p.write('models/schema.yml', original);
    }
  });
});
