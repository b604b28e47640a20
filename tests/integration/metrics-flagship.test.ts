/**
 * The flagship's KPIs defined once as metrics (models/gold/metrics.yml, over the silver models)
 * equal the hand-written gold model kpi_daily, by day and overall, on four days of dirty traffic.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { produce } from '../../src/generator/produce.js';
import { dropSchemas, uniquePrefix } from '../helpers/db.js';
import { ftOk, projectCopy, query, removeDir } from './pipeline-harness.js';

const prefix = uniquePrefix('metricsflag');
let dir: string;

/** kpi_daily's KPI columns and their decimal places. */
const KPIS = { conversion_rate: 6, cart_abandonment_rate: 6, average_order_value: 2, demand_pressure_index: 4 } as const;
const NAMES = Object.keys(KPIS) as Array<keyof typeof KPIS>;

type Row = Record<string, unknown>;

async function metrics(args: string[]): Promise<Row[]> {
  const r = await ftOk(dir, prefix, ['metrics', 'query', '--metrics', NAMES.join(','), ...args, '--output', 'json']);
  return JSON.parse(r.stdout) as Row[];
}

/** A metric (a double) equals kpi_daily's DECIMAL column rounded to its places. */
function expectSame(metric: unknown, kpi: unknown, places: number, what: string): void {
  if (kpi === null) {
    expect(metric, what).toBeNull();
    return;
  }
  expect(typeof metric, what).toBe('number');
  expect(Math.abs((metric as number) - Number(kpi)), `${what}: metric ${String(metric)}, kpi_daily ${String(kpi)}`).toBeLessThanOrEqual(0.5 * 10 ** -places + 1e-9);
}

beforeAll(async () => {
  dir = projectCopy('metrics');
  await produce({
    events: 6000,
    out: join(dir, 'landing', 'events'),
    seed: 1807,
    fileEvents: 2000,
    spanMs: 4 * 86_400_000,
    dirt: { duplicates: 0.02, malformed: 0.01, invalid: 0.01, late: 0.02 },
    catalog: join(dir, 'seeds', 'products.csv'),
  });
  await ftOk(dir, prefix, ['stream-load', '--once']);
  await ftOk(dir, prefix, ['build']);
}, 480_000);

afterAll(async () => {
  await dropSchemas(prefix);
  if (dir) removeDir(dir);
});

describe('flagship KPIs as metrics', () => {
  it('by day, each metric equals the kpi_daily column of the same name', async () => {
    const kpi = await query<Row>(`SELECT date_format(day, '%Y-%m-%d') AS day, ${NAMES.join(', ')} FROM \`${prefix}_gold\`.kpi_daily WHERE day IS NOT NULL ORDER BY day`);
    const rows = await metrics(['--group-by', 'metric_time__day']);
    expect(kpi.length).toBeGreaterThanOrEqual(4);
    expect(rows.map((r) => r.metric_time__day)).toEqual(kpi.map((k) => k.day));
    rows.forEach((r, i) => {
      for (const name of NAMES) expectSame(r[name], kpi[i]![name], KPIS[name], `${name} on ${String(r.metric_time__day)}`);
    });
  }, 120_000);

  it('overall (no group by), each metric equals the overall row of kpi_daily', async () => {
    const [overall] = await query<Row>(`SELECT ${NAMES.join(', ')} FROM \`${prefix}_gold\`.kpi_daily WHERE kpi_key = 'overall'`);
    const rows = await metrics([]);
    expect(rows).toHaveLength(1);
    for (const name of NAMES) expectSame(rows[0]![name], overall![name], KPIS[name], `overall ${name}`);
  }, 120_000);

  it('the saved query daily_kpis is the same query', async () => {
    const saved = JSON.parse((await ftOk(dir, prefix, ['metrics', 'query', '--saved-query', 'daily_kpis', '--output', 'json'])).stdout) as Row[];
    expect(saved).toEqual(await metrics(['--group-by', 'metric_time__day']));
  }, 120_000);
});
