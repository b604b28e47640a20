import { FtError } from '../util/errors.js';

/** A stream-load failure the user can act on (bad declaration, unreachable directory, table mismatch…). */
export class StreamLoadError extends FtError {
  constructor(message: string, exitCode = 2) {
    super(message, exitCode);
    this.name = 'StreamLoadError';
  }
}

/**
 * The checkpoint row of a file did not hold the offset this loader expected: another writer
 * committed in between (or a commit whose outcome was unknown went through). The loader
 * drops its in-memory state and resumes from what the database says.
 */
export class CheckpointConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointConflictError';
  }
}

/**
 * A batch's commit was not attempted because the batch before it (committing on another writer
 * session) failed: it rolled back too, and the loader resumes from the checkpoint.
 */
export class PredecessorFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PredecessorFailedError';
  }
}

const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_CONNECTION_KILLED',
  'ER_QUERY_INTERRUPTED',
  'ER_LOCK_DEADLOCK',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_CLIENT_INTERACTION_TIMEOUT',
]);
// 1047: a Galera node out of the primary component (WSREP has not yet prepared node): another node may serve
const TRANSIENT_ERRNOS = new Set([1040, 1047, 1053, 1205, 1213, 1317, 1927, 2002, 2003, 2006, 2013, 4031]);

/** Access denied, unknown database…: retrying cannot help. */
const PERMANENT_ERRNOS = new Set([1044, 1045, 1049, 1142, 1227, 1251, 1698]);

/** Errors after which reconnecting and resuming from the checkpoint is the right move. */
export function isTransientDbError(e: unknown): boolean {
  if (e instanceof CheckpointConflictError || e instanceof PredecessorFailedError) return true;
  if (!e || typeof e !== 'object') return false;
  const err = e as { code?: unknown; errno?: unknown; fatal?: unknown; message?: unknown };
  if (typeof err.errno === 'number' && PERMANENT_ERRNOS.has(err.errno)) return false;
  if (typeof err.code === 'string' && TRANSIENT_CODES.has(err.code)) return true;
  if (typeof err.errno === 'number' && TRANSIENT_ERRNOS.has(err.errno)) return true;
  if (err.fatal === true) return true;
  if (typeof err.message === 'string' && /connection is in closed state|Can't add new command when connection is in closed state/i.test(err.message)) return true;
  return false;
}

/** `ER_NOT_ALLOWED_COMMAND` & co: the server (or client) refuses LOAD DATA LOCAL INFILE. */
export function isLocalInfileRefused(e: unknown): boolean {
  if (!e || typeof e !== 'object') return false;
  const err = e as { errno?: unknown; message?: unknown };
  if (err.errno === 1148 || err.errno === 3948 || err.errno === 2068 || err.errno === 4166) return true;
  return typeof err.message === 'string' && /LOCAL INFILE|local_infile|loading local data is disabled/i.test(err.message);
}

export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
