import { describe, expect, it } from 'vitest';
import { MysqlDriver } from '../../src/adapters/mysql/mysql-driver.js';
import { TEST_DB } from '../helpers/db.js';

/**
 * Ctrl-C while a run waits for a free connection (every pooled connection held, #14 item 2):
 * the wait ends with the cancel (exit code 130) instead of lasting until a connection is
 * released, which may be never.
 */
describe('cancelling a run that waits for a connection', () => {
  it('ends the wait at once, before the held connection is released', async () => {
    const driver = new MysqlDriver(
      { ...TEST_DB, profileName: 'proj', targetName: 'dev', type: 'mysql', database: 'test', threads: 1, profilesFile: 'profiles.yml' },
      1,
    );
    const events: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    // the pool's only connection, held until the gate opens
    const holder = driver.withSession(async (s) => {
      await s.query('SELECT 1');
      events.push('held');
      await gate;
      events.push('released');
    });
    try {
      while (!events.includes('held')) await new Promise((r) => setTimeout(r, 10));
      // outside the holder's async context: a second session has to come from the pool
      const waiting = driver.acquire().then(
        (s) => {
          events.push('got a session');
          s.conn.release();
        },
        (e: unknown) => {
          events.push(`refused ${(e as { exitCode?: number }).exitCode}`);
        },
      );
      await new Promise((r) => setTimeout(r, 100));
      expect(events).toEqual(['held']);
      await driver.cancelAll();
      // not a speed bound: without the cancel ending the wait, nothing else would ever end it
      // (the holder waits for the gate), so this timer only turns that deadlock into a failure
      const deadlockBreaker = setTimeout(release, 20_000);
      await waiting;
      clearTimeout(deadlockBreaker);
      expect(events).toEqual(['held', 'refused 130']);
    } finally {
      release();
      await holder.catch(() => undefined);
      await driver.close();
    }
  }, 60_000);
});
