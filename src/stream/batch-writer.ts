/**
 * Commits one micro-batch in ONE transaction:
 *   1. the accepted rows, streamed as TSV through `LOAD DATA LOCAL INFILE` (mysql2's
 *      infileStreamFactory: no temporary file); multi-row INSERT when the server refuses
 *      LOCAL INFILE, or when it reported a warning (a value ft's checks let through but the
 *      server coerced): the batch is then rolled back and re-inserted in strict mode, rows the
 *      server refuses going to quarantine;
 *   2. the quarantined rows into `<table>__rejected`;
 *   3. each file's checkpoint row, guarded by `WHERE bytes_committed = <where this batch starts>`.
 * Either all of it is committed or none of it, which is what makes the load exactly-once.
 *
 * Two writers on two sessions overlap consecutive batches: batch N+1 loads its rows while batch
 * N writes its checkpoint and commits. N+1 writes its checkpoint only once N has committed (its
 * `after` gate), so batches commit in id order, and when N fails N+1 rolls back.
 */
import type { Connection } from 'mysql2/promise';
import { Readable } from 'node:stream';
import type { Batch, BatchSegment, RejectRow } from './batch.js';
import { readRawLines, type Cursor } from './batch-planner.js';
import { tsvUnescape } from './column-types.js';
import { checkpointTableName, qualified, quoteId, rejectedTableName } from './ddl.js';
import { CheckpointConflictError, PredecessorFailedError, StreamLoadError, errorMessage, isLocalInfileRefused } from './stream-errors.js';
import type { StreamTarget } from './types.js';

const DEBUG = process.env.FT_STREAM_DEBUG === '1';
const NOW6 = { toSqlString: () => 'NOW(6)' };
const INSERT_CHUNK_ROWS = 500;
const INSERT_CHUNK_BYTES = 4 * 1024 * 1024;
/** Server errors that mean "this value does not fit the column" (strict mode). */
const DATA_ERRNOS = new Set([1048, 1263, 1264, 1265, 1292, 1366, 1367, 1406, 1411, 3140, 3819, 4025, 4078]);

export interface CommitResult {
  batchId: number;
  rowsLoaded: number;
  rowsRejected: number;
}

export interface WriterOptions {
  format: 'ndjson' | 'csv';
  maxLineBytes: number;
  log: (kind: string, message: string, extra?: Record<string, unknown>) => void;
}

interface ResultHeader {
  affectedRows: number;
  warningStatus?: number;
}

export class BatchWriter {
  private useInfile = true;
  private readonly bronze: string;
  private readonly rejected: string;
  private readonly checkpoint: string;
  private readonly loadColumns: string;
  private readonly insertColumns: string;
  private readonly width: number;
  private readonly columnNames: string[];

  constructor(
    private readonly conn: Connection,
    target: StreamTarget,
    private readonly o: WriterOptions,
  ) {
    this.bronze = qualified(target.database, target.table);
    this.rejected = qualified(target.database, rejectedTableName(target.table));
    this.checkpoint = qualified(target.database, checkpointTableName(target.table));
    const cols = target.columns.map((c) => quoteId(c.name));
    this.loadColumns = [...cols, '`_source_file`', '`_source_line`'].join(', ');
    this.insertColumns = [...cols, '`_source_file`', '`_source_line`', '`_batch_id`', '`_ingested_at`'].join(', ');
    this.width = cols.length + 2;
    this.columnNames = target.columns.map((c) => c.name);
  }

