/**
 * Tables of a broker-loaded source:
 *
 *   <table>                  declared columns + _ingested_at, _source_stream, _source_seq, _batch_id;
 *                            PRIMARY KEY (_source_stream, _source_seq): a message lands at most once
 *   <table>__rejected        raw_line, reason, same key
 *   <table>__nats_checkpoint one row per stream: the batch-id counter (its row lock orders the
 *                            loaders' commits) and totals counted from rows actually inserted
 *   <table>__nats_batches    one row per committed batch: the sequence ranges it consumed
 */
import { parseDataType } from '../column-types.js';
import { qualified, quoteId, rejectedTableName, type Queryable } from '../ddl.js';
import { StreamLoadError } from '../stream-errors.js';
import type { StreamTarget } from '../types.js';

export const BROKER_META_COLUMNS = ['_ingested_at', '_source_stream', '_source_seq', '_batch_id'] as const;
export const BROKER_CHECKPOINT_SUFFIX = '__nats_checkpoint';
export const BROKER_BATCHES_SUFFIX = '__nats_batches';

export const brokerCheckpointName = (t: string) => t + BROKER_CHECKPOINT_SUFFIX;
export const brokerBatchesName = (t: string) => t + BROKER_BATCHES_SUFFIX;

export function validateBrokerTarget(target: StreamTarget): void {
  const where = `source table ${target.database}.${target.table}`;
  if (!target.database || target.database.length > 64) throw new StreamLoadError(`${where}: the database name must be 1–64 characters.`);
  if ((target.table + BROKER_CHECKPOINT_SUFFIX).length > 64) throw new StreamLoadError(`${where}: the table name is too long for "${target.table}${BROKER_CHECKPOINT_SUFFIX}" (at most ${64 - BROKER_CHECKPOINT_SUFFIX.length} characters).`);
  if (!target.columns.length) throw new StreamLoadError(`${where}: no columns are declared; a streamed source needs its columns (name, data_type) in the schema YAML.`);
  for (const c of target.columns) {
    if ((BROKER_META_COLUMNS as readonly string[]).includes(c.name.toLowerCase())) throw new StreamLoadError(`${where}: column "${c.name}" clashes with a column ft adds to bronze tables (${BROKER_META_COLUMNS.join(', ')}); rename it.`);
    parseDataType(c.dataType, c.name);
  }
}

async function columnsOf(conn: Queryable, db: string, table: string): Promise<Set<string> | null> {
  const [rows] = await conn.query('SELECT column_name AS c FROM information_schema.columns WHERE table_schema = ? AND table_name = ?', [db, table]);
  const list = rows as Array<Record<string, unknown>>;
  if (!list.length) return null;
  return new Set(list.map((r) => String(r.c ?? r.C ?? r.COLUMN_NAME).toLowerCase()));
}

const KEY_COLUMNS = [
  '  `_source_stream` varchar(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,',
  '  `_source_seq` bigint unsigned NOT NULL,',
];

