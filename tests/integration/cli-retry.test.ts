import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createProject, nodeLines, type TestProject } from '../helpers/project-builder.js';

/** ft retry and the result:<status> selector: the last run's failures again, and only them. */
describe('ft retry', () => {
  let p: TestProject;
  const BROKEN = '{{config materialized="table"}}\nselect n, no_such_col from {{ref "base"}}';
  const FIXED = '{{config materialized="table"}}\nselect n, {{var "k"}} as k from {{ref "base"}}';

  beforeEach(async () => {
    p = await createProject({
      label: 'retry',
      seeds: { 'nums.csv': 'n\n1\n2\n' },
      models: {
        'base.sql': 'select n from {{ref "nums"}}',
        'other.sql': 'select n + 1 as m from {{ref "base"}}',
        'bad.sql': BROKEN,
        'child.sql': 'select n, k from {{ref "bad"}}',
        'grandchild.sql': '{{config materialized="table"}}\nselect count(*) as c, max(k) as k from {{ref "child"}}',
      },
      yaml: { 'schema.yml': 'models:\n  - name: child\n    columns:\n      - name: n\n        tests: [not_null]\n  - name: other\n    columns:\n      - name: m\n        tests: [not_null]\n' },
    });
  });
  afterEach(async () => {
    await p.cleanup();
  });

  const ids = (): string[] => p.readJson('target/run_results.json').results.map((r: { unique_id: string }) => r.unique_id).sort();

  it('after a failing model is fixed, runs only it and the children it skipped, with the same command and flags', async () => {
    expect((await p.ft(['seed'])).code).toBe(0);
    const first = await p.ft(['run', '--vars', '{k: 7}', '--threads', '2']);
    expect(first.code).toBe(1);
    expect(first.output).toMatch(/PASS=2 WARN=0 ERROR=1 FAIL=0 SKIP=2 TOTAL=5/);
    p.write('models/bad.sql', FIXED);
    const r = await p.ft(['retry']);
    expect(r.code, r.output).toBe(0);
    expect(r.stdout).toContain('Retrying 3 nodes of the last ft run (errors, failures and the nodes they skipped).');
    // `run`, not `build`: no tests; and only the three
    expect(nodeLines(r.output).map((l) => l.replace(/ \.+ .*/, '').replace(/^\d+ of \d+ /, '')).sort()).toEqual([
      `OK created table model ${p.database}.bad`,
      `OK created table model ${p.database}.grandchild`,
      `OK created view model ${p.database}.child`,
    ]);
    expect(r.stdout).toMatch(/with 2 threads/);
    expect(ids()).toEqual(['model.proj.bad', 'model.proj.child', 'model.proj.grandchild']);
    // --vars was repeated
    expect(await p.query(`select c, k from ${p.rel('grandchild')}`)).toEqual([{ c: 2, k: 7 }]);
    const again = await p.ft(['retry']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Nothing to retry: the last ft run had no errors, failures or skipped nodes.');
    expect(nodeLines(again.output)).toEqual([]);
  });

  it('a build is retried as a build: the skipped tests run too, within the original selection', async () => {
    const first = await p.ft(['build', '-s', '+grandchild', '--vars', '{k: 1}']);
    expect(first.code).toBe(1);
    p.write('models/bad.sql', FIXED);
    const r = await p.ft(['retry']);
    expect(r.code, r.output).toBe(0);
    expect(ids()).toEqual(['model.proj.bad', 'model.proj.child', 'model.proj.grandchild', expect.stringMatching(/^test\.proj\.not_null_child_n\b/)]);
  });

  it('result:<status> with --state selects from that run_results.json', async () => {
    expect((await p.ft(['build', '--vars', '{k: 1}'])).code).toBe(1);
    const err = await p.ft(['ls', '-s', 'result:error+', '--state', p.path('target')]);
    expect(err.code, err.output).toBe(0);
    expect(err.stdout.trim().split('\n').sort()).toEqual(['bad', 'child', 'grandchild', 'not_null_child_n']);
    const skipped = await p.ft(['ls', '-s', 'result:skipped', '--resource-type', 'model', '--state', p.path('target')]);
    expect(skipped.stdout.trim().split('\n').sort()).toEqual(['child', 'grandchild']);
    const ok = await p.ft(['ls', '-s', 'result:success', '--state', p.path('target')]);
    // with the tests of the nodes it selects, as dbt's ls lists them
    expect(ok.stdout.trim().split('\n').sort()).toEqual(['base', 'not_null_other_m', 'nums', 'other']);
    const bogus = await p.ft(['ls', '-s', 'result:broken', '--state', p.path('target')]);
    expect(bogus.code).toBe(2);
    expect(bogus.stderr).toContain('unknown result selector "broken"; use result:success, result:error');
    const noState = await p.ft(['ls', '-s', 'result:error']);
    expect(noState.code).toBe(2);
    expect(noState.stderr).toContain('selector "result:error" needs --state <dir> holding the run_results.json');
  });

  it('without a run_results.json, or with an unreadable one, says what to run first', async () => {
    const none = await p.ft(['retry']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/ft retry: no run_results\.json in .*target\. It is written by ft run, build, test and seed; run one first/);
    p.write('target/run_results.json', '{"results": [');
    const bad = await p.ft(['retry']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/run_results\.json: ft retry: run_results\.json is not valid JSON .*run the command again/);
    p.write('target/run_results.json', '{"results": [], "args": {"command": "docs"}}');
    const cmd = await p.ft(['retry']);
    expect(cmd.code).toBe(2);
    expect(cmd.stderr).toContain('ft retry repeats ft run, build, test, seed or snapshot');
  });
});
