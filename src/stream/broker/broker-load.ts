/**
 * `ft stream-load` from a message broker (NATS JetStream): micro-batches of messages into the
 * bronze table, exactly once, with any number of loaders on the same table and stream.
 *
 * A batch = the messages of one fetch (up to maxBatchRows, or what arrived within the trigger
 * interval), committed in one transaction (broker-writer.ts) and acknowledged after COMMIT.
 * Whatever happens between fetch and ack (a loader killed, the database or the broker gone),
 * the messages are redelivered — to this loader or another — and the bronze key
 * (_source_stream, _source_seq) makes a second commit of them a no-op. So nothing is
 * remembered across failures: a failed session is dropped and a new one simply fetches again.
 */
import type { Connection } from 'mysql2/promise';
import { hostname } from 'node:os';
import { StreamLog } from '../status.js';
import { closeConnection, openStreamConnection } from '../stream-connection.js';
import { StreamLoadError, errorMessage, isTransientDbError } from '../stream-errors.js';
import { StreamHost } from '../stream-host.js';
import type { StreamLoadOptions, StreamLoadSummary } from '../types.js';
import { ensureBrokerTables, ensureCheckpointRow, validateBrokerTarget } from './broker-ddl.js';
import { BrokerEncoder } from './broker-encoder.js';
import type { BrokerMessage, BrokerSource } from './broker-source.js';
import { BrokerWriter, type BrokerBatch, type BrokerCommit } from './broker-writer.js';
import { StopWaker, reconnectDelay } from '../stop-waker.js';

/** What the broker loader takes from stream-load's options (path, pattern, cleanSource do not apply). */
export type BrokerLoadOptions = Pick<
  StreamLoadOptions,
  'connection' | 'target' | 'format' | 'once' | 'maxBatchRows' | 'triggerIntervalMs' | 'maxLineBytes' | 'logFormat' | 'statusIntervalMs' | 'log' | 'signal' | 'onCommit' | 'statusExtra' | 'maxRetries'
>;

const DEBUG = process.env.FT_STREAM_DEBUG === '1';
/** Times a batch is committed again in place after losing a race with another loader's commit. */
const CONFLICT_RETRIES = 10;
const EMPTY = new Uint8Array(0);
const KEEPALIVE_MS = 5_000;
const fmt = new Intl.NumberFormat('en-US');
const n = (x: number) => fmt.format(Math.round(x));

/** 1213 deadlock / Galera certification conflict, 1205 lock wait timeout: the connection stays usable. */
function isCommitConflict(e: unknown): boolean {
  const errno = (e as { errno?: unknown } | null)?.errno;
  return errno === 1213 || errno === 1205;
}

export async function brokerLoad(opts: BrokerLoadOptions, source: BrokerSource): Promise<StreamLoadSummary> {
  validateBrokerTarget(opts.target);
  return new BrokerLoader(opts, source).run();
}

class BrokerLoader {
  private readonly log: StreamLog;
  private readonly started = Date.now();
  private batches = 0;
  private rowsLoaded = 0;
  private rowsRejected = 0;
  private duplicates = 0;
  private bytes = 0;
  private loadingMs = 0;
  private failures = 0;
  private backlog: { pending: number; unacked: number } | null = null;
  private lastStatus = { at: Date.now(), events: 0 };
  private readonly encoder: BrokerEncoder;
  private readonly name = `${hostname()}:${process.pid}`;
  /** the server of the current session: the first usable of the profile's hosts */
  private readonly host: StreamHost;
  /** batch commits redone after a Galera certification conflict or a deadlock with another loader */
  private conflicts = 0;

  /** stop requested, and the waits it cuts short */
  private readonly halt: StopWaker;
  constructor(
    private readonly o: BrokerLoadOptions,
    private readonly source: BrokerSource,
  ) {
    this.halt = new StopWaker(o.signal);
    this.log = new StreamLog(o.logFormat, o.log);
    this.host = new StreamHost(o.connection, this.note, 'the messages not committed are redelivered and loaded there');
    this.encoder = new BrokerEncoder(o.target.columns, o.format, o.maxLineBytes);
  }

  private note = (kind: string, message: string, extra?: Record<string, unknown>) => this.log.event(kind, message, extra);

