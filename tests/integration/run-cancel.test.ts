import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MysqlDriver } from '../../src/adapters/mysql/mysql-driver.js';
import { TEST_DB } from '../helpers/db.js';
import { createProject, type TestProject } from '../helpers/project-builder.js';

/**
 * Ctrl-C / SIGTERM: ft kills its running statements (KILL QUERY), leaves no __ft_tmp tables,
 * skips what had not started and exits 130 within a few seconds.
 */
describe('cancelling a run', () => {
  let p: TestProject;

  beforeAll(async () => {
    p = await createProject({
      label: 'cancel',
      project: { models: { proj: { '+materialized': 'table' } } },
      models: {
        'fast.sql': 'select 1 as x',
        'slow.sql': 'select sleep(30) as s, x from {{ref "fast"}}',
        'slow_other.sql': 'select sleep(29) as s',
        'after_slow.sql': 'select * from {{ref "slow"}}',
      },
    });
  });

  afterAll(async () => {
    await p.cleanup();
  });

  const sleeping = async (): Promise<Array<{ id: number; info: string }>> =>
    p.query(
      "select id, info from information_schema.processlist where info like '%sleep(%' and info like ? and info not like '%processlist%'",
      [`%${p.prefix}%`],
    );

  const waitUntil = async (cond: () => Promise<boolean>, ms = 20_000): Promise<void> => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if (await cond()) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('condition not met in time');
  };

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal}: exit 130 before the statements could end, statements killed, no __ft_tmp left`, async () => {
      for (const t of ['slow', 'slow_other', 'after_slow']) await p.query(`drop table if exists ${p.rel(t)}`);
      const run = p.spawn(['run', '--threads', '2']);
      let exited = false;
      void run.done.then(() => (exited = true));
      // both slow statements are running on the server (generous: the full suite loads both cores)
      let seenAt = 0;
      let runningFor = 0;
      try {
        await waitUntil(async () => {
          if (exited) throw new Error(`ft run ended before both slow models started:\n${run.output()}`);
          const now = Date.now();
          const running = await p.query<{ time: number }>(
            "select time from information_schema.processlist where info like '%sleep(%' and info like ? and info not like '%processlist%'",
            [`%${p.prefix}%`],
          );
          if (running.length !== 2) return false;
          seenAt = now;
          runningFor = Math.max(...running.map((x) => Number(x.time)));
          return true;
        }, 45_000);
      } catch (e) {
        run.child.kill('SIGKILL');
        throw new Error(`${(e as Error).message}\nft run printed:\n${run.output()}`);
      }
      run.child.kill(signal);
      const r = await run.done;
      const endedAt = Date.now();
      expect(r.code, r.output).toBe(130);
      // Cancelled before finishing: ft ended before its statements could have ended by themselves.
      // They sleep 29-30 s and had run `runningFor` whole seconds (processlist's TIME) when first
      // seen, so the earliest they could end is 29 - runningFor - 1 s after that. The bound comes
      // from the statements, not from how fast this machine is (cancelling takes ~1 s).
      expect(endedAt - seenAt, r.output).toBeLessThan((29 - runningFor - 1) * 1000);
      expect(r.stderr).toMatch(/cancelling: stopping running statements/);
      expect(r.output).not.toMatch(/\n\s+at /);
      // the server runs nothing of ours any more
      expect(await sleeping()).toEqual([]);
      const tables = await p.tables();
      expect(tables.filter((t) => /__ft_/.test(t))).toEqual([]);
      expect(tables).not.toContain('slow');
      expect(tables).not.toContain('after_slow');
      const results: Array<{ unique_id: string; status: string; message: string }> = p.readJson('target/run_results.json').results;
      const by = Object.fromEntries(results.map((x) => [x.unique_id.split('.').pop(), x]));
      expect(by.fast!.status).toBe('success');
      expect(by.slow!.status).toBe('error');
      expect(by.slow!.message).toBe('cancelled');
      expect(by.after_slow!.status).toBe('skipped');
      // the run lock is released: another run can start at once
      p.write('models/slow.sql', 'select 0 as s, x from {{ref "fast"}}');
      p.write('models/slow_other.sql', 'select 0 as s');
      const again = await p.ft(['run', '--lock-wait', '0']);
      expect(again.code, again.output).toBe(0);
      p.write('models/slow.sql', 'select sleep(30) as s, x from {{ref "fast"}}');
      p.write('models/slow_other.sql', 'select sleep(29) as s');
    }, 90_000);
  }

  it('after a cancel, a session runs no further statement except cleanup (DROP) and the lock release', async () => {
    const driver = new MysqlDriver(
      { ...TEST_DB, profileName: 'proj', targetName: 'dev', type: 'mysql', database: p.database, threads: 1, profilesFile: 'profiles.yml' },
      2,
    );
    try {
      await driver.withSession(async (s) => {
        expect((await s.query<{ one: number }>('SELECT 1 AS one'))[0]!.one).toBe(1);
        // Ctrl-C while this session sits between two statements: nothing to KILL, so the next one must not start
        await driver.cancelAll();
        await expect(s.execute(`CREATE TABLE ${p.rel('after_cancel')} AS SELECT SLEEP(5) AS s`)).rejects.toMatchObject({ exitCode: 130 });
        await expect(s.execute(`DROP TABLE IF EXISTS ${p.rel('after_cancel__ft_tmp')}`)).resolves.toBeDefined();
        await expect(s.query('SELECT RELEASE_LOCK(?)', ['ft_nothing'])).resolves.toBeDefined();
      });
      await expect(driver.withSession(async () => 1)).rejects.toMatchObject({ exitCode: 130 });
      expect(await p.relationType('after_cancel')).toBeNull();
    } finally {
      await driver.close();
    }
  });
});
