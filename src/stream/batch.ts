/** A micro-batch: validated rows (as TSV for LOAD DATA), quarantined rows, and checkpoint moves. */

export interface RejectRow {
  sourceFile: string;
  line: number;
  raw: string;
  reason: string;
}

/** The part of one source file a batch covers; becomes one checkpoint write. */
export interface BatchSegment {
  fileId: string;
  /** First write of this file: INSERT the checkpoint row (else UPDATE … WHERE bytes_committed = startOffset). */
  insert: boolean;
  /** sha256 of the file's first `headLen` bytes. */
  headId: string;
  headLen: number;
  /** sha256 of bytes [0, endOffset) (null for stdin, which cannot be recognised again). */
  contentHash: string | null;
  sourceFile: string;
  sourcePath: string | null;
  fileSize: number;
  startOffset: number;
  endOffset: number;
  startLines: number;
  endLines: number;
  rows: number;
  rejected: number;
  /** The file is fully read (up to its stable size). */
  completes: boolean;
  /** The file's reading stops here for now: what follows is a last line its writer may still finish. */
  parks: boolean;
  /** Opaque handle for the loader's bookkeeping after commit. */
  ref: unknown;
}

export interface Batch {
  /** TSV of the accepted rows: declared columns, _source_file, _source_line. */
  chunks: Buffer[];
  rows: number;
  rejects: RejectRow[];
  /** Source bytes covered (blank lines and headers included). */
  bytes: number;
  segments: BatchSegment[];
  /** Stopped because a limit (rows/bytes) was reached: more data is probably waiting. */
  full: boolean;
}
