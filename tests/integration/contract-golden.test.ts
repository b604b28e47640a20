import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createProject, expectGolden, normaliseRunSql, type TestProject } from '../helpers/project-builder.js';

/**
 * Golden SQL of builds under an enforced contract: the statements a real run writes to
 * target/run/**.sql (prefix → `<db>`), pinned under tests/goldens/materializations/contract_*.sql.
 * UPDATE_GOLDENS=1 rewrites them.
 */
describe('golden SQL of contracted builds', () => {
  let p: TestProject;
  const golden = (name: string, file: string): void => expectGolden(`materializations/${name}.sql`, normaliseRunSql(p.read(`target/run/proj/${file}`), p.prefix));

  beforeEach(async () => {
    p = await createProject({
      label: 'contractgold',
      models: {
        'c_parent.sql': '{{config materialized="table"}}\nselect 1 as id',
        'c_table.sql': "{{config materialized=\"table\"}}\nselect 10 as id, 1 as parent_id, cast('a' as char(5)) as code, cast(2.50 as decimal(10,2)) as amount",
        'c_view.sql': "select 1 as id, cast('a' as char(5)) as code",
        'c_inc.sql': '{{config materialized="incremental" unique_key="id"}}\nselect 1 as id, cast(5 as signed) as qty\n{{#if (is_incremental)}}\nunion all select 2, cast(6 as signed)\n{{/if}}\n',
      },
      yaml: {
        'schema.yml': `version: 2
models:
  - name: c_parent
    config: {contract: {enforced: true}}
    columns:
      - {name: id, data_type: int, constraints: [{type: primary_key}]}
  - name: c_table
    config: {contract: {enforced: true}}
    constraints:
      - {type: check, name: amount_ok, expression: "amount >= 0"}
      - {type: unique, columns: [parent_id, code]}
    columns:
      - {name: id, data_type: integer, constraints: [{type: primary_key}]}
      - name: parent_id
        data_type: int
        constraints: [{type: not_null}, {type: foreign_key, to: ref('c_parent'), to_columns: [id]}]
      - {name: code, data_type: varchar(5)}
      - {name: amount, data_type: "numeric(10,2)"}
  - name: c_view
    config: {contract: {enforced: true}}
    columns:
      - {name: id, data_type: int}
      - {name: code, data_type: varchar(5)}
  - name: c_inc
    config: {contract: {enforced: true}, on_schema_change: fail}
    columns:
      - {name: id, data_type: int, constraints: [{type: primary_key}]}
      - {name: qty, data_type: bigint}
`,
      },
    });
  });

  afterEach(async () => {
    await p.cleanup();
  });

  it('a table: probe, declared types, CREATE TABLE with constraints, INSERT … SELECT, swap', async () => {
    const r = await p.ft(['run', '-s', '+c_table']);
    expect(r.code, r.output).toBe(0);
    golden('contract_table_first', 'models/c_table.sql');
    const again = await p.ft(['run', '-s', 'c_table']);
    expect(again.code, again.output).toBe(0);
    golden('contract_table', 'models/c_table.sql');
  });

  it('a view: probe and declared types, then the view', async () => {
    const r = await p.ft(['run', '-s', 'c_view']);
    expect(r.code, r.output).toBe(0);
    golden('contract_view', 'models/c_view.sql');
  });

  it('an incremental model: created under the contract, then new rows checked and typed as declared', async () => {
    let r = await p.ft(['run', '-s', 'c_inc']);
    expect(r.code, r.output).toBe(0);
    golden('contract_incremental_first', 'models/c_inc.sql');
    r = await p.ft(['run', '-s', 'c_inc']);
    expect(r.code, r.output).toBe(0);
    golden('contract_incremental', 'models/c_inc.sql');
  });
});
