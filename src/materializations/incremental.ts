import type { ColumnDef } from '../adapters/adapter.js';
import { columns as tableColumns, indexNames, temporaryColumns } from '../adapters/mysql/mysql-introspector.js';
import { contractEnforced } from './contract.js';
import { createContractNewRows } from './constraints-ddl.js';
import { FtError } from '../util/errors.js';
import { indexName, siblingName, type MaterializationContext, type MaterializationResult } from './materialization-context.js';
import { buildAndSwap, dropLeftovers, existingType } from './table.js';

export function uniqueKeyColumns(key: string | string[] | undefined): string[] {
  if (key === undefined || key === null) return [];
  return (Array.isArray(key) ? key : String(key).split(',')).map((k) => String(k).trim()).filter(Boolean);
}

/**
 * dbt's merge_update_columns (only these change on a matched row) or merge_exclude_columns
 * (all but these); undefined: every column. One naming a column the model lacks is an error.
 */
export function mergeUpdateColumns(config: Record<string, unknown>, columns: string[]): string[] | undefined {
  const only = config.merge_update_columns;
  const except = config.merge_exclude_columns;
  if (only === undefined && except === undefined) return undefined;
  if (only !== undefined && except !== undefined) throw new FtError('set merge_update_columns or merge_exclude_columns, not both (as dbt).', 2);
  const list = uniqueKeyColumns((only ?? except) as string | string[]);
  const missing = list.find((c) => !columns.some((x) => x.toLowerCase() === c.toLowerCase()));
  if (missing) throw new FtError(`${only !== undefined ? 'merge_update_columns' : 'merge_exclude_columns'} names "${missing}", which is not a column of the model (it has ${columns.join(', ')}).`, 2);
  return only !== undefined ? list : columns.filter((c) => !list.some((x) => x.toLowerCase() === c.toLowerCase()));
}

/** Whether this run builds the node incrementally (dbt's is_incremental()). */
export function runsIncrementally(materialized: string, existing: 'table' | 'view' | null, fullRefresh: boolean, configFullRefresh: unknown): boolean {
  if (materialized !== 'incremental' || existing !== 'table') return false;
  // config full_refresh: false protects a table from --full-refresh, as in dbt.
  if (configFullRefresh === false) return true;
  return !fullRefresh && configFullRefresh !== true;
}

const sameColumns = (a: string[], b: string[]): boolean => a.length === b.length && a.every((c) => b.some((k) => k.toLowerCase() === c.toLowerCase()));

type Indexes = Awaited<ReturnType<typeof indexNames>>;

/**
 * The unique index an earlier unique_key left (ft_uk_…, not one of the indexes config): dropped
 * when the key changed. Left in place it kept refusing, or (merge) matching, rows by the old key.
 * Returns the indexes that stay (read once for this run and ensureUniqueIndex).
 */
async function dropStaleKeyIndexes(ctx: MaterializationContext, keys: string[]): Promise<Indexes> {
  const configured = new Set((ctx.node.config.indexes ?? []).filter((ix) => ix.unique).map((ix) => indexName(Array.isArray(ix.columns) ? ix.columns : [String(ix.columns)], true)));
  const rel = ctx.adapter.relation(ctx.node.schema, ctx.node.alias);
  const idx = await indexNames(ctx.session, ctx.node.schema, ctx.node.alias);
  for (const [name, ix] of idx) {
    if (!ix.unique || !name.startsWith('ft_uk_') || configured.has(name) || (keys.length && sameColumns(ix.columns, keys))) continue;
    await ctx.exec(`ALTER TABLE ${rel} DROP INDEX ${ctx.adapter.quote(name)}`);
    idx.delete(name);
  }
  return idx;
}

async function ensureUniqueIndex(ctx: MaterializationContext, keys: string[], idx: Indexes): Promise<void> {
  const covered = [...idx.values()].some((i) => i.unique && sameColumns(i.columns, keys));
  if (covered) return;
  try {
    await ctx.exec(ctx.adapter.ddl.addIndex(ctx.adapter.relation(ctx.node.schema, ctx.node.alias), indexName(keys, true), keys, true));
  } catch (e) {
    if ((e as { errno?: number }).errno === 1062) {
      throw new FtError(`unique_key (${keys.join(', ')}) is not unique in ${ctx.node.relation_name}: the merge strategy needs a unique index there. Deduplicate the model or run with --full-refresh.`, 1, ctx.node.original_file_path);
    }
    throw e;
  }
}

const TEXT_WIDTH = /^(var)?char\((\d+)\)/i;

