import { sqlArtifactPath, writeSqlArtifactLater } from '../artifacts/compiled-files.js';
import type { Adapter, ColumnDef } from '../adapters/adapter.js';
import type { Project } from '../project/project.js';
import type { Node } from '../project/types.js';
import type { Compiler } from '../template/compiler.js';
import { failureStorage, failuresSchema } from './failure-storage.js';
import { FtError } from '../util/errors.js';
import { didYouMean } from '../util/suggest.js';
import { scopesToChangedRows, type ChangedRows } from './changed-rows.js';
import { compileTest } from './compile-test.js';
import { checksColumnFirst } from './test-nodes.js';
import { enforcedByIndex } from './enforced-by-index.js';
import { withReads } from '../template/introspector.js';
import { definitionOf } from './generic/registry.js';
import type { GenericTestDefinition } from './generic/types.js';
import { testStatus } from './thresholds.js';

export interface TestRunOptions {
  project: Project;
  adapter: Adapter;
  compiler: Compiler;
  /** columns per relation, shared across a run so each table is introspected once */
  columnCache: Map<string, Promise<ColumnDef[]>>;
  storeFailures: boolean;
  /**
   * target/run files being written in the background (a synchronous write per test would
   * block the event loop and serialize parallel tests); each settles to null or an error.
   */
  pendingWrites?: Array<Promise<string | null>>;
  /** watermarks of the models built incrementally in this invocation (`scope: changed_rows`) */
  watermarks?: Map<string, ChangedRows>;
}


export interface TestOutcome {
  status: 'pass' | 'warn' | 'fail';
  failures: number;
  sample: Record<string, unknown>[];
  compiledSql: string;
  runPath: string;
  message: string;
}

/** The columns of the relation a test is attached to, read once per run. */
function columnsOf(attached: Node, opts: TestRunOptions): Promise<ColumnDef[]> {
  let cols = opts.columnCache.get(attached.relation_name!);
  if (!cols) {
    cols = opts.adapter.columns(attached.schema, attached.alias);
    opts.columnCache.set(attached.relation_name!, cols);
  }
  return cols;
}

/** Checks that a column test's column exists, so a typo is a clear error naming the YAML line. */
async function checkColumn(test: Node, opts: TestRunOptions): Promise<void> {
  if (!test.column_name || !test.attached_node || !checksColumnFirst(opts.project, test)) return;
  const attached = opts.project.nodes.get(test.attached_node);
  if (!attached?.relation_name) return;
  const list = await columnsOf(attached, opts);
  if (!list.length) return; // the relation is missing: the query's own error says so
  // an expression (e.g. "lower(email)") is not a plain column name
  if (!/^[\p{L}\p{N}_$ ]+$/u.test(test.column_name)) return;
  if (!list.some((c) => c.name.toLowerCase() === test.column_name!.toLowerCase())) {
    throw new FtError(
      `test ${test.name}: column "${test.column_name}" does not exist in ${attached.relation_name}.${didYouMean(test.column_name, list.map((c) => c.name))} Fix the column name in the YAML.`,
      2,
      test.declared_at?.file,
      test.declared_at?.line,
    );
  }
}

/**
 * A column a test reads as time (an anomaly test's timestamp_column) must exist and be a date,
 * datetime or timestamp: text or a number would place no row in any bucket, and the test would
 * pass whatever the data.
 */
async function checkTemporalArgs(test: Node, def: GenericTestDefinition | undefined, opts: TestRunOptions): Promise<void> {
  if (!def?.temporalArgs?.length || !test.attached_node) return;
  const attached = opts.project.nodes.get(test.attached_node);
  if (!attached?.relation_name) return;
  const list = await columnsOf(attached, opts);
  if (!list.length) return; // the relation is missing: the query's own error says so
  for (const arg of def.temporalArgs) {
    const name = test.test_metadata?.kwargs[arg];
    if (typeof name !== 'string' || !/^[\p{L}\p{N}_$ ]+$/u.test(name)) continue; // an expression: the server judges it
    const col = list.find((c) => c.name.toLowerCase() === name.toLowerCase());
    const problem = !col
      ? `does not exist in ${attached.relation_name}.${didYouMean(name, list.map((c) => c.name))}`
      : /^(date|datetime|timestamp)\b/i.test(col.type)
        ? null
        : `is ${col.type} in ${attached.relation_name}, not a date or datetime, so no row would fall in a time bucket and the test could never fail.`;
    if (problem) {
      throw new FtError(`test ${test.name}: ${arg} "${name}" ${problem} Point ${arg} at a date or datetime column (or cast it to one in the model).`, 2, test.declared_at?.file, test.declared_at?.line);
    }
  }
}

