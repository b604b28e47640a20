import { createAdapter } from '../adapters/mysql/mysql-adapter.js';
import type { Adapter, ColumnDef } from '../adapters/adapter.js';
import type { CommandContext } from '../cli/context.js';
import { formatSample } from './reporter.js';
import { writeManifest } from '../artifacts/manifest.js';
import { topoSort } from '../graph/build-graph.js';
import { withIndirectTests, type IndirectSelection } from '../graph/indirect-selection.js';
import { keepsResourceType } from '../graph/resource-types.js';
import { EVERY_WARNING_AN_ERROR, type WarnErrors, type WarningKind } from './warn-errors.js';
import { selection, unmatchedMessage } from '../graph/selector.js';
import type { Project } from '../project/project.js';
import type { Node } from '../project/types.js';
import { newCompiler } from '../compile/compile-nodes.js';
import { lintInvocation } from '../lint/lint-run.js';
import type { ChangedRows } from '../testing/changed-rows.js';
import { executeTest } from '../testing/execute-test.js';
import { failureStorage, failuresSchema } from '../testing/failure-storage.js';
import { executeUnitTest } from '../testing/unit/execute-unit-test.js';
import { preflightTests } from '../testing/preflight.js';
import { githubAnnotations } from '../testing/github-annotations.js';
import { writeJunitXml } from '../testing/junit-xml.js';
import { FtError } from '../util/errors.js';
import { onInterrupt } from '../util/interrupt.js';
import { executeModel } from './execute-model.js';
import { retryTransient } from './retry-transient.js';
import type { NodeResult } from './node-result.js';
import { Reporter } from './reporter.js';
import { writeRunResults } from './run-results.js';
import { schedule } from './scheduler.js';
import { resolveDeferred } from './defer.js';
import { runProjectHooks } from './project-hooks.js';
import { checkRelationNames } from '../materializations/relation-check.js';
import { Introspector } from '../template/introspector.js';
import { unenforcedConstraintWarnings } from '../materializations/constraints-ddl.js';
import { viewDocsWarnings } from '../materializations/view-docs-warnings.js';
import { foreignKeyWarnings } from '../materializations/foreign-key-warnings.js';

export type RunKind = 'run' | 'seed' | 'test' | 'build' | 'snapshot';

export interface InvocationOptions {
  kind: RunKind;
  select?: string[];
  exclude?: string[];
  /** which tests the selection brings in besides those it names (default eager, as dbt) */
  indirectSelection?: IndirectSelection;
  /** --resource-type / --exclude-resource-type: only / never nodes of these types (resource-types.ts) */
  resourceTypes?: Set<string> | null;
  excludeResourceTypes?: Set<string> | null;
  fullRefresh?: boolean;
  threads?: number;
  failFast?: boolean;
  warnError?: boolean;
  /** --warn-error-options: which warnings are errors, and which are not shown (warn-errors.ts); --warn-error is all of them */
  warnErrors?: WarnErrors;
  storeFailures?: boolean;
  junitXml?: string;
  defer?: boolean;
  /** seconds to wait for another run's lock on the target */
  lockWait?: number;
  /** a signal does not cancel this run: its caller stops after it (continuous builds) */
  finishOnInterrupt?: boolean;
  /** only these nodes of the selection run (ft retry: the last run's errors, failures and skips) */
  only?: Set<string>;
  /** more of the command line, kept in run_results.json's args (ft retry repeats them) */
  args?: Record<string, unknown>;
  /** build without the selection's tests (continuous builds test on their own cadence) */
  skipTests?: boolean;
  /**
   * `scope: changed_rows` tests of a test run read the rows above these watermarks (by model
   * id): what changed since an earlier point, e.g. the last test run of a continuous build
   */
  changedSince?: ReadonlyMap<string, ChangedRows>;
  /**
   * false: the run does not take the target's run lock, so it runs alongside a build (a
   * continuous build's test run, which only reads); default true
   */
  runLock?: boolean;
  /** the results file in target/ (default run_results.json; a continuous build's test run: run_results_tests.json) */
  runResultsFile?: string;
  /** handed the run's results as run_results.json records them (a continuous build's test run: which tests failed) */
  onResults?: (results: readonly NodeResult[]) => void;
  /**
   * these data tests run their queries on `adapter` instead of the run's pool: a continuous
   * build's test run reads one snapshot taken between two builds (createSnapshotAdapter,
   * snapshot-reads.ts). The caller opens and closes it.
   */
  reads?: { adapter: Adapter; tests: ReadonlySet<string> };
}

