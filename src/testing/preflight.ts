import { closeSync, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Adapter, ColumnDef } from '../adapters/adapter.js';
import { analyseColumnLineage } from '../docs/column-lineage.js';
import type { Project } from '../project/project.js';
import type { Node } from '../project/types.js';
import type { Compiler } from '../template/compiler.js';
import { parseCsvText } from '../util/csv.js';
import { FtError } from '../util/errors.js';
import { didYouMean } from '../util/suggest.js';
import { scopesToChangedRows } from './changed-rows.js';
import { compileTest } from './compile-test.js';
import { checksColumnFirst } from './test-nodes.js';
import { IntrospectionPending } from '../template/introspector.js';
import { testStatus } from './thresholds.js';
import { splitRelationName } from '../project/relation-names.js';

export interface PreflightOptions {
  project: Project;
  adapter: Adapter;
  compiler: Compiler;
  /** the nodes this run executes */
  runIds: Set<string>;
  /** --defer: node id → the state's relation */
  deferred?: Map<string, string>;
  /** columns per relation_name, shared with the test runs (filled only for relations this run does not build) */
  columnCache: Map<string, Promise<ColumnDef[]>>;
}

/** A plain column name (not an expression such as `lower(email)`). */
const PLAIN_COLUMN = /^[\p{L}\p{N}_$ ]+$/u;

/**
 * Checks every test of a run before anything runs, so a mistake in the YAML stops the run
 * with exit 2 and nothing half-built: the test's config (severity, warn_if/error_if, limit, scope),
 * its SQL (arguments, relations), and that a column test's column exists — in the table when
 * this run does not build it, else in the model's SQL as far as it can be read statically
 * (a seed's CSV header, a SELECT list whose `*` can be expanded). When the columns cannot
 * be known before the build, the test checks its column when it runs.
 */
export async function preflightTests(opts: PreflightOptions): Promise<void> {
  const { project, runIds } = opts;
  const problems: FtError[] = [];
  const tests = [...runIds].map((id) => project.nodes.get(id)!).filter((n) => n.resource_type === 'test' && !n.unit_test);
  const at = (t: Node) => [t.declared_at?.file ?? t.original_file_path, t.declared_at?.line] as const;
  for (const t of tests) {
    try {
      const [file, line] = at(t);
      testStatus(0, t.config, file, line);
      const limit = t.config.limit;
      if (limit !== null && limit !== undefined && !(Number.isInteger(Number(limit)) && Number(limit) >= 0)) {
        throw new FtError(`test ${t.name}: limit must be a whole number of rows, not "${String(limit)}".`, 2, file, line);
      }
      scopesToChangedRows(t);
      compileTest(project, opts.compiler, t);
    } catch (e) {
      // a test that reads the database as it renders (get_columns_in_relation) is rendered when it runs, with its reads
      if (e instanceof IntrospectionPending) continue;
      if (e instanceof FtError) problems.push(e.exitCode === 2 ? e : new FtError(e.message, 2, e.file, e.line));
      else throw e;
    }
  }
  const columns = new ColumnOracle(opts);
  for (const t of tests) {
    if (!t.column_name || !t.attached_node || !PLAIN_COLUMN.test(t.column_name)) continue;
    if (!checksColumnFirst(project, t)) continue;
    const attached = project.nodes.get(t.attached_node);
    if (!attached) continue;
    const known = await columns.of(attached);
    if (!known || known.some((c) => c.toLowerCase() === t.column_name!.toLowerCase())) continue;
    const where = runIds.has(attached.unique_id) ? `the ${attached.resource_type} ${attached.name}` : attached.relation_name ?? attached.name;
    const [file, line] = at(t);
    problems.push(new FtError(`test ${t.name}: column "${t.column_name}" does not exist in ${where}.${didYouMean(t.column_name, known)} Fix the column name in the YAML.`, 2, file, line));
  }
  if (problems.length === 1) throw problems[0];
  if (problems.length) throw new FtError(`${problems.length} tests cannot run:\n${problems.map((p) => `  ${p.format()}`).join('\n')}`, 2);
}