/** Runs one data test as a single set-based query; failing rows never come into Node except a sample. */
export async function executeTest(test: Node, opts: TestRunOptions): Promise<TestOutcome> {
  const { project, adapter, compiler } = opts;
  await checkColumn(test, opts);
  const def = definitionOf(test);
  await checkTemporalArgs(test, def, opts);
  const mark = test.attached_node ? opts.watermarks?.get(test.attached_node) : undefined;
  const changed = mark && def?.changedRows && scopesToChangedRows(test) ? mark : undefined;
  // a test reading the database while compiling (get_columns_in_relation…) reads it first
  const sql = (await withReads(compiler.introspector, () => compileTest(project, compiler, test, changed))).trim().replace(/;\s*$/, '');
  test.compiled_code = sql;
  const limit = test.config.limit;
  const inner = limit !== null && limit !== undefined ? `SELECT * FROM (\n${sql}\n) AS ft_limited LIMIT ${Number(limit)}` : sql;
  const failCalc = String(test.config.fail_calc ?? def?.failCalc ?? 'COUNT(*)');
  const countSql = `SELECT ${failCalc} AS failures FROM (\n${inner}\n) AS ft_test`;
  const statements: string[] = [countSql];
  const runPath = sqlArtifactPath(project, test, 'run');
  // a uniqueness the server enforces is known without reading the table
  const enforced = await enforcedByIndex(test, def, opts);
  if (enforced) {
    writeSqlArtifactLater(runPath, `-- not run: ${enforced}, so the server holds no duplicate for the query to find\n`, opts.pendingWrites);
    return { status: 'pass', failures: 0, sample: [], compiledSql: sql, runPath, message: enforced };
  }
  const outcome = await adapter.withSession(async (s) => {
    const [row] = await s.query<{ failures: unknown }>(countSql);
    const failures = Number(row?.failures ?? 0) || 0;
    const status = testStatus(failures, test.config, test.declared_at?.file, test.declared_at?.line);
    let sample: Record<string, unknown>[] = [];
    if (failures > 0) sample = await s.query(`SELECT * FROM (\n${inner}\n) AS ft_sample LIMIT 5`);
    const storage = failureStorage(test, opts.storeFailures);
    if (storage) {
      const schema = failuresSchema(project, test);
      await adapter.ensureSchema(schema);
      const rel = adapter.relation(schema, test.alias);
      // what an earlier run stored may be the other kind (store_failures_as changed)
      const before = await adapter.relationType(schema, test.alias);
      const stmts = [
        ...(before ? [adapter.ddl.dropRelation(rel, before)] : []),
        storage === 'view' ? `CREATE VIEW ${rel} AS\n${inner}` : `CREATE TABLE ${rel} AS\n${inner}`,
      ];
      for (const st of stmts) {
        statements.push(st);
        await s.execute(st);
      }
    }
    return { status, failures, sample };
  });
  writeSqlArtifactLater(runPath, `${statements.join(';\n\n')};\n`, opts.pendingWrites);
  const scoped = changed ? ` (rows with ${changed.column} > ${changed.above})` : '';
  const message = outcome.status === 'pass' ? `PASS${scoped}` : `Got ${outcome.failures} result${outcome.failures === 1 ? '' : 's'}, configured to ${outcome.status === 'fail' ? 'fail' : 'warn'} if ${outcome.status === 'fail' ? test.config.error_if ?? '!= 0' : test.config.warn_if ?? '!= 0'}${scoped}`;
  return { ...outcome, compiledSql: sql, runPath, message };
}