/** Which nodes a command runs from a selection. */
function runnable(ctx: CommandContext, opts: InvocationOptions, selected: Set<string>, excluded: Set<string>): Set<string> {
  const { project, graph } = ctx;
  const { kind } = opts;
  const keep = (n: Node): boolean => {
    if (!keepsResourceType(n, opts.resourceTypes ?? null, opts.excludeResourceTypes ?? null)) return false;
    if (n.resource_type === 'model') return (kind === 'run' || kind === 'build') && n.config.materialized !== 'ephemeral';
    if (n.resource_type === 'seed') return kind === 'seed' || kind === 'build';
    if (n.resource_type === 'snapshot') return kind === 'snapshot' || kind === 'build';
    if (n.resource_type === 'test') return kind === 'test' || kind === 'build';
    return false;
  };
  let ids = selected;
  if (kind === 'test' || kind === 'build') ids = withIndirectTests(project, graph, selected, excluded, opts.indirectSelection);
  return new Set([...ids].filter((id) => keep(project.nodes.get(id)!)));
}

/**
 * Dependencies inside the run, as dbt's build: a test waits for every node it reads, and a
 * node also waits for each test whose nodes are all upstream of it, so a failed
 * error-severity test skips what is built from the data it checked. A test that reads a node
 * downstream of the one it is attached to (a relationships test on `items` pointing at
 * `orders`, built from `items`) gates only what is downstream of both.
 */
function runDependencies(ctx: CommandContext, ids: Set<string>, kind: RunKind): Map<string, string[]> {
  const { project, graph } = ctx;
  const isTest = (id: string): boolean => project.nodes.get(id)?.resource_type === 'test';
  /** tests of the run reading one node, by that node; tests reading several, apart */
  const testsOf = new Map<string, string[]>();
  const multiParentTests: string[] = [];
  if (kind === 'build') {
    for (const id of ids) {
      if (!isTest(id)) continue;
      const reads = new Set(graph.predecessors(id) ?? []);
      if (reads.size > 1) multiParentTests.push(id);
      for (const p of reads.size === 1 ? reads : []) {
        const list = testsOf.get(p) ?? [];
        list.push(id);
        testsOf.set(p, list);
      }
    }
  }
  const deps = new Map<string, Set<string>>();
  for (const id of ids) {
    // the nearest parents in the run, looking through ephemeral models; a test of a parent
    // met on the way (one in the run, an ephemeral one or a source outside the run) gates the node
    const ds = new Set<string>();
    const test = isTest(id);
    const stack = [...(graph.predecessors(id) ?? [])];
    const seen = new Set<string>();
    while (stack.length) {
      const p = stack.pop()!;
      if (seen.has(p)) continue;
      seen.add(p);
      if (ids.has(p)) ds.add(p);
      else if (project.nodes.get(p)?.config.materialized === 'ephemeral') stack.push(...(graph.predecessors(p) ?? []));
      if (!test) for (const t of testsOf.get(p) ?? []) ds.add(t);
    }
    deps.set(id, ds);
  }
  // a test reading several nodes gates the nodes downstream of all of them (never one it reads: no cycle)
  const below = new Map<string, Set<string>>();
  const descendants = (n: string): Set<string> => {
    let out = below.get(n);
    if (!out) {
      out = new Set<string>();
      const stack = [...(graph.successors(n) ?? [])];
      while (stack.length) {
        const c = stack.pop()!;
        if (out.has(c)) continue;
        out.add(c);
        stack.push(...(graph.successors(c) ?? []));
      }
      below.set(n, out);
    }
    return out;
  };
  for (const t of multiParentTests) {
    const [first, ...rest] = [...new Set(graph.predecessors(t) ?? [])].map(descendants).sort((a, b) => a.size - b.size);
    for (const n of first!) if (n !== t && ids.has(n) && !isTest(n) && rest.every((d) => d.has(n))) deps.get(n)!.add(t);
  }
  // a unit test reads no relation of the run: it runs after its model's parents and before the
  // model, which it gates (so a failing one skips the model and what is built from it, as in dbt)
  for (const id of ids) {
    const model = project.nodes.get(id)?.unit_test?.model_id;
    if (!model) continue;
    deps.set(id, new Set([...(deps.get(model) ?? [])].filter((d) => !isTest(d))));
    deps.get(model)?.add(id);
  }
  return new Map([...deps].map(([id, ds]) => [id, [...ds]]));
}