/** The columns of nodes before the run: from the database, a seed's header, or a model's SQL. */
class ColumnOracle {
  private readonly memo = new Map<string, string[] | undefined>();
  private readonly visiting = new Set<string>();
  private readonly relCols = new Map<string, string[] | undefined>();
  private readonly byRelation = new Map<string, Node>();
  /** relation names this run builds: their current columns say nothing of the new ones */
  private readonly built = new Set<string>();

  constructor(private readonly opts: PreflightOptions) {
    for (const id of opts.runIds) {
      const rel = opts.project.nodes.get(id)?.relation_name;
      if (rel) this.built.add(rel);
    }
    for (const n of opts.project.nodes.values()) {
      if (n.resource_type === 'model' || n.resource_type === 'seed' || n.resource_type === 'source') this.byRelation.set(`${n.schema}.${n.alias}`.toLowerCase(), n);
    }
    for (const [id, rel] of opts.deferred ?? []) {
      const parts = splitRelationName(rel);
      const n = opts.project.nodes.get(id);
      if (parts && n) this.byRelation.set(`${parts[0]}.${parts[1]}`.toLowerCase(), n);
    }
  }

  async of(node: Node): Promise<string[] | undefined> {
    if (this.memo.has(node.unique_id)) return this.memo.get(node.unique_id);
    if (this.visiting.has(node.unique_id)) return undefined; // a model reading {{this}}
    this.visiting.add(node.unique_id);
    let cols: string[] | undefined;
    try {
      cols = await this.compute(node);
    } catch {
      cols = undefined;
    } finally {
      this.visiting.delete(node.unique_id);
    }
    this.memo.set(node.unique_id, cols);
    return cols;
  }

  private async compute(node: Node): Promise<string[] | undefined> {
    const { project, runIds } = this.opts;
    const built = runIds.has(node.unique_id);
    if (node.resource_type === 'seed' && built) return seedHeader(resolve(project.root, node.original_file_path), String(node.config.delimiter ?? ','));
    if (node.resource_type === 'model' && (built || node.config.materialized === 'ephemeral')) return this.fromSql(node);
    const deferred = this.opts.deferred?.get(node.unique_id);
    const parts = deferred ? splitRelationName(deferred) : ([node.schema, node.alias] as const);
    if (!parts) return undefined;
    return this.database(parts[0], parts[1], deferred ? undefined : node.relation_name ?? undefined);
  }

  /** Columns of an existing relation; undefined when it does not exist. */
  private async database(schema: string, table: string, relationName?: string): Promise<string[] | undefined> {
    const { adapter, columnCache } = this.opts;
    const share = relationName !== undefined && !this.built.has(relationName);
    let cols = share ? columnCache.get(relationName) : undefined;
    if (!cols) {
      cols = adapter.columns(schema, table);
      if (share) columnCache.set(relationName, cols);
    }
    const list = await cols;
    return list.length ? list.map((c) => c.name) : undefined;
  }

  /** A model's output columns read from its compiled SELECT, when every `*` can be expanded. */
  private async fromSql(node: Node): Promise<string[] | undefined> {
    let sql: string;
    try {
      sql = this.opts.compiler.compile(node);
    } catch {
      return undefined;
    }
    for (let round = 0; round < 8; round++) {
      const missing = new Map<string, { db: string | null; table: string }>();
      const detail = analyseColumnLineage(sql, (rel) => {
        const key = `${rel.db ?? ''}.${rel.table}`.toLowerCase();
        if (this.relCols.has(key)) return this.relCols.get(key);
        missing.set(key, rel);
        return undefined;
      });
      if (!missing.size) return detail.error || !detail.complete ? undefined : [...detail.columns.keys()];
      for (const [key, rel] of missing) {
        const n = rel.db ? this.byRelation.get(key) : undefined;
        this.relCols.set(key, n ? await this.of(n) : rel.db ? await this.database(rel.db, rel.table) : undefined);
      }
    }
    return undefined;
  }
}


/** The header of a seed's CSV, read from its first 64 KiB. */
function seedHeader(file: string, delimiter: string): string[] | undefined {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(65536);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const text = buf.subarray(0, n).toString('utf8');
    const nl = text.indexOf('\n');
    if (nl < 0 && n === buf.length) return undefined;
    const header = parseCsvText(`${(nl < 0 ? text : text.slice(0, nl)).replace(/\r$/, '')}\n`, delimiter).header;
    return header.length ? header : undefined;
  } finally {
    closeSync(fd);
  }
}
