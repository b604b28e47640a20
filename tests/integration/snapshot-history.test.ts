/**
 * Snapshot histories on the real server: each strategy (timestamp, check with a list, check all)
 * under each hard-delete mode, over a scripted sequence of source states (insert, update, no
 * change, delete, re-insert, column added, column removed), compared in full with the history
 * computed by tests/integration/snapshot-model.ts — never by re-running ft's SQL.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createProject, type TestProject } from '../helpers/project-builder.js';
import { SnapshotModel, sortRows, type ModelOptions, type Row } from './snapshot-model.js';

let p: TestProject | undefined;
afterEach(async () => {
  await p?.cleanup();
  p = undefined;
});

interface Case {
  name: string;
  options: ModelOptions;
  /** the snapshot's table (default: the target database's table of its name) */
  relation?: string;
}

/** Runs `ft snapshot` once per source state; after each, every snapshot table must equal its model. */
async function play(project: TestProject, source: string, cases: Case[], states: string[][], ftArgs: string[] = ['snapshot']): Promise<void> {
  const models = new Map(cases.map((c) => [c.name, new SnapshotModel(c.options)]));
  const windows: Array<[string, string]> = [];
  const now = async (): Promise<string> => String((await project.query<{ t: string }>(`SELECT DATE_FORMAT(NOW(6), '%Y-%m-%d %H:%i:%s.%f') AS t`))[0]!.t);
  for (const [i, statements] of states.entries()) {
    for (const sql of statements) await project.query(sql);
    const rows = await project.query<Row>(`SELECT * FROM ${source}`);
    for (const m of models.values()) m.run(rows);
    const before = await now();
    const r = await project.ft(ftArgs);
    expect(r.code, `state ${i}:\n${r.output}`).toBe(0);
    windows.push([before, await now()]);
    for (const c of cases) {
      const names = { dbt_valid_from: 'dbt_valid_from', dbt_scd_id: 'dbt_scd_id', ...c.options.names };
      const actual = sortRows(await project.query<Row>(`SELECT * FROM ${c.relation ?? project.rel(c.name)}`), [...c.options.uniqueKey, names.dbt_valid_from, names.dbt_scd_id]);
      // the one server time each run wrote (check strategy, deletes), from the values in its window
      const times = windows.map(([from, to]) => {
        const seen = new Set<string>();
        for (const row of actual) for (const v of Object.values(row)) if (typeof v === 'string' && v >= from && v <= to) seen.add(v);
        expect(seen.size, `${c.name}: run ${i} wrote more than one time: ${[...seen].join(', ')}`).toBeLessThanOrEqual(1);
        return [...seen][0];
      });
      expect(actual, `${c.name} after state ${i}`).toEqual(models.get(c.name)!.expected(times));
    }
  }
}

const ITEMS = (p: TestProject): string => p.rel('items', 'shop');

/** insert, update, no change, delete + update, re-insert, column added, column removed */
const STATES = (t: string): string[][] => [
  [
    `CREATE TABLE ${t} (id INT NOT NULL, name VARCHAR(20) NOT NULL, price DECIMAL(10,2), updated_at DATETIME NOT NULL)`,
    `INSERT INTO ${t} VALUES (1, 'apple', 1.00, '2024-01-01 10:00:00'), (2, 'pear', 2.00, '2024-01-01 10:00:00'), (3, 'plum', NULL, '2024-01-01 10:00:00')`,
  ],
  [`UPDATE ${t} SET price = 1.50, updated_at = '2024-01-02 10:00:00' WHERE id = 1`],
  [],
  [`DELETE FROM ${t} WHERE id = 2`, `UPDATE ${t} SET price = 3.00, updated_at = '2024-01-03 10:00:00' WHERE id = 3`],
  [`INSERT INTO ${t} VALUES (2, 'pear', 2.00, '2024-01-04 10:00:00')`],
  [`ALTER TABLE ${t} ADD COLUMN color VARCHAR(10)`, `UPDATE ${t} SET color = 'red' WHERE id = 1`],
  [`ALTER TABLE ${t} DROP COLUMN name`, `UPDATE ${t} SET price = 3.50, updated_at = '2024-01-05 10:00:00' WHERE id = 3`],
];

