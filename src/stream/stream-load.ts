/**
 * `ft stream-load`: exactly-once micro-batch loading of NDJSON/CSV files into a bronze table
 * (the replacement of the Spark Structured Streaming job).
 *
 * One run = one or more sessions. A session holds two connections (a writer that owns the
 * per-table lock and runs the batch transactions, and a reader for checkpoint lookups) and
 * plans batches from what the checkpoint table says is committed. When the server goes away the
 * session is dropped, and after a backoff a new one resumes from the checkpoint: nothing that
 * was not committed is remembered, so nothing is lost or loaded twice.
 *
 * Pipelining: while batch N is being committed, batch N+1 is read and validated, so the server
 * (parsing the TSV, writing InnoDB) and Node (parsing JSON/CSV) work at the same time; and two
 * writer sessions overlap consecutive commits (N+1 loads its rows while N commits; it commits
 * only after N, see BatchWriter), so the server's LOAD DATA does not wait for each COMMIT and
 * uses a second core.
 */
import type { Connection } from 'mysql2/promise';
import { createHash } from 'node:crypto';
import { acquireLeaseThrough } from '../adapters/mysql/mysql-lease-lock.js';
import type { Batch } from './batch.js';
import { BatchPlanner, streamCursor, type Cursor } from './batch-planner.js';
import { BatchWriter, type CommitResult } from './batch-writer.js';
import { CheckpointStore } from './checkpoint-store.js';
import { ensureBronzeTables, validateTarget } from './ddl.js';
import { Landing, type LandingEntry } from './landing.js';
import { STREAM_DEFAULTS, checkOptions } from './options.js';
import { StreamChunkSource } from './record-reader.js';
import { StreamLog } from './status.js';
import { closeConnection, openStreamConnection } from './stream-connection.js';
import { StreamHost } from './stream-host.js';
import { StreamLoadError, errorMessage, isTransientDbError } from './stream-errors.js';
import type { CheckpointRow, StreamConnection, StreamLoadOptions, StreamLoadSummary, StreamTarget } from './types.js';
import { StopWaker, reconnectDelay } from './stop-waker.js';

const LOCK_WAIT_MS = 60_000;
/** Sessions ping this often so an idle watching loader keeps its own (stream-connection.ts ends silent ones after 30 s). */
const KEEPALIVE_MS = 5_000;
const DEBUG = process.env.FT_STREAM_DEBUG === '1';
/** --once waits this long (at least 20 × stableMs) for files still being written before leaving them. */
const ONCE_SETTLE_MS = 5_000;
/** Writer sessions, i.e. batches committing at once (in id order). */
const WRITERS = 2;

/** A batch handed to a writer: its commit under way. */
interface Committing {
  batch: Batch;
  id: number;
  done: Promise<CommitResult>;
}

/** The named lock a loader's writer connection holds for its table (exported so tests can find that connection). */
export function lockName(t: StreamTarget): string {
  return 'ft_stream:' + createHash('sha256').update(`${t.database}.${t.table}`).digest('hex').slice(0, 40);
}

export async function streamLoad(opts: StreamLoadOptions): Promise<StreamLoadSummary> {
  checkOptions(opts);
  validateTarget(opts.target);
  return new StreamLoader(opts).run();
}

class StreamLoader {
  private readonly log: StreamLog;
  private readonly started = Date.now();
  private landing: Landing | null = null;
  private stdin: Cursor | null = null;
  /** stdin batches built (data consumed) but not known to be committed when a session failed. */
  private stdinBacklog: Batch[] = [];
  /** The batch whose commit was cut off: it may have landed, which only the next session can tell. */
  private unsure: { batch: Batch; id: number } | null = null;
  /** --once: since when only files still being written have been waiting (0: not now) */
  private unsettledSince = 0;
  private files = 0;
  /** files found already loaded since the last line saying how many */
  private skippedFiles = 0;
  /** time spent on batches (building, committing); since when, while one is under way */
  private loadingMs = 0;
  private workingSince: number | null = null;
  private batches = 0;
  private rowsLoaded = 0;
  private rowsRejected = 0;
  private bytes = 0;
  private failures = 0;
  private everConnected = false;
  private lastStatus = { at: Date.now(), events: 0 };
  private readonly stableMs: number;
  /** Server connection ids of this run's writer sessions (an earlier one may linger half-open, holding the lock). */
  private readonly ownSessions = new Set<number>();