/** ft run / seed / test / build: select, lock the target, execute the DAG, write artifacts. */
export async function invoke(ctx: CommandContext, opts: InvocationOptions): Promise<number> {
  const { project, graph, out, state } = ctx;
  const started = Date.now();
  const unmatched: string[] = [];
  const { selected, excluded } = selection(project, graph, { select: opts.select, exclude: opts.exclude, state, indirectSelection: opts.indirectSelection, unmatched: (c) => unmatched.push(c) });
  const errors = opts.warnError ? EVERY_WARNING_AN_ERROR : opts.warnErrors;
  const isError = (kind: WarningKind): boolean => Boolean(errors?.error.has(kind));
  if (!errors?.silence.has('no_nodes')) for (const c of unmatched) out.warn(unmatchedMessage(c));
  if (unmatched.length && isError('no_nodes')) {
    out.error(`--warn-error: ${unmatched.length === 1 ? 'a selection criterion matches' : 'selection criteria match'} no enabled node; nothing was run. Check the names with ft ls, or drop --warn-error.`);
    return 1;
  }
  const runs = runnable(ctx, opts, selected, excluded);
  if (opts.skipTests) for (const id of runs) if (project.nodes.get(id)!.resource_type === 'test') runs.delete(id);
  const ids = opts.only ? new Set([...runs].filter((id) => opts.only!.has(id))) : runs;
  const threads = Math.max(1, opts.threads ?? project.target.threads);
  const adapter = createAdapter(project.target, threads);
  adapter.onNotice?.((m) => out.warn(m));
  checkRelationNames(project, adapter, ids);
  let cancelled = false;
  const stopListening = opts.finishOnInterrupt ? () => undefined : onInterrupt(() => {
    if (cancelled) return;
    cancelled = true;
    out.warn('cancelling: stopping running statements (KILL QUERY)…');
    void adapter.cancelAll();
  });
  let lock: { release(): Promise<void> } | null = null;
  try {
    const server = await adapter.server();
    out.event('server', { flavor: server.flavor, version: server.version });
    for (const m of unenforcedConstraintWarnings(project, ids, server)) out.warn(m);
    for (const m of viewDocsWarnings(project, ids)) out.warn(m);
    if (opts.kind === 'run' || opts.kind === 'build') for (const m of foreignKeyWarnings(project, ids)) out.warn(m);
    if (opts.runLock !== false) {
      const lockName = `ft_run:${project.target.database}`;
      const wait = opts.lockWait ?? 60;
      lock = await adapter.acquireLock(lockName, 0);
      if (!lock && wait > 0) {
        out.warn(`another ft run holds the lock on target database ${project.target.database}; waiting up to ${wait}s…`);
        lock = await adapter.acquireLock(lockName, wait);
      }
      if (!lock && cancelled) throw new FtError('cancelled while waiting for the run lock; nothing was built.', 130);
      if (!lock) {
        throw new FtError(`another ft run is building target database ${project.target.database} and did not finish in time. Wait for it to end, or pass --lock-wait <seconds> to wait longer.`);
      }
    }
    const deferred = opts.defer && state ? await resolveDeferred(project, adapter, state, ids) : undefined;
    const incrementalFlags = new Map<string, boolean>();
    /** watermarks of the models this invocation builds incrementally, for `scope: changed_rows` tests and {{watermark}} */
    const watermarks = new Map<string, ChangedRows>(opts.changedSince ?? []);
    // a model reading the database while compiling renders right before it runs, after its parents are built
    const introspector = new Introspector(adapter);
    const { compiler, cache } = newCompiler(project, { isIncremental: (n) => isIncrementalNow(project, n, incrementalFlags, opts.changedSince), deferred, watermark: (id) => watermarks.get(id)?.above, introspector });
    const columnCache = new Map<string, Promise<ColumnDef[]>>();
    await preflightTests({ project, adapter, compiler, runIds: ids, deferred, columnCache });
    // MySQL traps in the SQL about to run: warnings, or with --warn-error nothing runs
    const { warnings: traps, later: lintLater } = lintInvocation(project, graph, ids, compiler, { deferred });
    for (const m of traps) out.warn(m);
    if (traps.length && isError('mysql_trap')) {
      out.error(`--warn-error: ${traps.length} MySQL trap${traps.length === 1 ? '' : 's'} in the SQL to run (warned of above); nothing was run. Write the MySQL each warning gives, or list the rule in the node's lint_ignore config where the construct is meant.`);
      return 1;
    }
    if (opts.kind !== 'test' && opts.kind !== 'seed') await runProjectHooks(project, compiler, adapter, 'on-run-start', out);

    const order = topoSort(graph, new Set([...ids]));
    const deps = runDependencies(ctx, ids, opts.kind);
    const reporter = new Reporter(project, out, order.length, !out.json && Boolean(process.stderr.isTTY) && !process.env.NO_COLOR && !process.env.CI);
    out.event('run_started', { command: opts.kind, nodes: order.length, threads });
    if (!out.json) out.info(`Running ${order.length} node${order.length === 1 ? '' : 's'} with ${threads} thread${threads === 1 ? '' : 's'} on ${server.flavor} ${server.version.split('-')[0]}\n`);

    let configError: FtError | null = null;
    const pendingWrites: Array<Promise<string | null>> = [];
    const results = await schedule(order, deps, {
      threads,
      failFast: Boolean(opts.failFast),
      isCancelled: () => cancelled,
      onResult: (r) => reporter.line(r),
      skipped: (id, because) => {
        const now = new Date().toISOString();
        const cause = project.nodes.get(because)?.name ?? because;
        return { unique_id: id, status: 'skipped', message: `skipped because ${cause} did not succeed`, rowsAffected: null, failures: null, startedAt: now, completedAt: now, executionTime: 0, threadId: 'main', skippedBecause: because };
      },
      execute: async (id, slot) => {
        const node = project.nodes.get(id)!;
        reporter.start(id);
        const t0 = Date.now();
        const startedAt = new Date(t0).toISOString();
        const base = { unique_id: id, startedAt, threadId: `Thread-${slot}` };
        const timing = () => ({ completedAt: new Date().toISOString(), executionTime: (Date.now() - t0) / 1000 });
        try {
          if (node.unit_test) {
            // a test is retried as a model is (a node lost mid-test: again on the next host)
            const { value: u, retries } = await retryTransient(() => executeUnitTest(node, { project, adapter, pendingWrites }));
            return { ...base, ...timing(), status: u.status, message: u.message, rowsAffected: null, failures: u.failures, runPath: u.runPath, unitDiff: u.diff, ...(retries ? { retries } : {}) };
          }
          if (node.resource_type === 'test') {
            const { value: t, retries } = await retryTransient(() => executeTest(node, { project, adapter: opts.reads?.tests.has(id) ? opts.reads.adapter : adapter, compiler, columnCache, storeFailures: Boolean(opts.storeFailures), pendingWrites, watermarks }));
            const status = t.status === 'warn' && isError('test_warn') ? 'fail' : t.status;
            return { ...base, ...timing(), status, message: t.message, rowsAffected: null, failures: t.failures, sample: t.sample, runPath: t.runPath, ...(retries ? { retries } : {}) };
          }
          const m = await executeModel(node, { project, adapter, compiler, fullRefresh: Boolean(opts.fullRefresh), incrementalFlags, pendingWrites, watermarks, lintLater: { nodes: lintLater, warn: (m) => out.warn(m), warnError: isError('mysql_trap') } });
          return { ...base, ...timing(), status: 'success', message: m.message, rowsAffected: m.rowsAffected, merged: m.merged, failures: null, compiledPath: m.compiledPath, runPath: m.runPath, retries: m.retries };
        } catch (e) {
          if (cancelled) return { ...base, ...timing(), status: 'error', message: 'cancelled', rowsAffected: null, failures: null };
          // bad input in a test's or a model's config (unknown strategy, unique_key missing…): exit 2
          if (e instanceof FtError && e.exitCode === 2) configError ??= e;
          return { ...base, ...timing(), status: 'error', message: errorMessage(ctx, node, e), rowsAffected: null, failures: null };
        }
      },
    });
    reporter.finish();
    for (const n of introspector.notes) out.warn(n);
    // target/run files are written in the background; run_results.json points at them
    for (const problem of await Promise.all(pendingWrites)) if (problem) out.warn(problem);
    const list = order.map((id) => results.get(id)!).filter(Boolean);
    cache.save();
    writeManifest(project, graph);
    const elapsed = (Date.now() - started) / 1000;
    opts.onResults?.(list);
    writeRunResults(project, list, elapsed, { ...opts.args, command: opts.kind, select: opts.select ?? [], exclude: opts.exclude ?? [], full_refresh: Boolean(opts.fullRefresh), threads, target: project.target.targetName }, opts.runResultsFile);
    if (opts.junitXml) writeJunitXml(opts.junitXml, project, list, elapsed);
    if (process.env.GITHUB_ACTIONS === 'true') for (const a of githubAnnotations(project, list)) process.stdout.write(`${a}\n`);
    if (!cancelled && opts.kind !== 'test' && opts.kind !== 'seed') await runProjectHooks(project, compiler, adapter, 'on-run-end', out, list);
    summarize(ctx, list, elapsed, opts);
    if (cancelled) return 130;
    const unresolved = list.filter((r) => r.internalError).map((r) => r.unique_id);
    if (unresolved.length) {
      out.error(`internal error: ${unresolved.length} selected node${unresolved.length === 1 ? ' was' : 's were'} never run: ${unresolved.map((id) => project.nodes.get(id)?.name ?? id).join(', ')}. This is a bug in ft; please report it with the project's graph (ft ls --output json).`);
      return 2;
    }
    if (configError) {
      out.error((configError as FtError).format());
      return 2;
    }
    const failed = list.some((r) => r.status === 'error' || r.status === 'fail');
    return failed ? 1 : 0;
  } finally {
    stopListening();
    if (lock) await lock.release().catch(() => undefined);
    await adapter.close();
  }
}

