// The SQL of a snapshot run, pure so golden files and tests can pin it. MySQL and MariaDB have
// no MERGE: each step is one set-based statement (INSERT … SELECT, UPDATE … JOIN), and the
// meta columns' semantics follow dbt's snapshot materialization (dbt-adapters' snapshot macros).
import { quoteIdent as q } from '../project/relation-names.js';
import type { SnapshotSettings } from '../project/snapshot-config.js';

/** A source column as the snapshot table declares it. */
export interface SnapshotColumn {
  name: string;
  /** full type as the server reports it, e.g. varchar(64) */
  type: string;
  collation?: string | null;
}

/** Staging columns beside the source's: the new version's id and time, and the version it closes. */
export const STAGED = { scd: '__ft_scd_id', updated: '__ft_updated_at', closes: '__ft_closes' };

export interface SnapshotSql {
  settings: SnapshotSettings;
  /** the snapshot table, quoted */
  target: string;
  /** the compiled SELECT */
  source: string;
  /** this run's time, `YYYY-MM-DD HH:MM:SS.ffffff` (the session's NOW(6) when the run began) */
  now: string;
  /** the columns of the table's KEY_INDEX (lower case), when it has one: lookups of a key's current version are made to use it */
  keyIndex?: string[];
}

/** The index of a key's current version (keyIndexColumns), on every snapshot table ft builds. */
export const KEY_INDEX = 'ft_snapshot_key';

const TIME = 'DATETIME(6)';
const list = (names: string[], alias?: string): string => names.map((n) => (alias ? `${alias}.${q(n)}` : q(n))).join(', ');
const body = (sql: string): string => sql.trim().replace(/;\s*$/, '');

/** The run's time as a value of the meta columns' type. */
export const nowValue = (x: SnapshotSql): string => `CAST('${x.now}' AS ${TIME})`;

/** Meta columns and their types: dbt's names (or snapshot_meta_column_names'), times to the microsecond. */
export function metaColumns(s: SnapshotSettings): SnapshotColumn[] {
  const n = s.names;
  const cols: SnapshotColumn[] = [
    { name: n.dbt_scd_id, type: 'varchar(32)' },
    { name: n.dbt_updated_at, type: TIME },
    { name: n.dbt_valid_from, type: TIME },
    { name: n.dbt_valid_to, type: TIME },
  ];
  if (s.hardDeletes === 'new_record') cols.push({ name: n.dbt_is_deleted, type: 'varchar(5)' });
  return cols;
}

/** dbt_valid_to of a current version: NULL, or dbt_valid_to_current. */
export function openValidTo(s: SnapshotSettings): string {
  return `CAST(${s.validToCurrent ?? 'NULL'} AS ${TIME})`;
}

/** The version of `alias` is the current one (dbt also counts NULL as current under dbt_valid_to_current). */
export function isCurrent(s: SnapshotSettings, alias: string): string {
  const to = `${alias}.${q(s.names.dbt_valid_to)}`;
  return s.validToCurrent ? `(${to} = ${openValidTo(s)} OR ${to} IS NULL)` : `${to} IS NULL`;
}

/** The time a source row's version starts: updated_at (timestamp strategy, or check when given) or the run's time. */
export function versionTime(x: SnapshotSql, alias: string): string {
  return x.settings.updatedAt ? `CAST(${alias}.${q(x.settings.updatedAt)} AS ${TIME})` : nowValue(x);
}

/** dbt_scd_id as dbt-mysql hashes it: md5 of the key columns and the version's time joined by '|'. */
export function scdId(x: SnapshotSql, alias: string): string {
  const time = x.settings.updatedAt ? `${alias}.${q(x.settings.updatedAt)}` : `'${x.now}'`;
  const args = [...x.settings.uniqueKey.map((k) => `${alias}.${q(k)}`), time].map((a) => `coalesce(cast(${a} as char), '')`);
  return `md5(concat_ws('|', ${args.join(', ')}))`;
}

const keysMatch = (s: SnapshotSettings, a: string, b: string): string => s.uniqueKey.map((k) => `${a}.${q(k)} = ${b}.${q(k)}`).join(' AND ');

/**
 * The table as `cur`, read through the key index. Forced: until InnoDB recounts a table just
 * built (seconds later, in the background) it plans with 0 rows, and a run then would scan the
 * whole history once per changed row — hours on a million rows.
 */
const current = (x: SnapshotSql): string => `${x.target} cur${x.keyIndex ? ` FORCE INDEX (${q(KEY_INDEX)})` : ''}`;

/**
 * Whether the source row `s` differs from the current version `cur`: timestamp — its updated_at
 * is later than the version's start; check — a compared column differs (NULL-safe), or every
 * row when a compared column is new to the table (dbt's rule). Under new_record a current
 * deletion record is closed by the row's return.
 */
