import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject, type TestProject } from '../helpers/project-builder.js';

/** One ft run per target database at a time: a second run waits for the lock, or fails clearly with --lock-wait 0. */
describe('the run lock', () => {
  let p: TestProject;

  beforeAll(async () => {
    p = await createProject({
      label: 'lock',
      models: {
        'slow.sql': '{{config materialized="table"}}\nselect sleep({{var "pause" 0}}) as s',
      },
    });
  });

  afterAll(async () => {
    await p.cleanup();
  });

  const running = async (): Promise<boolean> =>
    (await p.query("select id from information_schema.processlist where info like '%sleep(%' and info like ? and info not like '%processlist%'", [`%${p.prefix}%`])).length > 0;

  // Generous (90 s): with the full suite on both cores, starting the first run took over 20 s.
  const waitRunning = async (): Promise<void> => {
    const end = Date.now() + 90_000;
    while (Date.now() < end && !(await running())) await new Promise((r) => setTimeout(r, 50));
    if (!(await running())) throw new Error('the first run never started its statement');
  };

  // The first run sleeps long enough to hold the lock whatever the machine's load, and is
  // cancelled (Ctrl-C) when the test no longer needs it.
  it('--lock-wait 0: the second run fails at once with a clear message and exit 2', async () => {
    const first = p.spawn(['run', '--vars', '{pause: 60}']);
    try {
      await waitRunning();
      const second = await p.ft(['run', '--lock-wait', '0']);
      expect(second.code).toBe(2);
      expect(second.stderr).toContain(`another ft run is building target database ${p.database}`);
      expect(second.stderr).toMatch(/--lock-wait <seconds>/);
      expect(second.stderr.trim().split('\n')).toHaveLength(1);
      expect(second.output).not.toMatch(/\n\s+at /);
      expect(second.output).not.toMatch(/ of \d+ /); // built nothing
    } finally {
      first.child.kill('SIGINT');
      expect((await first.done).code).toBe(130);
    }
  }, 180_000);

  it('without --lock-wait 0 the second run waits for the first, then builds', async () => {
    const first = p.spawn(['run', '--vars', '{pause: 60}']);
    await waitRunning();
    const second = p.spawn(['run']);
    await second.waitFor(/another ft run holds the lock on target database \S+; waiting up to 60s/);
    // still waiting a moment later
    await new Promise((r) => setTimeout(r, 1000));
    expect(second.child.exitCode).toBeNull();
    first.child.kill('SIGINT');
    const a = await first.done;
    const firstEnded = Date.now();
    expect(a.code, a.output).toBe(130);
    const b = await second.done;
    expect(b.code, b.output).toBe(0);
    expect(b.output).toMatch(/1 of 1 OK created table model/);
    // the second built only after the first had let go
    const r = p.readJson('target/run_results.json').results[0];
    expect(Date.parse(r.timing[0].started_at)).toBeGreaterThanOrEqual(firstEnded - 1000);
  }, 180_000);

  it('a run that waits for the lock stops on Ctrl-C, while the lock is still held (exit 130)', async () => {
    const first = p.spawn(['run', '--vars', '{pause: 60}']);
    try {
      await waitRunning();
      // waits longer than the first holds the lock: only the signal can end it while the first runs
      const second = p.spawn(['run', '--lock-wait', '600']);
      await second.waitFor(/waiting up to 600s/);
      second.child.kill('SIGINT');
      const b = await second.done;
      expect(b.code, b.output).toBe(130);
      // Stopped by the signal, not by the lock: it ended while the first run (pausing 60 s) still
      // held the lock it would otherwise have waited 600 s for, and the wait itself noticed the
      // signal (not ft's last-resort exit a few seconds after it, which prints "did not stop
      // within"). No wall-clock bound: order and messages only.
      expect(first.child.exitCode).toBeNull();
      expect(b.stderr).toContain('cancelled while waiting for the run lock; nothing was built.');
      expect(b.stderr).not.toContain('did not stop within');
      expect(b.output).not.toMatch(/\n\s+at /);
    } finally {
      first.child.kill('SIGINT');
      await first.done;
    }
  }, 180_000);

  it('locks are per target database: another target runs at the same time', async () => {
    const other = await createProject({ label: 'lock2', models: { 'x.sql': 'select 1 as x' } });
    const first = p.spawn(['run', '--vars', '{pause: 60}']);
    try {
      await waitRunning();
      const r = await other.ft(['run', '--lock-wait', '0']);
      expect(r.code, r.output).toBe(0);
    } finally {
      first.child.kill('SIGINT');
      await first.done;
      await other.cleanup();
    }
  }, 180_000);
});