describe('snapshot histories', () => {
  it('timestamp, check [price], check all and check [price] with updated_at, each with hard_deletes ignore, invalidate and new_record', async () => {
    const strategies: Array<[string, Record<string, unknown>, Partial<ModelOptions>]> = [
      ['ts', { strategy: 'timestamp', updated_at: 'updated_at' }, { strategy: 'timestamp', updatedAt: 'updated_at' }],
      ['cklist', { strategy: 'check', check_cols: ['price'] }, { strategy: 'check', checkCols: ['price'] }],
      ['ckall', { strategy: 'check', check_cols: 'all' }, { strategy: 'check', checkCols: 'all' }],
      // check with updated_at: versions dated by the row's updated_at, as dbt dates them (they were dated by the run)
      ['ckupd', { strategy: 'check', check_cols: ['price'], updated_at: 'updated_at' }, { strategy: 'check', checkCols: ['price'], updatedAt: 'updated_at' }],
    ];
    const cases: Case[] = [];
    const yaml: string[] = ['snapshots:'];
    for (const [prefix, config, model] of strategies) {
      for (const mode of ['ignore', 'invalidate', 'new_record'] as const) {
        const name = `${prefix}_${mode}`;
        cases.push({ name, options: { uniqueKey: ['id'], hardDeletes: mode, ...model } as ModelOptions });
        yaml.push(`  - name: ${name}`, `    relation: source('shop', 'items')`, `    config: ${JSON.stringify({ unique_key: 'id', hard_deletes: mode, ...config })}`);
      }
    }
    p = await createProject({
      label: 'snaphist',
      yaml: { 'sources.yml': 'sources:\n  - name: shop\n    tables:\n      - name: items\n', 'snapshots.yml': `${yaml.join('\n')}\n` },
    });
    await p.query(`CREATE DATABASE ${p.rel('x', 'shop').split('.')[0]}`);
    await play(p, ITEMS(p), cases, STATES(ITEMS(p)));
  }, 300_000);

  it('a .sql snapshot: composite unique_key, dbt_valid_to_current, renamed meta columns, legacy invalidate_hard_deletes and target_schema', async () => {
    p = await createProject({
      label: 'snapopts',
      yaml: { 'sources.yml': 'sources:\n  - name: shop\n    tables:\n      - name: stock\n' },
      project: {
        snapshots: { proj: { '+snapshot_meta_column_names': { dbt_valid_from: 'valid_from', dbt_valid_to: 'valid_to', dbt_scd_id: 'version_id' } } },
      },
    });
    // target_schema (dbt < 1.9) names the database as it is
    p.write(
      'snapshots/stock_history.sql',
      `{{config strategy="check" check_cols="all" unique_key="store, sku" invalidate_hard_deletes=true dbt_valid_to_current="9999-12-31" target_schema="${p.schema('hist')}"}}\nselect * from {{source "shop" "stock"}}\n`,
    );
    const t = p.rel('stock', 'shop');
    await p.query(`CREATE DATABASE ${t.split('.')[0]}`);
    const cases: Case[] = [
      {
        name: 'stock_history',
        relation: p.rel('stock_history', 'hist'),
        options: {
          strategy: 'check',
          checkCols: 'all',
          uniqueKey: ['store', 'sku'],
          hardDeletes: 'invalidate',
          validToCurrent: '9999-12-31 00:00:00.000000',
          names: { dbt_valid_from: 'valid_from', dbt_valid_to: 'valid_to', dbt_scd_id: 'version_id' },
        },
      },
    ];
    await play(p, t, cases, [
      [`CREATE TABLE ${t} (store VARCHAR(5), sku INT, qty INT)`, `INSERT INTO ${t} VALUES ('a', 1, 10), ('a', 2, 20), ('b', 1, 30)`],
      [`UPDATE ${t} SET qty = 11 WHERE store = 'a' AND sku = 1`],
      [`DELETE FROM ${t} WHERE store = 'b'`],
      [`INSERT INTO ${t} VALUES ('b', 1, 30)`, `UPDATE ${t} SET qty = NULL WHERE sku = 2`],
    ]);
    const [cols] = await p.query<{ c: string }>(`SELECT group_concat(column_name ORDER BY ordinal_position) AS c FROM information_schema.columns WHERE table_schema = ? AND table_name = 'stock_history'`, [p.schema('hist')]);
    expect(cols!.c).toBe('store,sku,qty,version_id,dbt_updated_at,valid_from,valid_to');
  }, 180_000);
});
