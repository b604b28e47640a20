import mysql from 'mysql2/promise';
import type { Pool, PoolConnection, ResultSetHeader } from 'mysql2/promise';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Readable } from 'node:stream';
import type { ResolvedTarget } from '../../project/types.js';
import { FtError } from '../../util/errors.js';
import type { ExecResult, ServerWarning, Session } from '../adapter.js';
import { poolOptions, sessionCollationSql, sessionSetupSql } from './mysql-connection-options.js';
import { describeHosts, firstUsableHost, hostLabel, isNodeLost, NoHostError, type HostPort } from './mysql-hosts.js';
import { quoteIdent } from './mysql-quoting.js';

/** Connection-level failures get one clear line (and never the password). */
export function connectionError(e: unknown, target: ResolvedTarget): FtError {
  const err = e as { code?: string; errno?: number; message?: string };
  if (e instanceof NoHostError) {
    return new FtError(`cannot reach a usable server of target "${target.targetName}" in ${target.profilesFile}: ${e.message}. Start a node, or fix \`host:\` of the target.`);
  }
  const where = `${target.user}@${target.host}:${target.port}`;
  if (err.code === 'ER_ACCESS_DENIED_ERROR' || err.errno === 1045) {
    return new FtError(`access denied for ${where} (target "${target.targetName}" in ${target.profilesFile}). Check user and password in the profile.`);
  }
  if (err.code === 'ECONNREFUSED' || err.code === 'ENOTFOUND' || err.code === 'ETIMEDOUT' || err.code === 'EHOSTUNREACH') {
    return new FtError(`cannot reach the server at ${target.host}:${target.port} (${err.code}). Start MySQL/MariaDB or fix host/port of target "${target.targetName}" in ${target.profilesFile}.`);
  }
  return new FtError(`cannot connect to ${where}: ${err.message ?? String(e)}`);
}

/** A session on one pooled connection. */
/** What a cancelled run may still send: cleanup (DROP …) and releasing its lock. */
const AFTER_CANCEL = /^\s*(DROP\s|SELECT RELEASE_LOCK\()/i;

export class MysqlSession implements Session {
  constructor(
    readonly conn: PoolConnection,
    readonly id: number,
    /** true once the run is cancelled: KILL QUERY stops what runs, this stops what comes next */
    private readonly cancelled: () => boolean = () => false,
  ) {}

  async execute(sql: string, params?: unknown[]): Promise<ExecResult> {
    if (this.cancelled() && !AFTER_CANCEL.test(sql)) throw new FtError('the run was cancelled.', 130);
    const [res, fields] = await this.conn.query({ sql, values: params });
    if (!Array.isArray(res)) return { rows: [], affectedRows: (res as ResultSetHeader).affectedRows ?? 0, info: (res as ResultSetHeader).info || undefined };
    // Several statements: one entry per statement (rows or a header); keep the last rows, sum the rest.
    const multi = Array.isArray(fields) && fields.some((f) => Array.isArray(f) || f === undefined) && res.some((r) => Array.isArray(r) || isHeader(r));
    if (!multi) return { rows: res as Record<string, unknown>[], affectedRows: 0 };
    let rows: Record<string, unknown>[] = [];
    let affected = 0;
    for (const r of res as unknown[]) {
      if (Array.isArray(r)) rows = r as Record<string, unknown>[];
      else if (isHeader(r)) affected += (r as ResultSetHeader).affectedRows ?? 0;
    }
    return { rows, affectedRows: affected };
  }

  async query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]> {
    return (await this.execute(sql, params)).rows as T[];
  }

  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    await this.conn.query('START TRANSACTION');
    try {
      const r = await fn();
      await this.conn.query('COMMIT');
      return r;
    } catch (e) {
      await this.conn.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
  }

  async loadTsv(table: string, columns: string[], data: NodeJS.ReadableStream | (() => NodeJS.ReadableStream)): Promise<number> {
    const factory = typeof data === 'function' ? data : () => data;
    const sql =
      `LOAD DATA LOCAL INFILE 'ft-stream' INTO TABLE ${table} CHARACTER SET utf8mb4 ` +
      `FIELDS TERMINATED BY '\\t' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' (${columns.map(quoteIdent).join(', ')})`;
    const [res] = await this.conn.query({ sql, infileStreamFactory: () => factory() as Readable });
    return (res as ResultSetHeader).affectedRows ?? 0;
  }

  async warnings(): Promise<ServerWarning[]> {
    const [rows] = await this.conn.query('SHOW WARNINGS');
    return (rows as Array<{ Level: string; Code: number; Message: string }>).map((r) => parseWarning(String(r.Level), Number(r.Code), String(r.Message)));
  }
}