  async run(): Promise<StreamLoadSummary> {
    const o = this.o;
    const c = o.connection;
    this.note('info', `loading ${o.format} messages from ${this.source.describe} into ${o.target.database}.${o.target.table} on ${c.user}@${c.host}:${c.port} (${o.once ? 'once' : 'watching'}; batches ≤ ${o.maxBatchRows} messages; trigger ${o.triggerIntervalMs} ms)`, { event: 'start' });
    const timer = setInterval(() => void this.emitStatus(), o.statusIntervalMs);
    timer.unref();
    try {
      await this.source.open();
      const maxRetries = o.maxRetries ?? (o.once ? 8 : Infinity);
      for (;;) {
        try {
          await this.session();
          break;
        } catch (e) {
          if (!isTransientDbError(e)) throw e;
          if (this.halt.stopped) break;
          this.failures++;
          if (this.failures > maxRetries) throw new StreamLoadError(`stream-load gave up after ${maxRetries} attempts to reach the database (${errorMessage(e)}); everything committed so far is kept, run it again to resume.`);
          const delay = reconnectDelay(this.failures);
          this.note('warn', `database connection lost or batch interrupted (${errorMessage(e)}); the messages not committed are redelivered; resuming in ${(delay / 1000).toFixed(1)}s (attempt ${this.failures})`, { event: 'retry' });
          await this.halt.sleep(delay);
          if (this.halt.stopped) break;
        }
      }
    } catch (e) {
      if (e instanceof StreamLoadError) throw e;
      throw new StreamLoadError(`stream-load into ${o.target.database}.${o.target.table} failed: ${errorMessage(e)}`);
    } finally {
      clearInterval(timer);
      this.halt.dispose();
      await this.source.close().catch(() => undefined);
    }
    const seconds = (Date.now() - this.started) / 1000;
    const loadingSeconds = this.loadingMs / 1000;
    const summary: StreamLoadSummary = {
      files: 0,
      batches: this.batches,
      rowsLoaded: this.rowsLoaded,
      rowsRejected: this.rowsRejected,
      bytes: this.bytes,
      seconds,
      loadingSeconds,
      eventsPerSecond: loadingSeconds > 0 ? (this.rowsLoaded + this.rowsRejected) / loadingSeconds : 0,
    };
    this.note(
      'info',
      `done: ${n(this.batches)} batch(es), ${n(this.rowsLoaded)} rows loaded, ${n(this.rowsRejected)} rejected, ${n(this.duplicates)} redelivered message(s) already loaded${this.conflicts ? `, ${n(this.conflicts)} commit(s) redone after a conflict with another loader` : ''}, in ${summary.seconds.toFixed(1)}s (${n(summary.eventsPerSecond)} events/s over ${loadingSeconds.toFixed(1)}s of loading)`,
      { event: 'summary', ...summary, duplicates: this.duplicates, conflicts: this.conflicts },
    );
    return summary;
  }

  private async emitStatus(): Promise<void> {
    try {
      this.backlog = await this.source.backlog();
    } catch {
      /* broker away: keep the last known */
    }
    const now = Date.now();
    const events = this.rowsLoaded + this.rowsRejected;
    const dt = (now - this.lastStatus.at) / 1000;
    const rate = dt > 0 ? (events - this.lastStatus.events) / dt : 0;
    this.lastStatus = { at: now, events };
    const extra = this.o.statusExtra?.() ?? undefined;
    const b = this.backlog;
    this.note(
      'info',
      `${n(rate)} events/s | ${n(this.rowsLoaded)} loaded | ${n(this.rowsRejected)} rejected | ${n(this.duplicates)} redelivered | backlog ${b ? `${n(b.pending)} pending, ${n(b.unacked)} unacked` : 'unknown'}${extra ? ` | ${extra.text}` : ''}`,
      { event: 'status', eventsPerSecond: Math.round(rate), rowsLoaded: this.rowsLoaded, rowsRejected: this.rowsRejected, duplicates: this.duplicates, batches: this.batches, pending: b?.pending ?? null, unacked: b?.unacked ?? null, ...extra?.json },
    );
  }



  private async session(): Promise<void> {
    const o = this.o;
    let conn: Connection | null = null;
    let keepalive: NodeJS.Timeout | null = null;
    try {
      // affectedRows must say 0 for a duplicate left as it was (ON DUPLICATE KEY UPDATE no-op), and
      // every warning of a LOAD DATA is looked at (duplicates vs coerced values)
      const { at } = await this.host.pick();
      conn = await openStreamConnection(at, { flags: ['-FOUND_ROWS'], session: 'max_error_count = 65535' });
      const cn = conn;
      keepalive = setInterval(() => void cn.ping().catch(() => undefined), KEEPALIVE_MS);
      keepalive.unref();
      const created = await ensureBrokerTables(conn, o.target);
      if (created.length) this.note('info', `created ${created.map((t) => `${o.target.database}.${t}`).join(', ')}`);
      await ensureCheckpointRow(conn, o.target, this.source.stream);
      const writer = new BrokerWriter(conn, o.target, this.name, this.note);
      await this.loop(writer);
    } finally {
      if (keepalive) clearInterval(keepalive);
      await closeConnection(conn);
    }
  }