export function rowChanged(x: SnapshotSql, compared: string[] | 'column_added'): string {
  const s = x.settings;
  let changed: string;
  if (s.strategy === 'timestamp') changed = `cur.${q(s.names.dbt_valid_from)} < src.${q(s.updatedAt!)}`;
  else if (compared === 'column_added') changed = 'TRUE';
  else changed = compared.map((c) => `NOT (cur.${q(c)} <=> src.${q(c)})`).join(' OR ') || 'FALSE';
  if (s.hardDeletes === 'new_record') changed = `${changed} OR cur.${q(s.names.dbt_is_deleted)} = 'True'`;
  return `(${changed})`;
}

/** CREATE TABLE of the first run: every source column nullable (a column the source drops later stays, NULL in new versions). */
export function createSnapshotTable(relation: string, source: SnapshotColumn[], s: SnapshotSettings): string {
  const defs = [...source, ...metaColumns(s)].map((c) => `  ${q(c.name)} ${c.type}${c.collation ? ` COLLATE ${c.collation}` : ''} NULL`);
  return `CREATE TABLE ${relation} (\n${defs.join(',\n')}\n)`;
}

/** The first run's rows: every source row as its first version. */
export function insertFirstVersions(x: SnapshotSql, into: string, source: string[]): string {
  const s = x.settings;
  const meta = [
    `${scdId(x, 'src')}`,
    versionTime(x, 'src'),
    versionTime(x, 'src'),
    openValidTo(s),
    ...(s.hardDeletes === 'new_record' ? [`'False'`] : []),
  ];
  return `INSERT INTO ${into} (${list([...source, ...metaColumns(s).map((c) => c.name)])})\nSELECT ${list(source, 'src')},\n  ${meta.join(',\n  ')}\nFROM (\n${body(x.source)}\n) src`;
}

/**
 * Stages the source rows that become new versions — keys without a current version, and changed
 * rows — with the current version each closes: one join of the source with the table.
 */
export function stageChanges(x: SnapshotSql, staged: string, compared: string[] | 'column_added'): string {
  const s = x.settings;
  const scd = q(s.names.dbt_scd_id);
  return (
    `CREATE TEMPORARY TABLE ${staged} AS\n` +
    `SELECT src.*, ${scdId(x, 'src')} AS ${q(STAGED.scd)}, ${versionTime(x, 'src')} AS ${q(STAGED.updated)}, cur.${scd} AS ${q(STAGED.closes)}\n` +
    `FROM (\n${body(x.source)}\n) src\n` +
    `LEFT JOIN ${current(x)} ON ${keysMatch(s, 'cur', 'src')} AND ${isCurrent(s, 'cur')}\n` +
    `WHERE cur.${scd} IS NULL OR ${rowChanged(x, compared)}`
  );
}

/**
 * The key index holds all the deleted-key search reads of the history (key, valid_to, scd_id and,
 * under new_record, is_deleted): then it is read instead of the table, in key order as the
 * source's lookups go; a key-only index would add a lookup of the row per version.
 */
const coversDeletes = (x: SnapshotSql): boolean => {
  const n = x.settings.names;
  const needs = [...x.settings.uniqueKey, n.dbt_valid_to, n.dbt_scd_id, ...(x.settings.hardDeletes === 'new_record' ? [n.dbt_is_deleted] : [])];
  return Boolean(x.keyIndex && needs.every((c) => x.keyIndex!.includes(c.toLowerCase())));
};

/** Stages the current versions whose key the source no longer has (invalidate, new_record). */
export function stageDeletes(x: SnapshotSql, staged: string): string {
  const s = x.settings;
  const keys = s.uniqueKey;
  const notDeleted = s.hardDeletes === 'new_record' ? `\n  AND NOT (cur.${q(s.names.dbt_is_deleted)} <=> 'True')` : '';
  return (
    `CREATE TEMPORARY TABLE ${staged} AS\n` +
    `SELECT ${list(keys, 'cur')}, cur.${q(s.names.dbt_scd_id)} AS ${q(STAGED.closes)}\n` +
    `FROM ${coversDeletes(x) ? current(x) : `${x.target} cur`}\n` +
    `LEFT JOIN (SELECT ${list(keys)} FROM (\n${body(x.source)}\n) q) src ON ${keysMatch(s, 'cur', 'src')}\n` +
    `WHERE ${isCurrent(s, 'cur')} AND src.${q(keys[0]!)} IS NULL${notDeleted}`
  );
}

