import type { Readable } from 'node:stream';

/** One declared column of a bronze table (from the source's `columns:` in schema YAML). */
export interface StreamColumn {
  name: string;
  /** MySQL type as written in YAML, e.g. `varchar(64)`, `datetime(3)`, `decimal(12,2)`. */
  dataType: string;
  /** Load-time check: a row whose value is null, missing or empty goes to quarantine. */
  required: boolean;
}

/** The bronze table to load: `database`.`table` (+ `<table>__rejected`, `<table>__checkpoint`). */
export interface StreamTarget {
  database: string;
  table: string;
  columns: StreamColumn[];
}

export interface StreamConnection {
  host: string;
  port: number;
  /** the profile's hosts in the order to try them (a Galera cluster's nodes); each session goes to the first usable one */
  hosts?: Array<{ host: string; port: number }> | undefined;
  user: string;
  /** Never logged. */
  password: string;
  /** The profile's `sql_mode` (absent: ft's strict default, as every ft session). */
  sqlMode?: string | undefined;
}

export interface StreamLoadOptions {
  connection: StreamConnection;
  target: StreamTarget;
  /** Directory, glob (`landing/events/*.ndjson`), or `-` for stdin. */
  path: string;
  format: 'ndjson' | 'csv';
  /** a line per file skipped as already loaded (else one line counting them) */
  debug?: boolean;
  /** Glob of file names (relative to the directory) to load; default: every file. */
  pattern?: string;
  /** Process everything present and exit (Spark's availableNow trigger). */
  once: boolean;
  maxBatchRows: number;
  maxBatchBytes: number;
  triggerIntervalMs: number;
  /** Longest accepted line (record); longer ones are quarantined truncated. Default 1 MiB. */
  maxLineBytes: number;
  /** After a file is fully committed: `archive` moves it into `<dir>/_archive/`, `delete` removes it. */
  cleanSource?: 'archive' | 'delete';
  logFormat: 'text' | 'json';
  statusIntervalMs: number;
  /** Where status lines go (one line per call, no trailing newline). */
  log: (line: string) => void;
  /** Stop requested (the CLI maps SIGINT/SIGTERM to it): the batch in flight is finished, then the promise resolves. */
  signal?: AbortSignal;
  /**
   * A file is loaded once its size and mtime have not changed for this long (default 250 ms).
   * Files renamed into place whose mtime is older than this are picked up immediately.
   */
  stableMs?: number;
  /** Stream read when `path` is `-` (default `process.stdin`). */
  stdin?: Readable;
  /** Give up after this many consecutive failed reconnect attempts (default: 8 with `once`, unlimited otherwise). */
  maxRetries?: number;
  /** Called after each batch is known committed (continuous builds start from it). */
  onCommit?: (batch: CommittedBatch) => void;
  /** More for the status line (continuous builds: the last build and freshness). */
  statusExtra?: () => StatusExtra | null;
}

/** A committed micro-batch: its id and where its rows came from (the bronze key ranges). */
export interface CommittedBatch {
  batchId: number;
  rowsLoaded: number;
  committedAt: number;
  /** per source file, the `_source_line` range [fromLine, toLine] the batch covers */
  ranges: Array<{ sourceFile: string; fromLine: number; toLine: number }>;
  /** broker sources: no file ranges; the batch's rows are found by `_batch_id` (indexed there) */
  byBatchId?: boolean;
}

export interface StatusExtra {
  text: string;
  json: Record<string, unknown>;
}

export interface StreamLoadSummary {
  /** Files fully loaded during this run. */
  files: number;
  /** Committed micro-batches. */
  batches: number;
  rowsLoaded: number;
  rowsRejected: number;
  /** Source bytes committed. */
  bytes: number;
  seconds: number;
  /** time spent reading and committing batches, not waiting for files */
  loadingSeconds: number;
  /** (rowsLoaded + rowsRejected) / loadingSeconds */
  eventsPerSecond: number;
}

/** A row of `<table>__checkpoint`. */
export interface CheckpointRow {
  /** The row's key (stdin: random; files: derived from the first `_source_file` name). */
  fileId: string;
  /** sha256 of the first `headLen` bytes (candidates are found by it). */
  headId: string;
  headLen: number;
  /** sha256 of bytes [0, bytesCommitted): what makes a file this file (null: written before ft had it). */
  contentHash: string | null;
  sourceFile: string;
  fileSize: number;
  bytesCommitted: number;
  linesCommitted: number;
  completed: boolean;
}
