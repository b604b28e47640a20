import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mysql from 'mysql2/promise';
import { connect, dropSchemas, uniquePrefix } from '../helpers/db.js';
import { lookupTest, validateTestArgs } from '../../src/testing/generic/registry.js';
import type { GenericTestContext } from '../../src/testing/generic/types.js';

const prefix = uniquePrefix('anomaly');
const db = `${prefix}_db`;
let conn: mysql.Connection;

const quote = (s: string) => `\`${s.replace(/`/g, '``')}\``;
const rel = (t: string) => `${quote(db)}.${quote(t)}`;

/** Seeded PRNG (mulberry32): the same series on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const fmt = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

async function insertRows(table: string, rows: unknown[][]): Promise<void> {
  for (let i = 0; i < rows.length; i += 5000) {
    await conn.query(`INSERT INTO ${rel(table)} VALUES ?`, [rows.slice(i, i + 5000)]);
  }
}

interface Failure {
  bucket_start: string;
  metric: string;
  value: number;
  expected_min: number;
  expected_max: number;
  training_avg: number;
  training_stddev: number;
  z_score: number;
}

async function run(test: string, table: string, column: string | undefined, args: Record<string, unknown>): Promise<Failure[]> {
  const def = lookupTest(test)!;
  validateTestArgs(def, args, column !== undefined);
  const ctx: GenericTestContext = {
    model: rel(table),
    columnName: column,
    args,
    quote,
    literal: (v) => mysql.escape(v as string | number | boolean | null),
    resolveRelation: () => {
      throw new Error('unused');
    },
  };
  const sql = def.sql(ctx);
  const [rows] = await conn.query(`SELECT * FROM (\n${sql}\n) t ORDER BY bucket_start, metric`);
  const [count] = await conn.query(`SELECT COUNT(*) AS n FROM (\n${sql}\n) t`);
  expect(Number((count as Array<{ n: number }>)[0]!.n)).toBe((rows as unknown[]).length);
  return (rows as Array<Record<string, unknown>>).map((r) => ({
    bucket_start: String(r.bucket_start),
    metric: String(r.metric),
    value: Number(r.value),
    expected_min: Number(r.expected_min),
    expected_max: Number(r.expected_max),
    training_avg: Number(r.training_avg),
    training_stddev: Number(r.training_stddev),
    z_score: Number(r.z_score),
  }));
}

// Hourly series: 21 full days from Friday 2024-03-01, volume = 100 + 60·sin(2π·hour/24) ± 4,
// then 3 rows in the (incomplete) first hour of day 22.
const START = Date.UTC(2024, 2, 1);
const HOURS = 21 * 24;
const SPIKE_HOUR = HOURS - 30; // 2024-03-20 18:00 — inside the default 2-day detection period
const DROP_HOUR = HOURS - 10; // 2024-03-21 14:00
const spikeAt = fmt(START + SPIKE_HOUR * HOUR);
const dropAt = fmt(START + DROP_HOUR * HOUR);

function hourlySeries(withAnomalies: boolean): unknown[][] {
  const rand = prng(42);
  const rows: unknown[][] = [];
  let id = 0;
  for (let h = 0; h < HOURS; h++) {
    const hourOfDay = h % 24;
    let n = Math.round(100 + 60 * Math.sin((2 * Math.PI * hourOfDay) / 24) + (rand() * 8 - 4));
    if (withAnomalies && h === SPIKE_HOUR) n += 80;
    if (withAnomalies && h === DROP_HOUR) n = Math.round(n * 0.35);
    for (let i = 0; i < n; i++) rows.push([++id, fmt(START + h * HOUR + Math.floor(rand() * HOUR))]);
  }
  for (let i = 0; i < 3; i++) rows.push([++id, fmt(START + HOURS * HOUR + i * 60_000)]);
  return rows;
}

beforeAll(async () => {
  conn = await connect();
  // MySQL 8's default sql_mode, so GROUP BY / strict-mode problems show up on MariaDB too
  await conn.query(
    "SET SESSION sql_mode = 'ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'",
  );
  await conn.query(`CREATE DATABASE ${quote(db)}`);
  for (const t of ['hourly', 'hourly_clean']) {
    await conn.query(`CREATE TABLE ${rel(t)} (id INT, created_at DATETIME, KEY (created_at))`);
  }
  await insertRows('hourly', hourlySeries(true));
  await insertRows('hourly_clean', hourlySeries(false));

  // Daily orders over 30 days, 200 a day, discount NULL 5% of the time — 45% on the last complete day.
  await conn.query(`CREATE TABLE ${rel('orders')} (id INT, ordered_at DATETIME, discount DECIMAL(6,2))`);
  {
    const rand = prng(7);
    const rows: unknown[][] = [];
    let id = 0;
    for (let d = 0; d < 30; d++) {
      const pNull = d === 29 ? 0.45 : 0.05;
      for (let i = 0; i < 200; i++) {
        rows.push([++id, fmt(START + d * DAY + Math.floor(rand() * DAY)), rand() < pNull ? null : Math.round(rand() * 2000) / 100]);
      }
    }
    rows.push([++id, fmt(START + 30 * DAY + HOUR), 1]); // day 31 is incomplete
    await insertRows('orders', rows);
  }

  // Daily volume with a weekly cycle (weekdays ≈ 200, weekends ≈ 50) over 16 weeks; the last
  // complete day (a Tuesday) has 120 — low for a weekday, normal for the week as a whole.
  await conn.query(`CREATE TABLE ${rel('weekly')} (id INT, day DATETIME)`);
  {
    const rand = prng(99);
    const rows: unknown[][] = [];
    const start = Date.UTC(2024, 0, 1); // Monday
    let id = 0;
    const days = 16 * 7 + 3; // ends on a Wednesday (incomplete)
    for (let d = 0; d < days; d++) {
      const weekday = d % 7; // 0 = Monday
      let n = weekday >= 5 ? 50 + Math.round(rand() * 6 - 3) : 200 + Math.round(rand() * 10 - 5);
      if (d === days - 2) n = 120;
      if (d === days - 1) n = 5;
      for (let i = 0; i < n; i++) rows.push([++id, fmt(start + d * DAY + Math.floor(rand() * DAY))]);
    }
    await insertRows('weekly', rows);
  }

  // A daily series with a day without any rows in the detection period.
  await conn.query(`CREATE TABLE ${rel('gappy')} (id INT, at DATE)`);
  {
    const rows: unknown[][] = [];
    let id = 0;
    for (let d = 0; d < 25; d++) {
      if (d === 23) continue;
      const n = 40 + (d % 3);
      for (let i = 0; i < n; i++) rows.push([++id, fmt(START + d * DAY).slice(0, 10)]);
    }
    await insertRows('gappy', rows);
  }
}, 120_000);

afterAll(async () => {
  await conn?.end();
  await dropSchemas(prefix);
});

describe('volume_anomalies', () => {
  const args = { timestamp_column: 'created_at', time_bucket: 'hour', seasonality: 'hour_of_day', training_period: { period: 'day', count: 14 } };

  it('flags exactly the injected spike and drop (hour_of_day seasonality)', async () => {
    const rows = await run('volume_anomalies', 'hourly', undefined, args);
    expect(rows.map((r) => r.bucket_start)).toEqual([spikeAt, dropAt]);
    const [spike, drop] = rows as [Failure, Failure];
    expect(spike.metric).toBe('row_count');
    expect(spike.z_score).toBeGreaterThan(3);
    expect(spike.value).toBeGreaterThan(spike.expected_max);
    expect(drop.z_score).toBeLessThan(-3);
    expect(drop.value).toBeLessThan(drop.expected_min);
    expect(drop.training_stddev).toBeGreaterThan(0);
    expect(Math.abs(drop.training_avg - (100 + 60 * Math.sin((2 * Math.PI * 14) / 24)))).toBeLessThan(3);
  });

  it('finds nothing in the same series without them, though the incomplete last hour has 3 rows', async () => {
    expect(await run('volume_anomalies', 'hourly_clean', undefined, args)).toEqual([]);
    expect(await run('elementary.volume_anomalies', 'hourly_clean', undefined, { ...args, training_period: undefined })).toEqual([]);
  });

  it('without seasonality the daily cycle hides both anomalies', async () => {
    const rows = await run('volume_anomalies', 'hourly', undefined, { ...args, seasonality: 'none' });
    expect(rows).toEqual([]);
  });

  it('anomaly_direction and ignore_small_changes', async () => {
    expect((await run('volume_anomalies', 'hourly', undefined, { ...args, anomaly_direction: 'spike' })).map((r) => r.bucket_start)).toEqual([spikeAt]);
    expect((await run('volume_anomalies', 'hourly', undefined, { ...args, anomaly_direction: 'drop' })).map((r) => r.bucket_start)).toEqual([dropAt]);
    // the spike is +80 on ≈ 40 (+200%), the drop −65%
    const ignoreSpikes = { ...args, ignore_small_changes: { spike_failure_percent_threshold: 500 } };
    expect((await run('volume_anomalies', 'hourly', undefined, ignoreSpikes)).map((r) => r.bucket_start)).toEqual([dropAt]);
    // one number for both: the drop (−65%) is now small, the spike (+200%) is not
    expect((await run('volume_anomalies', 'hourly', undefined, { ...args, ignore_small_changes: 90 })).map((r) => r.bucket_start)).toEqual([spikeAt]);
  });

  it('the detection period is relative to the data: a short one misses the earlier spike', async () => {
    const rows = await run('volume_anomalies', 'hourly', undefined, { ...args, detection_period: 12 });
    expect(rows.map((r) => r.bucket_start)).toEqual([dropAt]);
  });

  it('min_training_buckets: too little history judges nothing', async () => {
    expect(await run('volume_anomalies', 'hourly', undefined, { ...args, training_period: { period: 'day', count: 3 }, min_training_buckets: 4 })).toEqual([]);
  });

  it('a bucket without rows counts as 0', async () => {
    const rows = await run('volume_anomalies', 'gappy', undefined, { timestamp_column: 'at' });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.bucket_start).toBe(fmt(START + 23 * DAY));
    expect(rows[0]!.value).toBe(0);
    expect(rows[0]!.expected_min).toBeGreaterThanOrEqual(0);
  });

  it('day_of_week seasonality compares a Tuesday with Tuesdays', async () => {
    const last = fmt(Date.UTC(2024, 0, 1) + (16 * 7 + 1) * DAY);
    const seasonal = await run('volume_anomalies', 'weekly', undefined, { timestamp_column: 'day', seasonality: 'day_of_week' });
    expect(seasonal.map((r) => r.bucket_start)).toEqual([last]);
    expect(await run('volume_anomalies', 'weekly', undefined, { timestamp_column: 'day' })).toEqual([]);
  });

  it('rejects bad options with the fix', () => {
    const def = lookupTest('volume_anomalies')!;
    expect(() => validateTestArgs(def, {}, false)).toThrow(/missing required argument "timestamp_column"/);
    expect(() => validateTestArgs(def, { timestamp_column: 'x', seasonality: 'hour_of_day' }, false)).toThrow(/time_bucket: hour/);
    expect(() => validateTestArgs(def, { timestamp_column: 'x', training_period: { period: 'hour', count: 5 } }, false)).toThrow(/whole number of time buckets/);
    expect(() => validateTestArgs(def, { timestamp_column: 'x', anomaly_direction: 'up' }, false)).toThrow(/"anomaly_direction" must be one of/);
  });
});

describe('column_anomalies', () => {
  it('flags the day null_percent jumps', async () => {
    const rows = await run('column_anomalies', 'orders', 'discount', { timestamp_column: 'ordered_at', column_anomalies: ['null_percent'] });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.bucket_start).toBe(fmt(START + 29 * DAY));
    expect(rows[0]!.metric).toBe('null_percent');
    expect(rows[0]!.value).toBeGreaterThan(30);
    expect(rows[0]!.training_avg).toBeLessThan(10);
  });

  it('several metrics: only those that moved fail', async () => {
    const rows = await run('elementary.column_anomalies', 'orders', 'discount', {
      timestamp_column: 'ordered_at',
      column_anomalies: ['null_count', 'null_percent', 'max'],
    });
    expect(rows.map((r) => r.metric).sort()).toEqual(['null_count', 'null_percent']);
  });

  it('passes when nothing moved', async () => {
    const rows = await run('column_anomalies', 'orders', 'discount', { timestamp_column: 'ordered_at', column_anomalies: ['average', 'max', 'min'] });
    expect(rows).toEqual([]);
  });

  it('rejects an unknown metric with a suggestion', () => {
    expect(() => validateTestArgs(lookupTest('column_anomalies')!, { timestamp_column: 'x', column_anomalies: ['null_percnt'] }, true)).toThrow(/Did you mean "null_percent"/);
  });
});