/** Creates what is missing; an existing bronze table must be a broker one (a file-loaded one has another key). */
export async function ensureBrokerTables(conn: Queryable, target: StreamTarget): Promise<string[]> {
  validateBrokerTarget(target);
  const db = target.database;
  const created: string[] = [];
  await conn.query(`CREATE DATABASE IF NOT EXISTS ${quoteId(db)}`);
  const bronze = await columnsOf(conn, db, target.table);
  if (!bronze) {
    const cols = target.columns.map((c) => `  ${quoteId(c.name)} ${c.dataType.trim()} NULL,`);
    await conn.query(
      [`CREATE TABLE IF NOT EXISTS ${qualified(db, target.table)} (`, ...cols, '  `_ingested_at` datetime(6) NOT NULL,', ...KEY_COLUMNS, '  `_batch_id` bigint NOT NULL,', '  PRIMARY KEY (`_source_stream`, `_source_seq`),', '  KEY `ix_batch` (`_batch_id`)', ') ENGINE=InnoDB DEFAULT CHARSET=utf8mb4'].join('\n'),
    );
    created.push(target.table);
  } else {
    const lacking = BROKER_META_COLUMNS.filter((m) => !bronze.has(m));
    if (lacking.length) throw new StreamLoadError(`table ${db}.${target.table} exists but is not a broker-loaded bronze table: it lacks ${lacking.join(', ')} (a table loaded from files is keyed by _source_file, _source_line). Drop it or load into another table.`);
    const toAdd = target.columns.filter((c) => !bronze.has(c.name.toLowerCase()));
    if (toAdd.length) await conn.query(`ALTER TABLE ${qualified(db, target.table)} ${toAdd.map((c) => `ADD COLUMN ${quoteId(c.name)} ${c.dataType.trim()} NULL`).join(', ')}`);
  }
  const rejected = rejectedTableName(target.table);
  if (!(await columnsOf(conn, db, rejected))) {
    await conn.query(
      [`CREATE TABLE IF NOT EXISTS ${qualified(db, rejected)} (`, ...KEY_COLUMNS, '  `raw_line` longtext NULL,', '  `reason` varchar(1024) NOT NULL,', '  `_rejected_at` datetime(6) NOT NULL,', '  `_batch_id` bigint NOT NULL,', '  PRIMARY KEY (`_source_stream`, `_source_seq`),', '  KEY `ix_batch` (`_batch_id`)', ') ENGINE=InnoDB DEFAULT CHARSET=utf8mb4'].join('\n'),
    );
    created.push(rejected);
  }
  const ck = brokerCheckpointName(target.table);
  if (!(await columnsOf(conn, db, ck))) {
    await conn.query(
      [`CREATE TABLE IF NOT EXISTS ${qualified(db, ck)} (`, '  `stream` varchar(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,', '  `last_batch_id` bigint NOT NULL,', '  `batches` bigint NOT NULL DEFAULT 0,', '  `rows_loaded` bigint NOT NULL DEFAULT 0,', '  `rows_rejected` bigint NOT NULL DEFAULT 0,', "  `duplicates` bigint NOT NULL DEFAULT 0 COMMENT 'redelivered messages found already committed',", '  `max_seq` bigint unsigned NOT NULL DEFAULT 0,', '  `updated_at` datetime(6) NOT NULL,', '  PRIMARY KEY (`stream`)', ') ENGINE=InnoDB DEFAULT CHARSET=utf8mb4'].join('\n'),
    );
    created.push(ck);
  }
  const bt = brokerBatchesName(target.table);
  if (!(await columnsOf(conn, db, bt))) {
    await conn.query(
      [`CREATE TABLE IF NOT EXISTS ${qualified(db, bt)} (`, '  `batch_id` bigint NOT NULL,', '  `stream` varchar(255) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,', "  `seq_ranges` mediumtext NOT NULL COMMENT 'first-last,… of the sequences this batch consumed',", '  `messages` int NOT NULL,', '  `rows_loaded` int NOT NULL,', '  `rows_rejected` int NOT NULL,', '  `duplicates` int NOT NULL,', '  `loader` varchar(255) NOT NULL,', '  `committed_at` datetime(6) NOT NULL,', '  PRIMARY KEY (`batch_id`)', ') ENGINE=InnoDB DEFAULT CHARSET=utf8mb4'].join('\n'),
    );
    created.push(bt);
  }
  return created;
}

/**
 * The stream's counter row. A new row starts after every batch id already in the tables (the
 * table may have been loaded from another stream before), so `_batch_id` keeps growing.
 */
export async function ensureCheckpointRow(conn: Queryable, target: StreamTarget, stream: string): Promise<void> {
  const db = target.database;
  await conn.query(
    `INSERT IGNORE INTO ${qualified(db, brokerCheckpointName(target.table))} (stream, last_batch_id, updated_at) ` +
      `SELECT ?, GREATEST(COALESCE((SELECT MAX(_batch_id) FROM ${qualified(db, target.table)}), 0), COALESCE((SELECT MAX(_batch_id) FROM ${qualified(db, rejectedTableName(target.table))}), 0), ` +
      `COALESCE((SELECT MAX(last_batch_id) FROM ${qualified(db, brokerCheckpointName(target.table))}), 0)), NOW(6)`,
    [stream],
  );
}
