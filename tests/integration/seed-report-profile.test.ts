/**
 * `npm run produce -- --profile seed-report`: the flagship pipeline, fed that traffic (with
 * dirt the pipeline has to clean), computes the figures the original system published —
 * conversion 84.63%, cart abandonment 7.88%, average order value $4.78K, demand pressure
 * index 0.54 — within 0.5% each, in kpi_daily's overall row.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropSchemas, uniquePrefix } from '../helpers/db.js';
import { REPO, ftOk, projectCopy, query, removeDir } from './pipeline-harness.js';

const prefix = uniquePrefix('seedrep');
const db = `${prefix}_db`;
let dir: string;

beforeAll(async () => {
  dir = projectCopy('seedreport');
  // the producer's CLI (npm run produce runs its source), default 10,000 lines
  execFileSync(process.execPath, [join(REPO, 'dist', 'generator', 'produce-cli.js'), '--profile', 'seed-report', '--duplicates', '0.03', '--malformed', '0.01', '--nulls', '0.01', '--invalid', '0.01', '--quiet'], { cwd: dir });
  await ftOk(dir, db, ['stream-load', '--once']);
  await ftOk(dir, db, ['build']);
}, 600_000);

afterAll(async () => {
  await dropSchemas(prefix);
  if (dir) removeDir(dir);
});

describe('the seed-report traffic profile', () => {
  it("reproduces the original system's four published KPIs within 0.5% in kpi_daily", async () => {
    const [overall] = await query<Record<string, string>>(`SELECT * FROM \`${db}_gold\`.kpi_daily WHERE day IS NULL`);
    expect(overall).toBeDefined();
    const published = { conversion_rate: 0.8463, cart_abandonment_rate: 0.0788, average_order_value: 4780, demand_pressure_index: 0.54 };
    for (const [column, figure] of Object.entries(published)) {
      const got = Number(overall![column]);
      expect(Math.abs(got - figure) / figure, `${column}: ${got} vs published ${figure}`).toBeLessThan(0.005);
    }
    // the dirt was there and was cleaned: bronze holds more rows than silver kept
    const [bronze] = await query<{ n: number }>(`SELECT COUNT(*) AS n FROM \`${db}_bronze\`.flash_sale_events`);
    expect(Number(bronze!.n)).toBeGreaterThan(Number(overall!.events));
  });
});
