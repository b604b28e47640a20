import type { RelationType, Session } from '../adapters/adapter.js';
import { FtError } from '../util/errors.js';
import { checkContract, contractEnforced } from './contract.js';
import { buildContractTable, constraintCovers, dropSwappedOut } from './constraints-ddl.js';
import { decorateTable, indexName, siblingName, type MaterializationContext, type MaterializationResult } from './materialization-context.js';

/**
 * Builds `select` into a sibling table, decorates it, then swaps it in with one RENAME TABLE:
 * readers see the old table or the new one, never half of one; a failed build leaves the old intact.
 */
export async function buildAndSwap(ctx: MaterializationContext, select: string, kind: 'table' | 'view' = 'table', uniqueKeys: string[][] = []): Promise<number | null> {
  const { adapter, node } = ctx;
  const ddl = adapter.ddl;
  const schema = node.schema;
  const target = adapter.relation(schema, node.alias);
  const tmpName = siblingName(node.alias, '__ft_tmp');
  const backupName = siblingName(node.alias, '__ft_old');
  const tmp = adapter.relation(schema, tmpName);
  const backup = adapter.relation(schema, backupName);
  // an enforced contract is checked before anything is built (a mismatch leaves the old table)
  const contractColumns = kind === 'table' && contractEnforced(node) ? await checkContract(ctx, select) : null;
  // One round trip for the target and the leftovers of an interrupted run (which would make the swap fail).
  const found = await relationTypes(ctx.session, schema, [node.alias, tmpName, backupName]);
  for (const [name, rel] of [[tmpName, tmp], [backupName, backup]] as const) {
    const t = found.get(name);
    if (t) await dropSwappedOut(ctx, ddl.dropRelation(rel, t));
  }
  let rows: number | null = null;
  try {
    if (kind === 'table') {
      rows = contractColumns ? await buildContractTable(ctx, tmp, select, contractColumns) : (await ctx.exec(ddl.createTableAs(tmp, select))).affectedRows;
      for (const keys of uniqueKeys) {
        if (contractColumns && constraintCovers(node, keys)) continue;
        await ctx.exec(ddl.addIndex(tmp, indexName(keys, true), keys, true)).catch((e: { errno?: number }) => {
          if (e.errno === 1062) throw new FtError(`unique_key (${keys.join(', ')}) is not unique in the model's rows; the merge strategy needs it unique. Deduplicate the model.`, 1, node.original_file_path);
          throw e;
        });
      }
      await decorateTable(ctx, schema, tmpName);
    } else {
      await ctx.exec(ddl.createOrReplaceView(tmp, select));
    }
    // From the lookup above (made after the pre-hooks; the run lock keeps other ft runs away).
    const existing = found.get(node.alias) ?? null;
    if (existing) {
      await ctx.exec(ddl.swap(target, tmp, backup));
      await dropSwappedOut(ctx, ddl.dropRelation(backup, existing));
    } else {
      await ctx.exec(ddl.rename(tmp, target));
    }
  } catch (e) {
    await ctx.exec(ddl.dropRelation(tmp, kind)).catch(() => undefined);
    throw e;
  }
  return rows;
}

/**
 * Types of some relations of one schema, in one query, keyed by the names asked for (absent ones
 * are missing). A name the server returns in another case (lower_case_table_names) still matches.
 */
export async function relationTypes(session: Session, schema: string, names: string[]): Promise<Map<string, RelationType>> {
  const rows = await session.query<{ n: string; t: string }>(
    `SELECT table_name AS n, table_type AS t FROM information_schema.tables WHERE table_schema = ? AND table_name IN (${names.map(() => '?').join(', ')})`,
    [schema, ...names],
  );
  const out = new Map<string, RelationType>();
  for (const name of names) {
    const row = rows.find((r) => String(r.n) === name) ?? rows.find((r) => String(r.n).toLowerCase() === name.toLowerCase());
    if (row) out.set(name, row.t === 'VIEW' ? 'view' : 'table');
  }
  return out;
}

/**
 * Drops what an interrupted build of this node left beside it (`__ft_tmp`, `__ft_old`: a kill -9
 * between CREATE and RENAME), for the builds that do not go through buildAndSwap — an
 * incremental run, a view — so a leftover never outlives the next build. One lookup; a DROP only
 * when there is something to drop.
 */
export async function dropLeftovers(ctx: MaterializationContext): Promise<void> {
  const { adapter, node } = ctx;
  const names = [siblingName(node.alias, '__ft_tmp'), siblingName(node.alias, '__ft_old')];
  const found = await relationTypes(ctx.session, node.schema, names);
  for (const name of names) {
    const t = found.get(name);
    if (t) await ctx.exec(adapter.ddl.dropRelation(adapter.relation(node.schema, name), t));
  }
}

export async function existingType(session: Session, schema: string, name: string): Promise<RelationType | null> {
  const t = await session.query<{ t: string }>('SELECT table_type AS t FROM information_schema.tables WHERE table_schema = ? AND table_name = ?', [schema, name]);
  return t.length ? (t[0]!.t === 'VIEW' ? 'view' : 'table') : null;
}

export async function materializeTable(ctx: MaterializationContext): Promise<MaterializationResult> {
  const rows = await buildAndSwap(ctx, ctx.sql, 'table');
  return { message: 'created table', rowsAffected: rows };
}
