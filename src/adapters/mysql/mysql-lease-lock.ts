import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { FtError } from '../../util/errors.js';
import type { DbError, Session } from '../adapter.js';

/**
 * A named lock that holds across a Galera cluster, where GET_LOCK is local to one node.
 *
 * A lease is a row (name primary key, owner, expiry) in `ft_locks.leases`, taken by an
 * autocommitted INSERT. Galera certifies write sets at commit in one total order, so of two
 * INSERTs of the same name through two nodes exactly one commits; the other fails with a
 * duplicate key (1062) or, when both were in flight, a certification conflict (1213). A held
 * transaction with SELECT … FOR UPDATE would not do: row locks are local to a node too.
 * The holder renews the expiry every few seconds and DELETEs the row on release; a holder that
 * died without releasing (kill -9, lost node) stops renewing, and its lease is taken over once
 * expired. Expiry is compared with the server clock (UTC_TIMESTAMP) of whichever node runs the
 * statement: Galera nodes are expected to run NTP, and the TTL is far above clock skew.
 */
export const LEASE_SCHEMA = 'ft_locks';
export const LEASE_TABLE = 'leases';
const TTL_SECONDS = 30;
const RENEW_MS = 10_000;
const RETRY_MS = 500;

const TABLE = `\`${LEASE_SCHEMA}\`.\`${LEASE_TABLE}\``;

export interface LeaseSessions {
  /** runs `fn` on a pooled session; throws once the run is cancelled */
  withSession<T>(fn: (s: Session) => Promise<T>): Promise<T>;
}

/** Who holds a lease: readable in the table by whoever waits for it. */
function newOwner(): string {
  return `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`.slice(0, 128);
}

async function ensureTable(s: Session): Promise<void> {
  await s.execute(`CREATE DATABASE IF NOT EXISTS \`${LEASE_SCHEMA}\` CHARACTER SET utf8mb4`);
  await s.execute(
    `CREATE TABLE IF NOT EXISTS ${TABLE} (\n` +
      '  `name` varchar(191) NOT NULL,\n' +
      '  `owner` varchar(128) NOT NULL,\n' +
      '  `acquired_at` datetime(6) NOT NULL,\n' +
      '  `expires_at` datetime(6) NOT NULL,\n' +
      '  PRIMARY KEY (`name`)\n' +
      ') ENGINE=InnoDB DEFAULT CHARSET=utf8mb4',
  );
}

/** 1062 duplicate key, 1213 certification conflict (Galera's deadlock on commit), 1205 lock wait */
function lostTheRace(e: unknown): boolean {
  const n = (e as DbError).errno;
  return n === 1062 || n === 1213 || n === 1205;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Takes the lease `name`, waiting up to `waitSeconds`; null when another owner holds it that long. */
export async function acquireLease(
  db: LeaseSessions,
  name: string,
  waitSeconds: number,
  /** runs one statement on a connection of its own: renewals, and the release after a cancel (the pool then refuses) */
  oneOff: (sql: string, params: unknown[]) => Promise<void>,
): Promise<{ release(): Promise<void> } | null> {
  const owner = newOwner();
  const deadline = Date.now() + waitSeconds * 1000;
  await db.withSession(ensureTable).catch((e: DbError) => {
    // 1044/1142/1227: the profile's user may not create or write the lease table
    if (e.errno === 1044 || e.errno === 1142 || e.errno === 1227) {
      throw new FtError(`on a Galera cluster ft keeps its run lock as a row in ${LEASE_SCHEMA}.${LEASE_TABLE} (GET_LOCK does not hold across nodes), and the server refused it: ${e.sqlMessage ?? e.message}. Grant the profile's user CREATE, SELECT, INSERT, UPDATE, DELETE on ${LEASE_SCHEMA}.*.`);
    }
    throw e;
  });
  for (;;) {
    const got = await db.withSession(async (s) => {
      // a lease its owner stopped renewing is free
      await s.execute(`DELETE FROM ${TABLE} WHERE name = ? AND expires_at < UTC_TIMESTAMP(6)`, [name]);
      try {
        await s.execute(`INSERT INTO ${TABLE} (name, owner, acquired_at, expires_at) VALUES (?, ?, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6) + INTERVAL ${TTL_SECONDS} SECOND)`, [name, owner]);
        return true;
      } catch (e) {
        if (lostTheRace(e)) return false;
        throw e;
      }
    });
    if (got) break;
    if (Date.now() >= deadline) return null;
    await sleep(Math.min(RETRY_MS, Math.max(0, deadline - Date.now())));
  }
  // on a connection of its own: the run's pool may be busy building for longer than the TTL
  const renew = setInterval(() => {
    void oneOff(`UPDATE ${TABLE} SET expires_at = UTC_TIMESTAMP(6) + INTERVAL ${TTL_SECONDS} SECOND WHERE name = ? AND owner = ?`, [name, owner]).catch(() => undefined);
  }, RENEW_MS);
  renew.unref();
  return {
    release: async () => {
      clearInterval(renew);
      const sql = `DELETE FROM ${TABLE} WHERE name = ? AND owner = ?`;
      // a cancelled run's pool takes no more statements; failing both, the lease expires in TTL_SECONDS
      await db.withSession((s) => s.execute(sql, [name, owner])).catch(() => oneOff(sql, [name, owner])).catch(() => undefined);
    },
  };
}

/** A connection of its own, opened for one statement (mysql2's, or anything alike). */
export interface LeaseConnection {
  query(sql: string, params?: unknown[]): Promise<unknown>;
  end(): Promise<void>;
}

/**
 * The same lease, for a process without a pool (the stream loader): every statement, renewals
 * included, runs on a connection `connect` opens — to whichever host is in use at that moment, so
 * the lease survives a move to another node.
 */
export function acquireLeaseThrough(connect: () => Promise<LeaseConnection>, name: string, waitSeconds: number): Promise<{ release(): Promise<void> } | null> {
  const onConnection = async <T>(fn: (s: Session) => Promise<T>): Promise<T> => {
    const c = await connect();
    const execute = async (sql: string, params?: unknown[]) => {
      const [res] = (await c.query(sql, params)) as [unknown];
      return Array.isArray(res) ? { rows: res as Record<string, unknown>[], affectedRows: 0 } : { rows: [], affectedRows: Number((res as { affectedRows?: number })?.affectedRows ?? 0) };
    };
    const session = { execute, query: async (sql: string, params?: unknown[]) => (await execute(sql, params)).rows } as unknown as Session;
    try {
      return await fn(session);
    } finally {
      await c.end().catch(() => undefined);
    }
  };
  return acquireLease({ withSession: onConnection }, name, waitSeconds, async (sql, params) => {
    await onConnection((s) => s.execute(sql, params));
  });
}
