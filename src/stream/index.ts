/** ft stream-load: exactly-once micro-batch loader of NDJSON/CSV files into a bronze table. */
export type { CheckpointRow, StreamColumn, StreamConnection, StreamLoadOptions, StreamLoadSummary, StreamTarget } from './types.js';
export { streamLoad } from './stream-load.js';
export { openStreamConnection } from './stream-connection.js';
export { ensureBronzeTables, bronzeTableDdl, rejectedTableDdl, checkpointTableDdl, rejectedTableName, checkpointTableName, validateTarget, META_COLUMNS } from './ddl.js';
export type { EnsureResult, Queryable } from './ddl.js';
export { StreamLoadError } from './stream-errors.js';
export { STREAM_DEFAULTS, parseByteSize, parseDuration, checkOptions } from './options.js';
export { bulkLoadBaseline } from './baseline.js';
export type { BaselineOptions, BaselineResult } from './baseline.js';