/**
 * The column and row a warning or error names: MariaDB writes `db`.`table`.`col`, MySQL 'col';
 * LOAD DATA numbers rows from 1 ("at row 3", "Row 3 doesn't contain data for all columns").
 */
export function parseWarning(level: string, code: number, message: string): ServerWarning {
  const col = /for column (?:`(?:[^`]|``)*`\.`(?:[^`]|``)*`\.)?(?:`((?:[^`]|``)*)`|'([^']*)')/.exec(message);
  const row = /\bat row (\d+)/.exec(message) ?? /^Row (\d+)\b/.exec(message);
  return {
    level,
    code,
    message,
    column: col ? (col[1] !== undefined ? col[1].replace(/``/g, '`') : col[2]) : undefined,
    row: row ? Number(row[1]) : undefined,
  };
}

function isHeader(v: unknown): boolean {
  return v !== null && typeof v === 'object' && (v as object).constructor?.name === 'ResultSetHeader';
}

/** The pool of connections a run shares; tracks which connection runs what, to cancel it. */
export class MysqlDriver {
  private pool: Pool | null = null;
  private readonly active = new Set<number>();
  private cancelled = false;
  /** connections whose session is set up (time zone, sql_mode) */
  private readonly prepared = new WeakSet<object>();
  /** the session the current async context holds (withSession) */
  private readonly current = new AsyncLocalStorage<MysqlSession>();
  /**
   * the waits for a connection in progress, ended (with null) when the run is cancelled. One
   * promise per wait, not one shared by all: a race with a promise that never settles leaves a
   * reaction on it each time, and a continuous loader waits millions of times.
   */
  private readonly cancelWaits = new Set<(v: null) => void>();
  /** the server every connection of the run goes to while it lives (the first usable of the profile's hosts) */
  private host: HostPort;
  /** the pool being opened: which host, chosen once for every caller waiting */
  private opening: Promise<Pool> | null = null;
  /** a pool was opened once: a later choice of host is a move */
  private opened = false;
  /** what to tell the user when the run moves to another host */
  notice: (message: string) => void = () => undefined;

  /**
   * `snapshot`: every session opens a transaction WITH CONSISTENT SNAPSHOT right after its set-up
   * (a pool of one connection: one session, one snapshot) — see createSnapshotAdapter.
   */
  constructor(private readonly target: ResolvedTarget, private readonly connections: number, private readonly snapshot = false) {
    this.host = { host: target.host, port: target.port };
  }

  /** the target with the host in use: for connections of their own (KILL QUERY, lease renewals) */
  inUse(): ResolvedTarget {
    return { ...this.target, host: this.host.host, port: this.host.port };
  }

  private async getPool(): Promise<Pool> {
    if (this.pool) return this.pool;
    this.opening ??= (async () => {
      try {
        const hosts = this.target.hosts ?? [{ host: this.target.host, port: this.target.port }];
        const { host: next, passedOver } = await firstUsableHost(hosts, { user: this.target.user, password: this.target.password });
        if (this.opened) {
          if (next.host !== this.host.host || next.port !== this.host.port) this.notice(`moved to host ${hostLabel(next)} (${hostLabel(this.host)} is gone or not ready${passedOver ? `; passed over ${passedOver}` : ''})`);
        } else if (passedOver) {
          this.notice(`using host ${hostLabel(next)} of ${describeHosts(hosts)} (passed over ${passedOver})`);
        }
        this.opened = true;
        this.host = next;
        this.pool = mysql.createPool(poolOptions(this.inUse(), this.connections));
        return this.pool;
      } finally {
        this.opening = null;
      }
    })();
    return this.opening;
  }

  /**
   * The host of `pool` died (or left the cluster): drop that pool, so the next session goes to the
   * first usable host of the list. Only with several hosts; with one, the error is reported as it is.
   */
  private lost(pool: Pool | null): void {
    if (!this.target.hosts || this.target.hosts.length < 2 || !pool || this.pool !== pool) return;
    this.pool = null;
    // ended with the run: sessions of it still running finish (or fail) on their own
    this.retired.push(pool);
  }

  /** pools of hosts the run moved away from */
  private readonly retired: Pool[] = [];