  /** the server of the current session (one of the profile's hosts) */
  private readonly host: StreamHost;
  /** the table's lease on Galera, held for the whole run */
  private lease: { release(): Promise<void> } | null = null;
  /** stop requested, and the waits it cuts short */
  private readonly halt: StopWaker;
  constructor(private readonly o: StreamLoadOptions) {
    this.halt = new StopWaker(o.signal);
    this.log = new StreamLog(o.logFormat, o.log);
    this.host = new StreamHost(o.connection, this.note, 'resuming from the checkpoint there');
    this.stableMs = o.stableMs ?? STREAM_DEFAULTS.stableMs;
  }

  private note = (kind: string, message: string, extra?: Record<string, unknown>) => this.log.event(kind, message, extra);

  async run(): Promise<StreamLoadSummary> {
    const o = this.o;
    const c = o.connection;
    this.note(
      'info',
      `loading ${o.format} from ${o.path === '-' ? 'stdin' : o.path} into ${o.target.database}.${o.target.table} on ${c.user}@${c.host}:${c.port} ` +
        `(${o.once ? 'once' : 'watching'}; batches ≤ ${o.maxBatchRows} rows / ${o.maxBatchBytes} bytes; trigger ${o.triggerIntervalMs} ms)`,
      { event: 'start' },
    );
    let timer: NodeJS.Timeout | null = null;
    try {
      if (o.path === '-') {
        this.stdin = streamCursor(new StreamChunkSource(o.stdin ?? process.stdin), o.target.columns, o.format, o.maxLineBytes);
      } else {
        this.landing = new Landing({ path: o.path, pattern: o.pattern, watch: !o.once, stableMs: this.stableMs, log: this.note });
        await this.landing.start();
      }
      timer = setInterval(() => this.emitStatus(), o.statusIntervalMs);
      timer.unref();
      const maxRetries = o.maxRetries ?? (o.once ? 8 : Infinity);
      for (;;) {
        try {
          await this.session();
          break;
        } catch (e) {
          if (!isTransientDbError(e)) throw e;
          if (this.halt.stopped) break;
          if (!this.everConnected && o.once) {
            throw new StreamLoadError(`cannot reach the database at ${c.host}:${c.port} (${errorMessage(e)}); check the connection settings in profiles.yml and that the server is up.`);
          }
          this.failures++;
          if (this.failures > maxRetries) {
            throw new StreamLoadError(`stream-load gave up after ${maxRetries} attempts to reach the database (${errorMessage(e)}); everything committed so far is kept, run it again to resume.`);
          }
          const delay = reconnectDelay(this.failures);
          this.note('warn', `database connection lost or batch interrupted (${errorMessage(e)}); resuming from the checkpoint in ${(delay / 1000).toFixed(1)}s (attempt ${this.failures})`, { event: 'retry' });
          await this.halt.sleep(delay);
          if (this.halt.stopped) break;
        }
      }
    } catch (e) {
      if (e instanceof StreamLoadError) throw e;
      throw new StreamLoadError(`stream-load into ${o.target.database}.${o.target.table} failed: ${errorMessage(e)}`);
    } finally {
      if (timer) clearInterval(timer);
      await this.lease?.release();
      this.halt.dispose();
      await this.landing?.close();
      if (this.stdin) await this.stdin.reader.close().catch(() => undefined);
    }
    this.flushSkipped();
    this.idle();
    const seconds = (Date.now() - this.started) / 1000;
    const loadingSeconds = this.loadingMs / 1000;
    const summary: StreamLoadSummary = {
      files: this.files,
      batches: this.batches,
      rowsLoaded: this.rowsLoaded,
      rowsRejected: this.rowsRejected,
      bytes: this.bytes,
      seconds,
      loadingSeconds,
      // over the time spent loading: a watching loader's idle hours would make it meaningless
      eventsPerSecond: loadingSeconds > 0 ? (this.rowsLoaded + this.rowsRejected) / loadingSeconds : 0,
    };
    this.log.summary(summary);
    return summary;
  }

