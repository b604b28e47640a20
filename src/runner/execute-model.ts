import { sqlArtifactPath, writeCompiled, writeSqlArtifactLater } from '../artifacts/compiled-files.js';
import type { Adapter, Session } from '../adapters/adapter.js';
import { materializeIncremental, runsIncrementally } from '../materializations/incremental.js';
import { runHooks, type MaterializationContext, type MaterializationResult } from '../materializations/materialization-context.js';
import { materializeSeed } from '../materializations/seed.js';
import { materializeSnapshot } from '../materializations/snapshot.js';
import { existingType, materializeTable } from '../materializations/table.js';
import { materializeView } from '../materializations/view.js';
import type { Project } from '../project/project.js';
import type { Node } from '../project/types.js';
import type { Compiler } from '../template/compiler.js';
import { readWatermark, type ChangedRows } from '../testing/changed-rows.js';
import { FtError } from '../util/errors.js';
import { compileReading } from '../compile/compile-reading.js';
import { lintNode } from '../lint/lint-node.js';
import { retryTransient } from './retry-transient.js';

export interface ModelRunOptions {
  project: Project;
  adapter: Adapter;
  compiler: Compiler;
  fullRefresh: boolean;
  /** is_incremental() per node, filled before each compile */
  incrementalFlags: Map<string, boolean>;
  maxRetries?: number;
  /** filled with MAX(watermark_column) of each model before it runs incrementally */
  watermarks?: Map<string, ChangedRows>;
  /**
   * target/run files being written (asynchronously, so a node does not wait for the disk);
   * each settles to null or an error message. Await them before pointing at the files.
   */
  pendingWrites?: Array<Promise<string | null>>;
  /**
   * Models whose MySQL traps could not be checked before the run (they read the database while
   * compiling): checked as they render, warned of, and with warnError not run.
   */
  lintLater?: { nodes: Set<string>; warn: (message: string) => void; warnError: boolean };
}

export interface ModelOutcome extends MaterializationResult {
  compiledSql?: string;
  /** target/compiled/… of a model: the SQL an error message points at */
  compiledPath?: string;
  runPath: string;
  /** transient errors (deadlock, Galera certification conflict, lost connection) retried before it succeeded */
  retries?: number;
}

function writeRunArtifact(opts: ModelRunOptions, file: string, statements: string[]): void {
  writeSqlArtifactLater(file, `${statements.join(';\n\n')};\n`, opts.pendingWrites);
}

/** Builds one model, seed or snapshot on its own session: hooks, materialization, retries on transient errors (retry-transient.ts). */
export async function executeModel(node: Node, opts: ModelRunOptions): Promise<ModelOutcome> {
  const { project, adapter } = opts;
  let statements: string[] = [];
  try {
    const { value, retries } = await retryTransient(async () => {
      statements = [];
      // in the attempt: the node may die on this first statement too
      await adapter.ensureSchema(node.schema);
      return adapter.withSession((session) => buildOnce(node, opts, session, statements));
    }, opts.maxRetries ?? 3);
    return retries ? { ...value, retries } : value;
  } catch (e) {
    if (statements.length) writeRunArtifact(opts, sqlArtifactPath(project, node, 'run'), statements);
    throw e;
  }
}

async function buildOnce(node: Node, opts: ModelRunOptions, session: Session, statements: string[]): Promise<ModelOutcome> {
  const { project, adapter, compiler } = opts;
  let incremental = false;
  let sql = '';
  let compiledPath: string | undefined;
  if (node.resource_type === 'model' || node.resource_type === 'snapshot') {
    if (node.config.materialized === 'incremental') {
      const existing = await existingType(session, node.schema, node.alias);
      incremental = runsIncrementally('incremental', existing, opts.fullRefresh, node.config.full_refresh);
      // read once: a retry must not move the mark past rows a failed attempt left behind
      if (incremental && opts.watermarks && !opts.watermarks.has(node.unique_id)) {
        const mark = await readWatermark(session, node, adapter);
        if (mark) opts.watermarks.set(node.unique_id, mark);
      }
    }
    opts.incrementalFlags.set(node.unique_id, incremental);
    // reads what the model asks of the database (get_columns_in_relation…) now that its parents are built
    sql = await compileReading(compiler, node);
    node.compiled_code = sql;
    lintBeforeRunning(node, sql, opts);
    // Written before it runs, so an error message can point at it. An incremental model's SQL
    // differs between runs (is_incremental), so its file is always rewritten.
    compiledPath = writeCompiled(project, node, sql, compiler.fresh.has(node.unique_id) || node.config.materialized === 'incremental', compiler.cache);
  }
  const ctx: MaterializationContext = {
    project,
    adapter,
    session,
    node,
    sql,
    fullRefresh: opts.fullRefresh,
    render: (tpl) => compiler.renderTemplate(node, tpl, incremental),
    exec: async (stmt) => {
      statements.push(stmt);
      return session.execute(stmt);
    },
    record: (stmt) => {
      statements.push(stmt);
    },
  };
  await runHooks(ctx, node.config.pre_hook, 'pre-hook');
  let result: MaterializationResult;
  switch (node.resource_type === 'seed' || node.resource_type === 'snapshot' ? node.resource_type : node.config.materialized) {
    case 'seed':
      result = await materializeSeed(ctx);
      break;
    case 'view':
      result = await materializeView(ctx);
      break;
    case 'table':
      result = await materializeTable(ctx);
      break;
    case 'snapshot':
      // runs the post-hooks itself, inside its transaction
      result = await materializeSnapshot(ctx);
      break;
    case 'incremental':
      result = await materializeIncremental(ctx, incremental);
      break;
    default:
      throw new FtError(`unknown materialization "${node.config.materialized}"; use view, table, incremental or ephemeral.`, 2, node.original_file_path);
  }
  if (node.resource_type !== 'snapshot') await runHooks(ctx, node.config.post_hook);
  // what a later model reads of this relation is read again
  compiler.introspector?.built(node.schema, node.alias);
  const runPath = sqlArtifactPath(project, node, 'run');
  writeRunArtifact(opts, runPath, statements);
  return { ...result, compiledSql: sql || undefined, compiledPath, runPath };
}

/** The MySQL-trap check of a model that could only be rendered now (see ModelRunOptions.lintLater), once. */
function lintBeforeRunning(node: Node, sql: string, opts: ModelRunOptions): void {
  const l = opts.lintLater;
  if (!l?.nodes.delete(node.unique_id)) return;
  const traps = lintNode(node, sql, opts.compiler.ephemeralParents(node));
  for (const m of traps) l.warn(m);
  if (traps.length && l.warnError) {
    throw new FtError(
      `--warn-error: ${traps.length} MySQL trap${traps.length === 1 ? '' : 's'} in ${node.name} (warned of above; it reads the database while compiling, so it was checked as it rendered); it was not run. Write the MySQL each warning gives, or list the rule in its lint_ignore config where the construct is meant.`,
      1,
      node.original_file_path,
    );
  }
}
