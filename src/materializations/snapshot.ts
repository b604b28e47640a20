import type { Session } from '../adapters/adapter.js';
import { columns as tableColumns } from '../adapters/mysql/mysql-introspector.js';
import { snapshotSettings, type SnapshotSettings } from '../project/snapshot-config.js';
import { FtError } from '../util/errors.js';
import { md5 } from '../util/hash.js';
import { runHooks, siblingName, type MaterializationContext, type MaterializationResult } from './materialization-context.js';
import {
  closeChanged,
  closeDeleted,
  createSnapshotTable,
  insertDeletionRecords,
  insertFirstVersions,
  insertNewVersions,
  isCurrent,
  KEY_INDEX,
  keyIndexColumns,
  metaColumns,
  stageChanges,
  stageDeletes,
  STAGED,
  type SnapshotColumn,
  type SnapshotSql,
} from './snapshot-sql.js';
import { dropLeftovers, relationTypes } from './table.js';

/** How long a run waits for another run of the same snapshot (another target, another project) to end. */
const LOCK_WAIT_SECONDS = 600;

/**
 * A type-2 snapshot (dbt's snapshot materialization). The first run builds the table aside and
 * renames it in; a later run adds new source columns (DDL commits, so before the transaction),
 * stages the changes, then closes and opens versions — and runs the post-hooks — in ONE
 * transaction: a run killed at any point leaves the table as it was, or with a new empty
 * column only. Runs of one snapshot take a server lock named after its table, so they serialise.
 */
export async function materializeSnapshot(ctx: MaterializationContext): Promise<MaterializationResult> {
  const { node, session } = ctx;
  const settings = snapshotSettings(node);
  const lock = `ft_snapshot:${md5(node.relation_name!).slice(0, 40)}`;
  const [got] = await session.query<{ g: number | null }>('SELECT GET_LOCK(?, ?) AS g', [lock, LOCK_WAIT_SECONDS]);
  if (Number(got?.g) !== 1) {
    throw new FtError(`another run has been snapshotting ${node.relation_name} for over ${LOCK_WAIT_SECONDS}s; wait for it to end and run again.`, 1, node.original_file_path);
  }
  try {
    const [row] = await session.query<{ t: string }>(`SELECT DATE_FORMAT(NOW(6), '%Y-%m-%d %H:%i:%s.%f') AS t`);
    const x: SnapshotSql = { settings, target: ctx.adapter.relation(node.schema, node.alias), source: ctx.sql, now: String(row!.t) };
    const existing = (await relationTypes(session, node.schema, [node.alias])).get(node.alias) ?? null;
    if (existing === 'view') {
      throw new FtError(`${node.relation_name} is a view; a snapshot keeps its history in a table. Drop the view (or give the snapshot another alias) and run again.`, 1, node.original_file_path);
    }
    return existing ? await snapshotAgain(ctx, x) : await firstSnapshot(ctx, x);
  } finally {
    await session.query('SELECT RELEASE_LOCK(?)', [lock]).catch(() => undefined);
  }
}

/** First run: the table is built as `<name>__ft_tmp`, then renamed in (never seen half-built). */
async function firstSnapshot(ctx: MaterializationContext, x: SnapshotSql): Promise<MaterializationResult> {
  const { node, adapter } = ctx;
  await dropLeftovers(ctx);
  const source = await sourceColumns(ctx, x);
  const tmpName = siblingName(node.alias, '__ft_tmp');
  const tmp = adapter.relation(node.schema, tmpName);
  try {
    await ctx.exec(createSnapshotTable(tmp, source, x.settings));
    const types = new Map(source.map((c) => [c.name.toLowerCase(), c.type]));
    await addKeyIndex(ctx, tmp, x.settings, types);
    const rows = (await ctx.exec(insertFirstVersions(x, tmp, source.map((c) => c.name)))).affectedRows;
    // counted now, not seconds later by InnoDB: queries of the new history plan with its real size
    await ctx.exec(`ANALYZE TABLE ${tmp}`);
    await ctx.exec(adapter.ddl.rename(tmp, x.target));
    await runHooks(ctx, node.config.post_hook);
    return { message: 'snapshotted', rowsAffected: rows };
  } catch (e) {
    await ctx.exec(adapter.ddl.dropRelation(tmp, 'table')).catch(() => undefined);
    throw e;
  }
}

