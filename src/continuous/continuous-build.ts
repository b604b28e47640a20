/**
 * `ft stream-load --build <selector>`: after each committed batch, the selected models are
 * built (incrementally, as `ft build` builds them, without the tests) in this process, while
 * loading goes on. Batches committed during a build coalesce into the next one (build-loop.ts);
 * a failing build is reported, kept in run_results.json and the status line, and tried again at
 * the next batch. After each build, the freshness of the selected models that show event times
 * is measured (model-freshness.ts) against the newest event loaded, which the loader's own
 * batches tell.
 *
 * The selection's tests (data and unit tests) run on their own cadence, alongside the builds:
 * at most every `testIntervalMs` once something was built since the last test run, and at stop.
 * Tests only read, so a test run takes no run lock and builds go on while it runs; one test run
 * at a time. A test run reads, in `scope: changed_rows` tests, the rows changed since the last
 * test run that passed (the models' watermarks when it started), so every row is tested at
 * least once; its results are target/run_results_tests.json (builds write run_results.json).
 *
 * A build changes its models one after another, so a test reading two of them mid-build would
 * see one built and the other not yet. A test run therefore reads a snapshot of the database
 * taken between two builds (the build in flight ends first; the next one waits only for the
 * snapshot to open): every model as one build left it, while builds go on committing. Tests of
 * a table or view model the builds replace read it as it is instead (snapshot-reads.ts), and a
 * test that stores its failures ends the snapshot (DDL commits): so a run that fails while a
 * build ran is still re-checked once, by a second run as soon as no build is in flight, and
 * only that run's result is reported. A failure with no build alongside is reported at once.
 * A reported failure stays in the status line until a test run passes.
 */
import { createAdapter, createSnapshotAdapter } from '../adapters/mysql/mysql-adapter.js';
import type { Adapter } from '../adapters/adapter.js';
import type { CommandContext } from '../cli/context.js';
import type { Output } from '../cli/output.js';
import { withIndirectTests } from '../graph/indirect-selection.js';
import { selection } from '../graph/selector.js';
import { failureStorage } from '../testing/failure-storage.js';
import { invoke, type InvocationOptions } from '../runner/invocation.js';
import type { NodeResult } from '../runner/node-result.js';
import { readWatermark, type ChangedRows } from '../testing/changed-rows.js';
import type { Node } from '../project/types.js';
import type { CommittedBatch, StatusExtra, StreamTarget } from '../stream/types.js';
import { FtError } from '../util/errors.js';
import { BuildLoop } from './build-loop.js';
import { snapshotReadingTests } from './snapshot-reads.js';
import { freshnessProbe, judge, type FreshnessProbe, type FreshnessReading } from './model-freshness.js';

export interface ContinuousBuildOptions {
  ctx: CommandContext;
  select: string[];
  exclude?: string[];
  threads?: number;
  /** the bronze table the loader fills, and its column of event times (loader: event_time) */
  bronze: StreamTarget;
  eventTime?: string;
  /** data and unit tests at most this often (ms) while building, and at stop; 0: after every build (default 60 s) */
  testIntervalMs?: number;
  /** --max-batches-per-build: each build takes at most this many batches, so builds go on while the models advance */
  maxBatchesPerBuild?: number;
}

export interface TestReport {
  run: number;
  startedAt: string;
  finishedAt: string;
  status: 'success' | 'error';
  code: number;
  seconds: number;
  /** the builds it covers: every build up to this one */
  afterBuild: number;
  /** the failing tests' lines of the test run's summary */
  failures: string[];
}

export const DEFAULT_TEST_INTERVAL_MS = 60_000;

export interface BuildReport {
  build: number;
  startedAt: string;
  finishedAt: string;
  status: 'success' | 'error';
  /** exit code of the build (0, 1, 2) */
  code: number;
  seconds: number;
  /** batches committed before the build started: what it could take in */
  upToBatch: number;
  freshness: FreshnessReading[];
  /** the failing nodes' lines of the build's summary */
  failures: string[];
}