  private emitStatus(): void {
    const now = Date.now();
    const events = this.rowsLoaded + this.rowsRejected;
    const dt = (now - this.lastStatus.at) / 1000;
    const rate = dt > 0 ? (events - this.lastStatus.events) / dt : 0;
    this.lastStatus = { at: now, events };
    const oldest = this.landing?.oldestPendingMtime() ?? null;
    this.log.status({
      eventsPerSecond: rate,
      rowsLoaded: this.rowsLoaded,
      rowsRejected: this.rowsRejected,
      filesPending: this.landing?.pendingCount() ?? 0,
      lagSeconds: oldest === null ? 0 : Math.max(0, (now - oldest) / 1000),
      batches: this.batches,
      extra: this.o.statusExtra?.() ?? undefined,
    });
  }



  /**
   * Where this session's connections go: the first usable host of the profile's list
   * (stream-host.ts). Session ids of another server are not ours to end there.
   */
  private async pickHost(): Promise<StreamConnection> {
    const { at, moved } = await this.host.pick();
    if (moved) this.ownSessions.clear();
    return at;
  }

  /** One loader per table: a named lock held by the writer connection. False when stopped while waiting. */
  private async acquireLock(conn: Connection): Promise<boolean> {
    // GET_LOCK is local to one Galera node: there the lock is a lease row, held for the whole run
    const [ws] = await conn.query('SELECT @@wsrep_on AS w').catch(() => [[{ w: 0 }]]);
    if (Number((ws as Array<{ w: unknown }>)[0]?.w) === 1) return this.acquireLease();
    const name = lockName(this.o.target);
    const tryLock = async (sec: number) => {
      const [rows] = await conn.query('SELECT GET_LOCK(?, ?) AS l', [name, sec]);
      return Number((rows as Array<{ l: unknown }>)[0]!.l) === 1;
    };
    if (await tryLock(0)) return true;
    if (await this.endOwnStaleSession(conn, name)) return true;
    this.note('info', `another stream-load holds ${this.o.target.database}.${this.o.target.table} (lock ${name}); waiting for it to finish`);
    const until = Date.now() + LOCK_WAIT_MS;
    while (Date.now() < until) {
      if (this.halt.stopped) return false;
      if (await tryLock(1)) return true;
      if (await this.endOwnStaleSession(conn, name)) return true;
    }
    throw new StreamLoadError(
      `another ft stream-load is loading ${this.o.target.database}.${this.o.target.table} (MySQL lock "${name}" held for over ${LOCK_WAIT_MS / 1000}s); stop it first — two loaders on one table are not allowed.`,
    );
  }

  /**
   * One loader per table on Galera: a lease in ft_locks.leases (mysql-lease-lock.ts), taken once per
   * run and kept across its sessions (renewed through whichever node is in use), given back at the
   * end. A loader killed -9 stops renewing; its lease expires after 30 s.
   */
  private async acquireLease(): Promise<boolean> {
    if (this.lease) return true;
    const name = lockName(this.o.target);
    // each statement (renewals too) through the host in use at that moment
    const connect = () => openStreamConnection(this.host.inUse());
    const take = (sec: number) => acquireLeaseThrough(connect, name, sec);
    this.lease = await take(0);
    if (this.lease) return true;
    this.note('info', `another stream-load holds ${this.o.target.database}.${this.o.target.table} (lease ${name} in ft_locks.leases); waiting for it to finish`);
    const until = Date.now() + LOCK_WAIT_MS;
    while (!this.lease && Date.now() < until) {
      if (this.halt.stopped) return false;
      this.lease = await take(1);
    }
    if (this.lease) return true;
    throw new StreamLoadError(
      `another ft stream-load is loading ${this.o.target.database}.${this.o.target.table} (lease "${name}" in ft_locks.leases held for over ${LOCK_WAIT_MS / 1000}s); stop it first — two loaders on one table are not allowed.`,
    );
  }