  /**
   * Commits `batch` under `id` (ids grow by one in commit order). `after` is the commit of the
   * batch before it, under way on another writer: this batch's rows load meanwhile, but its
   * checkpoint and COMMIT wait for that one, and roll back if it failed.
   */
  async commit(batch: Batch, id: number, after?: Promise<unknown>): Promise<CommitResult> {
    const conn = this.conn;
    await conn.query('START TRANSACTION');
    try {
      let extra: RejectRow[] = [];
      if (batch.rows > 0) {
        let redo = !this.useInfile;
        if (this.useInfile) {
          try {
            const t0 = DEBUG ? performance.now() : 0;
            const res = await this.loadInfile(batch, id);
            if (DEBUG) this.o.log('debug', `batch ${id}: LOAD DATA ${batch.rows} rows in ${(performance.now() - t0).toFixed(0)} ms`);
            if (res.affectedRows !== batch.rows || (res.warningStatus ?? 0) > 0) {
              const [w] = await conn.query('SHOW WARNINGS LIMIT 3');
              const sample = (w as Array<{ Message?: string }>).map((x) => x.Message).filter(Boolean).join(' | ');
              this.o.log(
                'warn',
                `LOAD DATA stored ${res.affectedRows}/${batch.rows} rows with ${res.warningStatus ?? 0} warning(s) (${sample || 'no detail'}); ` +
                  'redoing this batch with INSERTs so the offending rows are quarantined',
              );
              redo = true;
            }
          } catch (e) {
            if (!isLocalInfileRefused(e)) throw e;
            this.useInfile = false;
            this.o.log('warn', `the server refuses LOAD DATA LOCAL INFILE (${errorMessage(e)}); loading with multi-row INSERTs from now on (slower). Enable local_infile on the server for full speed.`);
            redo = true;
          }
          if (redo) {
            await conn.query('ROLLBACK');
            await conn.query('START TRANSACTION');
          }
        }
        if (redo) extra = await this.insertRows(batch, id);
      }
      const rejects = extra.length ? batch.rejects.concat(extra) : batch.rejects;
      await this.insertRejects(rejects, id);
      const extraByFile = new Map<string, number>();
      for (const r of extra) extraByFile.set(r.sourceFile, (extraByFile.get(r.sourceFile) ?? 0) + 1);
      if (after) {
        try {
          await after;
        } catch {
          throw new PredecessorFailedError(`batch ${id} rolled back: batch ${id - 1} before it did not commit`);
        }
      }
      for (const seg of batch.segments) await this.writeCheckpoint(seg, id, extraByFile.get(seg.sourceFile) ?? 0);
      await conn.query('COMMIT');
      return { batchId: id, rowsLoaded: batch.rows - extra.length, rowsRejected: rejects.length };
    } catch (e) {
      await conn.query('ROLLBACK').catch(() => undefined);
      // rows already in bronze are what another writer's commit looks like first: when the
      // checkpoint moved, it is a conflict to resume from, not a damaged checkpoint
      if (e instanceof DuplicateRowError && (await this.checkpointMoved(batch))) {
        throw new CheckpointConflictError(`checkpoint of ${batch.segments.map((s) => s.sourceFile).join(', ')} moved: another writer committed these lines`);
      }
      throw e;
    }
  }

  /** Whether a segment's checkpoint row is no longer where the batch starts (absent for a first write). */
  private async checkpointMoved(batch: Batch): Promise<boolean> {
    for (const seg of batch.segments) {
      const [rows] = await this.conn.query(`SELECT bytes_committed AS b FROM ${this.checkpoint} WHERE file_id = ?`, [seg.fileId]);
      const row = (rows as Array<{ b: unknown }>)[0];
      if (seg.insert ? row !== undefined : Number(row?.b) !== seg.startOffset) return true;
    }
    return false;
  }

  private async loadInfile(batch: Batch, id: number): Promise<ResultHeader> {
    const sql =
      `LOAD DATA LOCAL INFILE 'ft-stream-batch-${id}.tsv' INTO TABLE ${this.bronze} CHARACTER SET utf8mb4 ` +
      `FIELDS TERMINATED BY '\\t' ENCLOSED BY '' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' ` +
      `(${this.loadColumns}) SET \`_batch_id\` = ${id}, \`_ingested_at\` = NOW(6)`;
    const chunks = batch.chunks;
    const [res] = await this.conn.query({ sql, infileStreamFactory: () => Readable.from(chunks) });
    return res as unknown as ResultHeader;
  }