/**
 * A text column of the table narrower than the new rows' (varchar(5) against varchar(17)) is
 * widened first, whatever on_schema_change says, as dbt's expand_target_column_types does on
 * MySQL: the rows would be refused with "Data too long". Its collation and NULL-ness are kept.
 */
async function widenTextColumns(ctx: MaterializationContext, tmpCols: ColumnDef[], targetCols: ColumnDef[]): Promise<void> {
  const rel = ctx.adapter.relation(ctx.node.schema, ctx.node.alias);
  for (const t of targetCols) {
    const n = tmpCols.find((c) => c.name.toLowerCase() === t.name.toLowerCase());
    const have = TEXT_WIDTH.exec(t.type);
    const need = n && TEXT_WIDTH.exec(n.type);
    if (!have || !need || Number(need[2]) <= Number(have[2])) continue;
    const type = `${have[1] ? 'varchar' : 'char'}(${need[2]})${t.collation ? ` COLLATE ${t.collation}` : ''}${t.nullable ? '' : ' NOT NULL'}`;
    await ctx.exec(ctx.adapter.ddl.modifyColumnType(rel, t.name, type));
    t.type = t.type.replace(TEXT_WIDTH, `${have[1] ?? ''}char(${need[2]})`);
  }
}

/** on_schema_change: compares the new rows' columns with the table's and acts. Returns the columns to insert. */
async function reconcileSchema(ctx: MaterializationContext, tmpCols: ColumnDef[], targetCols: ColumnDef[]): Promise<string[]> {
  const mode = ctx.node.config.on_schema_change ?? 'ignore';
  await widenTextColumns(ctx, tmpCols, targetCols);
  const lower = (c: ColumnDef) => c.name.toLowerCase();
  const targetNames = new Set(targetCols.map(lower));
  const tmpNames = new Set(tmpCols.map(lower));
  const added = tmpCols.filter((c) => !targetNames.has(lower(c)));
  const removed = targetCols.filter((c) => !tmpNames.has(lower(c)));
  const changed = tmpCols.filter((c) => {
    const t = targetCols.find((x) => lower(x) === lower(c));
    return t && t.type !== c.type;
  });
  const rel = ctx.adapter.relation(ctx.node.schema, ctx.node.alias);
  if (added.length || removed.length || changed.length) {
    const what = [
      added.length ? `new columns ${added.map((c) => c.name).join(', ')}` : '',
      removed.length ? `missing columns ${removed.map((c) => c.name).join(', ')}` : '',
      changed.length ? `changed types ${changed.map((c) => c.name).join(', ')}` : '',
    ].filter(Boolean).join('; ');
    if (mode === 'fail') {
      // full_refresh: false keeps --full-refresh from rebuilding the table: then it is no way out
      const rebuild = ctx.node.config.full_refresh === false ? 'Remove full_refresh: false and run with --full-refresh' : 'Run with --full-refresh';
      throw new FtError(`the model's columns no longer match ${ctx.node.relation_name} (${what}) and on_schema_change is "fail". ${rebuild}, or set on_schema_change to append_new_columns or sync_all_columns.`, 1, ctx.node.original_file_path);
    }
    if (mode === 'append_new_columns' || mode === 'sync_all_columns') {
      for (const c of added) await ctx.exec(ctx.adapter.ddl.addColumn(rel, c.name, c.type));
    }
    if (mode === 'sync_all_columns') {
      for (const c of removed) await ctx.exec(ctx.adapter.ddl.dropColumn(rel, c.name));
      for (const c of changed) await ctx.exec(ctx.adapter.ddl.modifyColumnType(rel, c.name, c.type));
    }
  }
  if (mode === 'append_new_columns' || mode === 'sync_all_columns') return tmpCols.map((c) => c.name);
  return tmpCols.filter((c) => targetNames.has(lower(c))).map((c) => c.name);
}

/** Inserted and updated rows of an INSERT … SELECT … ON DUPLICATE KEY UPDATE: the rows it read (the server's info line) less those whose key was there. */
export function mergeCounts(info: string | undefined, matched: number): { inserted: number; updated: number } | undefined {
  const m = info && /Records:\s*(\d+)/i.exec(info);
  if (!m) return undefined;
  const records = Number(m[1]);
  return { inserted: Math.max(0, records - matched), updated: Math.min(matched, records) };
}