  /**
   * The lock held by one of this run's earlier writer sessions — one whose connection died on
   * our side (e.g. a COMMIT whose reply was lost) while the server still keeps it — is ours:
   * end that session (KILL needs no privilege for one's own sessions) and take the lock. The
   * server finishes or rolls back its transaction first, so the checkpoint read next is final.
   */
  private async endOwnStaleSession(conn: Connection, name: string): Promise<boolean> {
    const [rows] = await conn.query('SELECT IS_USED_LOCK(?) AS h', [name]);
    const holder = (rows as Array<{ h: unknown }>)[0]?.h;
    if (holder == null) return false;
    const id = Number(holder);
    if (!this.ownSessions.has(id) || id === conn.threadId) return false;
    this.note('info', `the lock of ${this.o.target.database}.${this.o.target.table} is held by this loader's own earlier session ${id}, which the server still keeps after the connection was lost; ended its own stale session`);
    try {
      await conn.query(`KILL CONNECTION ${id}`);
    } catch (e) {
      if ((e as { errno?: number }).errno !== 1094) throw e; // 1094: unknown thread (ended meanwhile)
    }
    this.ownSessions.delete(id);
    const [got] = await conn.query('SELECT GET_LOCK(?, 10) AS l', [name]);
    return Number((got as Array<{ l: unknown }>)[0]!.l) === 1;
  }

  /**
   * A writer of an earlier session whose connection died on our side may live on in the server
   * (e.g. its COMMIT's reply was lost), and, mid-transaction, hold row locks this session's
   * batches would wait for. End every such session of ours; the lock holder among them is also
   * handled by acquireLock.
   */
  private async endOwnStaleWriters(conn: Connection, current: Connection[]): Promise<void> {
    const live = new Set(current.map((c) => c.threadId));
    for (const id of [...this.ownSessions]) {
      if (live.has(id)) continue;
      this.ownSessions.delete(id);
      try {
        await conn.query(`KILL CONNECTION ${id}`);
        this.note('info', `ended its own stale session ${id} of ${this.o.target.database}.${this.o.target.table}, which the server still kept after the connection was lost`);
      } catch (e) {
        if ((e as { errno?: number }).errno !== 1094) throw e; // 1094: unknown thread (closed already)
      }
    }
  }

