/**
 * Continuous mode runs the selection's data tests on their own cadence, not after every batch:
 * builds run the models only; tests run alongside them (continuous-concurrent-tests.test.ts) at
 * most every --test-interval, and at stop. A failing test is never silent: it is in the `tests` event, the status line (text and
 * JSON), target/run_results_tests.json and the exit code; its rows are tested again at the next
 * test run until one passes (a `scope: changed_rows` test reads the rows changed since the last
 * test run that passed).
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createProject, type RunningCli, type TestProject } from '../helpers/project-builder.js';

const SOURCES = `
version: 2
sources:
  - name: bronze
    schema: "{{target.database}}_bronze"
    tables:
      - name: events
        loader: {path: landing, format: ndjson, pattern: "*.ndjson", event_time: ts}
        columns:
          - {name: id, data_type: int, required: true}
          - {name: k, data_type: varchar(8), required: true}
          - {name: ts, data_type: datetime(3), required: true}
`;

// k must be one of k0..k2: a file with another k makes the test fail (on the rows changed)
const MODELS_YML = `
version: 2
models:
  - name: events_clean
    columns:
      - name: k
        tests:
          - accepted_values:
              values: [k0, k1, k2]
              config: {scope: changed_rows}
  - name: totals
    config:
      event_time: last_ts
`;

const EVENTS_CLEAN = `{{config materialized="incremental" unique_key="id" watermark_column="_batch_id"}}
select id, k, ts, _batch_id from {{source "bronze" "events"}}
{{#if (is_incremental)}}where _batch_id > (select coalesce(max(_batch_id), 0) from {{this}}){{/if}}
`;

const TOTALS = `{{config materialized="table"}}
select k, count(*) as n, max(ts) as last_ts from {{ref "events_clean"}} group by k
`;

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
  p = await createProject({ label: 'conttests', yaml: { 'sources.yml': SOURCES, 'models.yml': MODELS_YML }, models: { 'events_clean.sql': EVENTS_CLEAN, 'totals.sql': TOTALS } });
  mkdirSync(p.path('landing'));
  return p;
}

let nextId = 0;
/** A landing file of events with these keys (renamed into place, as producers do). */
function deliver(q: TestProject, name: string, keys: string[]): void {
  const lines = keys.map((k, i) => JSON.stringify({ id: ++nextId, k, ts: new Date(Date.UTC(2026, 10, 24, 10, 0, 0, i)).toISOString() }));
  const tmp = q.path(`${name}.tmp`);
  writeFileSync(tmp, `${lines.join('\n')}\n`);
  renameSync(tmp, q.path('landing', `${name}.ndjson`));
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

const events = (out: string, kind: string): Ev[] =>
  out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Ev)
    .filter((e) => e.event === kind);

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
    await running.waitFor(/^tests #2 FAILED/m, 60_000);
    expect(running.output()).toMatch(/^tests #2 FAILED[^\n]*\n\s+Failure in test accepted_values_events_clean_k/m);
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
