/**
 * Continuous mode runs a test run alongside the builds: tests only read, so they take no run
 * lock and builds keep landing while a slow test runs. One test run at a time; a failure of a
 * test that read the tables outside the run's snapshot while a build ran is re-checked once
 * before it is reported (one of tests that all read the snapshot at once), and it is reported as before
 * (tests event, run_results_tests.json, exit code); SIGTERM lets the test run in flight end.
 *
 * The slow test is a singular test that waits for a lock this test holds (GET_LOCK): the test
 * run is in flight for as long as the lock is held, so what happens meanwhile is told by the
 * order of the events, not by time.
 */
import { mkdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { EVENTS_CLEAN, KEY_TEST_YML, SOURCES, TOTALS, land, outputEvents } from '../helpers/continuous-project.js';
import { createProject, type RunningCli, type TestProject } from '../helpers/project-builder.js';

// waits (up to 300 s) for the lock the test holds; passes once it has it
const GATE = `select g.x from {{target.database}}_ctl.gate g
where get_lock('{{target.database}}_gate', 300) <> 1 and exists (select 1 from {{ref "events_clean"}})
`;

// in phase 2 only, waits (up to 300 s) for a second lock the test holds: makes a re-check slow
const GATE2 = `select 1 as x from {{target.database}}_ctl.phase p
where case when p.phase = 2 then get_lock('{{target.database}}_gate2', 300) <> 1 else false end and exists (select 1 from {{ref "events_clean"}})
`;

const BUILD = ['stream-load', '--build', '+totals', '--trigger-interval', '100ms', '--test-interval', '0', '--log-format', 'json'];

let p: TestProject | null = null;
let running: RunningCli | null = null;

afterEach(async () => {
  if (running && running.child.exitCode === null) running.child.kill('SIGKILL');
  await running?.done;
  running = null;
  await p?.query('DO RELEASE_ALL_LOCKS()').catch(() => undefined);
  await p?.cleanup();
  p = null;
});

// the same key test on totals, a table model each build replaces: it reads the table as it is,
// outside the test run's snapshot, so its failure alongside a build may be the build's half-way
// state and is re-checked (a failure of tests that read the snapshot is reported at once)
const TABLE_TEST_YML = KEY_TEST_YML.replace(
  '  - name: totals\n    config:\n      event_time: last_ts\n',
  '  - name: totals\n    config:\n      event_time: last_ts\n    columns:\n      - name: k\n        tests:\n          - accepted_values:\n              values: [k0, k1, k2]\n',
);

async function project(opts: { tableTest?: boolean } = {}): Promise<TestProject> {
  p = await createProject({ label: 'contconc', yaml: { 'sources.yml': SOURCES, 'models.yml': opts.tableTest === false ? KEY_TEST_YML : TABLE_TEST_YML }, models: { 'events_clean.sql': EVENTS_CLEAN, 'totals.sql': TOTALS }, tests: { 'slow_gate.sql': GATE, 'slow_recheck.sql': GATE2 } });
  mkdirSync(p.path('landing'));
  await p.query(`CREATE DATABASE \`${p.database}_ctl\``);
  await p.query(`CREATE TABLE \`${p.database}_ctl\`.gate (x int)`);
  await p.query(`INSERT INTO \`${p.database}_ctl\`.gate VALUES (1)`);
  await p.query(`CREATE TABLE \`${p.database}_ctl\`.phase (phase int)`);
  await p.query(`INSERT INTO \`${p.database}_ctl\`.phase VALUES (1)`);
  return p;
}

/** Held by the test's own connection: the slow test waits until it is released. */
async function closeGate(q: TestProject): Promise<void> {
  const [row] = await q.query<{ g: number }>('SELECT GET_LOCK(?, 0) AS g', [`${q.database}_gate`]);
  expect(Number(row!.g)).toBe(1);
}
const openGate = (q: TestProject) => q.query('DO RELEASE_LOCK(?)', [`${q.database}_gate`]);
async function closeGate2(q: TestProject): Promise<void> {
  const [row] = await q.query<{ g: number }>('SELECT GET_LOCK(?, 0) AS g', [`${q.database}_gate2`]);
  expect(Number(row!.g)).toBe(1);
}

let nextId = 0;
function deliver(q: TestProject, name: string, keys: string[]): void {
  land(q, name, keys.map((k, i) => ({ id: ++nextId, k, ts: new Date(Date.UTC(2026, 10, 24, 10, 0, 0, i)).toISOString() })));
}

interface Ev {
  event: string;
  build?: number;
  status?: string;
  up_to_batch?: number;
  tests?: number;
  recheck?: boolean;
  failures?: string[];
}

/** The events of the output, in the order they were written. */
const events = (out: string): Ev[] => outputEvents<Ev>(out);

const at = (evs: Ev[], pred: (e: Ev) => boolean): number => evs.findIndex(pred);

/**
 * Test run 1 fails (a bad row) while build 2 runs alongside it: the test run is held at the gate
 * until build 2 is done. Returns the stopped loader's output and events.
 */
async function failAlongsideBuild(q: TestProject): Promise<{ end: Awaited<RunningCli['done']>; evs: Ev[] }> {
  await closeGate(q);
  running = q.spawn(BUILD, { timeoutMs: 180_000 });
  deliver(q, 'a', ['k0', 'bad']);
  await running.waitFor(/"event":"tests_started".*"tests":1\b/, 60_000);
  deliver(q, 'b', ['k1']);
  await running.waitFor(/"event":"build".*"up_to_batch":2\b/, 60_000);
  await openGate(q);
  await running.waitFor(/"event":"tests".*"tests":1\b/, 60_000);
  running.child.kill('SIGTERM');
  const end = await running.done;
  expect(end.code, end.output).toBe(1);
  return { end, evs: events(end.stdout) };
}

describe('ft stream-load --build: a test run alongside the builds', () => {
  it('builds keep landing while a slow test runs; one test run at a time', async () => {
    const q = await project();
    await closeGate(q);
    running = q.spawn(BUILD, { timeoutMs: 180_000 });
    deliver(q, 'a', ['k0']);
    await running.waitFor(/"event":"tests_started".*"tests":1\b/, 60_000);
    // the test run waits for the gate: the next batch is built all the same
    deliver(q, 'b', ['k1']);
    await running.waitFor(/"event":"build".*"up_to_batch":2\b/, 60_000);
    deliver(q, 'c', ['k2']);
    await running.waitFor(/"event":"build".*"up_to_batch":3\b/, 60_000);
    await openGate(q);
    await running.waitFor(/"event":"tests".*"tests":1\b/, 60_000);
    running.child.kill('SIGTERM');
    const end = await running.done;
    expect(end.code, end.output).toBe(0);
    const evs = events(end.stdout);
    const started = at(evs, (e) => e.event === 'tests_started' && e.tests === 1);
    const finished = at(evs, (e) => e.event === 'tests' && e.tests === 1);
    expect(started).toBeGreaterThanOrEqual(0);
    expect(finished).toBeGreaterThan(started);
    const during = evs.slice(started, finished).filter((e) => e.event === 'build' && e.status === 'success');
    expect(during.length, end.stdout).toBeGreaterThanOrEqual(2);
    expect(evs[finished]!.status).toBe('success');
    // test runs never overlap: each tests_started follows the previous run's end
    let open = false;
    for (const e of evs) {
      if (e.event === 'tests_started') {
        expect(open, end.stdout).toBe(false);
        open = true;
      } else if (e.event === 'tests' || e.event === 'tests_recheck') open = false;
    }
    const [row] = await q.query<{ n: number }>(`SELECT SUM(n) AS n FROM \`${q.database}\`.totals`);
    expect(Number(row!.n)).toBe(3);
  }, 180_000);

  it('a failure seen while a build ran is re-checked once, then reported (tests event, run_results_tests.json, exit 1)', async () => {
    const q = await project();
    const { end, evs } = await failAlongsideBuild(q);
    const recheck = at(evs, (e) => e.event === 'tests_recheck' && e.tests === 1);
    const again = at(evs, (e) => e.event === 'tests_started' && e.tests === 1 && e.recheck === true);
    const reported = evs.filter((e) => e.event === 'tests' && e.tests === 1);
    expect(recheck, end.stdout).toBeGreaterThanOrEqual(0);
    expect(again).toBeGreaterThan(recheck);
    expect(reported).toHaveLength(1);
    expect(evs.indexOf(reported[0]!)).toBeGreaterThan(again);
    expect(reported[0]).toMatchObject({ status: 'error' });
    expect(reported[0]!.failures!.join('\n')).toMatch(/Failure in test accepted_values_events_clean_k/);
    const results = q.readJson<{ results: Array<{ unique_id: string; status: string }> }>('target/run_results_tests.json').results;
    expect(results.find((r) => r.unique_id.startsWith('test.proj.accepted_values_events_clean_k'))?.status).toBe('fail');
  }, 180_000);

  it('a re-check is told in the text log too, with the failures it re-checks', async () => {
    const q = await project();
    await closeGate(q);
    running = q.spawn(BUILD.filter((a) => a !== '--log-format' && a !== 'json'), { timeoutMs: 180_000 });
    deliver(q, 'a', ['k0', 'bad']);
    await running.waitFor(/^stream-load: loaded a\.ndjson/m, 60_000);
    deliver(q, 'b', ['k1']);
    await running.waitFor(/^build #\d+ ok .*batches ≤ 2\b/m, 60_000);
    await openGate(q);
    await running.waitFor(/^tests #1 FAILED/m, 60_000);
    running.child.kill('SIGTERM');
    const end = await running.done;
    expect(end.code, end.output).toBe(1);
    expect(end.stdout).toMatch(/^tests #1 failed alongside a build in \d+\.\ds: checking again once no build runs\n\s+Failure in test accepted_values_events_clean_k/m);
    expect(end.stdout.indexOf('checking again')).toBeLessThan(end.stdout.indexOf('tests #1 FAILED'));
  }, 180_000);

  it('a failure only of tests that read the snapshot is reported at once: no re-check, the builds go on', async () => {
    const q = await project({ tableTest: false });
    const { end, evs } = await failAlongsideBuild(q);
    expect(evs.filter((e) => e.event === 'tests_recheck'), end.stdout).toEqual([]);
    const reported = evs.filter((e) => e.event === 'tests' && e.tests === 1);
    expect(reported).toMatchObject([{ status: 'error' }]);
    expect(reported[0]!.failures!.join('\n')).toMatch(/Failure in test accepted_values_events_clean_k/);
  }, 180_000);

  it('no build starts while a re-check runs: a batch committed meanwhile is built after it', async () => {
    const q = await project();
    await closeGate(q);
    await closeGate2(q);
    running = q.spawn(BUILD, { timeoutMs: 180_000 });
    deliver(q, 'a', ['k0', 'bad']);
    await running.waitFor(/"event":"tests_started".*"tests":1\b/, 60_000);
    deliver(q, 'b', ['k1']);
    await running.waitFor(/"event":"build".*"up_to_batch":2\b/, 60_000);
    // the re-check will wait for gate 2
    await q.query(`UPDATE \`${q.database}_ctl\`.phase SET phase = 2`);
    await openGate(q);
    await running.waitFor(/"event":"tests_started".*"recheck":true/, 60_000);
    deliver(q, 'c', ['k2']);
    await running.waitFor(/"event":"file".*"c\.ndjson"/, 60_000);
    // time for a build to start, were it allowed to
    await new Promise((r) => setTimeout(r, 1500));
    await q.query('DO RELEASE_LOCK(?)', [`${q.database}_gate2`]);
    await running.waitFor(/"event":"build".*"up_to_batch":3\b/, 60_000);
    running.child.kill('SIGTERM');
    const end = await running.done;
    const evs = events(end.stdout);
    const recheckEnd = at(evs, (e) => e.event === 'tests' && e.tests === 1);
    const third = at(evs, (e) => e.event === 'build_started' && e.up_to_batch === 3);
    expect(recheckEnd, end.stdout).toBeGreaterThanOrEqual(0);
    expect(third, end.stdout).toBeGreaterThan(recheckEnd);
    expect(evs[recheckEnd]).toMatchObject({ status: 'error' });
  }, 180_000);

  it('a test run reads the models as one build left them: a test of two models passes while a build has changed one', async () => {
    // events_copy follows events_clean; its build waits at a gate the test holds (a lock taken
    // and given back before its rows are read), and the singular test compares the two models'
    // counts once a second lock the test holds is released (read after it, through w.l; no
    // table read before the wait, or InnoDB would fix the statement's view before it)
    const COPY = `{{config materialized="incremental" unique_key="id" watermark_column="_batch_id"}}
select c.id, c.k, c._batch_id
from (select get_lock('{{target.database}}_build', 300) + release_lock('{{target.database}}_build') as l) w
join {{ref "events_clean"}} c on w.l = 2
{{#if (is_incremental)}}where c._batch_id > (select coalesce(max(_batch_id), 0) from {{this}}){{/if}}
`;
    const SAME = `select w.l from (select get_lock('{{target.database}}_gate', 300) + release_lock('{{target.database}}_gate') as l) w
where (select count(*) from {{ref "events_clean"}} where w.l = w.l) <> (select count(*) from {{ref "events_copy"}} where w.l = w.l)
`;
    p = await createProject({ label: 'contsnap', yaml: { 'sources.yml': SOURCES }, models: { 'events_clean.sql': EVENTS_CLEAN, 'events_copy.sql': COPY }, tests: { 'copy_has_every_event.sql': SAME } });
    const q = p;
    mkdirSync(q.path('landing'));
    await q.query(`CREATE DATABASE \`${q.database}_ctl\``);
    await q.query(`CREATE TABLE \`${q.database}_ctl\`.gate (x int)`);
    await q.query(`INSERT INTO \`${q.database}_ctl\`.gate VALUES (1)`);
    running = q.spawn(['stream-load', '--build', '+events_copy', '--trigger-interval', '100ms', '--test-interval', '0', '--log-format', 'json'], { timeoutMs: 180_000 });
    // build 1 (both models) while the test's lock is held: test run 1 then waits in its query
    await closeGate(q);
    deliver(q, 'a', ['k0']);
    await running.waitFor(/"event":"tests_started".*"tests":1\b/, 60_000);
    // build 2 adds to events_clean, then waits at the build gate before events_copy
    const [held] = await q.query<{ g: number }>('SELECT GET_LOCK(?, 0) AS g', [`${q.database}_build`]);
    expect(Number(held!.g)).toBe(1);
    deliver(q, 'b', ['k1']);
    for (let i = 0; i < 600; i++) {
      const [row] = await q.query<{ n: number }>(`SELECT COUNT(*) AS n FROM \`${q.database}\`.events_clean`);
      if (Number(row!.n) === 2) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const [copied] = await q.query<{ n: number }>(`SELECT COUNT(*) AS n FROM \`${q.database}\`.events_copy`);
    expect(Number(copied!.n)).toBe(1);
    // now the test's query counts: events_clean has 2 rows, events_copy 1
    await openGate(q);
    await running.waitFor(/"event":"(tests|tests_recheck)".*"tests":1\b/, 60_000);
    await q.query('DO RELEASE_LOCK(?)', [`${q.database}_build`]);
    await running.waitFor(/"event":"build".*"up_to_batch":2\b/, 60_000);
    running.child.kill('SIGTERM');
    const end = await running.done;
    expect(end.code, end.output).toBe(0);
    const evs = events(end.stdout);
    // read between build 1 and build 2: both models at batch 1, so nothing to re-check
    expect(evs.filter((e) => e.event === 'tests_recheck'), end.stdout).toEqual([]);
    expect(evs.filter((e) => e.event === 'tests' && e.tests === 1)).toMatchObject([{ status: 'success' }]);
  }, 180_000);

  it('SIGTERM during a test run: the run ends, its failure is reported and is the exit code', async () => {
    const q = await project();
    await closeGate(q);
    running = q.spawn(BUILD, { timeoutMs: 180_000 });
    deliver(q, 'a', ['k0', 'bad']);
    await running.waitFor(/"event":"tests_started".*"tests":1\b/, 60_000);
    running.child.kill('SIGTERM');
    // the loader has stopped (its summary) while the test run still waits for the gate
    await running.waitFor(/"event":"summary"/, 60_000);
    expect(running.output()).not.toMatch(/"event":"tests"/);
    await openGate(q);
    const end = await running.done;
    expect(end.code, end.output).toBe(1);
    const evs = events(end.stdout);
    // no build ran alongside it: reported at once, not re-checked
    expect(evs.filter((e) => e.event === 'tests_recheck')).toEqual([]);
    expect(evs.filter((e) => e.event === 'tests' && e.tests === 1)).toMatchObject([{ status: 'error' }]);
    expect(end.output).not.toMatch(/\n\s+at /);
  }, 180_000);
});
