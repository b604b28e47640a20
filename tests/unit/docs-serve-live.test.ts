import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { emptyDashboard } from '../../src/docs/dashboard-data.js';
import { startDocsServer } from '../../src/docs/serve.js';

// ft docs serve --live: the panels are read again when a build lands (its run_results.json is
// rewritten), not only at the interval.

const dir = mkdtempSync(join(tmpdir(), 'ft-serve-live-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ft docs serve --live', () => {
  it('reads the dashboard again when the watched file changes, and says it is live', async () => {
    writeFileSync(join(dir, 'index.html'), '<p>hi</p>');
    const results = join(dir, 'run_results.json');
    writeFileSync(results, '{}');
    let reads = 0;
    const server = await startDocsServer({
      dir,
      host: '127.0.0.1',
      port: 0,
      // the interval alone would not read again during the test
      refresh: { seconds: 3600, watch: results, read: async () => ({ ...emptyDashboard(), message: `read ${++reads}` }) },
    });
    try {
      const served = async (): Promise<{ message: string; live: boolean }> => (await fetch(`${server.url}dashboard.json`)).json() as Promise<{ message: string; live: boolean }>;
      expect(await served()).toMatchObject({ message: 'read 1', live: true });
      const later = new Date(Date.now() + 60_000);
      utimesSync(results, later, later);
      // checked every second: wait for the read, however long the machine takes
      while ((await served()).message === 'read 1') await new Promise((ok) => setTimeout(ok, 100));
      expect((await served()).message).toBe('read 2');
    } finally {
      await server.close();
    }
  }, 30_000);
});
