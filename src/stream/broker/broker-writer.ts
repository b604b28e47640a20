/**
 * Commits one batch of broker messages in ONE transaction, safe with several loaders at once:
 *   1. the stream's batch-id counter is bumped first (`UPDATE … LAST_INSERT_ID(n + 1)`): its row
 *      lock is held to COMMIT, so the loaders' commits are serialised and `_batch_id` grows in
 *      commit order (what incremental models downstream rely on);
 *   2. the accepted rows go in with LOAD DATA … IGNORE — a row whose (_source_stream,
 *      _source_seq) is already there (a redelivered message committed before) is skipped; any
 *      other warning (a value the server coerced) rolls the rows back and redoes them with
 *      strict `INSERT … ON DUPLICATE KEY UPDATE`, quarantining what the server refuses;
 *   3. quarantined messages with INSERT IGNORE into `<table>__rejected`;
 *   4. the batch's sequence ranges into `<table>__nats_batches`, the totals (rows actually
 *      inserted, so a redelivery never counts twice) into `<table>__nats_checkpoint`.
 * The messages are acknowledged by the caller only after COMMIT returned.
 */
import type { Connection } from 'mysql2/promise';
import { Readable } from 'node:stream';
import { tsvUnescape } from '../column-types.js';
import { qualified, quoteId, rejectedTableName } from '../ddl.js';
import { errorMessage, isLocalInfileRefused } from '../stream-errors.js';
import type { StreamTarget } from '../types.js';
import { brokerBatchesName, brokerCheckpointName } from './broker-ddl.js';

const NOW6 = { toSqlString: () => 'NOW(6)' };
const CHUNK_ROWS = 500;
const DUP_ENTRY = 1062;
const DATA_ERRNOS = new Set([1048, 1263, 1264, 1265, 1292, 1366, 1367, 1406, 1411, 3140, 3819, 4025, 4078]);

export interface BrokerReject {
  seq: number;
  raw: string;
  reason: string;
}

export interface BrokerBatch {
  stream: string;
  /**
   * The accepted rows as LOAD DATA lines, `<declared columns' TSV>\t<stream>\t<seq>\n`, in
   * Buffers (each holds whole lines) sent as they are (broker-encoder.ts writes them).
   */
  chunks: Buffer[];
  /** lines in `chunks` */
  rows: number;
  rejects: BrokerReject[];
  /** every sequence the batch consumed (rows, rejects), ascending */
  seqs: number[];
}

/** A batch from rows already encoded as TSV fields (no terminator). */
export function brokerBatch(stream: string, rows: Array<{ seq: number; tsv: string }>, rejects: BrokerReject[], seqs: number[]): BrokerBatch {
  const chunks = rows.length ? [Buffer.from(rows.map((r) => `${r.tsv}\t${stream}\t${r.seq}\n`).join(''), 'utf8')] : [];
  return { stream, chunks, rows: rows.length, rejects, seqs };
}

/** The rows of a batch back as TSV fields and sequence (the INSERT fallback's input). */
function* batchRows(b: BrokerBatch): Generator<{ seq: number; tsv: string }> {
  for (const chunk of b.chunks) {
    const text = chunk.toString('utf8');
    let at = 0;
    for (;;) {
      const nl = text.indexOf('\n', at);
      if (nl < 0) break;
      // the stream and the sequence hold no tab: the last two fields
      const t2 = text.lastIndexOf('\t', nl);
      const t1 = text.lastIndexOf('\t', t2 - 1);
      yield { seq: Number(text.slice(t2 + 1, nl)), tsv: text.slice(at, t1) };
      at = nl + 1;
    }
  }
}

export interface BrokerCommit {
  batchId: number;
  rowsLoaded: number;
  rowsRejected: number;
  /** messages already committed by an earlier delivery */
  duplicates: number;
}

interface Header {
  affectedRows: number;
  warningStatus?: number;
}

export class BrokerWriter {
  private useInfile = true;
  private readonly bronze: string;
  private readonly rejected: string;
  private readonly columns: string;
  private readonly width: number;
  private readonly names: string[];