/** batches whose newest event is remembered (a day at one batch a second is 86,400) */
const MAX_BATCHES_KEPT = 200_000;

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export class ContinuousBuild {
  readonly loop: BuildLoop;
  private readonly probes: FreshnessProbe[];
  private readonly adapter: Adapter;
  /** [batch id, newest event time (ms) of the batches up to it], batch ids increasing */
  private newestByBatch: Array<[number, number]> = [];
  private lastBatch = 0;
  /** newest event time loaded (ms), null while unknown */
  private newestLoaded: number | null = null;
  /** reads of the batches' newest events still running (a build waits for them) */
  private reads: Promise<void> = Promise.resolve();
  private readonly warned = new Set<string>();
  last: BuildReport | null = null;
  /** builds that failed since the last success */
  failingSince = 0;
  /** builds started so far */
  private builds = 0;
  /** a batch was committed (or bronze found) since the last build started */
  private buildWanted = false;
  /** test runs so far, the last one, and the builds not tested yet */
  private testRuns = 0;
  lastTests: TestReport | null = null;
  private untestedBuilds = 0;
  private lastTestAt = Date.now();
  /** watermarks of the selected models when the last passing test run started: later rows are untested */
  private testedUpTo = new Map<string, ChangedRows>();
  private testTimer: NodeJS.Timeout | null = null;
  /** the test run in flight */
  private testing: Promise<void> | null = null;
  /** the build in flight, null between builds */
  private building: Promise<void> | null = null;
  /** the last test run failed alongside a build: it runs again (same number) before its failure is reported */
  private recheck: { run: number; afterBuild: number } | null = null;
  /** no test run starts but the one at stop */
  private stopping = false;
  /** the test run in flight is a re-check (no build starts until it ends) */
  private rechecking = false;
  /** a test run is opening its snapshot: the next build starts once it is open */
  private snapshotOpening: Promise<unknown> | null = null;
  /** the connection for the test runs' watermarks, apart from the builds' own */
  private readonly testAdapter: Adapter;
  private readonly testIntervalMs: number;
  private readonly incrementalModels: Node[];
  private readonly hasTests: boolean;
  /** the data tests that read a test run's snapshot (snapshot-reads.ts) */
  private readonly snapshotTests: ReadonlySet<string>;
  /** a test of the selection stores its failures: its DDL ends a test run's snapshot, so no failure is trusted to it */
  private readonly storesFailures: boolean;

  constructor(private readonly o: ContinuousBuildOptions) {
    const { project, graph, state } = o.ctx;
    const { selected, excluded } = selection(project, graph, { select: o.select, exclude: o.exclude, state, unmatched: (c) => o.ctx.out.warn(`--build ${c}: matches no enabled node`) });
    const probes = [...selected]
      .map((id) => project.nodes.get(id)!)
      .filter((n) => n.resource_type === 'model' && n.config.materialized !== 'ephemeral')
      .map(freshnessProbe)
      .filter((p): p is FreshnessProbe => p !== null);
    // the models that declare a freshness target are the ones to watch; without any, all that can tell
    this.probes = probes.some((p) => p.target) ? probes.filter((p) => p.target) : probes;
    if (!selected.size) throw new FtError(`--build ${o.select.join(' ')} selects nothing to build. Check the names with ft ls --select …`);
    this.incrementalModels = [...selected].map((id) => project.nodes.get(id)!).filter((n) => n.resource_type === 'model' && n.config.materialized === 'incremental' && typeof n.config.watermark_column === 'string');
    this.testIntervalMs = o.testIntervalMs ?? DEFAULT_TEST_INTERVAL_MS;
    // a selection without tests has no test runs (they would only rewrite run_results.json)
    const tests = [...withIndirectTests(project, graph, selected, excluded)].filter((id) => project.nodes.get(id)?.resource_type === 'test');
    this.hasTests = tests.length > 0;
    this.snapshotTests = snapshotReadingTests(project, selected, tests);
    this.storesFailures = tests.some((id) => failureStorage(project.nodes.get(id)!) !== null);
    this.adapter = createAdapter(project.target, 1);
    this.testAdapter = createAdapter(project.target, 1);
    this.loop = new BuildLoop(() => this.step());
  }

  /** One turn of the build loop: the build asked for; then a test run if one is due and none runs. */
  private async step(): Promise<void> {
    if (this.buildWanted) {
      await this.waitForRecheck();
      // checked again after each wait, then no await until `building` is set: a test run opening
      // its snapshot (openSnapshotBetweenBuilds) never sees a build start under it
      while (this.snapshotOpening) await this.snapshotOpening;
      this.buildWanted = false;
      this.building = this.buildOnce();
      try {
        await this.building;
      } finally {
        this.building = null;
      }
    }
    this.startTestsIfDue();
  }

  /**
   * What a test run reads: a snapshot of the database taken between two builds (the build in
   * flight ends first; the next one waits the few milliseconds the snapshot takes to open). Every
   * model is then as one build left it, whatever the builds commit while the tests run.
   */
  private async openSnapshotBetweenBuilds(): Promise<Adapter> {
    while (this.building) await this.building.catch(() => undefined);
    const opening = createSnapshotAdapter(this.o.ctx.project.target);
    this.snapshotOpening = opening.catch(() => undefined);
    try {
      return await opening;
    } finally {
      this.snapshotOpening = null;
    }
  }

  /**
   * A failure seen alongside a build is re-checked with no build in flight, so the next build
   * waits for the re-check: builds that follow each other without a pause (a backlog) would
   * otherwise overlap it too, and a model half-built by one would be reported as a failure.
   */
  private async waitForRecheck(): Promise<void> {
    for (let i = 0; i < 4 && (this.recheck || this.rechecking); i++) {
      if (this.testing) {
        await this.testing;
        continue;
      }
      if (this.stopping) return;
      this.startTestsIfDue();
      if (!this.testing) return;
    }
  }

  /**
   * Starts a test run, alongside the builds, when one is due and none is running: a re-check
   * once no build is in flight, or tests of new builds every `testIntervalMs` (0: after every
   * build). Tests due later with no build coming to ask: a timer asks.
   */
  private startTestsIfDue(): void {
    if (this.testing || this.stopping) return;
    const due = this.recheck ? this.building === null : this.untestedBuilds > 0 && (this.testIntervalMs === 0 || Date.now() - this.lastTestAt >= this.testIntervalMs);
    if (due) {
      this.testing = this.testOnce().finally(() => {
        this.testing = null;
        this.startTestsIfDue();
      });
      return;
    }
    if (this.testTimer || this.recheck || this.untestedBuilds === 0 || this.testIntervalMs === 0) return;
    const wait = Math.max(0, this.lastTestAt + this.testIntervalMs - Date.now());
    this.testTimer = setTimeout(() => {
      this.testTimer = null;
      this.startTestsIfDue();
    }, wait);
    this.testTimer.unref();
  }

  /**
   * At stop (after the last build): the test run in flight ends, then the builds not tested
   * yet are tested (and a failure waiting for its re-check is re-checked) by one last run.
   */
  async testAtStop(): Promise<void> {
    this.stopping = true;
    await this.testing;
    if (this.untestedBuilds > 0 || this.recheck) await this.testOnce();
  }

  /** Stops starting test runs; the one in flight ends (SIGTERM). */
  async testsEnded(): Promise<void> {
    this.stopping = true;
    if (this.testTimer) clearTimeout(this.testTimer);
    this.testTimer = null;
    await this.testing;
  }

  /**
   * Before loading: when bronze exists, its newest event (later batches tell their own) and a
   * build to catch up with what was loaded but not built (after a stop or a kill). A bronze the
   * loader has yet to create waits for its first batch.
   */
  async start(): Promise<void> {
    const t = this.o.bronze;
    if (!(await this.adapter.relationType(t.database, t.table))) return;
    await this.readLoaded();
    this.buildWanted = true;
    this.loop.request();
  }

  /** The last batch in bronze and, with an event_time, its newest event. */
  private async readLoaded(): Promise<void> {
    const t = this.o.bronze;
    const rel = this.adapter.relation(t.database, t.table);
    const newest = this.o.eventTime ? `MAX(${this.adapter.quote(this.o.eventTime)})` : 'NULL';
    const rows = await this.adapter.withSession((s) => s.query<{ b: unknown; e: unknown }>(`SELECT MAX(\`_batch_id\`) AS b, ${newest} AS e FROM ${rel}`));
    const b = Number(rows[0]?.b ?? 0);
    const e = toMs(rows[0]?.e);
    this.lastBatch = b;
    if (b > 0 && e !== null) {
      this.newestLoaded = e;
      this.newestByBatch.push([b, e]);
    }
  }

  /** The loader committed a batch: learn its newest event, and ask for a build. */
  committed(b: CommittedBatch): void {
    this.lastBatch = Math.max(this.lastBatch, b.batchId);
    if (this.o.eventTime && (b.ranges.length || b.byBatchId)) {
      const read = this.batchNewest(b).then(
        (e) => {
          const prev = this.newestByBatch.at(-1)?.[1] ?? null;
          const cum = e === null ? prev : prev === null ? e : Math.max(prev, e);
          if (cum !== null) {
            this.newestByBatch.push([b.batchId, cum]);
            // bounded in a loader that runs for weeks: models lagging further back read as unknown
            if (this.newestByBatch.length > MAX_BATCHES_KEPT) this.newestByBatch = this.newestByBatch.slice(-MAX_BATCHES_KEPT / 2);
            this.newestLoaded = cum;
          }
        },
        () => undefined,
      );
      this.reads = this.reads.then(() => read);
    }
    this.buildWanted = true;
    this.loop.request();
  }

  /** MAX(event time) of one batch's rows, by the bronze key (file, line): its ranges, not a scan. */
  private async batchNewest(b: CommittedBatch): Promise<number | null> {
    const t = this.o.bronze;
    const where = b.byBatchId ? '`_batch_id` = ?' : b.ranges.map(() => '(`_source_file` = ? AND `_source_line` BETWEEN ? AND ?)').join(' OR ');
    const params = b.byBatchId ? [b.batchId] : b.ranges.flatMap((r) => [r.sourceFile, r.fromLine, r.toLine]);
    const rows = await this.adapter.withSession((s) => s.query<{ e: unknown }>(`SELECT MAX(${this.adapter.quote(this.o.eventTime!)}) AS e FROM ${this.adapter.relation(t.database, t.table)} WHERE ${where}`, params));
    return toMs(rows[0]?.e);
  }

  /** One invocation (build or test) with its output captured: exit code and text. */
  private async invokeQuiet(kind: 'build' | 'test', extra: Pick<InvocationOptions, 'skipTests' | 'changedSince' | 'runLock' | 'runResultsFile' | 'reads' | 'onResults'>): Promise<{ code: number; text: string }> {
    const captured: string[] = [];
    const quiet: Output = {
      json: false,
      color: false,
      info: (msg) => captured.push(msg),
      warn: (msg) => this.warnOnce(msg),
      error: (msg) => captured.push(`error: ${msg}`),
      event: () => undefined,
    };
    let code: number;
    try {
      code = await invoke({ ...this.o.ctx, out: quiet }, { kind, select: this.o.select, exclude: this.o.exclude, threads: this.o.threads, finishOnInterrupt: true, ...extra });
    } catch (e) {
      captured.push(e instanceof FtError ? e.format() : `error: ${(e as Error).message}`);
      code = e instanceof FtError ? e.exitCode : 2;
    }
    return { code, text: captured.join('\n') };
  }

  private async buildOnce(): Promise<void> {
    const n = ++this.builds;
    const upToBatch = this.lastBatch;
    const t0 = Date.now();
    const out = this.o.ctx.out;
    out.event('build_started', { build: n, up_to_batch: upToBatch });
    const capped = this.o.maxBatchesPerBuild !== undefined;
    const before = capped ? await this.readWatermarks(this.adapter).catch(() => null) : null;
    const { code, text } = await this.invokeQuiet('build', { skipTests: true });
    // a capped build may have left batches for the next: build again while the models advance
    // and none has reached the last batch loaded when it started
    const after = capped && code === 0 && before ? await this.readWatermarks(this.adapter).catch(() => before) : null;
    if (before && after && advanced(before, after) && !reached(after, upToBatch)) {
      this.buildWanted = true;
      this.loop.request();
    }
    if (this.hasTests) this.untestedBuilds++;
    const seconds = (Date.now() - t0) / 1000;
    await this.reads;
    const freshness = await this.measure().catch((e: Error) => {
      this.warnOnce(`could not measure the freshness of the built models: ${e.message}`);
      return [] as FreshnessReading[];
    });
    const failures = code === 0 ? [] : failureLines(text);
    this.last = { build: n, startedAt: new Date(t0).toISOString(), finishedAt: new Date().toISOString(), status: code === 0 ? 'success' : 'error', code, seconds, upToBatch, freshness, failures };
    this.failingSince = code === 0 ? 0 : this.failingSince + 1;
    this.report(this.last);
  }

  /**
   * The selection's data and unit tests, on the rows changed since the last passing test run,
   * while builds go on (no run lock; results in target/run_results_tests.json). The models'
   * watermarks are read first: when this run passes, rows up to them are tested.
   */
  private async testOnce(): Promise<void> {
    const again = this.recheck;
    this.recheck = null;
    this.rechecking = again !== null;
    try {
      await this.testRun(again);
    } finally {
      this.rechecking = false;
    }
  }

  private async testRun(again: { run: number; afterBuild: number } | null): Promise<void> {
    const n = again ? again.run : ++this.testRuns;
    // a re-check covers the builds since the run it re-checks, too
    const afterBuild = this.builds;
    this.untestedBuilds = 0;
    const t0 = Date.now();
    if (!again) this.lastTestAt = t0;
    const out = this.o.ctx.out;
    const buildsBefore = this.builds;
    const buildingAtStart = this.building !== null;
    out.event('tests_started', { tests: n, after_build: afterBuild, ...(again ? { recheck: true } : {}) });
    const snapshot = !this.snapshotTests.size ? null : await this.openSnapshotBetweenBuilds().catch((e: Error) => {
      this.warnOnce(`could not open a snapshot for the test run (its tests read the models as they are, mid-build too): ${e.message}`);
      return null;
    });
    let code: number;
    let text: string;
    let marks: Map<string, ChangedRows> | null;
    /** the tests that failed or erred */
    let failed: string[] = [];
    const onResults = (results: readonly NodeResult[]): void => {
      failed = results.filter((r) => r.status === 'fail' || r.status === 'error').map((r) => r.unique_id);
    };
    try {
      // the watermarks of the snapshot: what this run tests
      marks = await this.readWatermarks(snapshot ?? this.testAdapter).catch((e: Error) => {
        this.warnOnce(`could not read the models' watermarks before testing (every row is tested): ${e.message}`);
        return null;
      });
      ({ code, text } = await this.invokeQuiet('test', { changedSince: this.testedUpTo, runLock: false, runResultsFile: 'run_results_tests.json', reads: snapshot ? { adapter: snapshot, tests: this.snapshotTests } : undefined, onResults }));
    } finally {
      await snapshot?.close();
    }
    // a failing run's rows are tested again next time, with the newer ones
    if (code === 0 && marks) this.testedUpTo = marks;
    const seconds = (Date.now() - t0) / 1000;
    const alongsideBuild = buildingAtStart || this.building !== null || this.builds !== buildsBefore;
    // a test that read the snapshot saw the models as one build left them: its failure is real,
    // and re-checking it would only hold the builds back for a test run
    const sawOneBuild = snapshot !== null && !this.storesFailures && failed.length > 0 && failed.every((id) => this.snapshotTests.has(id));
    if (code !== 0 && !again && alongsideBuild && !sawOneBuild) {
      // it may have read a model before a build and another after it: not reported until re-checked
      this.recheck = { run: n, afterBuild };
      const failures = failureLines(text);
      out.event('tests_recheck', { tests: n, seconds, after_build: afterBuild, failures });
      if (!out.json) {
        out.info(`tests #${n} failed alongside a build in ${seconds.toFixed(1)}s: checking again once no build runs`);
        for (const l of failures) out.info(`  ${l}`);
      }
      return;
    }
    this.lastTests = { run: n, startedAt: new Date(t0).toISOString(), finishedAt: new Date().toISOString(), status: code === 0 ? 'success' : 'error', code, seconds, afterBuild, failures: code === 0 ? [] : failureLines(text) };
    this.reportTests(this.lastTests);
  }

  /** MAX(watermark_column) of each selected incremental model (those not built yet are left out). */
  private async readWatermarks(adapter = this.testAdapter): Promise<Map<string, ChangedRows>> {
    const marks = new Map<string, ChangedRows>();
    await adapter.withSession(async (s) => {
      for (const node of this.incrementalModels) {
        try {
          const m = await readWatermark(s, node, this.testAdapter);
          if (m) marks.set(node.unique_id, m);
        } catch (e) {
          if ((e as { errno?: number }).errno !== 1146) throw e;
        }
      }
    });
    return marks;
  }

  private reportTests(t: TestReport): void {
    const out = this.o.ctx.out;
    if (out.json) {
      out.event('tests', { tests: t.run, status: t.status, started_at: t.startedAt, finished_at: t.finishedAt, seconds: t.seconds, after_build: t.afterBuild, failures: t.failures });
      return;
    }
    out.info(`tests #${t.run} ${t.status === 'success' ? 'ok' : `FAILED (exit ${t.code})`} in ${t.seconds.toFixed(1)}s, builds ≤ #${t.afterBuild}`);
    for (const l of t.failures) out.info(`  ${l}`);
    if (t.status === 'error') out.info('  (target/run_results_tests.json has the details; the failing rows are tested again at the next test run)');
  }

  /** Freshness of each probed model now. */
  private async measure(): Promise<FreshnessReading[]> {
    if (!this.probes.length) return [];
    const a = this.adapter;
    return a.withSession(async (s) => {
      const out: FreshnessReading[] = [];
      for (const p of this.probes) {
        const col = a.quote(p.eventTime ?? p.batchColumn!);
        let newest: number | null = null;
        try {
          const [row] = await s.query<{ v: unknown }>(`SELECT MAX(${col}) AS v FROM ${a.relation(p.node.schema, p.node.alias)}`);
          newest = p.eventTime ? toMs(row?.v) : this.newestUpTo(Number(row?.v ?? 0));
        } catch (e) {
          // not built yet (1146); a column that is not there is the model's to fix, said once
          const err = e as { errno?: number; sqlMessage?: string; message: string };
          if (err.errno !== 1146) this.warnOnce(`freshness of ${p.node.name} (${p.node.original_file_path}): ${err.sqlMessage ?? err.message}; check its event_time / watermark_column config.`);
        }
        const lag = newest === null || this.newestLoaded === null ? null : Math.max(0, (this.newestLoaded - newest) / 1000);
        out.push({ model: p.node.name, newestEvent: iso(newest), lagSeconds: lag, status: judge(lag, p.target) });
      }
      return out;
    });
  }

  /** Newest event of the batches up to `batchId` (null when not known: loaded before this run started). */
  private newestUpTo(batchId: number): number | null {
    const list = this.newestByBatch;
    let lo = 0;
    let hi = list.length - 1;
    let found: number | null = null;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]![0] <= batchId) {
        found = list[mid]![1];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  private report(r: BuildReport): void {
    const out = this.o.ctx.out;
    const fresh = r.freshness.map((f) => `${f.model} ${f.lagSeconds === null ? '?' : `${f.lagSeconds.toFixed(1)}s`}${f.status === 'warn' || f.status === 'error' ? ` ${f.status.toUpperCase()}` : ''}`);
    if (out.json) {
      out.event('build', { build: r.build, status: r.status, started_at: r.startedAt, finished_at: r.finishedAt, seconds: r.seconds, up_to_batch: r.upToBatch, newest_event_loaded: iso(this.newestLoaded), freshness: r.freshness, failures: r.failures });
      return;
    }
    const head = `build #${r.build} ${r.status === 'success' ? 'ok' : `FAILED (exit ${r.code})`} in ${r.seconds.toFixed(1)}s, batches ≤ ${r.upToBatch}`;
    out.info(`${head}${fresh.length ? ` | freshness: ${fresh.join(', ')}` : ''}`);
    for (const l of r.failures) out.info(`  ${l}`);
    if (r.status === 'error') out.info('  (run_results.json has the details; the next batch builds again)');
  }

  /** The same warning at every build would drown the status lines: each is shown once. */
  private warnOnce(msg: string): void {
    if (this.warned.has(msg)) return;
    this.warned.add(msg);
    this.o.ctx.out.warn(msg);
  }

  /** For the loader's status line. */
  status(): StatusExtra | null {
    const r = this.last;
    if (!r) return { text: 'build: waiting for the first', json: { build: null } };
    const worst = r.freshness.map((f) => f.lagSeconds).filter((x): x is number => x !== null);
    const lag = worst.length ? Math.max(...worst) : null;
    const t = this.lastTests;
    const tests = t ? ` | tests #${t.run} ${t.status === 'success' ? 'ok' : `FAILED (${t.failures.filter((l) => /^(Failure|Error) in/.test(l)).length || 'see run_results_tests.json'})`}` : '';
    return {
      text: `build #${r.build} ${r.status === 'success' ? 'ok' : `FAILED${this.failingSince > 1 ? ` ×${this.failingSince}` : ''}`}${lag === null ? '' : ` | gold lag ${lag.toFixed(1)}s`}${tests}`,
      json: { build: r.build, build_status: r.status, freshness: r.freshness, tests: t ? { run: t.run, status: t.status, after_build: t.afterBuild, failures: t.failures } : null },
    };
  }

  async close(): Promise<void> {
    await this.testsEnded();
    await this.reads;
    await this.adapter.close();
    await this.testAdapter.close();
  }
}

