import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mysql from 'mysql2/promise';
import { connect, dropSchemas, uniquePrefix } from '../helpers/db.js';
import { lookupTest, validateTestArgs } from '../../src/testing/generic/registry.js';
import { TestArgumentError, type GenericTestContext } from '../../src/testing/generic/types.js';

// dbt_utils' generic tests not_accepted_values, at_least_one, cardinality_equality and
// equality on MariaDB (in MySQL 8's default sql_mode): the failing rows each finds, counted as
// the runner counts them, stored as store_failures stores them, and the same on a `where`-wrapped model.

const prefix = uniquePrefix('utiltests');
const db = `${prefix}_db`;
let conn: mysql.Connection;

const quote = (s: string) => `\`${s.replace(/`/g, '``')}\``;
const rel = (t: string) => `${quote(db)}.${quote(t)}`;

function ctxFor(tableName: string, columnName: string | undefined, args: Record<string, unknown>, where?: string): GenericTestContext {
  return {
    model: where ? `(SELECT * FROM ${rel(tableName)} WHERE ${where}) AS ft_where` : rel(tableName),
    columnName,
    args,
    quote,
    literal: (v) => mysql.escape(v as string | number | boolean | null),
    resolveRelation: (ref) => rel(/^\s*ref\(\s*['"]([^'"]+)['"]\s*\)\s*$/.exec(ref)?.[1] ?? ref),
  };
}

let stored = 0;
async function failures(test: string, tableName: string, column: string | undefined, args: Record<string, unknown> = {}): Promise<number> {
  const def = lookupTest(test);
  if (!def) throw new Error(`no test ${test}`);
  validateTestArgs(def, args, column !== undefined);
  const sql = def.sql(ctxFor(tableName, column, args));
  const [rows] = await conn.query(`SELECT COUNT(*) AS n FROM (\n${sql}\n) t`);
  const n = Number((rows as Array<{ n: number }>)[0]!.n);
  const store = rel(`fail_${++stored}`);
  await conn.query(`CREATE TABLE ${store} AS\n${sql}`);
  const [s] = await conn.query(`SELECT COUNT(*) AS n FROM ${store}`);
  expect(Number((s as Array<{ n: number }>)[0]!.n)).toBe(n);
  const [w] = await conn.query(`SELECT COUNT(*) AS n FROM (\n${def.sql(ctxFor(tableName, column, args, '1 = 1'))}\n) t`);
  expect(Number((w as Array<{ n: number }>)[0]!.n)).toBe(n);
  return n;
}

async function table(name: string, columns: string, rows: unknown[][]): Promise<void> {
  await conn.query(`CREATE TABLE ${rel(name)} (${columns})`);
  if (rows.length) await conn.query(`INSERT INTO ${rel(name)} VALUES ?`, [rows]);
}

beforeAll(async () => {
  conn = await connect();
  await conn.query("SET SESSION sql_mode = 'ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'");
  await conn.query(`CREATE DATABASE ${quote(db)}`);
  await table('orders', 'id INT, status VARCHAR(20), customer_id INT NULL, region VARCHAR(5)', [
    [1, 'placed', 1, 'eu'],
    [2, 'shipped', 1, 'eu'],
    [3, 'test', null, 'us'],
    [4, 'cancelled', 2, 'us'],
    [5, null, null, 'ap'],
  ]);
  await table('orders_copy', 'id INT, status VARCHAR(20), customer_id INT NULL, region VARCHAR(5)', [
    [1, 'placed', 1, 'eu'],
    [2, 'shipped', 1, 'eu'],
    [3, 'test', null, 'us'],
    [4, 'cancelled', 2, 'us'],
    [5, null, null, 'ap'],
  ]);
  await table('orders_changed', 'id INT, status VARCHAR(20), customer_id INT NULL, region VARCHAR(5)', [
    [1, 'placed', 1, 'eu'],
    [2, 'shipped', 1, 'eu'],
    [3, 'test', 7, 'us'],
    [4, 'cancelled', 2, 'us'],
    [5, null, null, 'ap'],
  ]);
  // customer 1 twice, 2 once, NULL twice: the same cardinalities as orders.customer_id
  await table('payments', 'customer_id INT NULL', [[1], [1], [2], [null], [null]]);
  await table('payments_off', 'customer_id INT NULL', [[1], [2], [2], [null], [null]]);
  await table('empty_t', 'x INT', []);
});
afterAll(async () => {
  await conn?.end();
  await dropSchemas(prefix);
});

describe("dbt_utils' generic tests", () => {
  it('not_accepted_values: one row per forbidden value found; NULL never fails; quote: false takes raw SQL', async () => {
    expect(await failures('dbt_utils.not_accepted_values', 'orders', 'status', { values: ['test', 'cancelled', 'gone'] })).toBe(2);
    expect(await failures('not_accepted_values', 'orders', 'status', { values: ['gone'] })).toBe(0);
    expect(await failures('not_accepted_values', 'orders', 'id', { values: ['2 + 1'], quote: false })).toBe(1);
    expect(() => validateTestArgs(lookupTest('not_accepted_values')!, { values: [] }, true)).toThrow(TestArgumentError);
  });

  it('at_least_one: fails on a column (or a group) without any non-NULL value, and on an empty table', async () => {
    expect(await failures('dbt_utils.at_least_one', 'orders', 'customer_id')).toBe(0);
    expect(await failures('at_least_one', 'orders', 'customer_id', { group_by_columns: ['region'] })).toBe(1);
    expect(await failures('at_least_one', 'empty_t', 'x')).toBe(1);
  });

  it('cardinality_equality: the same values, as many times each, on both sides (NULL counted as a value)', async () => {
    expect(await failures('dbt_utils.cardinality_equality', 'orders', 'customer_id', { to: "ref('payments')", field: 'customer_id' })).toBe(0);
    // 1: twice vs once, 2: once vs twice, each side's row
    expect(await failures('cardinality_equality', 'orders', 'customer_id', { to: "ref('payments_off')", field: 'customer_id' })).toBe(4);
  });

  it('equality: the same rows, by whole rows (EXCEPT) or by compare_columns (NULL-safe)', async () => {
    expect(await failures('dbt_utils.equality', 'orders', undefined, { compare_model: "ref('orders_copy')" })).toBe(0);
    expect(await failures('equality', 'orders', undefined, { compare_model: "ref('orders_changed')" })).toBe(2);
    expect(await failures('equality', 'orders', undefined, { compare_model: "ref('orders_changed')", compare_columns: ['id', 'status'] })).toBe(0);
    expect(await failures('equality', 'orders', undefined, { compare_model: "ref('orders_changed')", compare_columns: ['id', 'customer_id'] })).toBe(2);
    expect(() => validateTestArgs(lookupTest('equality')!, { compare_model: 'x', exclude_columns: ['a'] }, false)).toThrow(/list the columns to compare instead/);
  });
});
