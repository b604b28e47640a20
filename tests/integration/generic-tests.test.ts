import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mysql from 'mysql2/promise';
import { connect, dropSchemas, uniquePrefix } from '../helpers/db.js';
import { BUILTIN_TESTS, lookupTest, validateTestArgs } from '../../src/testing/generic/registry.js';
import { TestArgumentError, type GenericTestContext } from '../../src/testing/generic/types.js';

const prefix = uniquePrefix('generic');
const db = `${prefix}_db`;
let conn: mysql.Connection;

const quote = (s: string) => `\`${s.replace(/`/g, '``')}\``;
const rel = (t: string) => `${quote(db)}.${quote(t)}`;

function resolveRelation(ref: string): string {
  const m = /^\s*ref\(\s*['"]([^'"]+)['"]\s*\)\s*$/.exec(ref);
  const name = m ? m[1]! : ref;
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`unknown relation ${ref}`);
  return rel(name);
}

function ctxFor(table: string, columnName: string | undefined, args: Record<string, unknown>, where?: string): GenericTestContext {
  return {
    model: where ? `(SELECT * FROM ${rel(table)} WHERE ${where}) AS ft_where` : rel(table),
    columnName,
    args,
    quote,
    literal: (v) => mysql.escape(v as string | number | boolean | null),
    resolveRelation,
  };
}

function sqlFor(test: string, table: string, column: string | undefined, args: Record<string, unknown> = {}, where?: string): string {
  const def = lookupTest(test);
  if (!def) throw new Error(`no test ${test}`);
  validateTestArgs(def, args, column !== undefined);
  return def.sql(ctxFor(table, column, args, where));
}

let storeCounter = 0;

/** Runs a test the way the runner does: COUNT(*) over the query, and a failures table built from it. */
async function failures(test: string, table: string, column: string | undefined, args: Record<string, unknown> = {}, where?: string): Promise<number> {
  const sql = sqlFor(test, table, column, args, where);
  const [rows] = await conn.query(`SELECT COUNT(*) AS n FROM (\n${sql}\n) t`);
  const n = Number((rows as Array<{ n: number }>)[0]!.n);
  // store_failures: CREATE TABLE … AS <sql> must work too (strict mode, unique column names)
  const store = `${quote(db)}.${quote(`fail_${++storeCounter}`)}`;
  await conn.query(`CREATE TABLE ${store} AS\n${sql}`);
  const [stored] = await conn.query(`SELECT COUNT(*) AS n FROM ${store}`);
  expect(Number((stored as Array<{ n: number }>)[0]!.n)).toBe(n);
  if (where === undefined) {
    // the same test on a where-wrapped model (a derived table with its own alias) agrees
    const wrapped = sqlFor(test, table, column, args, '1 = 1');
    const [w] = await conn.query(`SELECT COUNT(*) AS n FROM (\n${wrapped}\n) t`);
    expect(Number((w as Array<{ n: number }>)[0]!.n)).toBe(n);
  }
  return n;
}

async function table(name: string, columns: string, rows: unknown[][]): Promise<void> {
  await conn.query(`CREATE TABLE ${rel(name)} (${columns})`);
  if (rows.length) await conn.query(`INSERT INTO ${rel(name)} VALUES ?`, [rows]);
}

