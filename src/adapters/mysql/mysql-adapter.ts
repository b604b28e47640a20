import mysql from 'mysql2/promise';
import { md5 } from '../../util/hash.js';
import type { ResolvedTarget } from '../../project/types.js';
import type { Adapter, ServerInfo, Session } from '../adapter.js';
import { detectCapabilities, type Capabilities } from './mysql-capabilities.js';
import { poolOptions } from './mysql-connection-options.js';
import { mysqlDdl } from './mysql-ddl.js';
import { acquireLease } from './mysql-lease-lock.js';
import { MysqlDriver } from './mysql-driver.js';
import { identifierProblem } from './mysql-identifiers.js';
import { columns, describeRelations, listRelations, relationType } from './mysql-introspector.js';
import { literal, quoteIdent, relationName } from './mysql-quoting.js';
import { splitStatements } from './mysql-statements.js';
import { utf8mb4Collate } from './session-collation.js';

/** MySQL 8.0+ and MariaDB 10.6+ through mysql2. */
export class MysqlAdapter implements Adapter {
  readonly type = 'mysql';
  readonly ddl = mysqlDdl;
  private readonly driver: MysqlDriver;
  private info: ServerInfo | null = null;
  private caps: Promise<Capabilities> | undefined;
  private readonly schemas = new Set<string>();

  constructor(readonly target: ResolvedTarget, connections = target.threads, snapshot = false) {
    // one extra connection for the run lock and bookkeeping (a snapshot's one session has none)
    this.driver = snapshot ? new MysqlDriver(target, 1, true) : new MysqlDriver(target, connections + 1);
  }

  quote = quoteIdent;
  relation = relationName;
  literal = literal;
  splitStatements = splitStatements;
  identifierProblem = identifierProblem;

  onNotice(report: (message: string) => void): void {
    this.driver.notice = report;
  }

  withSession<T>(fn: (s: Session) => Promise<T>): Promise<T> {
    return this.driver.withSession(fn);
  }

  async server(): Promise<ServerInfo> {
    if (!this.info) {
      const [row] = await this.withSession((s) => s.query<{ v: string }>('SELECT VERSION() AS v'));
      const v = String(row!.v);
      this.info = { flavor: /mariadb/i.test(v) ? 'mariadb' : 'mysql', version: v };
    }
    return this.info;
  }

  async ensureSchema(schema: string): Promise<void> {
    if (this.schemas.has(schema)) return;
    // in the session's collation (the target database's): seeds and models of every schema compare alike
    await this.withSession(async (s) => s.execute(`CREATE DATABASE IF NOT EXISTS ${quoteIdent(schema)} CHARACTER SET utf8mb4${await utf8mb4Collate(s)}`));
    this.schemas.add(schema);
  }

  relationType(schema: string, name: string) {
    return this.withSession((s) => relationType(s, schema, name));
  }

  columns(schema: string, name: string) {
    return this.withSession((s) => columns(s, schema, name));
  }

  describeRelations(relations: Array<{ schema: string; name: string }>) {
    return this.withSession((s) => describeRelations(s, relations));
  }

  listRelations(schemas: string[]) {
    return this.withSession((s) => listRelations(s, schemas));
  }

  /** the server's features and the fallbacks ft picks (mysql-capabilities.ts), read once */
  capabilities(): Promise<Capabilities> {
    this.caps ??= this.withSession(detectCapabilities);
    return this.caps;
  }

  async acquireLock(name: string, waitSeconds: number): Promise<{ release(): Promise<void> } | null> {
    // GET_LOCK is local to one Galera node: two runs through two nodes would both get it
    if ((await this.capabilities()).runLock === 'lease') {
      return acquireLease(this.driver, name, waitSeconds, async (sql, params) => {
        // the host the run uses now: after a failover, renewals go to the new node
        const c = await mysql.createConnection(poolOptions(this.driver.inUse(), 1));
        await c.query(sql, params).finally(() => c.end().catch(() => undefined));
      });
    }
    const session = await this.driver.acquire();
    // MySQL limits lock names to 64 characters.
    const lockName = name.length <= 64 ? name : `${name.slice(0, 40)}_${md5(name).slice(0, 16)}`;
    try {
      // tracked: Ctrl-C during a long wait kills the GET_LOCK instead of waiting it out
      const [row] = await this.driver.tracked(session, () => session.query<{ g: number | null }>('SELECT GET_LOCK(?, ?) AS g', [lockName, waitSeconds]));
      if (Number(row?.g) !== 1) {
        session.conn.release();
        return null;
      }
    } catch (e) {
      session.conn.destroy();
      throw e;
    }
    return {
      release: async () => {
        await session.query('SELECT RELEASE_LOCK(?)', [lockName]).catch(() => undefined);
        session.conn.release();
      },
    };
  }

  cancelAll(): Promise<void> {
    return this.driver.cancelAll();
  }

  close(): Promise<void> {
    return this.driver.close();
  }
}

export function createAdapter(target: ResolvedTarget, threads?: number): Adapter {
  return new MysqlAdapter(target, threads ?? target.threads);
}

/**
 * An adapter reading what the database held when this resolves, whatever commits after: all its
 * statements run on one session, in one REPEATABLE READ transaction opened WITH CONSISTENT
 * SNAPSHOT (so they run one at a time). For reads only; a statement that commits (DDL, such as
 * storing a test's failures) ends the snapshot, and the statements after it see newer data. Its
 * transaction keeps a shared metadata lock on each table read until close(): a DDL statement on
 * one of them (a table model's swap) waits for that. close() ends the transaction.
 */
export async function createSnapshotAdapter(target: ResolvedTarget): Promise<Adapter> {
  const adapter = new MysqlAdapter(target, 1, true);
  try {
    await adapter.withSession(async () => undefined);
  } catch (e) {
    await adapter.close();
    throw e;
  }
  return adapter;
}
