/** Reads of `<table>__checkpoint` (writes happen inside each batch's transaction, see batch-writer). */
import { checkpointTableName, qualified, rejectedTableName, type Queryable } from './ddl.js';
import type { CheckpointRow, StreamTarget } from './types.js';

const COLS =
  'file_id AS fileId, head_id AS headId, head_len AS headLen, content_hash AS contentHash, source_file AS sourceFile, file_size AS fileSize, ' +
  'bytes_committed AS bytesCommitted, lines_committed AS linesCommitted, completed';

function toRow(r: Record<string, unknown>): CheckpointRow {
  return {
    fileId: String(r.fileId),
    headId: String(r.headId ?? r.fileId),
    headLen: Number(r.headLen),
    contentHash: r.contentHash == null ? null : String(r.contentHash),
    sourceFile: String(r.sourceFile),
    fileSize: Number(r.fileSize),
    bytesCommitted: Number(r.bytesCommitted),
    linesCommitted: Number(r.linesCommitted),
    completed: Number(r.completed) === 1,
  };
}

export class CheckpointStore {
  private readonly table: string;
  private readonly rejected: string;

  constructor(
    private readonly conn: Queryable,
    target: StreamTarget,
  ) {
    this.table = qualified(target.database, checkpointTableName(target.table));
    this.rejected = qualified(target.database, rejectedTableName(target.table));
  }

  async byId(fileId: string): Promise<CheckpointRow | null> {
    const [rows] = await this.conn.query(`SELECT ${COLS} FROM ${this.table} WHERE file_id = ?`, [fileId]);
    const list = rows as Array<Record<string, unknown>>;
    return list.length ? toRow(list[0]!) : null;
  }

  async bySourceFile(sourceFile: string): Promise<CheckpointRow | null> {
    const [rows] = await this.conn.query(`SELECT ${COLS} FROM ${this.table} WHERE source_file = ?`, [sourceFile]);
    const list = rows as Array<Record<string, unknown>>;
    return list.length ? toRow(list[0]!) : null;
  }

  /**
   * The rows a file might be: those whose head has the file's head hash, and the one loaded
   * under the file's name (a small file that grew has another head). The caller verifies each
   * by its content hash.
   */
  async candidates(headId: string, sourceFile: string): Promise<CheckpointRow[]> {
    const [rows] = await this.conn.query(`SELECT ${COLS} FROM ${this.table} WHERE head_id = ? OR source_file = ?`, [headId, sourceFile]);
    return (rows as Array<Record<string, unknown>>).map(toRow);
  }

  async maxBatchId(): Promise<number> {
    const [rows] = await this.conn.query(`SELECT COALESCE(MAX(last_batch_id), 0) AS m FROM ${this.table}`);
    return Number((rows as Array<{ m: unknown }>)[0]!.m);
  }

  /** Rows quarantined by one batch (indexed by `_batch_id`). */
  async rejectedInBatch(batchId: number): Promise<number> {
    const [rows] = await this.conn.query(`SELECT COUNT(*) AS n FROM ${this.rejected} WHERE _batch_id = ?`, [batchId]);
    return Number((rows as Array<{ n: unknown }>)[0]!.n);
  }
}