/** The lines of a build's output that say what failed (ft build's closing summary). */
function failureLines(text: string): string[] {
  const lines = text.split('\n');
  const out: string[] = [];
  let keep = false;
  for (const l of lines) {
    if (/^(Error in|Failure in|error:)/.test(l)) keep = true;
    else if (/^(Done\.|$)/.test(l)) keep = false;
    if (keep) out.push(l);
  }
  return out.slice(0, 20);
}

function toMs(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) return v.getTime();
  // DATETIME columns read as text (dateStrings): UTC, as the loader writes them
  const ms = Date.parse(`${String(v).replace(' ', 'T')}${/[zZ]|[+-]\d\d:?\d\d$/.test(String(v)) ? '' : 'Z'}`);
  return Number.isNaN(ms) ? null : ms;
}

/** Whether a model's watermark moved between two readings (one built for the first time counts). */
function advanced(before: Map<string, ChangedRows>, after: Map<string, ChangedRows>): boolean {
  for (const [id, m] of after) if (JSON.stringify(before.get(id)) !== JSON.stringify(m)) return true;
  return false;
}

/** Whether a model's watermark (a loader batch id, when it is a number) is at `batch` or past it. */
function reached(marks: Map<string, ChangedRows>, batch: number): boolean {
  for (const m of marks.values()) {
    const n = Number(m.above.replace(/^'|'$/g, ''));
    if (Number.isFinite(n) && n >= batch) return true;
  }
  return false;
}