  async acquire(hops = 0): Promise<MysqlSession> {
    if (this.cancelled) throw new FtError('the run was cancelled.', 130);
    let conn: PoolConnection;
    let pool: Pool | null = null;
    try {
      // a cancel ends the wait for a free connection; one that comes later goes back to the pool
      pool = await this.getPool();
      const pending = pool.getConnection();
      let endWait!: (v: null) => void;
      const cancelled = new Promise<null>((r) => (endWait = r));
      this.cancelWaits.add(endWait);
      // cancelled while the pool was being opened: cancelAll() has ended the waits of that time
      if (this.cancelled) endWait(null);
      const got = await Promise.race([pending, cancelled]).finally(() => this.cancelWaits.delete(endWait));
      if (!got) {
        void pending.then((c) => c.release(), () => undefined);
        throw new FtError('the run was cancelled.', 130);
      }
      conn = got;
    } catch (e) {
      if (e instanceof FtError) throw e;
      // the host in use stopped answering between two sessions: once more, through the list
      if (this.mayMove(pool, e, hops)) return this.acquire(hops + 1);
      throw connectionError(e, this.inUse());
    }
    // Once per connection: UTC sessions (timestamps mean the same on every server and client),
    // the strict sql_mode (or the profile's) and the target's collation, before anything else runs on it.
    const raw = (conn as unknown as { connection?: object }).connection ?? conn;
    if (!this.prepared.has(raw)) {
      try {
        for (const sql of sessionCollationSql(this.target.database)) await conn.query(sql);
        await conn.query(sessionSetupSql(this.target));
        if (this.snapshot) {
          await conn.query('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
          await conn.query('START TRANSACTION WITH CONSISTENT SNAPSHOT');
        }
      } catch (e) {
        conn.destroy();
        if (this.mayMove(pool, e, hops)) return this.acquire(hops + 1);
        const err = e as { sqlMessage?: string; message?: string };
        if (this.target.sqlMode !== undefined) {
          throw new FtError(`the server refuses sql_mode "${this.target.sqlMode}" of target "${this.target.targetName}" in ${this.target.profilesFile}: ${err.sqlMessage ?? err.message}. Fix \`sql_mode:\` or remove it (ft's strict default then applies).`);
        }
        throw connectionError(e, this.inUse());
      }
      this.prepared.add(raw);
    }
    const id = conn.threadId;
    const session = new MysqlSession(conn, id, () => this.cancelled);
    this.poolOf.set(session, pool);
    return session;
  }

  /** a session could not be had because the host died: drop its pool and try the list again (once per host) */
  private mayMove(pool: Pool | null, e: unknown, hops: number): boolean {
    const hosts = this.target.hosts?.length ?? 1;
    if (!pool || hosts < 2 || hops >= hosts) return false;
    // another session found that host gone meanwhile
    if (this.pool !== pool) return true;
    if (!isNodeLost(e)) return false;
    this.lost(pool);
    return true;
  }

  /** the pool (hence the host) each session came from */
  private readonly poolOf = new WeakMap<MysqlSession, Pool>();

  /**
   * Runs `fn` on a pooled session. Called again inside `fn` (an adapter call while a test holds
   * its session, say), it runs on the same session: waiting for a second connection while
   * holding one deadlocks once every connection is held that way.
   */
  async withSession<T>(fn: (s: Session) => Promise<T>): Promise<T> {
    const held = this.current.getStore();
    if (held) return fn(held);
    const s = await this.acquire();
    this.active.add(s.id);
    let broken = false;
    try {
      return await this.current.run(s, () => fn(s));
    } catch (e) {
      broken = this.cancelled || isConnectionGone(e);
      // the node is gone: the caller's retry (transient errors) runs on the next usable host
      if (!this.cancelled && isNodeLost(e)) this.lost(this.poolOf.get(s) ?? null);
      throw e;
    } finally {
      this.active.delete(s.id);
      // A killed or broken connection (and its temporary tables) is discarded, not reused.
      if (broken) s.conn.destroy();
      else s.conn.release();
    }
  }

  /** Runs `fn` with the session counted as busy, so cancelAll() stops it (the run-lock wait uses this). */
  async tracked<T>(s: MysqlSession, fn: () => Promise<T>): Promise<T> {
    this.active.add(s.id);
    try {
      return await fn();
    } finally {
      this.active.delete(s.id);
    }
  }

  /** KILL QUERY for every statement in flight, from a separate connection. */
  async cancelAll(): Promise<void> {
    this.cancelled = true;
    for (const end of this.cancelWaits) end(null);
    if (!this.active.size) return;
    const conn = await mysql.createConnection({ ...poolOptions(this.inUse(), 1) });
    try {
      for (const id of this.active) await conn.query(`KILL QUERY ${Number(id)}`).catch(() => undefined);
    } finally {
      await conn.end().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    const p = this.pool;
    this.pool = null;
    const pools = [...this.retired.splice(0), ...(p ? [p] : [])];
    await Promise.all(pools.map((x) => x.end().catch(() => undefined)));
  }
}


function isConnectionGone(e: unknown): boolean {
  const err = e as { code?: string; errno?: number; fatal?: boolean };
  return Boolean(err?.fatal) || err?.errno === 1317 || err?.code === 'PROTOCOL_CONNECTION_LOST';
}
