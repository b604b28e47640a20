// The connections of the stream loaders (files and broker): how they are opened and closed.
import mysql, { type Connection } from 'mysql2/promise';
import { sessionSetupSql } from '../adapters/mysql/mysql-connection-options.js';
import type { StreamConnection } from './types.js';

/**
 * The server ends a loader session silent for this long (its `wait_timeout`), which frees the
 * table's lock even when the client vanished without closing the connection (a lost network,
 * a crashed machine): a loader restarted elsewhere then gets the lock within its wait.
 * The loaders ping every 5 s so an idle watching loader keeps its own sessions.
 */
const SESSION_IDLE_TIMEOUT_S = 30;

/**
 * Opens a connection set up the way stream-load needs it: the session every ft command gets
 * (UTC, the profile's sql_mode or ft's strict default) plus the loader's idle timeout. Under a
 * lax sql_mode a value the server coerces is still caught: LOAD DATA's warnings send the batch
 * to the INSERT path, which quarantines every row that warns. `extra`: client flags and session
 * variables a loader adds (the broker loader's).
 */
export async function openStreamConnection(c: StreamConnection, extra: { flags?: string[]; session?: string } = {}): Promise<Connection> {
  const conn = await mysql.createConnection({
    host: c.host,
    port: c.port,
    user: c.user,
    password: c.password,
    charset: 'utf8mb4',
    timezone: 'Z',
    dateStrings: true,
    supportBigNumbers: true,
    connectTimeout: 10_000,
    multipleStatements: false,
    ...(extra.flags ? { flags: extra.flags } : {}),
  });
  // a lost connection surfaces as a rejected query; this keeps the 'error' event from crashing
  conn.on('error', () => undefined);
  await conn.query(`${sessionSetupSql({ sqlMode: c.sqlMode })}, wait_timeout = ${SESSION_IDLE_TIMEOUT_S}${extra.session ? `, ${extra.session}` : ''}`);
  return conn;
}

export async function closeConnection(conn: Connection | null): Promise<void> {
  if (!conn) return;
  // A server that does not answer COM_QUIT within 2 s gets the socket closed. The timer is
  // cleared either way: left pending, it kept every `--once` process alive 2 s after its work.
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([conn.end(), new Promise((_r, rej) => (timer = setTimeout(() => rej(new Error('timeout')), 2000)))]);
  } catch {
    conn.destroy();
  } finally {
    clearTimeout(timer);
  }
}
