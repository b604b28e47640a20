import mysql from 'mysql2/promise';
import { randomBytes } from 'node:crypto';

/** Connection settings of the test server (MariaDB on this machine and in CI). */
export const TEST_DB = {
  host: process.env.FT_TEST_HOST ?? '127.0.0.1',
  port: Number(process.env.FT_TEST_PORT ?? 3306),
  user: process.env.FT_TEST_USER ?? 'root',
  password: process.env.FT_TEST_PASSWORD ?? '',
};

/** A unique prefix for the schemas one test creates, so suites never collide. */
export function uniquePrefix(label: string): string {
  return `ftt_${label.replace(/[^a-z0-9]/gi, '').slice(0, 12).toLowerCase()}_${randomBytes(3).toString('hex')}`;
}

export async function connect(database?: string): Promise<mysql.Connection> {
  return mysql.createConnection({ ...TEST_DB, database, multipleStatements: true, timezone: 'Z', dateStrings: true });
}

/** Drops every schema whose name starts with the prefix. */
export async function dropSchemas(prefix: string): Promise<void> {
  const conn = await connect();
  try {
    const [rows] = await conn.query('SELECT schema_name AS s FROM information_schema.schemata WHERE schema_name LIKE ?', [`${prefix}%`]);
    for (const r of rows as Array<{ s: string }>) await conn.query(`DROP DATABASE IF EXISTS \`${r.s.replace(/`/g, '``')}\``);
  } finally {
    await conn.end();
  }
}

/** Rows of one query on a connection of its own. */
export async function queryRows<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
  const c = await connect();
  try {
    const [rows] = await c.query(sql, params);
    return rows as T[];
  } finally {
    await c.end();
  }
}

/** The number a `SELECT count(*) AS n …` returns. */
export async function countRows(sql: string, params: unknown[] = []): Promise<number> {
  const rows = await queryRows<{ n: number | string }>(sql, params);
  return Number(rows[0]!.n);
}