  /** Fetch errors (the broker restarting) are waited out; database errors end the session. */
  private async fetch(): Promise<BrokerMessage[]> {
    for (;;) {
      if (this.halt.stopped) return [];
      try {
        const t0 = performance.now();
        const got = await this.source.fetch(this.o.maxBatchRows, this.o.triggerIntervalMs);
        if (DEBUG) this.note('debug', `fetched ${got.length} messages in ${(performance.now() - t0).toFixed(0)} ms`);
        return got;
      } catch (e) {
        this.note('warn', `fetching from the broker failed (${errorMessage(e)}); retrying in 1s`, { event: 'retry' });
        await this.halt.sleep(1000);
      }
    }
  }

  private async loop(writer: BrokerWriter): Promise<void> {
    const o = this.o;
    let ahead: Promise<BrokerMessage[]> | null = null;
    let held: BrokerMessage[] = [];
    try {
      for (;;) {
        if (this.halt.stopped) break;
        const msgs = ahead ? await ahead : await this.fetch();
        ahead = null;
        if (this.halt.stopped) {
          this.source.release(msgs);
          break;
        }
        if (!msgs.length) {
          if (o.once && (await this.drained())) break;
          continue;
        }
        held = msgs;
        const t0 = performance.now();
        const batch = this.encoder.encode(msgs);
        const t1 = performance.now();
        // the payloads are in the batch now: let their receive buffers go (only the ack subjects are needed)
        let bytes = 0;
        for (const m of msgs) {
          bytes += m.data.length;
          m.data = EMPTY;
        }
        // while this batch commits, the next one is fetched (a full fetch means more is waiting)
        if (msgs.length >= o.maxBatchRows) ahead = this.fetch();
        const res = await this.commit(writer, batch);
        const t2 = performance.now();
        try {
          await this.source.ack(msgs);
        } catch (e) {
          // not acknowledged: redelivered later and found already loaded
          this.note('warn', `acknowledging batch ${res.batchId} failed (${errorMessage(e)}); its messages will be redelivered and skipped as already loaded`);
        }
        held = [];
        if (DEBUG) this.note('debug', `batch ${res.batchId}: ${msgs.length} messages, validated in ${(t1 - t0).toFixed(0)} ms, committed in ${(t2 - t1).toFixed(0)} ms, acknowledged in ${(performance.now() - t2).toFixed(0)} ms`);
        this.loadingMs += performance.now() - t0;
        this.batches++;
        this.rowsLoaded += res.rowsLoaded;
        this.rowsRejected += res.rowsRejected;
        this.duplicates += res.duplicates;
        this.bytes += bytes;
        this.failures = 0;
        o.onCommit?.({ batchId: res.batchId, rowsLoaded: res.rowsLoaded, committedAt: Date.now(), ranges: [], byBatchId: true });
      }
    } catch (e) {
      this.source.release(held);
      throw e;
    } finally {
      if (ahead) this.source.release(await ahead.catch(() => []));
    }
  }

  /**
   * Commits a batch, redoing it in place when it lost a race with another loader's commit: a
   * deadlock, a lock wait timeout, or — loaders committing through different Galera nodes, whose
   * row locks are local — a certification conflict on the stream's counter row (1213 at COMMIT
   * or a brute-force abort). The transaction was rolled back whole (the writer's ROLLBACK; a
   * write set failing certification is applied nowhere), so the same messages are committed
   * again; those another loader committed meanwhile are skipped as duplicates. Other errors,
   * and a batch still conflicting after CONFLICT_RETRIES, end the session: the messages are
   * released and redelivered.
   */
  private async commit(writer: BrokerWriter, batch: BrokerBatch): Promise<BrokerCommit> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await writer.commit(batch);
      } catch (e) {
        if (!isCommitConflict(e) || attempt > CONFLICT_RETRIES || this.halt.stopped) throw e;
        this.conflicts++;
        if (DEBUG) this.note('debug', `batch conflicted with another loader's commit (${errorMessage(e)}); committing it again (attempt ${attempt + 1})`);
        // jittered, so two loaders that collided do not collide again in step
        await this.halt.sleep(Math.random() * 20 * attempt);
      }
    }
  }

  /** --once: nothing left to deliver and nothing delivered unacknowledged (a dead loader's messages come back after the ack wait). */
  private async drained(): Promise<boolean> {
    try {
      const b = await this.source.backlog();
      this.backlog = b;
      return b.pending === 0 && b.unacked === 0;
    } catch (e) {
      this.note('warn', `cannot read the consumer's backlog (${errorMessage(e)}); retrying`);
      await this.halt.sleep(1000);
      return false;
    }
  }
}