beforeAll(async () => {
  conn = await connect();
  // MySQL 8's default sql_mode, so GROUP BY / strict-mode problems show up on MariaDB too
  await conn.query(
    "SET SESSION sql_mode = 'ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'",
  );
  await conn.query(`CREATE DATABASE ${quote(db)}`);
  await table('customers', 'id INT PRIMARY KEY, name VARCHAR(50), is_active TINYINT', [
    [1, 'ann', 1],
    [2, 'bob', 1],
    [3, 'cy', 1],
    [4, 'di', 1],
    [5, 'ed', 0],
  ]);
  await table(
    'orders',
    'id INT, customer_id INT NULL, status VARCHAR(20), amount DECIMAL(10,2), code VARCHAR(20), note VARCHAR(20), region VARCHAR(10), seq INT, day DATE',
    [
      [1, 1, 'placed', 10, 'AB12', 'x', 'eu', 1, '2024-01-01'],
      [2, 2, 'shipped', 0, 'ab12', 'y', 'eu', 2, '2024-01-02'],
      [3, null, 'completed', -5, 'XY9', '', 'eu', 3, '2024-01-03'],
      [3, 9, 'returned', 100, '12', '  ', 'us', 1, '2024-01-01'],
      [4, 9, 'returned', 101, null, null, 'us', 2, '2024-01-02'],
      [4, 8, null, null, 'CD3', 'z', 'us', 4, '2024-01-04'],
      [4, null, 'placed', -1, 'EF45', 'w', 'us', 5, '2024-01-05'],
      [null, 5, 'placed', 50, 'GH6', 'v', 'us', 6, '2024-01-06'],
      [null, 5, 'placed', 50, 'IJ7', 'u', 'us', 7, '2024-01-08'],
    ],
  );
  await table('clean_orders', 'id INT, customer_id INT, amount INT', [
    [1, 1, 5],
    [2, 2, 6],
    [3, 5, 7],
    [4, 4, 8],
  ]);
  await table('lines', 'order_id INT, line INT, sku VARCHAR(10)', [
    [1, 1, 'a'],
    [1, 2, 'b'],
    [1, 2, 'c'],
    [2, null, 'a'],
    [2, null, 'b'],
    [3, 1, 'a'],
  ]);
  await table('five', 'id INT, grp VARCHAR(5)', [
    [1, 'a'],
    [2, 'a'],
    [3, 'b'],
    [4, 'b'],
    [5, 'b'],
  ]);
  await table('five_copy', 'id INT, grp VARCHAR(5)', [
    [1, 'a'],
    [2, 'a'],
    [3, 'b'],
    [4, 'b'],
    [5, 'b'],
  ]);
  await table('four', 'id INT, grp VARCHAR(5)', [
    [1, 'a'],
    [2, 'a'],
    [3, 'b'],
    [4, 'c'],
  ]);
  await table('ranges', 'k VARCHAR(5), lo INT, hi INT', [
    ['a', 0, 10],
    ['a', 10, 20],
    ['a', 25, 30],
    ['b', 0, 5],
    ['b', 5, 5],
    ['b', 6, 9],
  ]);
  await table('overlaps', 'k VARCHAR(5), lo INT, hi INT', [
    ['a', 0, 10],
    ['a', 5, 15],
    ['b', 0, 10],
    ['b', null, 3],
  ]);
  await conn.query(
    `CREATE TABLE ${rel('events')} (id INT, created_at DATETIME) AS
     SELECT 1 AS id, NOW() - INTERVAL 1 HOUR AS created_at UNION ALL SELECT 2, NOW() - INTERVAL 5 DAY`,
  );
  await conn.query(`CREATE TABLE ${rel('old_events')} (id INT, created_at DATETIME) AS SELECT 1 AS id, NOW() - INTERVAL 3 DAY AS created_at`);
  await table('empty', 'id INT, created_at DATETIME', []);
});

afterAll(async () => {
  await conn?.end();
  await dropSchemas(prefix);
});

describe('registry', () => {
  it('has every built-in test and resolves package prefixes and aliases', () => {
    for (const name of [
      'not_null', 'unique', 'accepted_values', 'relationships', 'unique_combination_of_columns', 'expression_is_true',
      'accepted_range', 'not_null_proportion', 'not_empty_string', 'not_constant', 'relationships_where', 'recency',
      'row_count', 'equal_rowcount', 'fewer_rows_than', 'expect_column_values_to_match_regex', 'sequential_values',
      'mutually_exclusive_ranges', 'volume_anomalies', 'column_anomalies',
    ]) {
      expect(BUILTIN_TESTS.has(name), name).toBe(true);
    }
    expect(lookupTest('dbt_utils.unique_combination_of_columns')?.name).toBe('unique_combination_of_columns');
    expect(lookupTest('dbt_expectations.expect_table_row_count_to_be_between')?.name).toBe('row_count');
    expect(lookupTest('elementary.volume_anomalies')?.name).toBe('volume_anomalies');
    expect(lookupTest('my_pkg.not_null')).toBeUndefined();
    expect(lookupTest('no_such_test')).toBeUndefined();
  });

  it('names the missing or unknown argument and the fix', () => {
    const rel = lookupTest('relationships')!;
    expect(() => validateTestArgs(rel, { to: "ref('customers')" }, true)).toThrow(/missing required argument "field"/);
    expect(() => validateTestArgs(rel, { to: 'customers', field: 'id', feild: 'x' }, true)).toThrow(/no argument "feild".*Did you mean "field"/);
    expect(() => validateTestArgs(lookupTest('not_null')!, {}, false)).toThrow(/checks a column/);
    expect(() => validateTestArgs(lookupTest('accepted_values')!, { values: 'a' }, true)).toThrow(TestArgumentError);
    expect(() => validateTestArgs(lookupTest('mutually_exclusive_ranges')!, { lower_bound_column: 'a', upper_bound_column: 'b', gaps: 'some' }, false)).toThrow(/"gaps" must be one of/);
    // config keys next to the arguments are not arguments
    expect(() => validateTestArgs(rel, { to: 'customers', field: 'id', severity: 'warn', where: '1=1', config: {} }, true)).not.toThrow();
  });
});

