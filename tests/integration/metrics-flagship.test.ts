/**
 * The flagship's KPIs defined once as metrics (models/gold/metrics.yml, over the silver models)
 * equal the hand-written gold model kpi_daily, by day and overall, on four days of dirty traffic;
 * the metrics over the flagship's time spine (time_spine_daily) reach the days without traffic.
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

/** `YYYY-MM-DD` moved by `n` days. */
const addDays = (day: string, n: number): string => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

describe('flagship metrics over the time spine', () => {
  /** kpi_daily's revenue by day, the days in order. */
  async function kpiRevenue(): Promise<Map<string, number>> {
    const rows = await query<Row>("SELECT date_format(day, '%Y-%m-%d') AS day, revenue FROM `" + prefix + '_gold`.kpi_daily WHERE day IS NOT NULL ORDER BY day');
    return new Map(rows.map((r) => [String(r.day), Number(r.revenue)]));
  }

  it('revenue_7d has a value for each spine day with revenue in its 7 days, the 6 days after the last one too, without the no-spine warning', async () => {
    const kpi = await kpiRevenue();
    const days = [...kpi.keys()];
    const r = await ftOk(dir, prefix, ['metrics', 'query', '--metrics', 'revenue_7d', '--group-by', 'metric_time__day', '--output', 'json']);
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/no time spine/);
    const rows = JSON.parse(r.stdout) as Row[];
    const expected = Array.from({ length: days.length + 6 }, (_x, i) => addDays(days[0]!, i));
    expect(rows.map((x) => x.metric_time__day)).toEqual(expected);
    for (const row of rows) {
      const day = String(row.metric_time__day);
      const trailing = [...kpi].filter(([d]) => d > addDays(day, -7) && d <= day).reduce((a, [, v]) => a + v, 0);
      expect(Math.abs(Number(row.revenue_7d) - trailing), `revenue_7d on ${day}: ${String(row.revenue_7d)} vs ${trailing}`).toBeLessThan(0.005);
    }
  }, 120_000);

  it('revenue_filled is kpi_daily\'s revenue on each day, and 0 on the spine days around them without traffic', async () => {
    const kpi = await kpiRevenue();
    const days = [...kpi.keys()];
    const before = addDays(days[0]!, -1);
    const after = addDays(days[days.length - 1]!, 1);
    const where = `{{ TimeDimension('metric_time', 'day') }} between '${before}' and '${after}'`;
    const rows = JSON.parse((await ftOk(dir, prefix, ['metrics', 'query', '--metrics', 'revenue,revenue_filled', '--group-by', 'metric_time__day', '--where', where, '--output', 'json'])).stdout) as Row[];
    expect(rows.map((x) => x.metric_time__day)).toEqual([before, ...days, after]);
    expect([rows[0], rows[rows.length - 1]]).toEqual([
      { metric_time__day: before, revenue: null, revenue_filled: 0 },
      { metric_time__day: after, revenue: null, revenue_filled: 0 },
    ]);
    for (const row of rows.slice(1, -1)) {
      const day = String(row.metric_time__day);
      expect(Math.abs(Number(row.revenue_filled) - kpi.get(day)!), `revenue_filled on ${day}`).toBeLessThan(0.005);
      expect(row.revenue_filled).toBe(row.revenue);
    }
  }, 120_000);
});