  /** The INSERT path: returns the rows the server refused (to quarantine). */
  private async insertRows(batch: Batch, id: number): Promise<RejectRow[]> {
    const rows = this.tsvRows(batch);
    const refused: Array<{ row: unknown[]; message: string }> = [];
    let i = 0;
    while (i < rows.length) {
      let j = i;
      let bytes = 0;
      while (j < rows.length && j - i < INSERT_CHUNK_ROWS && bytes < INSERT_CHUNK_BYTES) {
        for (const v of rows[j]!) bytes += typeof v === 'string' ? v.length : 8;
        j++;
      }
      const chunk = rows.slice(i, j).map((r) => [...r, id, NOW6]);
      // a chunk the server stored with a warning (strict mode leaves some: a rounded YEAR, a
      // truncated note…) is undone and retried row by row: a row that warns is quarantined
      await this.conn.query('SAVEPOINT ft_chunk');
      let warned = false;
      try {
        const [res] = await this.conn.query(`INSERT INTO ${this.bronze} (${this.insertColumns}) VALUES ?`, [chunk]);
        if (((res as unknown as ResultHeader).warningStatus ?? 0) > 0) {
          warned = true;
          await this.conn.query('ROLLBACK TO SAVEPOINT ft_chunk');
        }
      } catch (e) {
        if ((e as { errno?: number }).errno === 1062) throw duplicateError(e);
        if (!isDataError(e)) throw e;
        warned = true;
      }
      if (warned) {
        for (const r of chunk) {
          try {
            const [res] = await this.conn.query(`INSERT INTO ${this.bronze} (${this.insertColumns}) VALUES ?`, [[r]]);
            if (((res as unknown as ResultHeader).warningStatus ?? 0) > 0) {
              const [w] = await this.conn.query('SHOW WARNINGS LIMIT 1');
              const first = (w as Array<{ Message?: string }>)[0]?.Message ?? 'the server changed a value';
              await this.conn.query(`DELETE FROM ${this.bronze} WHERE _source_file = ? AND _source_line = ?`, [r[this.width - 2], r[this.width - 1]]);
              refused.push({ row: r, message: first });
            }
          } catch (e2) {
            if ((e2 as { errno?: number }).errno === 1062) throw duplicateError(e2);
            if (!isDataError(e2)) throw e2;
            refused.push({ row: r, message: errorMessage(e2) });
          }
        }
      }
      i = j;
    }
    if (!refused.length) return [];
    return this.refusedToRejects(batch, refused);
  }

  private tsvRows(batch: Batch): unknown[][] {
    const out: unknown[][] = [];
    const w = this.width;
    for (const chunk of batch.chunks) {
      const text = chunk.toString('utf8');
      let start = 0;
      for (;;) {
        const nl = text.indexOf('\n', start);
        if (nl < 0) break;
        const fields = text.slice(start, nl).split('\t');
        start = nl + 1;
        if (fields.length !== w) throw new StreamLoadError(`internal: a TSV row has ${fields.length} fields, expected ${w}`);
        const row: unknown[] = fields.map((f) => tsvUnescape(f));
        row[w - 1] = Number(row[w - 1]);
        out.push(row);
      }
    }
    return out;
  }

  private async refusedToRejects(batch: Batch, refused: Array<{ row: unknown[]; message: string }>): Promise<RejectRow[]> {
    const w = this.width;
    const bySource = new Map<string, Set<number>>();
    for (const r of refused) {
      const f = String(r.row[w - 2]);
      let s = bySource.get(f);
      if (!s) bySource.set(f, (s = new Set()));
      s.add(Number(r.row[w - 1]));
    }
    const raw = new Map<string, Map<number, string>>();
    for (const seg of batch.segments) {
      const want = bySource.get(seg.sourceFile);
      const cur = seg.ref as Cursor;
      if (!want || !cur.entry) continue;
      try {
        raw.set(seg.sourceFile, await readRawLines(cur.entry.path, seg.startOffset, seg.endOffset, seg.startLines + 1, this.o.format === 'csv', this.o.maxLineBytes, want));
      } catch {
        /* file gone: fall back to the values */
      }
    }
    return refused.map((r) => {
      const file = String(r.row[w - 2]);
      const line = Number(r.row[w - 1]);
      const text = raw.get(file)?.get(line) ?? JSON.stringify(r.row.slice(0, w - 2));
      return { sourceFile: file, line, raw: text, reason: `bad_type: ${this.describe(r.row, r.message)}`.slice(0, 1000) };
    });
  }