describe('generic tests on MariaDB', () => {
  it('not_null', async () => {
    expect(await failures('not_null', 'orders', 'status')).toBe(1);
    expect(await failures('not_null', 'orders', 'customer_id')).toBe(2);
    expect(await failures('not_null', 'customers', 'id')).toBe(0);
  });

  it('not_null with a where config (derived-table model)', async () => {
    expect(await failures('not_null', 'orders', 'customer_id', {}, "region = 'us'")).toBe(1);
  });

  it('unique: one row per duplicated value, NULLs ignored', async () => {
    expect(await failures('unique', 'orders', 'id')).toBe(2); // 3 (x2), 4 (x3); NULL (x2) ignored
    expect(await failures('unique', 'customers', 'id')).toBe(0);
  });

  it('accepted_values: one row per bad value, NULLs never fail', async () => {
    expect(await failures('accepted_values', 'orders', 'status', { values: ['placed', 'shipped', 'completed'] })).toBe(1);
    expect(await failures('accepted_values', 'orders', 'status', { values: ['placed', 'shipped', 'completed', 'returned'] })).toBe(0);
    expect(await failures('accepted_values', 'orders', 'seq', { values: [1, 2, 3, 4, 5], quote: false })).toBe(2);
    expect(await failures('accepted_values', 'orders', 'seq', { values: [1, 2, 3, 4, 5, 6, 7], quote: false })).toBe(0);
  });

  it('relationships: one row per orphaned child row', async () => {
    expect(await failures('relationships', 'orders', 'customer_id', { to: "ref('customers')", field: 'id' })).toBe(3);
    expect(await failures('relationships', 'clean_orders', 'customer_id', { to: 'customers', field: 'id' })).toBe(0);
  });

  it("relationships: an unknown `to` surfaces the resolver's error", () => {
    expect(() => sqlFor('relationships', 'orders', 'customer_id', { to: "ref('nope-x')", field: 'id' })).toThrow(/unknown relation/);
  });

  it('unique_combination_of_columns: NULLs group together', async () => {
    expect(await failures('dbt_utils.unique_combination_of_columns', 'lines', undefined, { combination_of_columns: ['order_id', 'line'] })).toBe(2);
    expect(await failures('unique_combination_of_columns', 'lines', undefined, { combination_of_columns: ['order_id', 'sku'] })).toBe(0);
    expect(await failures('unique_combination_of_columns', 'lines', undefined, { combination_of_columns: ['order_id', 'line'], quote_columns: true })).toBe(2);
  });

  it('expression_is_true: model-level and column-level; NULL passes', async () => {
    expect(await failures('expression_is_true', 'orders', undefined, { expression: 'amount >= 0' })).toBe(2);
    expect(await failures('expression_is_true', 'orders', 'amount', { expression: '>= 0' })).toBe(2);
    expect(await failures('dbt_utils.expression_is_true', 'orders', undefined, { expression: 'amount >= -10' })).toBe(0);
  });

  it('accepted_range: inclusive by default, NULL passes', async () => {
    // amounts 10, 0, -5, 100, 101, NULL, -1, 50, 50
    expect(await failures('accepted_range', 'orders', 'amount', { min_value: 0, max_value: 100 })).toBe(3);
    expect(await failures('accepted_range', 'orders', 'amount', { min_value: 0, max_value: 100, inclusive: false })).toBe(5);
    expect(await failures('accepted_range', 'orders', 'amount', { min_value: -5 })).toBe(0);
    expect(await failures('accepted_range', 'orders', 'day', { min_value: "'2024-01-02'" })).toBe(2);
  });

  it('not_null_proportion: one row when it fails', async () => {
    // customer_id: 7 of 9 non-null = 0.777…
    expect(await failures('not_null_proportion', 'orders', 'customer_id', { at_least: 0.8 })).toBe(1);
    expect(await failures('not_null_proportion', 'orders', 'customer_id', { at_least: 0.75 })).toBe(0);
    expect(await failures('not_null_proportion', 'orders', 'customer_id', { at_least: 0.5, at_most: 0.7 })).toBe(1);
    expect(await failures('not_null_proportion', 'orders', 'customer_id', { at_least: 0.7, group_by_columns: ['region'] })).toBe(1); // eu 2/3
    expect(await failures('not_null_proportion', 'empty', 'id', { at_least: 0.9 })).toBe(0);
  });

  it('not_empty_string: trims by default, NULL passes', async () => {
    expect(await failures('not_empty_string', 'orders', 'note')).toBe(2);
    expect(await failures('not_empty_string', 'orders', 'note', { trim_whitespace: false })).toBe(1);
    expect(await failures('not_empty_string', 'orders', 'status')).toBe(0);
  });

  it('not_constant', async () => {
    expect(await failures('not_constant', 'orders', 'status')).toBe(0);
    expect(await failures('not_constant', 'orders', 'region', {}, "region = 'us'")).toBe(1);
    expect(await failures('not_constant', 'orders', 'region', { group_by_columns: ['status'] })).toBe(4); // shipped, completed, returned and the NULL-status group are constant
    expect(await failures('not_constant', 'empty', 'id')).toBe(0);
  });

  it('relationships_where', async () => {
    expect(await failures('relationships_where', 'orders', 'customer_id', { to: "ref('customers')", field: 'id' })).toBe(3);
    expect(await failures('relationships_where', 'orders', 'customer_id', { to: 'customers', field: 'id', from_condition: "region = 'eu'" })).toBe(0);
    expect(await failures('relationships_where', 'orders', 'customer_id', { to: 'customers', field: 'id', to_condition: 'is_active = 1', from_condition: 'customer_id < 8' })).toBe(2);
  });

  it('recency: model-level with field, or on the column', async () => {
    expect(await failures('dbt_utils.recency', 'events', undefined, { field: 'created_at', datepart: 'day', interval: 1 })).toBe(0);
    expect(await failures('recency', 'old_events', undefined, { field: 'created_at', datepart: 'day', interval: 1 })).toBe(1);
    expect(await failures('recency', 'old_events', 'created_at', { datepart: 'hour', interval: 80 })).toBe(0);
    expect(await failures('recency', 'old_events', 'created_at', { datepart: 'day', interval: 2, ignore_time_component: true })).toBe(1);
    expect(await failures('recency', 'empty', 'created_at', { datepart: 'day', interval: 1 })).toBe(0); // as dbt_utils
  });

  it('row_count and expect_table_row_count_to_be_between', async () => {
    expect(await failures('row_count', 'five', undefined, { min_value: 1, max_value: 10 })).toBe(0);
    expect(await failures('row_count', 'five', undefined, { min_value: 6 })).toBe(1);
    expect(await failures('row_count', 'empty', undefined, { min_value: 1 })).toBe(1);
    expect(await failures('dbt_expectations.expect_table_row_count_to_be_between', 'five', undefined, { max_value: 5 })).toBe(0);
    expect(await failures('dbt_expectations.expect_table_row_count_to_be_between', 'five', undefined, { max_value: 5, strictly: true })).toBe(1);
    expect(await failures('expect_table_row_count_to_be_between', 'five', undefined, { min_value: 3, group_by: ['grp'] })).toBe(1);
    expect(await failures('row_count', 'five', undefined, { max_value: 2, row_condition: "grp = 'a'" })).toBe(0);
  });

  it('equal_rowcount', async () => {
    expect(await failures('equal_rowcount', 'five', undefined, { compare_model: "ref('five_copy')" })).toBe(0);
    expect(await failures('dbt_utils.equal_rowcount', 'five', undefined, { compare_model: 'four' })).toBe(1);
    expect(await failures('equal_rowcount', 'five', undefined, { compare_model: 'five_copy', group_by_columns: ['grp'] })).toBe(0);
    expect(await failures('equal_rowcount', 'five', undefined, { compare_model: 'four', group_by_columns: ['grp'] })).toBe(2); // b: 3 vs 1, c: 0 vs 1
  });

  it('fewer_rows_than', async () => {
    expect(await failures('fewer_rows_than', 'four', undefined, { compare_model: "ref('five')" })).toBe(0);
    expect(await failures('fewer_rows_than', 'five', undefined, { compare_model: 'five_copy' })).toBe(1);
    expect(await failures('dbt_utils.fewer_rows_than', 'five', undefined, { compare_model: 'four' })).toBe(1);
    expect(await failures('fewer_rows_than', 'four', undefined, { compare_model: 'five', group_by_columns: ['grp'] })).toBe(1); // a: 2 vs 2
  });

  it('expect_column_values_to_match_regex: case-sensitive search, NULL passes', async () => {
    // codes AB12 ab12 XY9 12 NULL CD3 EF45 GH6 IJ7
    expect(await failures('dbt_expectations.expect_column_values_to_match_regex', 'orders', 'code', { regex: '^[A-Z]{2}[0-9]+$' })).toBe(2);
    expect(await failures('expect_column_values_to_match_regex', 'orders', 'code', { regex: '^[A-Z]{2}[0-9]+$', flags: 'i' })).toBe(1);
    expect(await failures('expect_column_values_to_match_regex', 'orders', 'code', { regex: '^[A-Z]{2}\\\\d+$' })).toBe(2);
    expect(await failures('expect_column_values_to_match_regex', 'orders', 'code', { regex: '^[A-Z]{2}\\d+$', is_raw: true })).toBe(2);
    expect(await failures('expect_column_values_to_match_regex', 'orders', 'code', { regex: '[0-9]' })).toBe(0);
    expect(await failures('expect_column_values_to_match_regex', 'orders', 'code', { regex: '[0-9]', row_condition: 'id = 1' })).toBe(0);
  });

  it('sequential_values', async () => {
    expect(await failures('sequential_values', 'five', 'id')).toBe(0);
    expect(await failures('sequential_values', 'orders', 'seq')).toBe(2); // 1,1,2,2,3,4,5,6,7: the second 1 and the second 2 fail
    expect(await failures('sequential_values', 'orders', 'seq', { group_by_columns: ['region'] })).toBe(1); // eu 1,2,3 ok; us 1,2,4,5,6,7: 4 fails
    expect(await failures('sequential_values', 'orders', 'seq', { interval: 2 })).toBe(8);
    expect(await failures('sequential_values', 'orders', 'day', { datepart: 'day', group_by_columns: ['region'] })).toBe(2); // us: 01,02,04,05,06,08 → 04 and 08 fail
  });

  it('mutually_exclusive_ranges', async () => {
    expect(await failures('mutually_exclusive_ranges', 'ranges', undefined, { lower_bound_column: 'lo', upper_bound_column: 'hi', partition_by: 'k' })).toBe(1); // b (5,5) zero length
    expect(
      await failures('mutually_exclusive_ranges', 'ranges', undefined, { lower_bound_column: 'lo', upper_bound_column: 'hi', partition_by: 'k', zero_length_range_allowed: true }),
    ).toBe(0);
    expect(
      await failures('mutually_exclusive_ranges', 'ranges', undefined, {
        lower_bound_column: 'lo', upper_bound_column: 'hi', partition_by: 'k', gaps: 'not_allowed', zero_length_range_allowed: true,
      }),
    ).toBe(2); // a: 20 → 25; b: 5 → 6
    expect(
      await failures('mutually_exclusive_ranges', 'ranges', undefined, {
        lower_bound_column: 'lo', upper_bound_column: 'hi', partition_by: 'k', gaps: 'required', zero_length_range_allowed: true,
      }),
    ).toBe(2); // a: 10 → 10; b: 5 → 5
    expect(await failures('dbt_utils.mutually_exclusive_ranges', 'overlaps', undefined, { lower_bound_column: 'lo', upper_bound_column: 'hi', partition_by: 'k' })).toBe(2); // a overlap, b NULL lower bound
    expect(await failures('mutually_exclusive_ranges', 'ranges', undefined, { lower_bound_column: 'lo', upper_bound_column: 'coalesce(hi, 99)', partition_by: ['k'], zero_length_range_allowed: true })).toBe(0);
  });
});
