/**
 * Continuous mode runs the selection's data tests on their own cadence, not after every batch:
 * builds run the models only; tests run alongside them (continuous-concurrent-tests.test.ts) at
 * most every --test-interval, and at stop. A failing test is never silent: it is in the `tests` event, the status line (text and
 * JSON), target/run_results_tests.json and the exit code; its rows are tested again at the next
 * test run until one passes (a `scope: changed_rows` test reads the rows changed since the last
 * test run that passed).
 */
import { mkdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { EVENTS_CLEAN, KEY_TEST_YML, SOURCES, TOTALS, land, outputEvents } from '../helpers/continuous-project.js';
import { createProject, type RunningCli, type TestProject } from '../helpers/project-builder.js';

const BUILD = ['stream-load', '--build', '+totals', '--trigger-interval', '100ms'];

let p: TestProject | null = null;
let running: RunningCli | null = null;

afterEach(async () => {
  if (running && running.child.exitCode === null) running.child.kill('SIGKILL');
  await running?.done;
  running = null;
  await p?.cleanup();
  p = null;
});

async function project(): Promise<TestProject> {
  p = await createProject({ label: 'conttests', yaml: { 'sources.yml': SOURCES, 'models.yml': KEY_TEST_YML }, models: { 'events_clean.sql': EVENTS_CLEAN, 'totals.sql': TOTALS } });
  mkdirSync(p.path('landing'));
  return p;
}

let nextId = 0;
/** A landing file of events with these keys (renamed into place, as producers do). */
function deliver(q: TestProject, name: string, keys: string[]): void {
  land(q, name, keys.map((k, i) => ({ id: ++nextId, k, ts: new Date(Date.UTC(2026, 10, 24, 10, 0, 0, i)).toISOString() })));
}

interface Ev {
  event: string;
  build?: number;
  status?: string;
  up_to_batch?: number;
  tests?: number | { run: number; status: string; failures: string[] } | null;
  after_build?: number;
  failures?: string[];
}

const events = (out: string, kind: string): Ev[] => outputEvents<Ev>(out, kind);

const testStatus = (q: TestProject, id: string): string | undefined =>
  q.readJson<{ results: Array<{ unique_id: string; status: string }> }>('target/run_results_tests.json').results.find((r) => r.unique_id.startsWith(id))?.status;

describe('ft stream-load --build: tests on their own cadence', () => {
  it('builds run no tests; the tests run at stop, and their failure is reported (event, run_results_tests.json, exit 1)', async () => {
    const q = await project();
    running = q.spawn([...BUILD, '--test-interval', '1h', '--log-format', 'json'], { timeoutMs: 180_000 });
    deliver(q, 'a', ['k0', 'k1', 'bad']);
    await running.waitFor(/"event":"build".*"up_to_batch":1/, 60_000);
    deliver(q, 'b', ['k2']);
    await running.waitFor(/"event":"build".*"up_to_batch":2/, 60_000);
    // two builds, both green although a row breaks the test: builds do not test
    const builds = events(running.output(), 'build');
    expect(builds.length).toBeGreaterThanOrEqual(2);
    expect(builds.every((b) => b.status === 'success')).toBe(true);
    expect(events(running.output(), 'tests_started')).toEqual([]);
    const [row] = await q.query<{ n: number }>(`SELECT SUM(n) AS n FROM \`${q.database}\`.totals`);
    expect(Number(row!.n)).toBe(4);
    running.child.kill('SIGTERM');
    const end = await running.done;
    expect(end.code, end.output).toBe(1);
    const tests = events(end.stdout, 'tests');
    expect(tests).toHaveLength(1);
    expect(tests[0]).toMatchObject({ status: 'error', after_build: builds.at(-1)!.build });
    expect(tests[0]!.failures!.join('\n')).toMatch(/Failure in test accepted_values_events_clean_k/);
    expect(testStatus(q, 'test.proj.accepted_values_events_clean_k')).toBe('fail');
  }, 180_000);

  it('every --test-interval between builds: a failure stays in the status line until a test run passes, its rows tested again', async () => {
    const q = await project();
    running = q.spawn([...BUILD, '--test-interval', '1s', '--status-interval', '300ms'], { timeoutMs: 180_000 });
    deliver(q, 'a', ['k0', 'bad']);
    await running.waitFor(/^tests #1 FAILED/m, 60_000);
    await running.waitFor(/^stream-load: .*\| build #\d+ ok .*\| tests #1 FAILED \(1\)/m, 30_000);
    expect(testStatus(q, 'test.proj.accepted_values_events_clean_k')).toBe('fail');
    // new good rows: the bad row (below the newest batch) is still tested, and still fails
    deliver(q, 'b', ['k1']);
    // the report's lines may reach the pipe in two reads: wait for both
    await running.waitFor(/^tests #2 FAILED[^\n]*\n\s+Failure in test accepted_values_events_clean_k/m, 60_000);
    // the bad row fixed: the next test run passes and the status line says so
    await q.query(`UPDATE \`${q.database}\`.events_clean SET k = 'k2' WHERE k = 'bad'`);
    deliver(q, 'c', ['k2']);
    await running.waitFor(/^tests #3 ok/m, 60_000);
    await running.waitFor(/^stream-load: .*\| tests #3 ok/m, 30_000);
    expect(testStatus(q, 'test.proj.accepted_values_events_clean_k')).toBe('pass');
    running.child.kill('SIGTERM');
    const end = await running.done;
    expect(end.code, end.output).toBe(0);
    // no build after tests #3: nothing left to test at stop
    expect(end.stdout).not.toMatch(/^tests #4/m);
  }, 180_000);

  it('a singular test renders its is_incremental branch in a test run after a passing one: it checks the rows since then, not the whole table', async () => {
    // the full branch finds the bad row ft did not load (below the tested watermark); the
    // incremental branch reads only the batches after the last passing run, as after a build
    const KEY_ROWS = `{{#if (is_incremental)}}
select id from {{ref "events_clean"}} where k = 'bad' and _batch_id > {{watermark "events_clean"}}
{{else}}
select id from {{ref "events_clean"}} where k = 'bad'
{{/if}}
`;
    p = await createProject({ label: 'conttests', yaml: { 'sources.yml': SOURCES }, models: { 'events_clean.sql': EVENTS_CLEAN, 'totals.sql': TOTALS }, tests: { 'key_rows.sql': KEY_ROWS } });
    const q = p;
    mkdirSync(q.path('landing'));
    running = q.spawn([...BUILD, '--test-interval', '1s', '--status-interval', '300ms'], { timeoutMs: 180_000 });
    deliver(q, 'a', ['k0']);
    await running.waitFor(/^tests #1 ok/m, 60_000);
    // tested up to batch 1; a row of batch 1 changed behind ft's back is not this run's to see
    await q.query(`UPDATE \`${q.database}\`.events_clean SET k = 'bad' WHERE _batch_id = 1`);
    deliver(q, 'b', ['k1']);
    await running.waitFor(/^tests #2 /m, 60_000);
    expect(running.output()).toMatch(/^tests #2 ok/m);
    // what ran (target/run): the incremental branch, above the tested watermark
    expect(q.read('target/run/proj/tests/key_rows.sql')).toMatch(/_batch_id > 1\b/);
    running.child.kill('SIGTERM');
    const end = await running.done;
    expect(end.code, end.output).toBe(0);
    // `ft test` alone renders the full branch: the bad row is found
    const full = await q.ft(['test', '--select', 'key_rows']);
    expect(full.code).toBe(1);
    expect(full.output).toMatch(/Failure in test key_rows/);
  }, 180_000);

  it('--test-interval needs --build, and a duration', async () => {
    const q = await project();
    let r = await q.ft(['stream-load', '--once', '--test-interval', '10s']);
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/--test-interval goes with --build/);
    r = await q.ft([...BUILD, '--once', '--test-interval', 'often']);
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/--test-interval: "often" is not a duration/);
    expect(r.output).not.toMatch(/\n\s+at /);
  });
});
