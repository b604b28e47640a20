/**
 * How a snapshot run reads its history table: through the key index, always. Right after a
 * first run, InnoDB still counts the new table as empty (it recounts in the background, ~10 s
 * later) and would plan the closing UPDATE as a full scan of the history per changed row.
 * Rows read are counted by the server's global Handler_read_rnd_next (full-scan reads), so a
 * plan that scans per changed row shows as tens of millions of reads.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { createProject, type TestProject } from '../helpers/project-builder.js';

let p: TestProject | undefined;
afterEach(async () => {
  await p?.cleanup();
  p = undefined;
});

const ROWS = 20_000;

async function project(label: string, config: Record<string, unknown>): Promise<TestProject> {
  const project = await createProject({ label });
  project.write('models/sources.yml', `sources:\n  - name: shop\n    schema: ${project.schema('shop')}\n    tables:\n      - name: items\n`);
  project.write('models/snapshots.yml', stringify({ snapshots: [{ name: 'hist', relation: "source('shop', 'items')", config: { unique_key: 'id', hard_deletes: 'invalidate', ...config } }] }));
  const t = project.rel('items', 'shop');
  await project.query(`CREATE DATABASE ${project.rel('x', 'shop').split('.')[0]}`);
  await project.query(`CREATE TABLE ${t} (id INT PRIMARY KEY, v INT, updated_at DATETIME)`);
  // ROWS rows from a cross join of digits (no sequence engine on MySQL)
  await project.query(`INSERT INTO ${t} SELECT n + 1, n, '2026-01-01 00:00:00' FROM (SELECT a.d + 10 * b.d + 100 * c.d + 1000 * e.d + 10000 * f.d AS n FROM ${[1, 2, 3, 4, 5].map((i) => `(SELECT 0 d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9) ${'abcef'[i - 1]}`).join(', ')}) g WHERE n < ${ROWS}`);
  return project;
}

const fullScanReads = async (project: TestProject): Promise<number> => Number((await project.query<{ Value: string }>(`SHOW GLOBAL STATUS LIKE 'Handler_read_rnd_next'`))[0]!.Value);

describe('snapshot plans', () => {
  for (const strategy of ['timestamp', 'check'] as const) {
    it(`${strategy}: a run right after the first one reads each changed row's version through the key index, not by scanning the history`, async () => {
      p = await project(`snapplan${strategy[0]}`, strategy === 'timestamp' ? { strategy, updated_at: 'updated_at' } : { strategy, check_cols: ['v'] });
      const t = p.rel('items', 'shop');
      expect((await p.ft(['snapshot'])).code).toBe(0);
      await p.query(`UPDATE ${t} SET v = v + 1, updated_at = '2026-01-02 00:00:00' WHERE id % 10 = 0`);
      const before = await fullScanReads(p);
      const again = await p.ft(['snapshot']);
      expect(again.code, again.output).toBe(0);
      const reads = (await fullScanReads(p)) - before;
      // the source once, the staged rows a few times (other tests add some): far under
      // the 2,000 × 20,000 reads of a scan per changed row
      expect(reads).toBeLessThan(4_000_000);
      const [h] = await p.query<{ open: number; closed: number }>(`SELECT SUM(dbt_valid_to IS NULL) AS open, SUM(dbt_valid_to IS NOT NULL) AS closed FROM ${p.rel('hist')}`);
      expect([Number(h!.open), Number(h!.closed)]).toEqual([ROWS, ROWS / 10]);
    }, 180_000);
  }

  it('a history table without the key index (built by dbt, or an index the server refused) gets it on the next run', async () => {
    p = await project('snapplanix', { strategy: 'timestamp', updated_at: 'updated_at' });
    const t = p.rel('items', 'shop');
    expect((await p.ft(['snapshot'])).code).toBe(0);
    await p.query(`ALTER TABLE ${p.rel('hist')} DROP INDEX ft_snapshot_key`);
    await p.query(`UPDATE ${t} SET updated_at = '2026-01-03 00:00:00' WHERE id <= 5`);
    const again = await p.ft(['snapshot']);
    expect(again.code, again.output).toBe(0);
    const ix = await p.query<{ Column_name: string }>(`SHOW INDEX FROM ${p.rel('hist')} WHERE Key_name = 'ft_snapshot_key'`);
    expect(ix.map((r) => r.Column_name)).toEqual(['id', 'dbt_valid_to', 'dbt_valid_from', 'dbt_scd_id']);
    const [h] = await p.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${p.rel('hist')} WHERE dbt_valid_to IS NOT NULL`);
    expect(Number(h!.n)).toBe(5);
  }, 120_000);
});
