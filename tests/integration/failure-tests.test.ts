import { afterEach, describe, expect, it } from 'vitest';
import { createProject, type RunningCli, type TestProject } from '../helpers/project-builder.js';

/**
 * Data tests that go wrong: a test whose SQL the server refuses is an ERROR (not a FAIL) naming
 * the file and the server's words, and gates `ft build` like a failure; `--fail-fast` stops
 * starting nodes after the first failure; Ctrl-C during `ft test` or `ft build` kills the
 * running query (nothing left on the server) and exits 130.
 */
describe('data test failure paths', { timeout: 120_000 }, () => {
  let p: TestProject | undefined;
  afterEach(async () => {
    await p?.cleanup();
    p = undefined;
  });

  type Result = { unique_id: string; status: string; message: string | null; failures: number | null };
  const results = (): Map<string, Result> =>
    new Map(p!.readJson<{ results: Result[] }>('target/run_results.json').results.map((r) => [r.unique_id.split('.')[2]!, r]));

  /** base (3 rows) and a singular test whose SQL errors only when it runs: a scalar subquery of 3 rows */
  const erroring = () =>
    createProject({
      label: 'testerr',
      models: {
        'base.sql': '{{config materialized="table"}}\nselect 1 as id union all select 2 union all select 3',
        'down.sql': '{{config materialized="table"}}\nselect id from {{ref "base"}}',
        'other.sql': '{{config materialized="table"}}\nselect 1 as x',
      },
      tests: { 'errs.sql': 'select * from {{ref "base"}} where id = (select id from {{ref "base"}})\n' },
    });

  it('ft test: a test whose SQL errors on the server is ERROR, not FAIL, with its file and the server message; exit 1', async () => {
    p = await erroring();
    expect((await p.ft(['run'])).code).toBe(0);
    const r = await p.ft(['test']);
    expect(r.code, r.output).toBe(1);
    expect(r.output).toMatch(/ERROR=1 FAIL=0/);
    expect(r.output).toMatch(/server error 1242: Subquery returns more than 1 row\n\s+in tests\/errs\.sql/);
    expect(r.output).not.toMatch(/\n\s+at /);
    const errs = results().get('errs')!;
    expect(errs.status).toBe('error');
    expect(errs.message).toContain('Subquery returns more than 1 row');
  });

  it('ft build: a test that errors skips what is built from the model it tests, like a failing test; the rest is built', async () => {
    p = await erroring();
    const r = await p.ft(['build']);
    expect(r.code, r.output).toBe(1);
    const res = results();
    expect(res.get('base')!.status).toBe('success');
    expect(res.get('errs')!.status).toBe('error');
    expect(res.get('down')!.status).toBe('skipped');
    expect(res.get('down')!.message).toBe('skipped because errs did not succeed');
    expect(res.get('other')!.status).toBe('success');
    expect(await p.tables()).toEqual(['base', 'other']);
  });

  it('ft build --fail-fast: after the first failure no node starts; they are skipped naming --fail-fast', async () => {
    p = await createProject({
      label: 'failfast',
      models: {
        // one thread, ties broken by id: a_fail runs first
        'a_fail.sql': '{{config materialized="table"}}\nselect * from no_such_table_here',
        'b.sql': '{{config materialized="table"}}\nselect 1 as x',
        'c.sql': '{{config materialized="table"}}\nselect 2 as x',
      },
    });
    const r = await p.ft(['build', '--fail-fast', '--threads', '1']);
    expect(r.code, r.output).toBe(1);
    const res = results();
    expect(res.get('a_fail')!.status).toBe('error');
    for (const m of ['b', 'c']) {
      expect(res.get(m)!.status, m).toBe('skipped');
      expect(res.get(m)!.message).toMatch(/--fail-fast stopped the run/);
    }
    expect(await p.tables()).toEqual([]);
    // without --fail-fast the others are built
    const all = await p.ft(['build', '--threads', '1']);
    expect(all.code, all.output).toBe(1);
    expect(await p.tables()).toEqual(['b', 'c']);
  });

  /** the queries of this project still on the server that contain `sleep(` */
  const sleeping = async (): Promise<string[]> =>
    (
      await p!.query<{ info: string }>(
        "select info from information_schema.processlist where info like '%sleep(%' and info like ? and info not like '%processlist%'",
        [`%${p!.prefix}%`],
      )
    ).map((r) => r.info);

  /** waits until a query of this project sleeps on the server (generous bound: the machine may be loaded) */
  const untilSleeping = async (run: RunningCli): Promise<void> => {
    let exited = false;
    void run.done.then(() => (exited = true));
    for (let i = 0; i < 600; i++) {
      if ((await sleeping()).length) return;
      if (exited) throw new Error(`ft ended before its slow query started:\n${run.output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    run.child.kill('SIGKILL');
    throw new Error(`the slow query never started:\n${run.output()}`);
  };

  it('SIGINT during ft test: the test query is killed on the server, exit 130', async () => {
    p = await createProject({
      label: 'testcancel',
      models: { 'one.sql': '{{config materialized="table"}}\nselect 1 as id' },
      tests: { 'slow_test.sql': 'select * from {{ref "one"}} where sleep(60) = 1\n' },
    });
    expect((await p.ft(['run'])).code).toBe(0);
    const run = p.spawn(['test']);
    await untilSleeping(run);
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code, r.output).toBe(130);
    expect(r.output).toMatch(/cancelling/);
    expect(await sleeping()).toEqual([]);
    expect(results().get('slow_test')!.status).toBe('error');
  });

  it('SIGINT during ft build: the running model is killed, what follows is skipped, exit 130', async () => {
    p = await createProject({
      label: 'buildcancel',
      models: {
        'slow.sql': '{{config materialized="table"}}\nselect sleep(60) as s',
        'after.sql': '{{config materialized="table"}}\nselect * from {{ref "slow"}}',
      },
      yaml: { 'schema.yml': 'models:\n  - name: slow\n    columns:\n      - name: s\n        tests: [not_null]\n' },
    });
    const run = p.spawn(['build']);
    await untilSleeping(run);
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code, r.output).toBe(130);
    expect(await sleeping()).toEqual([]);
    const res = results();
    expect(res.get('slow')!.status).toBe('error');
    expect(res.get('slow')!.message).toBe('cancelled');
    expect(res.get('after')!.status).toBe('skipped');
    expect(res.get('not_null_slow_s')!.status).toBe('skipped');
    expect(await p.tables()).toEqual([]);
  });
});
