/**
 * Continuous mode, `ft stream-load --build <selector>`: batches committed while a build runs
 * coalesce into the next build and builds never overlap; a failing build is reported (status
 * line, build event, run_results) and the next batch builds again; SIGTERM lets the build in
 * flight finish; a kill -9 loses nothing and the next start catches up; freshness is the lag of
 * the newest event visible in a model behind the newest event loaded.
 *
 * The gold model's pre_hook reads a knobs table of the test: how long a build takes, and
 * whether it fails.
 */
import { mkdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { EVENTS_CLEAN, SOURCES, TOTALS, land, outputEvents } from '../helpers/continuous-project.js';
import { createProject, type RunningCli, type TestProject } from '../helpers/project-builder.js';

// the failing knob inserts a key the guard table already holds: server error 1062
const MODELS_YML = `
version: 2
models:
  - name: totals
    config:
      event_time: last_ts
      freshness: {warn_after: 1h, error_after: 2h}
      pre_hook:
        - "do sleep((select sleep_s from {{target.database}}_ctl.knobs))"
        - "insert into {{target.database}}_ctl.guard select 1 from {{target.database}}_ctl.knobs where fail = 1"
`;

let p: TestProject | null = null;
let running: RunningCli | null = null;

afterEach(async () => {
  if (running && running.child.exitCode === null) running.child.kill('SIGKILL');
  await running?.done;
  running = null;
  await p?.cleanup();
  p = null;
});

async function project(knobs: { sleep: number; fail: boolean }): Promise<TestProject> {
  p = await createProject({ label: 'contbuild', yaml: { 'sources.yml': SOURCES, 'models.yml': MODELS_YML }, models: { 'events_clean.sql': EVENTS_CLEAN, 'totals.sql': TOTALS } });
  mkdirSync(p.path('landing'));
  await p.query(`CREATE DATABASE \`${p.database}_ctl\``);
  await p.query(`CREATE TABLE \`${p.database}_ctl\`.knobs (sleep_s double NOT NULL, fail int NOT NULL)`);
  await p.query(`INSERT INTO \`${p.database}_ctl\`.knobs VALUES (?, ?)`, [knobs.sleep, knobs.fail ? 1 : 0]);
  await p.query(`CREATE TABLE \`${p.database}_ctl\`.guard (id int PRIMARY KEY)`);
  await p.query(`INSERT INTO \`${p.database}_ctl\`.guard VALUES (1)`);
  return p;
}

async function knobs(q: TestProject, k: { sleep?: number; fail?: boolean }): Promise<void> {
  if (k.sleep !== undefined) await q.query(`UPDATE \`${q.database}_ctl\`.knobs SET sleep_s = ?`, [k.sleep]);
  if (k.fail !== undefined) await q.query(`UPDATE \`${q.database}_ctl\`.knobs SET fail = ?`, [k.fail ? 1 : 0]);
}

let nextId = 0;
/** A landing file of `rows` events at `hour` o'clock (renamed into place, as producers do); returns the rows per key. */
function deliver(q: TestProject, name: string, rows: number, hour: number): Map<string, number> {
  const perKey = new Map<string, number>();
  const events: object[] = [];
  for (let i = 0; i < rows; i++) {
    const k = `k${i % 3}`;
    perKey.set(k, (perKey.get(k) ?? 0) + 1);
    events.push({ id: ++nextId, k, ts: new Date(Date.UTC(2026, 10, 24, hour, 0, 0, i)).toISOString() });
  }
  land(q, name, events);
  return perKey;
}

interface BuildEvent {
  event: string;
  build: number;
  status: string;
  started_at: string;
  finished_at: string;
  up_to_batch: number;
  freshness: Array<{ model: string; newestEvent: string | null; lagSeconds: number | null; status: string }>;
  failures: string[];
}

const events = (out: string, kind: string): BuildEvent[] => outputEvents<BuildEvent>(out, kind);

async function totals(q: TestProject): Promise<Record<string, number>> {
  const rows = await q.query<{ k: string; n: number }>(`SELECT k, n FROM \`${q.database}\`.totals ORDER BY k`);
  return Object.fromEntries(rows.map((r) => [r.k, Number(r.n)]));
}

async function bronzeTotals(q: TestProject): Promise<Record<string, number>> {
  const rows = await q.query<{ k: string; n: number }>(`SELECT k, COUNT(*) AS n FROM \`${q.database}_bronze\`.events GROUP BY k ORDER BY k`);
  return Object.fromEntries(rows.map((r) => [r.k, Number(r.n)]));
}

const BUILD = ['stream-load', '--build', '+totals', '--log-format', 'json'];

describe('ft stream-load --build (continuous builds)', () => {
  it('coalesces the batches committed during a build into the next one; builds never overlap; the end state is complete', async () => {
    const q = await project({ sleep: 1, fail: false });
    for (let f = 0; f < 10; f++) deliver(q, `f${f}`, 40, 10);
    const r = await q.ft([...BUILD, '--once', '--max-batch-rows', '15']);
    expect(r.code, r.output).toBe(0);
    const done = events(r.stdout, 'build');
    const summary = r.stdout.split('\n').filter((l) => l.includes('"event":"summary"')).map((l) => JSON.parse(l) as { batches: number })[0]!;
    expect(summary.batches).toBeGreaterThanOrEqual(27);
    // every build took over a second while the loader committed a batch every few ms
    expect(done.length).toBeGreaterThanOrEqual(2);
    expect(done.length).toBeLessThan(summary.batches / 2);
    for (let i = 1; i < done.length; i++) expect(done[i]!.started_at >= done[i - 1]!.finished_at).toBe(true);
    expect(done.every((b) => b.status === 'success')).toBe(true);
    expect(done.at(-1)!.up_to_batch).toBe(summary.batches);
    expect(await totals(q)).toEqual({ k0: 140, k1: 130, k2: 130 });
    // caught up: the newest event visible is the newest loaded
    expect(done.at(-1)!.freshness).toEqual([{ model: 'totals', newestEvent: '2026-11-24T10:00:00.039Z', lagSeconds: 0, status: 'pass' }]);
  });

  it('reports a failing build (event, status line, run_results) with the lag it leaves, and the next batch builds again', async () => {
    const q = await project({ sleep: 0, fail: false });
    running = q.spawn([...BUILD, '--trigger-interval', '100ms', '--status-interval', '300ms'], { timeoutMs: 180_000 });
    deliver(q, 'a', 30, 10);
    await running.waitFor(/"event":"build".*"status":"success".*"up_to_batch":1/, 60_000);
    await knobs(q, { fail: true });
    deliver(q, 'b', 30, 13);
    await running.waitFor(/"event":"build".*"status":"error"/, 60_000);
    const failed = events(running.output(), 'build').find((b) => b.status === 'error')!;
    expect(failed.failures.join('\n')).toMatch(/Error in model totals[\s\S]*Duplicate entry/);
    // gold still holds 10:00, bronze has 13:00: three hours behind, past error_after (2h)
    expect(failed.freshness).toEqual([{ model: 'totals', newestEvent: '2026-11-24T10:00:00.029Z', lagSeconds: 10800, status: 'error' }]);
    await running.waitFor(/"event":"status".*"build_status":"error"/, 30_000);
    const results = q.readJson<{ results: Array<{ unique_id: string; status: string }> }>('target/run_results.json');
    expect(results.results.find((x) => x.unique_id === 'model.proj.totals')?.status).toBe('error');
    await knobs(q, { fail: false });
    deliver(q, 'c', 30, 14);
    await running.waitFor(/"event":"build".*"status":"success".*"up_to_batch":3/, 60_000);
    expect(await totals(q)).toEqual(await bronzeTotals(q));
    expect(await totals(q)).toEqual({ k0: 30, k1: 30, k2: 30 });
    running.child.kill('SIGTERM');
    const end = await running.done;
    expect(end.code, end.output).toBe(0);
  }, 180_000);

  it('SIGTERM lets the build in flight finish, starts no other, and exits 0', async () => {
    const q = await project({ sleep: 0, fail: false });
    running = q.spawn([...BUILD, '--trigger-interval', '100ms'], { timeoutMs: 180_000 });
    deliver(q, 'a', 30, 10);
    await running.waitFor(/"event":"build".*"status":"success".*"up_to_batch":1/, 60_000);
    await knobs(q, { sleep: 3 });
    deliver(q, 'b', 30, 11);
    await running.waitFor(/"event":"build_started".*"up_to_batch":2/, 60_000);
    running.child.kill('SIGTERM');
    const end = await running.done;
    expect(end.code, end.output).toBe(0);
    const started = events(end.stdout, 'build_started');
    const finished = events(end.stdout, 'build');
    expect(finished.length).toBe(started.length);
    expect(finished.at(-1)).toMatchObject({ status: 'success', up_to_batch: 2 });
    expect(await totals(q)).toEqual({ k0: 20, k1: 20, k2: 20 });
  }, 180_000);

  it('kill -9 during a build loses nothing: the next start loads the rest and builds gold equal to bronze', async () => {
    const q = await project({ sleep: 5, fail: false });
    running = q.spawn([...BUILD, '--trigger-interval', '100ms', '--max-batch-rows', '10'], { timeoutMs: 180_000 });
    for (let f = 0; f < 4; f++) deliver(q, `f${f}`, 25, 9 + f);
    await running.waitFor(/"event":"build_started".*"up_to_batch":[1-9]/, 60_000);
    running.child.kill('SIGKILL');
    await running.done;
    running = null;
    await knobs(q, { sleep: 0 });
    const r = await q.ft([...BUILD, '--once']);
    expect(r.code, r.output).toBe(0);
    const [bronze] = await q.query<{ n: number; ids: number }>(`SELECT COUNT(*) AS n, COUNT(DISTINCT id) AS ids FROM \`${q.database}_bronze\`.events`);
    expect([Number(bronze!.n), Number(bronze!.ids)]).toEqual([100, 100]);
    expect(await totals(q)).toEqual(await bronzeTotals(q));
    expect(await totals(q)).toEqual({ k0: 36, k1: 32, k2: 32 });
  }, 180_000);

  it('refuses a loader event_time that is no column, and a freshness target with nothing to measure it by, naming the file', async () => {
    const q = await project({ sleep: 0, fail: false });
    q.write('models/sources.yml', SOURCES.replace('event_time: ts', 'event_time: tstamp'));
    let r = await q.ft([...BUILD.slice(0, 3), '--once']);
    expect(r.code).toBe(2);
    expect(r.output).toMatch(/sources\.yml:\d+.*loader event_time of bronze\.events must name one of its columns|loader event_time of bronze\.events must name one of its columns[\s\S]*sources\.yml/);
    q.write('models/sources.yml', SOURCES);
    q.write('models/models.yml', MODELS_YML.replace('      event_time: last_ts\n', ''));
    r = await q.ft([...BUILD.slice(0, 3), '--once']);
    expect(r.code).toBe(2);
    expect(r.output).toMatch(/totals declares config freshness but no column to measure it by: set config event_time/);
    expect(r.output).toMatch(/models\/totals\.sql/);
    expect(r.output).not.toMatch(/\n\s+at /);
    // --build-exclude without --build
    r = await q.ft(['stream-load', '--once', '--build-exclude', 'totals']);
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/--build-exclude and --threads go with --build/);
  });
});