function errorMessage(ctx: CommandContext, node: Node, e: unknown): string {
  const err = e as { sqlMessage?: string; message?: string; errno?: number };
  // a model's SQL error is in its .sql file, not in the YAML that documents it
  const file = node.resource_type === 'test' ? node.declared_at?.file ?? node.original_file_path : node.original_file_path;
  const compiled = node.resource_type === 'model' ? `\n  compiled SQL: ${ctx.project.config.targetPath}/compiled/${ctx.project.config.name}/${node.original_file_path}` : '';
  if (e instanceof FtError) return `${e.format()}${compiled}`;
  const server = err.sqlMessage ? `server error ${err.errno}: ${err.sqlMessage}` : err.message ?? String(e);
  return `${server}\n  in ${file}${compiled}`;
}

function summarize(ctx: CommandContext, list: NodeResult[], elapsed: number, opts: InvocationOptions): void {
  const { out, project } = ctx;
  const count = (s: string) => list.filter((r) => r.status === s).length;
  const ok = count('success') + count('pass');
  const summary = { pass: ok, warn: count('warn'), error: count('error'), fail: count('fail'), skip: count('skipped'), total: list.length };
  out.event('run_finished', { ...summary, elapsed });
  if (out.json) return;
  out.info(`\nFinished running ${list.length} node${list.length === 1 ? '' : 's'} in ${elapsed.toFixed(2)}s.`);
  const failing = list.filter((r) => r.status === 'fail' || r.status === 'error' || r.status === 'warn');
  for (const r of failing) {
    const node = project.nodes.get(r.unique_id)!;
    const where = node.resource_type === 'test' && node.declared_at ? `${node.declared_at.file}:${node.declared_at.line}` : node.original_file_path;
    const head = r.status === 'error' ? `Error in ${node.resource_type} ${node.name} (${where})` : `${r.status === 'warn' ? 'Warning' : 'Failure'} in test ${node.name} (${where}): ${r.failures} failing row${r.failures === 1 ? '' : 's'}`;
    out.info(`\n${head}\n  ${r.message.split('\n').join('\n  ')}`);
    if (r.sample?.length) out.info(formatSample(r.sample).replace(/^/gm, '  '));
    const storage = r.status !== 'error' ? failureStorage(node, opts.storeFailures) : null;
    if (storage) out.info(`  failing rows stored in ${failuresSchema(project, node)}.${node.alias}${storage === 'view' ? ' (a view)' : ''}`);
  }
  out.info(`\nDone. PASS=${summary.pass} WARN=${summary.warn} ERROR=${summary.error} FAIL=${summary.fail} SKIP=${summary.skip} TOTAL=${summary.total}`);
}

/**
 * is_incremental() as this invocation knows it: for a model, whether it is being built
 * incrementally; for a singular test, whether every incremental model it reads was, or (a
 * continuous build's test run) has a watermark of the rows tested before — so the test can
 * check only what changed since, see tests/data/*.sql.
 */
function isIncrementalNow(project: Project, node: Node, flags: Map<string, boolean>, changedSince?: ReadonlyMap<string, ChangedRows>): boolean {
  if (node.resource_type !== 'test') return flags.get(node.unique_id) ?? false;
  const incremental = node.depends_on.nodes.filter((d) => project.nodes.get(d)?.config.materialized === 'incremental');
  return incremental.length > 0 && incremental.every((d) => flags.get(d) ?? changedSince?.has(d) ?? false);
}