  constructor(
    private readonly conn: Connection,
    private readonly target: StreamTarget,
    private readonly loaderName: string,
    private readonly log: (kind: string, message: string) => void,
  ) {
    this.bronze = qualified(target.database, target.table);
    this.rejected = qualified(target.database, rejectedTableName(target.table));
    this.names = target.columns.map((c) => c.name);
    this.columns = [...this.names.map(quoteId), '`_source_stream`', '`_source_seq`'].join(', ');
    this.width = this.names.length;
  }

  async commit(b: BrokerBatch): Promise<BrokerCommit> {
    const conn = this.conn;
    const db = this.target.database;
    await conn.query('START TRANSACTION');
    try {
      await conn.query(`UPDATE ${qualified(db, brokerCheckpointName(this.target.table))} SET last_batch_id = LAST_INSERT_ID(last_batch_id + 1) WHERE stream = ?`, [b.stream]);
      const [idRows] = await conn.query('SELECT LAST_INSERT_ID() AS id');
      const id = Number((idRows as Array<{ id: unknown }>)[0]!.id);
      let loaded = 0;
      const refused: BrokerReject[] = [];
      if (b.rows) {
        let done = false;
        if (this.useInfile) {
          await conn.query('SAVEPOINT ft_rows');
          try {
            const r = await this.loadInfile(b, id);
            if (await this.onlyDuplicates(r)) {
              loaded = r.affectedRows;
              done = true;
            } else {
              this.log('warn', `LOAD DATA of batch ${id} reported warnings besides already-loaded messages; redoing it with INSERTs so the offending rows are quarantined`);
              await conn.query('ROLLBACK TO SAVEPOINT ft_rows');
            }
          } catch (e) {
            if (!isLocalInfileRefused(e)) throw e;
            this.useInfile = false;
            this.log('warn', `the server refuses LOAD DATA LOCAL INFILE (${errorMessage(e)}); loading with multi-row INSERTs from now on (slower).`);
            await conn.query('ROLLBACK TO SAVEPOINT ft_rows');
          }
        }
        if (!done) loaded = await this.insertRows(b, id, refused);
      }
      const rejects = refused.length ? b.rejects.concat(refused) : b.rejects;
      let rejected = 0;
      for (let i = 0; i < rejects.length; i += 1000) {
        const values = rejects.slice(i, i + 1000).map((r) => [b.stream, r.seq, r.raw, r.reason.slice(0, 1000), NOW6, id]);
        const [res] = await conn.query(`INSERT IGNORE INTO ${this.rejected} (\`_source_stream\`, \`_source_seq\`, \`raw_line\`, \`reason\`, \`_rejected_at\`, \`_batch_id\`) VALUES ?`, [values]);
        rejected += (res as unknown as Header).affectedRows;
      }
      const duplicates = b.seqs.length - loaded - rejected;
      await conn.query(
        `INSERT INTO ${qualified(db, brokerBatchesName(this.target.table))} (batch_id, stream, seq_ranges, messages, rows_loaded, rows_rejected, duplicates, loader, committed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NOW(6))`,
        [id, b.stream, seqRanges(b.seqs), b.seqs.length, loaded, rejected, duplicates, this.loaderName],
      );
      await conn.query(
        `UPDATE ${qualified(db, brokerCheckpointName(this.target.table))} SET batches = batches + 1, rows_loaded = rows_loaded + ?, rows_rejected = rows_rejected + ?, duplicates = duplicates + ?, max_seq = GREATEST(max_seq, ?), updated_at = NOW(6) WHERE stream = ?`,
        [loaded, rejected, duplicates, b.seqs.length ? b.seqs[b.seqs.length - 1]! : 0, b.stream],
      );
      await conn.query('COMMIT');
      return { batchId: id, rowsLoaded: loaded, rowsRejected: rejected, duplicates };
    } catch (e) {
      await conn.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
  }

  private async loadInfile(b: BrokerBatch, id: number): Promise<Header> {
    const sql =
      `LOAD DATA LOCAL INFILE 'ft-broker-batch-${id}.tsv' IGNORE INTO TABLE ${this.bronze} CHARACTER SET utf8mb4 ` +
      `FIELDS TERMINATED BY '\\t' ENCLOSED BY '' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' ` +
      `(${this.columns}) SET \`_batch_id\` = ${id}, \`_ingested_at\` = NOW(6)`;
    const [res] = await this.conn.query({ sql, infileStreamFactory: () => Readable.from(b.chunks) });
    return res as unknown as Header;
  }

  /** Warnings that are all "duplicate entry" only mean redelivered messages; anything else is a coerced value. */
  private async onlyDuplicates(r: Header): Promise<boolean> {
    const n = r.warningStatus ?? 0;
    if (n === 0) return true;
    const [w] = await this.conn.query('SHOW WARNINGS');
    const list = w as Array<{ Code?: number }>;
    return list.length === n && list.every((x) => Number(x.Code) === DUP_ENTRY);
  }

  /** Strict multi-row INSERTs; a chunk that fails or warns is redone row by row and the rows the server refuses are quarantined. */
  private async insertRows(b: BrokerBatch, id: number, refused: BrokerReject[]): Promise<number> {
    const sql = `INSERT INTO ${this.bronze} (${this.columns}, \`_batch_id\`, \`_ingested_at\`) VALUES ? ON DUPLICATE KEY UPDATE \`_source_seq\` = \`_source_seq\``;
    let loaded = 0;
    const all = [...batchRows(b)];
    for (let i = 0; i < all.length; i += CHUNK_ROWS) {
      const chunk = all.slice(i, i + CHUNK_ROWS).map((r) => [...r.tsv.split('\t').map(tsvUnescape), b.stream, r.seq, id, NOW6]);
      await this.conn.query('SAVEPOINT ft_chunk');
      let retry = false;
      try {
        const [res] = await this.conn.query(sql, [chunk]);
        const h = res as unknown as Header;
        if ((h.warningStatus ?? 0) > 0) {
          retry = true;
          await this.conn.query('ROLLBACK TO SAVEPOINT ft_chunk');
        } else loaded += h.affectedRows;
      } catch (e) {
        if (!DATA_ERRNOS.has((e as { errno?: number }).errno ?? 0)) throw e;
        retry = true;
      }
      if (!retry) continue;
      for (const row of chunk) {
        const seq = row[this.width + 1] as number;
        const raw = JSON.stringify(Object.fromEntries(this.names.map((n, k) => [n, row[k]])));
        try {
          const [res] = await this.conn.query(sql, [[row]]);
          const h = res as unknown as Header;
          if ((h.warningStatus ?? 0) > 0 && h.affectedRows > 0) {
            const [w] = await this.conn.query('SHOW WARNINGS LIMIT 1');
            const msg = (w as Array<{ Message?: string }>)[0]?.Message ?? 'the server changed a value';
            await this.conn.query(`DELETE FROM ${this.bronze} WHERE _source_stream = ? AND _source_seq = ?`, [b.stream, seq]);
            refused.push({ seq, raw, reason: `bad_type: ${msg}` });
          } else loaded += h.affectedRows;
        } catch (e2) {
          if (!DATA_ERRNOS.has((e2 as { errno?: number }).errno ?? 0)) throw e2;
          refused.push({ seq, raw, reason: `bad_type: ${errorMessage(e2)}` });
        }
      }
    }
    return loaded;
  }
}

/** 1,2,3,7,8 → "1-3,7-8" */
export function seqRanges(seqs: number[]): string {
  const out: string[] = [];
  let i = 0;
  while (i < seqs.length) {
    let j = i;
    while (j + 1 < seqs.length && seqs[j + 1] === seqs[j]! + 1) j++;
    out.push(i === j ? String(seqs[i]) : `${seqs[i]}-${seqs[j]}`);
    i = j + 1;
  }
  return out.join(',');
}