/** A later run: new columns, staged changes, then one transaction of UPDATEs and INSERTs. */
async function snapshotAgain(ctx: MaterializationContext, found: SnapshotSql): Promise<MaterializationResult> {
  const { node, adapter, session } = ctx;
  const s = found.settings;
  // what a killed first run left beside the table
  await dropLeftovers(ctx);
  const source = await sourceColumns(ctx, found);
  const existing = await tableColumns(session, node.schema, node.alias);
  // a history table built by dbt, or whose index a server refused, gets it now (DDL, before the transaction)
  let keyIndex = await keyIndexOf(ctx, found.target);
  if (!keyIndex && (await addKeyIndex(ctx, found.target, s, new Map(existing.map((c) => [c.name.toLowerCase(), c.type]))))) keyIndex = await keyIndexOf(ctx, found.target);
  const x: SnapshotSql = { ...found, keyIndex: keyIndex ?? undefined };
  const has = new Set(existing.map((c) => c.name.toLowerCase()));
  for (const m of metaColumns(s)) {
    if (has.has(m.name.toLowerCase()) || m.name === s.names.dbt_is_deleted) continue;
    throw new FtError(
      `${node.relation_name} has no column ${m.name}, so it was not built by this snapshot's config (snapshot_meta_column_names?). Rename its columns to match, or drop the table to start the history again.`,
      1,
      node.original_file_path,
    );
  }
  // check_cols: columns new to the table make every row a new version (dbt's rule)
  const compared = s.strategy === 'check' ? (s.checkCols === 'all' ? source.map((c) => c.name) : s.checkCols) : [];
  const columnAdded = compared.some((c) => !has.has(c.toLowerCase()));
  // DDL commits: new columns go in before the transaction (a kill after it leaves NULL in them, no version)
  const added = [...source, ...metaColumns(s).filter((m) => m.name === s.names.dbt_is_deleted)].filter((c) => !has.has(c.name.toLowerCase()));
  for (const c of added) await ctx.exec(`ALTER TABLE ${x.target} ADD COLUMN ${adapter.quote(c.name)} ${c.type}${c.collation ? ` COLLATE ${c.collation}` : ''} NULL`);
  const meta = new Set(metaColumns(s).map((m) => m.name.toLowerCase()));
  const kept = [...existing.map((c) => c.name), ...added.map((c) => c.name)].filter((c) => !meta.has(c.toLowerCase()));

  const changes = adapter.relation(node.schema, siblingName(node.alias, '__ft_snap_changes'));
  const deletes = adapter.relation(node.schema, siblingName(node.alias, '__ft_snap_deletes'));
  let invalidates = s.hardDeletes !== 'ignore';
  try {
    // staged on this session before the transaction (a temporary table is no DDL commit, but
    // MySQL with GTIDs refuses CREATE TEMPORARY TABLE inside one); the lock keeps other runs out
    await ctx.exec(`DROP TEMPORARY TABLE IF EXISTS ${changes}`);
    await stage(ctx, stageChanges(x, changes, columnAdded ? 'column_added' : compared));
    if (invalidates && s.hardDeletes === 'invalidate') invalidates = await someKeyGone(ctx, x, changes);
    if (invalidates) {
      await ctx.exec(`DROP TEMPORARY TABLE IF EXISTS ${deletes}`);
      await stage(ctx, stageDeletes(x, deletes));
    }
    const rows = await session.transaction(async () => {
      let n = 0;
      if (s.hardDeletes === 'new_record') n += (await ctx.exec(insertDeletionRecords(x, deletes, kept))).affectedRows;
      if (invalidates) await ctx.exec(closeDeleted(x, deletes));
      await ctx.exec(closeChanged(x, changes));
      n += (await ctx.exec(insertNewVersions(x, changes, source.map((c) => c.name)))).affectedRows;
      // dbt runs a snapshot's post-hooks inside its transaction
      await runHooks(ctx, node.config.post_hook);
      return n;
    });
    return { message: 'snapshotted', rowsAffected: rows };
  } finally {
    await ctx.exec(`DROP TEMPORARY TABLE IF EXISTS ${changes}`).catch(() => undefined);
    if (invalidates) await ctx.exec(`DROP TEMPORARY TABLE IF EXISTS ${deletes}`).catch(() => undefined);
  }
}

/**
 * Runs a staging statement as a consistent read: under REPEATABLE READ, CREATE … SELECT would
 * lock every row it reads of the source and the snapshot (a third of its time on a million rows).
 * The snapshot's lock already keeps other runs out. A server logging statements (binlog_format
 * STATEMENT) refuses that for InnoDB (1665): the statement then runs as it is.
 */
