/**
 * Bronze, quarantine and checkpoint tables of a stream-loaded source.
 *
 *   <table>              declared columns (all NULLable) + _ingested_at, _source_file, _source_line,
 *                        _batch_id; PRIMARY KEY (_source_file, _source_line)
 *   <table>__rejected    raw_line, reason, same provenance columns; PRIMARY KEY (_source_file, _source_line)
 *   <table>__checkpoint  one row per source file: identity, how far it is committed, completed flag
 */
import { parseDataType } from './column-types.js';
import { StreamLoadError } from './stream-errors.js';
import type { StreamTarget } from './types.js';

export const META_COLUMNS = ['_ingested_at', '_source_file', '_source_line', '_batch_id'] as const;
export const REJECTED_SUFFIX = '__rejected';
export const CHECKPOINT_SUFFIX = '__checkpoint';

/** Something with mysql2/promise's `query` (a Connection or a Pool). */
export interface Queryable {
  query(sql: string, values?: unknown): Promise<[unknown, unknown]>;
}

export function quoteId(name: string): string {
  return '`' + name.replace(/`/g, '``') + '`';
}

export function qualified(database: string, table: string): string {
  return `${quoteId(database)}.${quoteId(table)}`;
}

export function rejectedTableName(table: string): string {
  return table + REJECTED_SUFFIX;
}

export function checkpointTableName(table: string): string {
  return table + CHECKPOINT_SUFFIX;
}

/** Throws a StreamLoadError naming what is wrong with the declaration. */
export function validateTarget(target: StreamTarget): void {
  const where = `source table ${target.database}.${target.table}`;
  if (!target.database || target.database.length > 64) throw new StreamLoadError(`${where}: the database name must be 1–64 characters.`);
  if (!target.table) throw new StreamLoadError(`${where}: the table name is empty.`);
  if ((target.table + CHECKPOINT_SUFFIX).length > 64) {
    throw new StreamLoadError(`${where}: the table name is too long: "${target.table}${CHECKPOINT_SUFFIX}" must fit MySQL's 64 characters (use at most ${64 - CHECKPOINT_SUFFIX.length}).`);
  }
  if (target.columns.length === 0) throw new StreamLoadError(`${where}: no columns are declared; a streamed source needs its columns (name, data_type) in the schema YAML.`);
  const seen = new Set<string>();
  for (const c of target.columns) {
    if (!c.name || c.name.length > 64) throw new StreamLoadError(`${where}: column name "${c.name}" must be 1–64 characters.`);
    const low = c.name.toLowerCase();
    if ((META_COLUMNS as readonly string[]).includes(low)) throw new StreamLoadError(`${where}: column "${c.name}" clashes with a column ft adds to bronze tables (${META_COLUMNS.join(', ')}); rename it.`);
    if (seen.has(low)) throw new StreamLoadError(`${where}: column "${c.name}" is declared twice.`);
    seen.add(low);
    if (!c.dataType) throw new StreamLoadError(`${where}: column "${c.name}" has no data_type; a streamed source needs one per column (e.g. varchar(64)).`);
    parseDataType(c.dataType, c.name);
  }
}

function columnDef(name: string, dataType: string): string {
  return `${quoteId(name)} ${dataType.trim()} NULL`;
}

/** CREATE TABLE of the bronze table (also used for the benchmark's baseline table). */
export function bronzeTableDdl(target: StreamTarget, table = target.table, ifNotExists = true): string {
  const cols = target.columns.map((c) => '  ' + columnDef(c.name, c.dataType));
  return [
    `CREATE TABLE ${ifNotExists ? 'IF NOT EXISTS ' : ''}${qualified(target.database, table)} (`,
    cols.join(',\n') + ',',
    '  `_ingested_at` datetime(6) NOT NULL,',
    '  `_source_file` varchar(512) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,',
    '  `_source_line` int NOT NULL,',
    '  `_batch_id` bigint NOT NULL,',
    '  PRIMARY KEY (`_source_file`, `_source_line`)',
    ') ENGINE=InnoDB DEFAULT CHARSET=utf8mb4',
  ].join('\n');
}

export function rejectedTableDdl(target: StreamTarget): string {
  return [
    `CREATE TABLE IF NOT EXISTS ${qualified(target.database, rejectedTableName(target.table))} (`,
    '  `_source_file` varchar(512) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,',
    '  `_source_line` int NOT NULL,',
    '  `raw_line` longtext NULL,',
    '  `reason` varchar(1024) NOT NULL,',
    '  `_rejected_at` datetime(6) NOT NULL,',
    '  `_batch_id` bigint NOT NULL,',
    '  PRIMARY KEY (`_source_file`, `_source_line`),',
    '  KEY `ix_batch` (`_batch_id`)',
    ') ENGINE=InnoDB DEFAULT CHARSET=utf8mb4',
  ].join('\n');
}

export function checkpointTableDdl(target: StreamTarget): string {
  return [
    `CREATE TABLE IF NOT EXISTS ${qualified(target.database, checkpointTableName(target.table))} (`,
    "  `file_id` char(64) CHARACTER SET ascii NOT NULL COMMENT 'key of the row',",
    "  `head_id` char(64) CHARACTER SET ascii NULL COMMENT 'sha256 (hex) of the first head_len bytes',",
    '  `head_len` int NOT NULL,',
    "  `content_hash` char(64) CHARACTER SET ascii NULL COMMENT 'sha256 (hex) of bytes [0, bytes_committed)',",
    "  `source_file` varchar(512) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL COMMENT 'value of _source_file',",
    '  `source_path` varchar(1024) NULL,',
    '  `file_size` bigint NOT NULL,',
    '  `bytes_committed` bigint NOT NULL DEFAULT 0,',
    '  `lines_committed` bigint NOT NULL DEFAULT 0,',
    '  `rows_loaded` bigint NOT NULL DEFAULT 0,',
    '  `rows_rejected` bigint NOT NULL DEFAULT 0,',
    '  `completed` tinyint(1) NOT NULL DEFAULT 0,',
    '  `first_batch_id` bigint NOT NULL,',
    '  `last_batch_id` bigint NOT NULL,',
    '  `created_at` datetime(6) NOT NULL,',
    '  `updated_at` datetime(6) NOT NULL,',
    '  PRIMARY KEY (`file_id`),',
    '  UNIQUE KEY `ux_source_file` (`source_file`),',
    '  KEY `ix_head` (`head_id`)',
    ') ENGINE=InnoDB DEFAULT CHARSET=utf8mb4',
  ].join('\n');
}

/**
 * A checkpoint table of an ft that identified files by their 64 KiB head only: its file_id was
 * that head's hash. The rows keep their key and get it as head_id; their content hash is
 * unknown (null) until their next commit, so they are matched by head as before.
 */
async function upgradeCheckpoint(conn: Queryable, target: StreamTarget): Promise<void> {
  const t = qualified(target.database, checkpointTableName(target.table));
  await conn.query(
    `ALTER TABLE ${t} ADD COLUMN \`head_id\` char(64) CHARACTER SET ascii NULL AFTER \`file_id\`, ` +
      'ADD COLUMN `content_hash` char(64) CHARACTER SET ascii NULL AFTER `head_len`, ADD KEY `ix_head` (`head_id`)',
  );
  await conn.query(`UPDATE ${t} SET head_id = file_id WHERE head_id IS NULL`);
}

const REJECTED_COLUMNS = ['_source_file', '_source_line', 'raw_line', 'reason', '_rejected_at', '_batch_id'];
const CHECKPOINT_COLUMNS = ['file_id', 'head_id', 'head_len', 'content_hash', 'source_file', 'source_path', 'file_size', 'bytes_committed', 'lines_committed', 'rows_loaded', 'rows_rejected', 'completed', 'first_batch_id', 'last_batch_id', 'created_at', 'updated_at'];

async function existingColumns(conn: Queryable, database: string, table: string): Promise<Map<string, string> | null> {
  const [rows] = await conn.query(
    'SELECT column_name AS c FROM information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position',
    [database, table],
  );
  const list = rows as Array<{ c?: string; C?: string; COLUMN_NAME?: string }>;
  if (list.length === 0) return null;
  return new Map(list.map((r) => {
    const n = String(r.c ?? r.C ?? r.COLUMN_NAME);
    return [n.toLowerCase(), n];
  }));
}

export interface EnsureResult {
  /** Tables created by this call. */
  created: string[];
  /** Declared columns added to an existing bronze table (`ALTER TABLE … ADD COLUMN … NULL`). */
  addedColumns: string[];
}

/**
 * Creates the database, the bronze table, `<table>__rejected` and `<table>__checkpoint` when
 * missing. An existing bronze table gets newly declared columns added (NULLable, so no data is
 * touched); one lacking ft's provenance columns is an error.
 */
export async function ensureBronzeTables(conn: Queryable, target: StreamTarget): Promise<EnsureResult> {
  validateTarget(target);
  const result: EnsureResult = { created: [], addedColumns: [] };
  await conn.query(`CREATE DATABASE IF NOT EXISTS ${quoteId(target.database)}`);

  const bronze = await existingColumns(conn, target.database, target.table);
  if (!bronze) {
    await conn.query(bronzeTableDdl(target));
    result.created.push(target.table);
  } else {
    const lacking = META_COLUMNS.filter((m) => !bronze.has(m));
    if (lacking.length) {
      throw new StreamLoadError(
        `table ${target.database}.${target.table} exists but is not an ft bronze table: it lacks ${lacking.join(', ')}. ` +
          'Drop or rename it and ft will create it, or load into another table.',
      );
    }
    const toAdd = target.columns.filter((c) => !bronze.has(c.name.toLowerCase()));
    if (toAdd.length) {
      const names = [...bronze.values()];
      const at = names.findIndex((n) => n.toLowerCase() === '_ingested_at');
      let after = at > 0 ? names[at - 1]! : null;
      const clauses = toAdd.map((c) => {
        const pos = after ? `AFTER ${quoteId(after)}` : at === 0 ? 'FIRST' : '';
        after = c.name;
        return `ADD COLUMN ${columnDef(c.name, c.dataType)} ${pos}`.trimEnd();
      });
      await conn.query(`ALTER TABLE ${qualified(target.database, target.table)} ${clauses.join(', ')}`);
      result.addedColumns.push(...toAdd.map((c) => c.name));
    }
  }

  for (const [name, ddl, cols] of [
    [rejectedTableName(target.table), rejectedTableDdl(target), REJECTED_COLUMNS],
    [checkpointTableName(target.table), checkpointTableDdl(target), CHECKPOINT_COLUMNS],
  ] as const) {
    let have = await existingColumns(conn, target.database, name);
    if (have && name === checkpointTableName(target.table) && !have.has('content_hash') && have.has('file_id')) {
      await upgradeCheckpoint(conn, target);
      have = await existingColumns(conn, target.database, name);
    }
    if (!have) {
      await conn.query(ddl);
      result.created.push(name);
    } else {
      const lacking = cols.filter((c) => !have.has(c));
      if (lacking.length) {
        throw new StreamLoadError(
          `table ${target.database}.${name} exists but lacks ${lacking.join(', ')} (it was not created by this version of ft). Drop it and ft will recreate it.`,
        );
      }
    }
  }
  return result;
}
