import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { MysqlDriver } from '../../src/adapters/mysql/mysql-driver.js';
import { TEST_DB } from '../helpers/db.js';

/**
 * A long-running process (a continuous loader) borrows a session millions of times from
 * drivers that live as long as it does. Each wait for a connection raced a promise that only a
 * cancel settles, and a race leaves a reaction on a promise that never settles: the driver
 * kept every wait it ever made. Measured as the heap left after a full GC.
 */
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

describe('a driver that lives long', () => {
  it('keeps nothing of the sessions it lent: 60,000 borrows leave the heap as it was', async () => {
    const driver = new MysqlDriver(
      { ...TEST_DB, profileName: 'proj', targetName: 'dev', type: 'mysql', database: 'test', threads: 1, profilesFile: 'profiles.yml' },
      1,
    );
    try {
      const borrow = async (n: number): Promise<void> => {
        for (let i = 0; i < n; i++) {
          const s = await driver.acquire();
          s.conn.release();
        }
      };
      await borrow(5_000);
      const before = heapAfterGc();
      await borrow(60_000);
      const grown = heapAfterGc() - before;
      // about 800 bytes a borrow when each one is kept (50 MB); a few hundred kB of noise otherwise
      expect(grown, `${(grown / 1e6).toFixed(1)} MB kept`).toBeLessThan(4_000_000);
    } finally {
      await driver.close();
    }
  }, 120_000);
});