  private async session(): Promise<void> {
    const o = this.o;
    // the first writer holds the table's lock; the others only commit batches
    const writerConns: Connection[] = [];
    let readerConn: Connection | null = null;
    let planner: BatchPlanner | null = null;
    let keepalive: NodeJS.Timeout | null = null;
    try {
      const at = await this.pickHost();
      for (let i = 0; i < WRITERS; i++) {
        const conn = await openStreamConnection(at);
        writerConns.push(conn);
        this.ownSessions.add(conn.threadId);
      }
      const writerConn = writerConns[0]!;
      readerConn = await openStreamConnection(at);
      this.everConnected = true;
      await this.endOwnStaleWriters(writerConn, writerConns);
      const r = readerConn;
      keepalive = setInterval(() => {
        for (const w of writerConns) w.ping().catch(() => undefined);
        r.ping().catch(() => undefined);
      }, KEEPALIVE_MS);
      keepalive.unref();
      if (DEBUG) this.note('debug', 'connected');
      if (!(await this.acquireLock(writerConn))) return;
      if (DEBUG) this.note('debug', 'locked');
      const ensured = await ensureBronzeTables(writerConn, o.target);
      if (DEBUG) this.note('debug', 'tables ready');
      if (ensured.created.length) this.note('info', `created ${ensured.created.map((t) => `${o.target.database}.${t}`).join(', ')}`);
      if (ensured.addedColumns.length) this.note('info', `added column(s) ${ensured.addedColumns.join(', ')} to ${o.target.database}.${o.target.table}`);
      const store = new CheckpointStore(readerConn, o.target);
      const writers = writerConns.map((conn) => new BatchWriter(conn, o.target, { format: o.format, maxLineBytes: o.maxLineBytes, log: this.note }));
      const nextId = (await store.maxBatchId()) + 1;
      await this.settleUnsure(store, nextId);
      if (this.stdin) await this.resyncStdin(store);
      planner = new BatchPlanner(
        {
          format: o.format,
          columns: o.target.columns,
          maxBatchRows: o.maxBatchRows,
          maxBatchBytes: o.maxBatchBytes,
          maxLineBytes: o.maxLineBytes,
          triggerIntervalMs: o.triggerIntervalMs,
          landing: this.landing,
          store,
          onAlreadyLoaded: (entry, row) => this.alreadyLoaded(entry, row),
          log: this.note,
        },
        this.stdin,
      );
      await this.loop(planner, writers, nextId);
    } finally {
      if (keepalive) clearInterval(keepalive);
      await planner?.close();
      this.landing?.resetActive();
      await Promise.all([readerConn, ...writerConns].map((c) => closeConnection(c)));
    }
  }

  /** After a failed session, drop the stdin batches that did commit and keep the others. */
  private async resyncStdin(store: CheckpointStore): Promise<void> {
    const cur = this.stdin!;
    if (!this.stdinBacklog.length) return;
    const row = await store.byId(cur.fileId);
    const committed = row?.bytesCommitted ?? 0;
    this.stdinBacklog = this.stdinBacklog.filter((b) => b.segments[0]!.endOffset > committed);
    this.stdinBacklog.forEach((b, i) => {
      b.segments[0]!.insert = i === 0 && !row;
    });
    if (this.stdinBacklog.length && this.stdinBacklog[0]!.segments[0]!.startOffset !== committed) {
      throw new StreamLoadError(`internal: stdin batch starts at byte ${this.stdinBacklog[0]!.segments[0]!.startOffset} but ${committed} are committed`);
    }
  }

  /**
   * A connection lost during COMMIT leaves the outcome unknown. Batch ids only grow, so if the
   * checkpoint has reached the batch's id it committed: count it (its rejects are in the
   * quarantine table under that id). Otherwise the planner or the stdin backlog retries it.
   */
  private async settleUnsure(store: CheckpointStore, nextId: number): Promise<void> {
    const unsure = this.unsure;
    this.unsure = null;
    if (!unsure || unsure.id >= nextId) return;
    const rejected = await store.rejectedInBatch(unsure.id);
    const { batch } = unsure;
    // counted only: the files it completed are found done in the checkpoint by the planner
    this.count(batch, batch.rows + batch.rejects.length - rejected, rejected);
  }

  private async alreadyLoaded(entry: LandingEntry, row: CheckpointRow): Promise<void> {
    const landing = this.landing!;
    // on restart every loaded file is found again: one line counts them, --debug names each
    // (--log-format json keeps its event per file)
    const json = this.o.logFormat === 'json';
    if (this.o.debug || json) this.note('info', `${entry.rel} is already loaded (as ${row.sourceFile}); skipping it`, { event: 'skip', file: entry.rel, loadedAs: row.sourceFile });
    if (!json) this.skippedFiles++;
    landing.markDone(entry, entry.size);
    if (this.o.cleanSource) await landing.clean(entry, this.o.cleanSource);
  }

  private flushSkipped(): void {
    if (!this.skippedFiles) return;
    const n = this.skippedFiles;
    this.skippedFiles = 0;
    this.note('info', `${n} file${n === 1 ? '' : 's'} already loaded, skipped`, { event: 'skipped_files', files: n });
  }

