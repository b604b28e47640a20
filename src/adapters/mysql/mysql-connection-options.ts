import type { PoolOptions } from 'mysql2';
import type { ResolvedTarget } from '../../project/types.js';
import { stringLiteral } from './mysql-quoting.js';

/**
 * The sql_mode of every ft session unless the profile sets `sql_mode:`. Strict for every table
 * (an invalid date or a division by zero is an error, not a warning and a zero), with the same
 * meaning on MariaDB 10.6+ and MySQL 8.0+: only modes both servers know (MySQL 8 refuses
 * NO_AUTO_CREATE_USER, which MariaDB's default holds). IGNORE_SPACE is what mysql2's connection
 * flags gave every session before, so `count (*)` keeps parsing.
 */
export const STRICT_SQL_MODE = 'STRICT_ALL_TABLES,STRICT_TRANS_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION,IGNORE_SPACE';

/** The one statement that prepares a session: UTC timestamps and the sql_mode. */
export function sessionSetupSql(target: Pick<ResolvedTarget, 'sqlMode'>): string {
  const mode = target.sqlMode ?? STRICT_SQL_MODE;
  return `SET SESSION time_zone = '+00:00', sql_mode = ${stringLiteral(mode)}`;
}

/**
 * The statements that give a session the collation of the tables it builds: the target
 * database's, or, before ft creates it, the server's default for utf8mb4 (which CREATE DATABASE
 * … CHARACTER SET utf8mb4 gives it). mysql2 otherwise sets utf8mb4_unicode_ci: a column built
 * from a literal then compared with one of a seed or source table in the server's default
 * collation fails with "Illegal mix of collations". Two statements: SET evaluates every
 * expression before it assigns any, so the default must be in place first.
 */
export function sessionCollationSql(database: string): string[] {
  return [
    'SET NAMES utf8mb4',
    `SET SESSION collation_connection = COALESCE((SELECT DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ${stringLiteral(database)} AND DEFAULT_CHARACTER_SET_NAME = 'utf8mb4'), @@session.collation_connection)`,
  ];
}

/**
 * mysql2 pool options for a target: UTC sessions, strings for dates, a pool sized to threads.
 * One statement per call (multipleStatements off): SQL that renders to several statements is
 * refused by the server; hooks are split by ft (mysql-statements.ts).
 */
export function poolOptions(target: ResolvedTarget, connections: number): PoolOptions {
  return {
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    connectionLimit: Math.max(1, connections),
    maxIdle: Math.max(1, connections),
    waitForConnections: true,
    multipleStatements: false,
    timezone: 'Z',
    dateStrings: true,
    supportBigNumbers: true,
    decimalNumbers: false,
    connectTimeout: 10_000,
    enableKeepAlive: true,
  };
}
