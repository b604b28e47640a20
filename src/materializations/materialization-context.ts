import { FtError } from '../util/errors.js';
import { isTransient, type Adapter, type ColumnDef, type Session } from '../adapters/adapter.js';
import type { Project } from '../project/project.js';
import type { Node } from '../project/types.js';
import { md5 } from '../util/hash.js';

/** What a materialization needs to build one node on one session. */
export interface MaterializationContext {
  project: Project;
  adapter: Adapter;
  session: Session;
  node: Node;
  /** the compiled SELECT (models) */
  sql: string;
  fullRefresh: boolean;
  /** renders a hook or other template in this node's context */
  render(template: string): string;
  /** runs a statement and records it for target/run */
  exec(sql: string): Promise<{ affectedRows: number; rows: Record<string, unknown>[]; info?: string }>;
  /** records a statement for target/run that was run some other way */
  record(sql: string): void;
}

export interface MaterializationResult {
  /** dbt-style verb phrase: "created view", "inserted into table" */
  message: string;
  rowsAffected: number | null;
  /** a merge: rows inserted, and rows whose key was there already (updated) */
  merged?: { inserted: number; updated: number };
}

/** `<name><suffix>`, shortened with a hash when it would pass MySQL's 64-character limit. */
export function siblingName(name: string, suffix: string): string {
  const full = `${name}${suffix}`;
  if (full.length <= 64) return full;
  return `${name.slice(0, 64 - suffix.length - 9)}_${md5(name).slice(0, 8)}${suffix}`;
}

/**
 * Runs a node's pre- or post-hooks: each rendered, then split into single statements (the
 * connection takes one per call) and run in order, each recorded for target/run.
 */
export async function runHooks(ctx: MaterializationContext, hooks: string[], which: 'pre-hook' | 'post-hook' = 'post-hook'): Promise<void> {
  for (const [i, hook] of hooks.entries()) {
    // a hook that cannot be rendered is bad input, reported as such (exit 2)
    const statements = ctx.adapter.splitStatements(ctx.render(hook));
    try {
      for (const stmt of statements) await ctx.exec(stmt);
    } catch (e) {
      // a lost node, a deadlock or a cancel is not the hook's fault: retried or stopped as it is
      if (isTransient(e) || (e instanceof FtError && e.exitCode === 130)) throw e;
      // say it was a hook, which one, and (after a build) that the table is already in place
      const err = e as { message?: string; sqlMessage?: string; errno?: number };
      const after = which === 'post-hook' ? ' The model itself was built; its relation is in place.' : ' The model was not built.';
      const what = `${which} ${hooks.length > 1 ? `${i + 1} of ${hooks.length} ` : ''}of ${ctx.node.name} failed: ${err.sqlMessage ?? (e instanceof FtError ? e.message : err.message) ?? String(e)}.${after} Fix the hook in its config.`;
      throw new FtError(what, 1, e instanceof FtError && e.file ? e.file : ctx.node.original_file_path, e instanceof FtError ? e.line : undefined);
    }
  }
}

export function indexName(columns: string[], unique: boolean): string {
  return `ft_${unique ? 'uk' : 'ix'}_${md5(columns.join('\u0000')).slice(0, 12)}`;
}

/** Index config and persisted docs, applied to a freshly built table before it becomes visible. */
export async function decorateTable(ctx: MaterializationContext, schema: string, table: string, columns?: ColumnDef[]): Promise<void> {
  const rel = ctx.adapter.relation(schema, table);
  for (const ix of ctx.node.config.indexes ?? []) {
    const colsList = Array.isArray(ix.columns) ? ix.columns : [String(ix.columns)];
    await ctx.exec(ctx.adapter.ddl.addIndex(rel, indexName(colsList, Boolean(ix.unique)), colsList, Boolean(ix.unique), ix.type));
  }
  await persistDocs(ctx, schema, table, columns);
}

/** persist_docs: descriptions as table and column comments, so BI tools show them. */
export async function persistDocs(ctx: MaterializationContext, schema: string, table: string, columns?: ColumnDef[]): Promise<void> {
  const pd = ctx.node.config.persist_docs ?? {};
  const rel = ctx.adapter.relation(schema, table);
  if (pd.relation && ctx.node.description) await ctx.exec(ctx.adapter.ddl.tableComment(rel, ctx.node.description));
  if (pd.columns) {
    const described = Object.values(ctx.node.columns).filter((c) => c.description);
    if (!described.length) return;
    const actual = columns ?? (await ctx.adapter.columns(schema, table));
    for (const c of described) {
      const col = actual.find((a) => a.name.toLowerCase() === c.name.toLowerCase());
      if (col && col.comment !== c.description) await ctx.exec(ctx.adapter.ddl.columnComment(rel, col, c.description));
    }
  }
}
