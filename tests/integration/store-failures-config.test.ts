import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject, type TestProject } from '../helpers/project-builder.js';

/**
 * dbt's test configs for stored failures: store_failures_as (table, view, ephemeral; it wins
 * over store_failures), schema (where they land) and alias (the relation's name). ft read all
 * three and acted on none: u2 was not stored, u3 was, and schema and alias were ignored.
 */
describe('store_failures_as, schema and alias of a test', () => {
  let p: TestProject;
  beforeAll(async () => {
    p = await createProject({
      label: 'sfcfg',
      models: { 'm.sql': '{{config materialized="table"}}\nselect 1 as id, cast(null as char(10)) as v union all select 2, null' },
      yaml: {
        'schema.yml': [
          'models:',
          '  - name: m',
          '    columns:',
          '      - name: v',
          '        data_tests:',
          '          - not_null: {name: u1, config: {store_failures: true, schema: audit}}',
          '          - not_null: {name: u2, config: {store_failures_as: table}}',
          '          - not_null: {name: u3, config: {store_failures: true, store_failures_as: ephemeral}}',
          '          - not_null: {name: u4, config: {store_failures: true, alias: my_failures}}',
          '          - not_null: {name: u5, store_failures_as: view}',
          '',
        ].join('\n'),
      },
    });
  });
  afterAll(async () => {
    await p?.cleanup();
  });

  const relations = async (schema: string): Promise<Array<{ name: string; type: string }>> =>
    p.query<{ name: string; type: string }>('SELECT table_name AS name, table_type AS type FROM information_schema.tables WHERE table_schema = ? ORDER BY table_name', [schema]);

  it('stores each as its config says, and the log says where', async () => {
    const r = await p.ft(['build']);
    expect(r.code, r.output).toBe(1);
    expect(await relations(`${p.database}_audit`)).toEqual([{ name: 'u1', type: 'BASE TABLE' }]);
    expect(await relations(`${p.database}_test_failures`)).toEqual([
      { name: 'my_failures', type: 'BASE TABLE' },
      { name: 'u2', type: 'BASE TABLE' },
      { name: 'u5', type: 'VIEW' },
    ]);
    expect(await p.query(`SELECT count(*) AS n FROM \`${p.database}_test_failures\`.u5`)).toEqual([{ n: 2 }]);
    expect(r.output).toContain(`failing rows stored in ${p.database}_audit.u1`);
    expect(r.output).toContain(`failing rows stored in ${p.database}_test_failures.u5 (a view)`);
    expect(r.output).not.toContain('.u3');

    // a table stored before becomes a view when the config says so (and the other way)
    p.write('models/schema.yml', p.read('models/schema.yml').replace('{name: u2, config: {store_failures_as: table}}', '{name: u2, config: {store_failures_as: view}}'));
    const again = await p.ft(['test', '-s', 'm']);
    expect(again.code, again.output).toBe(1);
    expect((await relations(`${p.database}_test_failures`)).find((x) => x.name === 'u2')).toEqual({ name: 'u2', type: 'VIEW' });
  });

  it('a store_failures_as that is not table, view or ephemeral is an error naming the file and line', async () => {
    const original = p.read('models/schema.yml');
    try {
      // u5's entry, whatever the other test did to u2's (vitest shuffles the order)
      p.write('models/schema.yml', original.replace('{name: u5, store_failures_as: view}', '{name: u5, store_failures_as: tabel}'));
      const r = await p.ft(['ls']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('models/schema.yml:10: test u5: store_failures_as must be table, view, ephemeral, not "tabel".');
    } finally {
      p.write('models/schema.yml', original);
    }
  });
});