async function stage(ctx: MaterializationContext, sql: string): Promise<void> {
  await ctx.session.execute('SET TRANSACTION ISOLATION LEVEL READ COMMITTED');
  try {
    await ctx.exec(sql);
  } catch (e) {
    if ((e as { errno?: number }).errno !== 1665) throw e;
    await ctx.session.execute('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    await ctx.exec(sql);
  }
}

/**
 * Whether a current version may have lost its key in the source (invalidate), from counts: the
 * current versions, less those the source still matches (its rows, less the new keys staged),
 * leave the deleted ones. Counting reads indexes only; the anti-join it saves reads the table.
 * (A source with a key twice breaks this sum, as it breaks the snapshot: unique_key must be unique.)
 */
async function someKeyGone(ctx: MaterializationContext, x: SnapshotSql, changes: string): Promise<boolean> {
  const s = x.settings;
  const [row] = await ctx.session.query<{ cur: number | string; src: number | string; added: number | string }>(
    `SELECT (SELECT COUNT(*) FROM ${x.target} cur WHERE ${isCurrent(s, 'cur')}) AS cur, ` +
      `(SELECT COUNT(*) FROM (\n${x.source.trim().replace(/;\s*$/, '')}\n) src) AS src, ` +
      `(SELECT COUNT(*) FROM ${changes} WHERE ${ctx.adapter.quote(STAGED.closes)} IS NULL) AS added`,
  );
  return Number(row!.cur) - (Number(row!.src) - Number(row!.added)) !== 0;
}

/** The source query's columns and types (an empty temporary table of it), checked against the config. */
async function sourceColumns(ctx: MaterializationContext, x: SnapshotSql): Promise<SnapshotColumn[]> {
  const { node, adapter, session } = ctx;
  const s = x.settings;
  const probe = adapter.relation(node.schema, siblingName(node.alias, '__ft_snap_probe'));
  await session.execute(`DROP TEMPORARY TABLE IF EXISTS ${probe}`);
  await session.execute(`CREATE TEMPORARY TABLE ${probe} AS SELECT * FROM (\n${x.source.trim().replace(/;\s*$/, '')}\n) src LIMIT 0`);
  let cols: SnapshotColumn[];
  try {
    cols = await probeColumns(session, probe);
  } finally {
    await session.execute(`DROP TEMPORARY TABLE IF EXISTS ${probe}`).catch(() => undefined);
  }
  const names = new Set(cols.map((c) => c.name.toLowerCase()));
  const where = node.declared_at?.file ?? node.original_file_path;
  const line = node.declared_at?.line;
  const need = (col: string, what: string): void => {
    if (!names.has(col.toLowerCase())) {
      throw new FtError(`snapshot ${node.name}: ${what} "${col}" is not a column of the snapshot's query (it has ${cols.map((c) => c.name).join(', ')}). Fix the config or the query.`, 2, where, line);
    }
  };
  for (const k of s.uniqueKey) need(k, 'unique_key');
  if (s.updatedAt) need(s.updatedAt, 'updated_at');
  if (s.checkCols !== 'all') for (const c of s.checkCols) need(c, 'check_cols names');
  for (const m of metaColumns(s)) {
    if (names.has(m.name.toLowerCase())) {
      throw new FtError(`snapshot ${node.name}: the query has a column named ${m.name}, which the snapshot adds itself. Rename it in the query, or rename the snapshot's with snapshot_meta_column_names.`, 2, where, line);
    }
  }
  return cols;
}

async function probeColumns(session: Session, relation: string): Promise<SnapshotColumn[]> {
  const rows = await session.query<Record<string, string | null>>(`SHOW FULL COLUMNS FROM ${relation}`);
  return rows.map((r) => ({ name: String(r.Field), type: String(r.Type), collation: r.Collation ?? null }));
}

/** Index for the lookups of every later run (a key's current version); a key too long to index only costs speed. */
async function addKeyIndex(ctx: MaterializationContext, relation: string, s: SnapshotSettings, types: Map<string, string>): Promise<boolean> {
  for (const columns of keyIndexColumns(s, types)) {
    try {
      await ctx.exec(`ALTER TABLE ${relation} ADD INDEX ${ctx.adapter.quote(KEY_INDEX)} (${columns})`);
      return true;
    } catch (e) {
      // 1071: key too long; 1170: BLOB/TEXT key
      if (![1071, 1170].includes((e as { errno?: number }).errno ?? 0)) throw e;
    }
  }
  return false;
}

/** The key index's columns (lower case, in order), or null when the table has none. */
async function keyIndexOf(ctx: MaterializationContext, relation: string): Promise<string[] | null> {
  const rows = await ctx.session.query<{ Column_name: string; Seq_in_index: number }>(`SHOW INDEX FROM ${relation} WHERE Key_name = ?`, [KEY_INDEX]);
  return rows.length ? rows.sort((a, b) => Number(a.Seq_in_index) - Number(b.Seq_in_index)).map((r) => String(r.Column_name).toLowerCase()) : null;
}