/** Incremental models: append, merge (ON DUPLICATE KEY UPDATE) or delete+insert of the new rows. */
export async function materializeIncremental(ctx: MaterializationContext, incremental: boolean): Promise<MaterializationResult> {
  const { node, adapter } = ctx;
  const strategy = node.config.incremental_strategy ?? (node.config.unique_key ? 'merge' : 'append');
  if (!['append', 'merge', 'delete+insert'].includes(strategy)) {
    throw new FtError(`incremental_strategy "${strategy}" is not supported; use append, merge or delete+insert.`, 2, node.original_file_path);
  }
  const keys = uniqueKeyColumns(node.config.unique_key);
  if ((strategy === 'merge' || strategy === 'delete+insert') && !keys.length) {
    throw new FtError(`incremental_strategy "${strategy}" needs unique_key (one column or a list). Add {{config unique_key="id"}} or use append.`, 2, node.original_file_path);
  }
  if (!incremental) {
    const rows = await buildAndSwap(ctx, ctx.sql, 'table', strategy === 'merge' ? [keys] : []);
    return { message: 'created table', rowsAffected: rows };
  }
  // leftovers of a killed --full-refresh (buildAndSwap drops them on the other path)
  await dropLeftovers(ctx);
  const target = adapter.relation(node.schema, node.alias);
  const tmpName = siblingName(node.alias, '__ft_new');
  const tmp = adapter.relation(node.schema, tmpName);
  // A temporary table lives only on this session and vanishes if the session dies.
  await ctx.exec(`DROP TEMPORARY TABLE IF EXISTS ${tmp}`);
  // under a contract the new rows are checked first, then take the declared types, as the table has them
  if (contractEnforced(node)) await createContractNewRows(ctx, tmp);
  else await ctx.exec(adapter.ddl.createTableAs(tmp, ctx.sql, true));
  try {
    const indexes = await dropStaleKeyIndexes(ctx, keys);
    const tmpCols = await temporaryColumns(ctx.session, tmp);
    const targetCols = await tableColumns(ctx.session, node.schema, node.alias);
    const columns = await reconcileSchema(ctx, tmpCols, targetCols);
    // one predicate may be written as a string, as dbt takes it
    const given = node.config.incremental_predicates;
    const predicates = given === undefined || given === null ? [] : Array.isArray(given) ? given : [given];
    let rows = 0;
    let merged: MaterializationResult['merged'];
    if (strategy === 'append') {
      rows = (await ctx.exec(adapter.ddl.insertSelect(target, columns, tmp))).affectedRows;
    } else if (strategy === 'merge') {
      await ensureUniqueIndex(ctx, keys, indexes);
      // two new rows of one key: ON DUPLICATE KEY UPDATE would keep one of them at random, and miscount
      const keyList = keys.map((k) => adapter.quote(k)).join(', ');
      const [dup] = await ctx.session.query<Record<string, unknown>>(`select ${keyList} from ${tmp} group by ${keyList} having count(*) > 1 limit 1`);
      if (dup) {
        throw new FtError(
          `unique_key (${keys.join(', ')}) is not unique in this run's new rows of ${node.relation_name} (e.g. ${keys.map((k) => `${k} = ${JSON.stringify(dup[k])}`).join(', ')}): a merge would keep one of them. Deduplicate the model's SQL, or use incremental_strategy "delete+insert" to keep both.`,
          1,
          node.original_file_path,
        );
      }
      // the new rows whose key is there already: they update, the others insert (affected rows
      // cannot tell: an update counts 2, an unchanged row 1 like an insert). Not written to target/run.
      const on = keys.map((k) => `x.${adapter.quote(k)} = t.${adapter.quote(k)}`).join(' and ');
      const [found] = await ctx.session.query<{ n: number | string }>(`select count(*) as n from ${tmp} t where exists (select 1 from ${target} x where ${on})`);
      const res = await ctx.exec(adapter.ddl.upsert(target, columns, tmp, keys, mergeUpdateColumns(node.config, columns)));
      merged = mergeCounts(res.info, Number(found?.n ?? 0));
      rows = merged ? merged.inserted + merged.updated : res.affectedRows;
    } else {
      rows = await ctx.session.transaction(async () => {
        await ctx.exec(adapter.ddl.deleteMatching(target, tmp, keys, predicates.map(String)));
        return (await ctx.exec(adapter.ddl.insertSelect(target, columns, tmp))).affectedRows;
      });
    }
    return { message: strategy === 'append' ? 'appended to incremental' : `${strategy === 'merge' ? 'merged into' : 'delete+insert into'} incremental`, rowsAffected: rows, ...(merged ? { merged } : {}) };
  } finally {
    await ctx.exec(`DROP TEMPORARY TABLE IF EXISTS ${tmp}`).catch(() => undefined);
  }
}

export { existingType };