  /** No batch under way: the time since one began counts as loading. */
  private idle(): void {
    if (this.workingSince === null) return;
    this.loadingMs += performance.now() - this.workingSince;
    this.workingSince = null;
  }

  private async loop(planner: BatchPlanner, writers: BatchWriter[], firstId: number): Promise<void> {
    const o = this.o;
    const landing = this.landing;
    let prefetch: Promise<Batch | null> | null = null;
    /** commits under way, oldest first: at most one per writer */
    const committing: Committing[] = [];
    let nextId = firstId;
    let nextTrigger = 0;
    /** a batch built and not yet handed to a writer */
    let batch: Batch | null = null;
    try {
      for (;;) {
        batch = null;
        if (this.stdinBacklog.length) batch = this.stdinBacklog.shift()!;
        else if (prefetch) {
          const p = prefetch;
          prefetch = null;
          batch = await p;
        }
        if (!batch && committing.length) {
          // nothing read ahead: finish what is committing before looking for more (a file is
          // done, or an unfinished line held, only once its batch has committed)
          await this.settle(committing);
          continue;
        }
        if (!batch) {
          if (this.halt.stopped) break;
          if (!o.once && !planner.busy) {
            await this.halt.sleep(nextTrigger - Date.now());
            if (this.halt.stopped) break;
          }
          nextTrigger = Date.now() + Math.max(o.triggerIntervalMs, 25);
          if (landing) await landing.refresh();
          const t0 = performance.now();
          batch = await planner.build();
          if (batch) this.workingSince ??= t0;
          if (DEBUG && batch) this.note('debug', `built a batch of ${batch.rows} rows in ${(performance.now() - t0).toFixed(0)} ms`);
        }
        this.workingSince ??= batch ? performance.now() : null;
        this.flushSkipped();
        if (!batch) {
          this.idle();
          if (this.stdin?.ended) break;
          if (o.once && landing?.allDone()) break;
          if (o.once && landing && this.giveUpOnUnsettled(landing)) break;
          if (o.once) await this.halt.sleep(Math.min(100, this.stableMs));
          continue;
        }
        this.unsettledSince = 0;
        // Stopping: a built file batch is simply not committed (the next run re-reads it); stdin
        // data cannot be re-read, so a stdin batch already built is committed first.
        if (this.halt.stopped && !this.stdin) break;
        if (!this.halt.stopped && !prefetch && (batch.full || planner.busy)) {
          const t0 = performance.now();
          prefetch = planner.build();
          if (DEBUG) void prefetch.then((b) => b && this.note('debug', `prefetched a batch of ${b.rows} rows in ${(performance.now() - t0).toFixed(0)} ms`), () => undefined);
          prefetch.catch(() => undefined);
        }
        // a writer is free when the oldest commit has ended
        if (committing.length >= writers.length) await this.settle(committing);
        const id = nextId++;
        const t1 = performance.now();
        const done = writers[id % writers.length]!.commit(batch, id, committing.at(-1)?.done);
        done.catch(() => undefined);
        if (DEBUG) void done.then((r) => this.note('debug', `committed batch ${r.batchId} in ${(performance.now() - t1).toFixed(0)} ms`), () => undefined);
        committing.push({ batch, id, done });
        batch = null;
        if (this.halt.stopped && !prefetch && !this.stdinBacklog.length) break;
      }
      while (committing.length) await this.settle(committing);
    } catch (e) {
      // The commits still under way end first (each after the one before it): those that
      // committed are counted; the first that failed may have landed, which only the next session
      // can tell (when its COMMIT's reply was lost); the ones after it rolled back.
      const unsettled: Batch[] = [];
      for (const c of committing) {
        try {
          const res = await c.done;
          if (!unsettled.length) this.committed(c.batch, res);
          else unsettled.push(c.batch);
        } catch {
          if (!unsettled.length) this.unsure = { batch: c.batch, id: c.id };
          unsettled.push(c.batch);
        }
      }
      if (this.stdin) {
        // keep the order: the batches that did not commit, the one in hand, the ones not tried yet, the one read ahead
        const ahead = prefetch ? await prefetch.catch(() => null) : null;
        prefetch = null;
        this.stdinBacklog = [...unsettled, ...(batch ? [batch] : []), ...this.stdinBacklog, ...(ahead ? [ahead] : [])];
      }
      throw e;
    } finally {
      if (prefetch) await prefetch.catch(() => null);
    }
  }