  /** The server's message, with the column's value when the message names a column but not what it got. */
  private describe(row: unknown[], message: string): string {
    const m = /column [`'"]?(?:[^`'"\s]*[`'"]?\.[`'"]?)*([^`'"\s]+)[`'"]?/i.exec(message);
    if (!m) return message;
    const i = this.columnNames.findIndex((c) => c.toLowerCase() === m[1]!.toLowerCase());
    if (i < 0) return message;
    const v = row[i];
    return `${this.columnNames[i]} = ${v === null ? 'NULL' : JSON.stringify(String(v)).slice(0, 200)}: ${message}`;
  }

  private async insertRejects(rejects: RejectRow[], id: number): Promise<void> {
    let i = 0;
    while (i < rejects.length) {
      let j = i;
      let bytes = 0;
      while (j < rejects.length && j - i < 1000 && bytes < INSERT_CHUNK_BYTES) {
        bytes += rejects[j]!.raw.length * 3 + 200;
        j++;
      }
      const values = rejects.slice(i, j).map((r) => [r.sourceFile, r.line, r.raw, r.reason, NOW6, id]);
      try {
        await this.conn.query(`INSERT INTO ${this.rejected} (\`_source_file\`, \`_source_line\`, \`raw_line\`, \`reason\`, \`_rejected_at\`, \`_batch_id\`) VALUES ?`, [values]);
      } catch (e) {
        if ((e as { errno?: number }).errno === 1062) throw duplicateError(e);
        throw e;
      }
      i = j;
    }
  }

  private async writeCheckpoint(seg: BatchSegment, id: number, refused: number): Promise<void> {
    const rows = seg.rows - refused;
    const rejected = seg.rejected + refused;
    if (seg.insert) {
      try {
        await this.conn.query(
          `INSERT INTO ${this.checkpoint} (file_id, head_id, head_len, content_hash, source_file, source_path, file_size, bytes_committed, lines_committed, rows_loaded, rows_rejected, completed, first_batch_id, last_batch_id, created_at, updated_at) ` +
            'VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NOW(6), NOW(6))',
          [seg.fileId, seg.headId, seg.headLen, seg.contentHash, seg.sourceFile, seg.sourcePath, seg.fileSize, seg.endOffset, seg.endLines, rows, rejected, seg.completes ? 1 : 0, id, id],
        );
      } catch (e) {
        if ((e as { errno?: number }).errno === 1062) throw new CheckpointConflictError(`checkpoint of ${seg.sourceFile} was registered by someone else`);
        throw e;
      }
      return;
    }
    const [res] = await this.conn.query(
      `UPDATE ${this.checkpoint} SET head_id = ?, head_len = ?, content_hash = ?, source_path = ?, file_size = ?, bytes_committed = ?, lines_committed = ?, ` +
        'rows_loaded = rows_loaded + ?, rows_rejected = rows_rejected + ?, completed = ?, last_batch_id = ?, updated_at = NOW(6) ' +
        'WHERE file_id = ? AND bytes_committed = ?',
      [seg.headId, seg.headLen, seg.contentHash, seg.sourcePath, seg.fileSize, seg.endOffset, seg.endLines, rows, rejected, seg.completes ? 1 : 0, id, seg.fileId, seg.startOffset],
    );
    if ((res as unknown as ResultHeader).affectedRows !== 1) {
      throw new CheckpointConflictError(`checkpoint of ${seg.sourceFile} is not at byte ${seg.startOffset} any more`);
    }
  }
}

class DuplicateRowError extends StreamLoadError {}

function duplicateError(e: unknown): StreamLoadError {
  return new DuplicateRowError(
    `bronze already holds a row this batch loads (${errorMessage(e)}), yet the checkpoint does not account for it: ` +
      'was the checkpoint table edited or truncated? To reload a file, delete its rows from the bronze and __rejected tables and its checkpoint row together.',
  );
}

function isDataError(e: unknown): boolean {
  const errno = (e as { errno?: unknown })?.errno;
  return typeof errno === 'number' && DATA_ERRNOS.has(errno);
}