/** new_record: a deletion record for each deleted key — the last version's values, dbt_is_deleted 'True', from now on. */
export function insertDeletionRecords(x: SnapshotSql, gone: string, kept: string[]): string {
  const s = x.settings;
  const n = s.names;
  const now = nowValue(x);
  const meta = [`md5(concat_ws('|', coalesce(cast(cur.${q(n.dbt_scd_id)} as char), ''), '${x.now}'))`, now, now, `cur.${q(n.dbt_valid_to)}`, `'True'`];
  return (
    `INSERT INTO ${x.target} (${list([...kept, n.dbt_scd_id, n.dbt_updated_at, n.dbt_valid_from, n.dbt_valid_to, n.dbt_is_deleted])})\n` +
    `SELECT ${list(kept, 'cur')},\n  ${meta.join(',\n  ')}\n` +
    `FROM ${gone} g\nSTRAIGHT_JOIN ${current(x)} ON ${keysMatch(s, 'cur', 'g')} AND cur.${q(n.dbt_scd_id)} = g.${q(STAGED.closes)}\n` +
    `WHERE ${isCurrent(s, 'cur')}`
  );
}

/** invalidate, new_record: the current version of each deleted key ends now. */
export function closeDeleted(x: SnapshotSql, gone: string): string {
  const s = x.settings;
  const n = s.names;
  return (
    `UPDATE ${gone} g\nSTRAIGHT_JOIN ${current(x)} ON ${keysMatch(s, 'cur', 'g')} AND cur.${q(n.dbt_scd_id)} = g.${q(STAGED.closes)}\n` +
    `SET cur.${q(n.dbt_valid_to)} = ${nowValue(x)}\n` +
    `WHERE ${isCurrent(s, 'cur')}`
  );
}

/**
 * The current version of each changed row ends where its new version starts. The staged rows
 * drive (STRAIGHT_JOIN): each finds its version through the key index, where the optimizer
 * would otherwise scan the whole history for a few staged rows.
 */
export function closeChanged(x: SnapshotSql, staged: string): string {
  const s = x.settings;
  const n = s.names;
  return (
    `UPDATE ${staged} d\nSTRAIGHT_JOIN ${current(x)} ON ${keysMatch(s, 'cur', 'd')} AND cur.${q(n.dbt_scd_id)} = d.${q(STAGED.closes)}\n` +
    `SET cur.${q(n.dbt_valid_to)} = d.${q(STAGED.updated)}\n` +
    `WHERE ${isCurrent(s, 'cur')}`
  );
}

/** The new versions, open from their time on. */
export function insertNewVersions(x: SnapshotSql, staged: string, source: string[]): string {
  const s = x.settings;
  const meta = [`d.${q(STAGED.scd)}`, `d.${q(STAGED.updated)}`, `d.${q(STAGED.updated)}`, openValidTo(s), ...(s.hardDeletes === 'new_record' ? [`'False'`] : [])];
  return `INSERT INTO ${x.target} (${list([...source, ...metaColumns(s).map((c) => c.name)])})\nSELECT ${list(source, 'd')},\n  ${meta.join(',\n  ')}\nFROM ${staged} d`;
}

/**
 * The index every run's lookups use — a key's current version — as column lists to try in turn:
 * first one that also holds what the change detection reads of that version (timestamp: its
 * start and id; check: its id and the checked columns — every column for `all` — when they are
 * few and short), so the join with the source reads the index alone, not the row after it (half
 * the time on a million rows); then the key alone, for a server that finds the first too long.
 * `types`: the table's columns (lower-cased names) and their types, in order.
 */
export function keyIndexColumns(s: SnapshotSettings, types: Map<string, string>): string[] {
  const long = (c: string): boolean => /text|blob|json|geometry/i.test(types.get(c.toLowerCase()) ?? '');
  // TEXT/BLOB keys can be indexed only by a prefix
  const key = [...s.uniqueKey.map((c) => (long(c) ? `${q(c)}(255)` : q(c))), q(s.names.dbt_valid_to)];
  const n = s.names;
  const meta = new Set(Object.values(n).map((m) => m.toLowerCase()));
  const checked = s.checkCols === 'all' ? [...types.keys()].filter((c) => !meta.has(c)) : s.checkCols;
  let reads: string[] = [];
  if (s.strategy === 'timestamp') reads = [n.dbt_valid_from, n.dbt_scd_id];
  else if (checked.length <= MAX_CHECKED_IN_INDEX && !checked.some(long)) reads = [n.dbt_scd_id, ...checked];
  const extra = reads.filter((c) => !s.uniqueKey.some((k) => k.toLowerCase() === c.toLowerCase()));
  return extra.length ? [[...key, ...extra.map((c) => q(c))].join(', '), key.join(', ')] : [key.join(', ')];
}

/** Checked columns the key index may carry (MySQL allows 16 parts: the key's, valid_to and the id take the rest). */
const MAX_CHECKED_IN_INDEX = 8;