  /**
   * Waits for the oldest commit; when it landed, takes it off the list and applies its effects
   * (counters, files done, the onCommit hook, cleaning). When it failed it stays first on the
   * list, for the loop's catch.
   */
  private async settle(committing: Committing[]): Promise<void> {
    const c = committing[0]!;
    const res = await c.done;
    committing.shift();
    this.committed(c.batch, res);
    await this.cleanCompleted(c.batch);
  }

  private committed(batch: Batch, res: CommitResult): void {
    this.afterCommit(batch, res.rowsLoaded, res.rowsRejected);
    this.o.onCommit?.({
      batchId: res.batchId,
      rowsLoaded: res.rowsLoaded,
      committedAt: Date.now(),
      ranges: batch.segments.filter((s) => s.rows > 0).map((s) => ({ sourceFile: s.sourceFile, fromLine: s.startLines + 1, toLine: s.endLines })),
    });
    this.failures = 0;
  }

  /**
   * --once: files still being written (never stable) would keep the run waiting forever. After
   * ONCE_SETTLE_MS with nothing else to load, they are left for the next run, with a warning.
   */
  private giveUpOnUnsettled(landing: Landing): boolean {
    const waiting = landing.onlyUnsettled();
    if (!waiting?.length) {
      this.unsettledSince = 0;
      return false;
    }
    this.unsettledSince ||= Date.now();
    const settleMs = Math.max(ONCE_SETTLE_MS, 20 * this.stableMs);
    if (Date.now() - this.unsettledSince < settleMs) return false;
    this.note(
      'warn',
      `${waiting.length} file(s) were still being written after ${(settleMs / 1000).toFixed(0)}s (changing, or ending in an unfinished line open for writing) and were not loaded completely (${waiting.slice(0, 5).join(', ')}${waiting.length > 5 ? ', …' : ''}); ` +
        'they are left for the next run. Write files under a temporary name and rename them when complete.',
      { event: 'unsettled', files: waiting },
    );
    return true;
  }

  /** The run's counters for one committed batch. */
  private count(batch: Batch, rowsLoaded: number, rowsRejected: number): void {
    this.batches++;
    this.rowsLoaded += rowsLoaded;
    this.rowsRejected += rowsRejected;
    this.bytes += batch.bytes;
    for (const seg of batch.segments) if (seg.completes) this.files++;
  }

  private afterCommit(batch: Batch, rowsLoaded: number, rowsRejected: number): void {
    this.count(batch, rowsLoaded, rowsRejected);
    for (const seg of batch.segments) {
      if (seg.parks) {
        // read up to an unfinished last line: looked at again when it changes or its writer goes
        const cur = seg.ref as Cursor;
        cur.committedDone = true;
        if (cur.entry) this.landing?.hold(cur.entry, seg.fileSize);
        continue;
      }
      if (!seg.completes) continue;
      const cur = seg.ref as Cursor;
      cur.committedDone = true;
      this.note('info', `loaded ${seg.sourceFile}`, { event: 'file', file: seg.sourceFile, bytes: seg.endOffset, lines: seg.endLines });
      if (cur.entry) this.landing?.markDone(cur.entry, seg.fileSize);
    }
  }

  private async cleanCompleted(batch: Batch): Promise<void> {
    if (!this.o.cleanSource || !this.landing) return;
    for (const seg of batch.segments) {
      const cur = seg.ref as Cursor;
      if (seg.completes && cur.entry) await this.landing.clean(cur.entry, this.o.cleanSource);
    }
  }
}
