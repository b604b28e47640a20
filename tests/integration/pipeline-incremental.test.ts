/**
 * The flagship pipeline built in many small increments gives exactly the tables of one
 * --full-refresh build over the same bronze data, and its KPIs match an independent
 * computation from the event files.
 *
 * Increments: the producer's files delivered a few at a time (stream-load, then ft build),
 * with, in later slices, duplicates of events already built, late events for days already
 * built (some moving a session's first event to the previous day, one coming before its
 * product's first hour), and a slice loaded in many small batches.
 */
import { mkdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { produce, type ProduceSummary } from '../../src/generator/produce.js';
import { dropSchemas, uniquePrefix } from '../helpers/db.js';
import { cloneDatabase, dumpSchemas, expectedKpis, failedTests, ft, ftOk, projectCopy, query, readLines, removeDir, writeLines } from './pipeline-harness.js';

const prefix = uniquePrefix('pipeinc');
const db = `${prefix}_db`;
let dir: string;
let produced: ProduceSummary;
/** Files in the order they were delivered (and loaded). */
const delivered: string[] = [];

interface Ev {
  event_id: string;
  event_type: string;
  event_ts: string;
  user_id: string | null;
  session_id: string;
  product_id: string;
  category: string | null;
  price: number;
  quantity: number;
  flash_sale_id: string | null;
}

const START = Date.parse('2026-11-24T00:00:00Z');
const HOUR = 3_600_000;
let counter = 0;
const freshId = (): string => `00000000-late-4000-8000-${String(++counter).padStart(12, '0')}`;
const iso = (ms: number): string => new Date(ms).toISOString();

function validEvents(file: string): Ev[] {
  const out: Ev[] = [];
  for (const l of readLines(file)) {
    try {
      const e = JSON.parse(l) as Ev;
      if (e && e.event_id && e.session_id && e.product_id && ['view', 'add_to_cart', 'remove_from_cart', 'purchase'].includes(e.event_type) && e.price > 0 && e.quantity >= 1) out.push(e);
    } catch {
      /* dirt */
    }
  }
  return out;
}

/** Exact copies of valid lines of earlier files: duplicates arriving in a later slice. */
function duplicatesOf(files: string[], every: number): string[] {
  const out: string[] = [];
  for (const f of files) readLines(f).forEach((l, i) => {
    if (i % every === 0 && l.startsWith('{"event_id":"') && !l.includes('"price":-') && !l.includes('"price":0.00')) out.push(l);
  });
  return out;
}

/** Valid events with fresh ids for hours and days already built. */
function lateEvents(all: Ev[]): string[] {
  const out: Ev[] = [];
  // copies (new ids) of events of the first day: late events for a day built long ago
  for (const e of all.filter((x) => x.event_ts < iso(START + 20 * HOUR)).filter((_x, i) => i % 97 === 0)) {
    out.push({ ...e, event_id: freshId() });
  }
  // a purchase on day 2 (changes revenue, AOV and its session's flags)
  const cart = all.find((e) => e.event_type === 'add_to_cart' && e.event_ts >= iso(START + 30 * HOUR));
  if (cart) out.push({ ...cart, event_id: freshId(), event_type: 'purchase', event_ts: iso(Date.parse(cart.event_ts) + 60_000) });
  // an event before a product's first hour (changes that product's anomaly history)
  const firstByProduct = new Map<string, string>();
  for (const e of all) if (!firstByProduct.has(e.product_id) || e.event_ts < firstByProduct.get(e.product_id)!) firstByProduct.set(e.product_id, e.event_ts);
  const [late] = [...firstByProduct.entries()].filter(([, ts]) => ts >= iso(START + 5 * HOUR)).sort((a, b) => (a[1] < b[1] ? 1 : -1));
  if (late) {
    const e = all.find((x) => x.product_id === late[0])!;
    out.push({ ...e, event_id: freshId(), event_type: 'view', quantity: 1, session_id: 'S-late-first-hour', event_ts: iso(START + 2 * HOUR + 123) });
  }
  return out.map((e) => JSON.stringify(e));
}

/**
 * Sessions whose first event is in the first two hours of day 2 get a late view at 23:30 of
 * day 1: their first day moves to day 1, so day 2's session counts drop although no new event
 * falls on day 2 (delivered with the last slice, whose own events are all on day 3).
 */
function sessionMovers(all: Ev[]): string[] {
  const firstBySession = new Map<string, Ev>();
  for (const e of all) {
    const f = firstBySession.get(e.session_id);
    if (!f || e.event_ts < f.event_ts) firstBySession.set(e.session_id, e);
  }
  const movers = [...firstBySession.values()].filter((e) => e.event_ts >= iso(START + 24 * HOUR) && e.event_ts < iso(START + 26 * HOUR)).slice(0, 6);
  return movers.map((e, i) => JSON.stringify({ ...e, event_id: freshId(), event_type: 'view', quantity: 1, event_ts: iso(START + 23.5 * HOUR + i * 1000) }));
}

/** What the incremental builds of beforeAll left: read by the tests, changed by none. */
let fileCount = 0;
let lastSliceTouchesDay2 = true;
let sliceCount = 0;
const builds: string[] = [];
let incremental: Map<string, string[]>;

beforeAll(async () => {
  dir = projectCopy('inc');
  const out = join(dir, 'produced');
  produced = await produce({
    events: 7000,
    out,
    seed: 1234,
    fileEvents: 500,
    spanMs: 3 * 24 * HOUR,
    dirt: { duplicates: 0.03, malformed: 0.01, nulls: 0.01, invalid: 0.015, late: 0.03 },
    catalog: join(dir, 'seeds', 'products.csv'),
  });
  // The shared fixture: the pipeline built in many small increments (stream-load, then ft build).
  const files = produced.files.map((f) => join(out, f));
  fileCount = files.length;
  if (files.length < 14) throw new Error(`the producer wrote ${files.length} files, the slices need 14`);
  const all = files.flatMap(validEvents);
  lastSliceTouchesDay2 = readLines(files[12]!).concat(readLines(files[13]!)).some((l) => l.includes('"event_ts":"2026-11-25'));
  const slices: Array<{ files: string[]; extra?: Array<[string, string[]]>; batchRows?: number }> = [
    { files: files.slice(0, 1) },
    { files: files.slice(1, 3) },
    { files: files.slice(3, 7), batchRows: 137 },
    { files: files.slice(7, 8), extra: [['zz-dups-000001.ndjson', duplicatesOf(files.slice(0, 2), 23)]] },
    { files: files.slice(8, 12), extra: [['zz-late-000001.ndjson', lateEvents(all)]] },
    {
      files: files.slice(12),
      extra: [
        ['zz-dups-000002.ndjson', [...duplicatesOf(files.slice(5, 6), 31), ...readLines(files[12]!).slice(0, 5)]],
        ['zz-late-000002.ndjson', sessionMovers(all)],
      ],
    },
  ];
  sliceCount = slices.length;
  for (const [i, slice] of slices.entries()) {
    const landing = join(dir, 'slices', String(i));
    mkdirSync(landing, { recursive: true });
    for (const f of slice.files) {
      const to = join(landing, f.split('/').pop()!);
      renameSync(f, to);
      delivered.push(to);
    }
    for (const [name, lines] of slice.extra ?? []) {
      const to = join(landing, name);
      writeLines(to, lines);
      delivered.push(to);
    }
    await ftOk(dir, db, ['stream-load', '--once', '--path', landing, ...(slice.batchRows ? ['--max-batch-rows', String(slice.batchRows)] : [])]);
    builds.push((await ftOk(dir, db, ['build'])).stdout);
  }
  incremental = await dumpSchemas([`${db}_silver`, `${db}_gold`]);
}, 900_000);

afterAll(async () => {
  await dropSchemas(prefix);
  if (dir) removeDir(dir);
});

describe('flash-sale pipeline: incremental builds', () => {
  it('many small increments build exactly what one --full-refresh builds', async () => {
    expect(fileCount).toBe(14);
    // the last slice's own events are all on day 3, so only the session logic touches day 2
    expect(lastSliceTouchesDay2).toBe(false);
    expect(builds.length).toBe(sliceCount);
    for (const [i, build] of builds.entries()) {
      expect(build).toMatch(/ERROR=0 FAIL=0/);
      if (i > 0) expect(build).toMatch(/merged into incremental model \S+_silver\.valid_events/);
    }
    const batches = await query<{ n: number }>(`SELECT COUNT(*) AS n FROM \`${db}_silver\`.ingestion_batches`);
    expect(Number(batches[0]!.n)).toBeGreaterThan(sliceCount + 5);

    // the full refresh runs on a copy of the database, so the incremental build stays as the other test reads it
    const fullDb = `${prefix}_full`;
    await cloneDatabase(db, fullDb);
    await ftOk(dir, fullDb, ['build', '--full-refresh']);
    const full = await dumpSchemas([`${fullDb}_silver`, `${fullDb}_gold`]);

    expect([...incremental.keys()].sort()).toEqual([...full.keys()].sort());
    expect(full.size).toBe(14);
    for (const [table, rows] of full) {
      expect(rows.length, `${table} has rows`).toBeGreaterThan(0);
      expect(incremental.get(table), `${table}: incremental build = full refresh`).toEqual(rows);
    }
    // the late events really moved sessions and touched days built long before
    const moved = await query<{ n: number }>(`SELECT COUNT(*) AS n FROM \`${db}_silver\`.sessions WHERE session_date = '2026-11-24' AND last_event_ts >= '2026-11-25 00:00:00'`);
    expect(Number(moved[0]!.n)).toBeGreaterThanOrEqual(6);
    const dups = await query<{ n: number; later: number }>(`SELECT COUNT(*) AS n, SUM(kept_batch_id < _batch_id) AS later FROM \`${db}_silver\`.event_duplicates`);
    expect(Number(dups[0]!.later)).toBeGreaterThan(50);
  }, 900_000);

  it('after an incremental build the gold = silver check reads the hours it touched, and names a wrong hour', async () => {
    // on a copy: one more file of events in one hour already built (fresh ids), and gold edited
    // behind ft's back in that hour before the build that touches it
    const editedDb = `${prefix}_edited`;
    await cloneDatabase(db, editedDb);
    const all = delivered.flatMap(validEvents).filter((e) => typeof e.event_ts === 'string');
    const hour = all.find((e) => e.event_ts.startsWith('2026-11-25T10'))!.event_ts.slice(0, 13);
    const more = all.filter((e) => e.event_ts.startsWith(hour)).slice(0, 20).map((e) => JSON.stringify({ ...e, event_id: freshId() }));
    const landing = join(dir, 'slices', 'edited');
    mkdirSync(landing, { recursive: true });
    writeLines(join(landing, 'zz-more-000001.ndjson'), more);
    await ftOk(dir, editedDb, ['stream-load', '--once', '--path', landing]);
    const hourSql = `${hour.replace('T', ' ')}:00:00`;
    await query(`UPDATE \`${editedDb}_gold\`.product_performance_hourly SET events = events + 1 WHERE event_hour = ? ORDER BY product_id LIMIT 1`, [hourSql]);
    const r = await ft(dir, editedDb, ['build']);
    expect(r.code, r.stdout).toBe(1);
    expect(failedTests(r.stdout)).toEqual(['reconcile_gold_revenue']);
    // one failing row per table and hour: the hour of the edit (category_performance_hourly, built
    // from it, inherits it); the daily tables took the same counts and agree with the hourly rows
    expect(r.stdout).toMatch(new RegExp(`\\| product_performance_hourly +\\| ${hourSql} `));
  }, 300_000);

  it('after an incremental build the gold = silver check names a touched session whose totals are wrong, and a session no build took its new event into', async () => {
    // on a copy: two more files of events of sessions already built (fresh ids), each built in turn
    const editedDb = `${prefix}_sessions`;
    await cloneDatabase(db, editedDb);
    const all = delivered.flatMap(validEvents).filter((e) => typeof e.event_ts === 'string' && e.event_ts.startsWith('2026-11-25T1'));
    const bySession = new Map<string, Ev[]>();
    for (const e of all) bySession.set(e.session_id, [...(bySession.get(e.session_id) ?? []), e]);
    const [s1, s2, s3] = [...bySession.keys()];
    const landing = join(dir, 'slices', 'sessions');
    mkdirSync(landing, { recursive: true });
    const deliver = async (name: string, session: string): Promise<string> => {
      writeLines(join(landing, name), bySession.get(session)!.map((e) => JSON.stringify({ ...e, event_id: freshId() })));
      await ftOk(dir, editedDb, ['stream-load', '--once', '--path', landing]);
      return (await ft(dir, editedDb, ['build'])).stdout;
    };
    const sessionRow = (session: string): RegExp => new RegExp(`\\| sessions +\\| ${session} `);
    // s1's row edited behind ft's back: the build adds the new events to a wrong total
    await query(`UPDATE \`${editedDb}_silver\`.sessions SET revenue = revenue + 1 WHERE session_id = ?`, [s1]);
    let out = await deliver('zz-s1-000001.ndjson', s1!);
    expect(failedTests(out)).toContain('reconcile_gold_revenue');
    expect(out).toMatch(sessionRow(s1!));
    // another session's _max_batch_id pushed past every batch: sessions' watermark with it, so the
    // next build takes no new event into sessions — s2's new events have a row that never took them
    await query(`UPDATE \`${editedDb}_silver\`.sessions SET _max_batch_id = 1000000 WHERE session_id = ?`, [s3]);
    out = await deliver('zz-s2-000001.ndjson', s2!);
    expect(failedTests(out)).toContain('reconcile_gold_revenue');
    expect(out).toMatch(sessionRow(s2!));
    expect(out).not.toMatch(sessionRow(s1!));
  }, 300_000);

  it('the KPIs equal an independent computation from the event files', async () => {
    expect(delivered.length).toBeGreaterThan(14);
    const expected = expectedKpis(delivered);
    const rows = await query<Record<string, string | number | null>>(`SELECT * FROM \`${db}_gold\`.kpi_daily ORDER BY kpi_key`);
    expect(rows.map((r) => String(r.kpi_key)).sort()).toEqual([...expected.keys()].sort());
    const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
    for (const r of rows) {
      const e = expected.get(String(r.kpi_key))!;
      const where = `kpi_daily ${r.kpi_key}`;
      for (const k of ['events', 'views', 'add_to_carts', 'remove_from_carts', 'purchases', 'units_sold', 'sessions', 'cart_sessions', 'abandoned_cart_sessions'] as const) {
        expect(num(r[k]), `${where} ${k}`).toBe(e[k]);
      }
      expect(Math.round(Number(r.revenue) * 100), `${where} revenue`).toBe(e.revenue_cents);
      const close = (got: unknown, want: number | null, places: number, k: string) => {
        if (want === null) expect(got, `${where} ${k}`).toBeNull();
        else expect(Math.abs(Number(got) - want), `${where} ${k}: ${got} vs ${want}`).toBeLessThanOrEqual(0.5 * 10 ** -places + 1e-12);
      };
      close(r.conversion_rate, e.conversion_rate, 6, 'conversion_rate');
      close(r.cart_abandonment_rate, e.cart_abandonment_rate, 6, 'cart_abandonment_rate');
      close(r.average_order_value, e.average_order_value, 2, 'average_order_value');
      close(r.demand_pressure_index, e.demand_pressure_index, 4, 'demand_pressure_index');
    }
    // and the producer's own summary agrees on the overall totals of its files
    const overall = rows.find((r) => r.kpi_key === 'overall')!;
    expect(Number(overall.events)).toBeGreaterThanOrEqual(produced.distinct_valid_events);
  }, 120_000);
});
