import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect } from '../helpers/db.js';
import { createProject, nodeLines, type TestProject } from '../helpers/project-builder.js';
import { isTransient } from '../../src/adapters/adapter.js';

/** The runner: threads, failures that skip descendants, --fail-fast, retries of transient errors. */
describe('runner', () => {
  /** Each test has its own project and database (beforeEach). */
  let p: TestProject;

  beforeEach(async () => {
    p = await createProject({
      label: 'runner',
      project: { models: { proj: { '+materialized': 'table' } } },
      models: {
        // four independent slow-ish models
        'slow_1.sql': 'select sleep(0.6) as s, 1 as k',
        'slow_2.sql': 'select sleep(0.6) as s, 2 as k',
        'slow_3.sql': 'select sleep(0.6) as s, 3 as k',
        'slow_4.sql': 'select sleep(0.6) as s, 4 as k',
      },
    });
  });

  afterEach(async () => {
    await p.cleanup();
  });

  type Result = { unique_id: string; status: string; thread_id: string; timing: Array<{ started_at: string; completed_at: string }>; message: string; skipped_because?: string };
  const results = (): Result[] => p.readJson('target/run_results.json').results;
  const overlaps = (rs: Result[]): number => {
    let n = 0;
    for (const a of rs)
      for (const b of rs) {
        if (a === b) continue;
        const [as, ae] = [Date.parse(a.timing[0]!.started_at), Date.parse(a.timing[0]!.completed_at)];
        const [bs, be] = [Date.parse(b.timing[0]!.started_at), Date.parse(b.timing[0]!.completed_at)];
        if (as < be && bs < ae) n++;
      }
    return n / 2;
  };

  it('--threads 1 builds one node at a time', async () => {
    const r = await p.ft(['run', '--threads', '1']);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/Running 4 nodes with 1 thread on /);
    const rs = results();
    expect(new Set(rs.map((x) => x.thread_id))).toEqual(new Set(['Thread-1']));
    expect(overlaps(rs)).toBe(0);
  });

  it('--threads 4 builds independent nodes at once', async () => {
    const r = await p.ft(['run', '--threads', '4']);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/Running 4 nodes with 4 threads on /);
    const rs = results();
    expect(new Set(rs.map((x) => x.thread_id)).size).toBeGreaterThan(1);
    expect(overlaps(rs)).toBeGreaterThan(0);
  });

  it('--threads must be a positive whole number', async () => {
    const r = await p.ft(['run', '--threads', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--threads must be at least 1/);
  });

  describe('a failing model', () => {
    beforeEach(() => {
      for (let i = 1; i <= 4; i++) p.remove(`models/slow_${i}.sql`);
      p.write('models/a_bad.sql', 'select missing_column from {{ref "base"}}');
      p.write('models/base.sql', 'select 1 as id');
      p.write('models/b_child.sql', 'select * from {{ref "a_bad"}}');
      p.write('models/c_grandchild.sql', '{{config materialized="view"}}\nselect * from {{ref "b_child"}}');
      p.write('models/d_other.sql', 'select id from {{ref "base"}}');
      p.write('models/e_other.sql', 'select 5 as e');
    });

    it('skips its descendants, builds the rest, exits 1 and names file, compiled SQL and server message', async () => {
      const r = await p.ft(['run', '--threads', '2']);
      expect(r.code).toBe(1);
      const byId = Object.fromEntries(results().map((x) => [x.unique_id.split('.').pop(), x]));
      expect(byId.a_bad!.status).toBe('error');
      expect(byId.b_child!.status).toBe('skipped');
      expect(byId.c_grandchild!.status).toBe('skipped');
      expect(byId.c_grandchild!.skipped_because).toBe('model.proj.a_bad');
      expect(byId.base!.status).toBe('success');
      expect(byId.d_other!.status).toBe('success');
      expect(byId.e_other!.status).toBe('success');
      const lines = nodeLines(r.output);
      expect(lines.some((l) => /^\d+ of 6 ERROR creating table model \S+\.a_bad \.+ \[ERROR in [\d.]+s\]$/.test(l))).toBe(true);
      expect(lines.some((l) => /^\d+ of 6 SKIP relation table model \S+\.b_child \.+ \[SKIP\]$/.test(l))).toBe(true);
      // the error names the model file, the compiled SQL (which exists) and the server's message
      expect(r.output).toMatch(/server error 1054: Unknown column 'missing_column' in '[^']+'/);
      expect(r.output).toContain('in models/a_bad.sql');
      const m = /compiled SQL: (\S+)/.exec(r.output);
      expect(m?.[1]).toBe('target/compiled/proj/models/a_bad.sql');
      expect(p.read(m![1]!)).toContain('select missing_column from');
      expect(r.output).toMatch(/Done\. PASS=3 WARN=0 ERROR=1 FAIL=0 SKIP=2 TOTAL=6/);
      expect(r.output).not.toMatch(/\n\s+at /);
      expect((await p.tables()).filter((t) => t.includes('__ft_'))).toEqual([]);
    });

    it('--fail-fast stops starting nodes after the first failure', async () => {
      // graph order with one thread: base, e_other, a_bad, z_after (z_after does not depend on a_bad)
      p.write('models/z_after.sql', 'select id from {{ref "base"}}');
      const r = await p.ft(['run', '--threads', '1', '--fail-fast', '--exclude', 'd_other']);
      expect(r.code).toBe(1);
      const byId = Object.fromEntries(results().map((x) => [x.unique_id.split('.').pop(), x]));
      expect(byId.a_bad!.status).toBe('error');
      expect(byId.z_after!.status).toBe('skipped');
      expect(byId.z_after!.message).toMatch(/fail-fast/);
      expect(await p.relationType('z_after')).toBeNull();
      expect(r.output).toMatch(/SKIP=3 TOTAL=6/);
    });
  });

  it('isTransient: deadlocks, lock waits and lost connections are retried, the rest is not', () => {
    expect(isTransient({ errno: 1213, code: 'ER_LOCK_DEADLOCK' })).toBe(true);
    expect(isTransient({ errno: 1205 })).toBe(true);
    expect(isTransient({ errno: 2006 })).toBe(true);
    expect(isTransient({ errno: 2013 })).toBe(true);
    expect(isTransient({ code: 'PROTOCOL_CONNECTION_LOST' })).toBe(true);
    expect(isTransient({ code: 'ECONNRESET' })).toBe(true);
    expect(isTransient({ errno: 1054, code: 'ER_BAD_FIELD_ERROR' })).toBe(false);
    expect(isTransient({ errno: 1062 })).toBe(false);
    expect(isTransient({ errno: 1317 })).toBe(false); // a cancelled query is not retried
    expect(isTransient(new Error('boom'))).toBe(false);
    expect(isTransient(undefined)).toBe(false);
    expect(isTransient(null)).toBe(false);
  });

  it('a lock wait timeout (transient) is retried and the model then succeeds', async () => {
    await p.query(`create database \`${p.database}\``);
    await p.query(`create table ${p.rel('locked')} (id int primary key, v int) engine=InnoDB`);
    await p.query(`insert into ${p.rel('locked')} values (1, 0)`);
    await p.query(`create table ${p.rel('attempts')} (n int) engine=InnoDB`);
    for (const f of ['a_bad', 'b_child', 'c_grandchild', 'd_other', 'e_other', 'z_after']) p.remove(`models/${f}.sql`);
    p.write('models/retried.sql', 'select 1 as x');
    p.write(
      'models/retried.yml',
      `models:
  - name: retried
    config:
      pre_hook:
        - set session innodb_lock_wait_timeout = 1
        - insert into {{this.schema}}.attempts values (1)
      post_hook:
        - update {{this.schema}}.locked set v = v + 1 where id = 1
`,
    );
    const holder = await connect(p.database);
    try {
      await holder.query('start transaction');
      await holder.query('select * from locked where id = 1 for update');
      const run = p.spawn(['run', '-s', 'retried']);
      // wait until the first attempt is blocked on the row, let its 1 s lock wait expire, then let go
      // (generous, 90 s: a cold first run of a fresh project on a loaded machine takes a while to get there;
      // letting go before it is blocked would leave nothing to retry)
      let blocked = false;
      for (let i = 0; i < 1800 && !blocked; i++) {
        const waiting = await p.query("select id from information_schema.processlist where info like 'update %locked set v%'");
        blocked = waiting.length > 0;
        if (!blocked) await new Promise((r) => setTimeout(r, 50));
      }
      expect(blocked, `the first attempt never waited for the row lock:\n${run.output()}`).toBe(true);
      await new Promise((r) => setTimeout(r, 1600));
      await holder.query('commit');
      const r = await run.done;
      expect(r.code, r.output).toBe(0);
      expect(r.output).toMatch(/OK created table model \S+\.retried/);
      const [a] = await p.query<{ n: number }>(`select count(*) as n from ${p.rel('attempts')}`);
      expect(a!.n).toBeGreaterThanOrEqual(2);
      // the update ran once: on the attempt that got the lock
      expect(await p.query(`select v from ${p.rel('locked')}`)).toEqual([{ v: 1 }]);
    } finally {
      await holder.end();
    }
  }, 180_000);
});
