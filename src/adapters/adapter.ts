/**
 * The contract between ft and a database. One folder per server family
 * (mysql/ covers MySQL 8.0+ and MariaDB 10.6+); server differences stay inside it.
 */
export interface ColumnDef {
  name: string;
  /** full type as the server reports it, e.g. varchar(64), decimal(12,2) */
  type: string;
  nullable: boolean;
  comment: string;
  /** charset/collation clause for string columns, needed to re-declare a column unchanged */
  charset: string | null;
  collation: string | null;
  default: string | null;
  extra: string;
}

export type RelationType = 'table' | 'view';

export interface ExecResult {
  rows: Record<string, unknown>[];
  affectedRows: number;
  /** the server's summary of an INSERT … SELECT: `Records: 5  Duplicates: 3  Warnings: 0` */
  info?: string;
}

/** One server session; statements on it run in order and share temporary tables and transactions. */
export interface Session {
  readonly id: number;
  execute(sql: string, params?: unknown[]): Promise<ExecResult>;
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  /** runs `fn` in a transaction: commit when it resolves, roll back when it throws */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
  /** loads rows (already in the server's tab-separated form) from a stream */
  loadTsv(table: string, columns: string[], data: NodeJS.ReadableStream | (() => NodeJS.ReadableStream)): Promise<number>;
  /** the warnings of the last statement (a bulk load turns bad values into warnings) */
  warnings(): Promise<ServerWarning[]>;
}

/** A warning the server left after a statement, with the column and row it names when it names them. */
export interface ServerWarning {
  level: string;
  code: number;
  message: string;
  column?: string;
  /** 1-based row of the statement's input (LOAD DATA: the data line) */
  row?: number;
}

export interface ServerInfo {
  flavor: 'mysql' | 'mariadb';
  version: string;
}

export interface Adapter {
  readonly type: string;
  readonly ddl: Ddl;
  quote(ident: string): string;
  relation(schema: string, name: string): string;
  literal(v: unknown): string;
  /** SQL text of several statements (a hook) as single statements, for connections that take one */
  splitStatements(sql: string): string[];
  /** why the server would refuse this database or table name, or null; `relation` names get ft's __ft_tmp siblings */
  identifierProblem(name: string, kind: 'database' | 'relation' | 'column'): string | null;
  server(): Promise<ServerInfo>;
  /** borrows a session for `fn`; a cancelled run kills its running statement */
  withSession<T>(fn: (s: Session) => Promise<T>): Promise<T>;
  ensureSchema(schema: string): Promise<void>;
  relationType(schema: string, name: string): Promise<RelationType | null>;
  columns(schema: string, name: string): Promise<ColumnDef[]>;
  /** type and columns of several relations in one round trip (keys `schema.name`; absent: no such relation) */
  describeRelations(relations: Array<{ schema: string; name: string }>): Promise<Map<string, { type: RelationType; columns: ColumnDef[] }>>;
  /** all relations of some schemas, for catalog.json and defer checks */
  listRelations(schemas: string[]): Promise<Array<{ schema: string; name: string; type: RelationType; rows: number | null; bytes: number | null; updated: string | null; comment: string }>>;
  /** a named server lock held on its own session until released; null when not granted in time */
  acquireLock(name: string, waitSeconds: number): Promise<{ release(): Promise<void> } | null>;
  /** where to say what the user should know mid-run (the run moved to another host of the profile) */
  onNotice?(report: (message: string) => void): void;
  /** stops every statement in flight (KILL QUERY) */
  cancelAll(): Promise<void>;
  close(): Promise<void>;
}

/** A server error with its code, for retry decisions and messages. */
export interface DbError extends Error {
  errno?: number;
  code?: string;
  sqlMessage?: string;
}

// 1047: a Galera node out of the primary component; 1053/1927: the server shut down or killed the connection
const TRANSIENT = new Set([1213, 1205, 2006, 2013, 1047, 1053, 1927]);
const TRANSIENT_CODES = new Set(['PROTOCOL_CONNECTION_LOST', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT']);

/** Deadlocks, lock waits and lost connections (a node that died: the next session goes to another host) are worth another try. */
export function isTransient(e: unknown): boolean {
  const err = e as DbError;
  return (err?.errno !== undefined && TRANSIENT.has(err.errno)) || (err?.code !== undefined && TRANSIENT_CODES.has(err.code));
}

/** SQL text for each step of a materialization; pure, so golden files can pin it. */
export interface Ddl {
  createTableAs(relation: string, sql: string, temporary?: boolean): string;
  createOrReplaceView(relation: string, sql: string): string;
  dropRelation(relation: string, type: RelationType): string;
  /** an atomic swap: target → backup and tmp → target in one statement */
  swap(target: string, tmp: string, backup: string): string;
  rename(from: string, to: string): string;
  addIndex(relation: string, name: string, columns: string[], unique: boolean, type?: string): string;
  tableComment(relation: string, comment: string): string;
  columnComment(relation: string, column: ColumnDef, comment: string): string;
  addColumn(relation: string, column: string, type: string): string;
  dropColumn(relation: string, column: string): string;
  modifyColumnType(relation: string, column: string, type: string): string;
  insertSelect(target: string, columns: string[], from: string): string;
  /** `updateOnly`: the columns a matched row takes (dbt's merge_update_columns); default every one but the key */
  upsert(target: string, columns: string[], from: string, keys: string[], updateOnly?: string[]): string;
  deleteMatching(target: string, from: string, keys: string[], predicates: string[]): string;
}
