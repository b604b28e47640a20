/**
 * The flash-sale event producer: the stream (determinism, dirt, late events, funnel) and
 * produce() (files, temp-then-rename, summary = an independent re-count of the lines).
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readCatalog } from '../../src/generator/catalog.js';
import { classifyLine, readEventLines, recountLines } from '../../src/generator/classify.js';
import type { EventFormat, EventFields } from '../../src/generator/event.js';
import { CSV_HEADER, EVENT_COLUMNS, toCsv, toNdjson } from '../../src/generator/event.js';
import { HOUR_MS } from '../../src/generator/flash-sales.js';
import type { GeneratedLine, GenerateOptions } from '../../src/generator/generate-events.js';
import { flashSalesFor, generateEvents } from '../../src/generator/generate-events.js';
import { produce } from '../../src/generator/produce.js';
import { parseCsvRecord } from '../../src/util/csv.js';

const CATALOG_PATH = fileURLToPath(new URL('../../seeds/products.csv', import.meta.url));
const catalog = readCatalog(CATALOG_PATH);
const catalogIds = new Set(catalog.map((p) => p.productId));
const START = Date.parse('2026-11-24T00:00:00Z');
const DIRT = { duplicates: 0.05, malformed: 0.03, nulls: 0.04, invalid: 0.06, late: 0.05 };

const tmpRoots: string[] = [];
function tmp(label: string): string {
  const d = mkdtempSync(join(tmpdir(), `ft-gen-${label}-`));
  tmpRoots.push(d);
  return d;
}
afterAll(() => {
  for (const d of tmpRoots) rmSync(d, { recursive: true, force: true });
});

function gen(opts: Partial<GenerateOptions> & { events: number }): GeneratedLine[] {
  return [...generateEvents({ catalog, ...opts })];
}

/** Files of a produce() output directory, in name order (= production order). */
function dataFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => !f.startsWith('.'))
    .sort();
}

function readAll(dir: string): Map<string, Buffer> {
  return new Map(dataFiles(dir).map((f) => [f, readFileSync(join(dir, f))]));
}

/** A CSV line's fields as the loader reads them (an empty field is null), or null when the quoting is broken. */
function csvRecord(line: string): Array<string | null> | null {
  const fields: Array<string | null> = [];
  return parseCsvRecord(line, fields) === null ? fields : null;
}

describe('generateEvents', () => {
  const N = 20_000;
  const lines = gen({ events: N, dirt: DIRT });

  it('yields exactly N lines, all within the simulated window', () => {
    expect(lines).toHaveLength(N);
    const bad = lines.filter((g) => g.line.includes('\n') || g.tsMs < START || g.tsMs >= START + 24 * HOUR_MS);
    expect(bad).toEqual([]);
  });

  it('is deterministic: same seed → identical lines; another seed → different', () => {
    const again = gen({ events: N, dirt: DIRT });
    expect(again.map((g) => g.line).join('\n') === lines.map((g) => g.line).join('\n')).toBe(true);
    const other = gen({ events: N, dirt: DIRT, seed: 7 });
    const same = other.filter((g, i) => g.line === lines[i]!.line).length;
    expect(same).toBe(0);
  });

  it('honours the dirt ratios roughly', () => {
    const count = (k: GeneratedLine['kind']): number => lines.filter((g) => g.kind === k).length;
    expect(count('duplicate') / N).toBeCloseTo(DIRT.duplicates, 1);
    expect(Math.abs(count('duplicate') / N - DIRT.duplicates)).toBeLessThan(0.01);
    expect(Math.abs(count('malformed') / N - DIRT.malformed)).toBeLessThan(0.01);
    expect(Math.abs(count('null') / N - DIRT.nulls)).toBeLessThan(0.01);
    expect(Math.abs(count('invalid') / N - DIRT.invalid)).toBeLessThan(0.01);
    expect(Math.abs(lines.filter((g) => g.late).length / N - DIRT.late)).toBeLessThan(0.01);
    // every invalid reason and every null field appears
    expect(new Set(lines.filter((g) => g.kind === 'invalid').map((g) => g.reason))).toEqual(
      new Set(['unknown_event_type', 'non_positive_price', 'non_positive_quantity', 'unknown_product_id']),
    );
    expect(new Set(lines.filter((g) => g.kind === 'null').map((g) => g.reason))).toEqual(
      new Set(['event_id', 'event_type', 'event_ts', 'session_id', 'product_id']),
    );
  });

  it('classifies every line the way it says it generated it', () => {
    const seen = new Set<string>();
    const mismatches: string[] = [];
    for (const g of lines) {
      const c = classifyLine(g.line, 'ndjson', catalogIds);
      const got = c.kind === 'valid' ? (seen.has(c.event!.event_id) ? 'duplicate' : 'valid') : c.kind;
      if (got !== g.kind) mismatches.push(`${g.kind} classified ${got}: ${g.line}`);
      if ((g.kind === 'invalid' || g.kind === 'null') && c.reason !== g.reason) mismatches.push(`${g.reason} classified ${c.reason}: ${g.line}`);
      if (c.kind === 'valid') seen.add(c.event!.event_id);
    }
    expect(mismatches).toEqual([]);
  });

  it('writes duplicates as byte-identical copies of earlier valid lines', () => {
    const earlier = new Set<string>();
    let dups = 0;
    const orphans: string[] = [];
    for (const g of lines) {
      if (g.kind === 'duplicate') {
        if (!earlier.has(g.line)) orphans.push(g.line);
        dups++;
      }
      if (g.kind === 'valid') earlier.add(g.line);
    }
    expect(orphans).toEqual([]);
    expect(dups).toBeGreaterThan(0);
  });

  it('puts late events 1–6 h behind the stream clock and keeps every other valid event in time order', () => {
    let clock = Number.NEGATIVE_INFINITY;
    let late = 0;
    const problems: string[] = [];
    for (const g of lines) {
      if (g.kind !== 'valid') continue;
      if (g.late) {
        late++;
        const behind = clock - g.tsMs;
        if (behind < HOUR_MS || behind > 6 * HOUR_MS + 10 * 60_000) problems.push(`late by ${behind} ms: ${g.line}`);
      } else {
        if (g.tsMs < clock) problems.push(`out of order: ${g.line}`);
        clock = g.tsMs;
      }
    }
    expect(problems).toEqual([]);
    expect(late).toBeGreaterThan(0);
  });

  it('follows the funnel: purchase / remove only after an add_to_cart of the same product in the same session', () => {
    const carts = new Map<string, { product: string; ts: string; price: number; qty: number }>();
    const sessionsWithCart = new Set<string>();
    let purchases = 0;
    const problems: string[] = [];
    for (const g of lines) {
      const c = classifyLine(g.line, 'ndjson', catalogIds);
      if (c.kind !== 'valid' || g.kind === 'duplicate') continue;
      const e = c.event!;
      if (e.event_type === 'add_to_cart') {
        if (sessionsWithCart.has(e.session_id)) problems.push(`second cart: ${g.line}`);
        carts.set(e.session_id, { product: e.product_id, ts: e.event_ts, price: e.price, qty: e.quantity });
        sessionsWithCart.add(e.session_id);
      }
      if (e.event_type === 'purchase' || e.event_type === 'remove_from_cart') {
        const cart = carts.get(e.session_id);
        if (!cart) problems.push(`${e.event_type} without an earlier add_to_cart: ${g.line}`);
        else if (cart.product !== e.product_id || !(cart.ts < e.event_ts) || cart.price !== e.price || cart.qty !== e.quantity) {
          problems.push(`${e.event_type} does not match its cart: ${g.line}`);
        }
        carts.delete(e.session_id);
        if (e.event_type === 'purchase') purchases++;
      }
    }
    expect(problems).toEqual([]);
    // ~60 % of carts are purchased
    expect(purchases / sessionsWithCart.size).toBeGreaterThan(0.5);
    expect(purchases / sessionsWithCart.size).toBeLessThan(0.7);
  });

  it('has realistic shares: mostly views, quantity mostly 1, sessions start with a view', () => {
    const valid = lines.filter((g) => g.kind === 'valid');
    const views = valid.filter((g) => g.eventType === 'view').length;
    expect(views / valid.length).toBeGreaterThan(0.6);
    const carts = valid.filter((g) => g.eventType === 'add_to_cart');
    expect(carts.filter((g) => g.quantity === 1).length / carts.length).toBeGreaterThan(0.7);
    expect(Math.max(...carts.map((g) => g.quantity))).toBeLessThanOrEqual(3);
    const firstOfSession = new Map<string, string>();
    for (const g of lines) {
      if (g.kind !== 'valid' || g.late) continue;
      const e = JSON.parse(g.line) as { session_id: string; event_type: string };
      if (!firstOfSession.has(e.session_id)) firstOfSession.set(e.session_id, e.event_type);
    }
    expect(new Set(firstOfSession.values())).toEqual(new Set(['view']));
  });

  it('discounts prices 10–50 % during flash sales and bursts traffic while a sale runs', () => {
    const sales = flashSalesFor({ catalog, startMs: START });
    expect(sales.length).toBeGreaterThanOrEqual(3);
    const byId = new Map(sales.map((s) => [s.id, s]));
    const listPrice = new Map(catalog.map((p) => [p.productId, p.listPriceCents / 100]));
    let discounted = 0;
    let inSale = 0;
    const problems: string[] = [];
    for (const g of lines) {
      if (g.kind !== 'valid') continue;
      const e = JSON.parse(g.line) as { event_type: string; product_id: string; price: number; flash_sale_id: string | null };
      const list = listPrice.get(e.product_id)!;
      if (e.flash_sale_id === null) {
        if (e.price !== list) problems.push(`not the list price: ${g.line}`);
        continue;
      }
      discounted++;
      const s = byId.get(e.flash_sale_id);
      const off = 1 - e.price / list;
      if (!s) problems.push(`unknown sale: ${g.line}`);
      else if (off < 0.095 || off > 0.505) problems.push(`discount ${off}: ${g.line}`);
      // views and carts are priced at their own time; purchase/remove keep the cart's price
      else if ((e.event_type === 'view' || e.event_type === 'add_to_cart') && (g.tsMs < s.startMs || g.tsMs >= s.endMs)) {
        problems.push(`outside its sale: ${g.line}`);
      }
    }
    expect(problems).toEqual([]);
    for (const g of lines) if (g.kind === 'valid' && sales.some((s) => g.tsMs >= s.startMs && g.tsMs < s.endMs)) inSale++;
    const saleMs = sales.reduce((a, s) => a + (s.endMs - s.startMs), 0);
    expect(discounted).toBeGreaterThan(0);
    // traffic density during sales is several times the daily average
    expect(inSale / saleMs / (lines.length / (24 * HOUR_MS))).toBeGreaterThan(2);
  });

  it('writes valid events exactly as the generic serializers would (fast path = toNdjson / toCsv)', () => {
    const problems: string[] = [];
    for (const format of ['ndjson', 'csv'] as EventFormat[]) {
      for (const g of gen({ events: 2000, format, seed: 3 })) {
        const c = classifyLine(g.line, format, catalogIds);
        if (c.kind !== 'valid') {
          problems.push(`not valid: ${g.line}`);
          continue;
        }
        const e = c.event!;
        const f: EventFields = { ...e, price: e.price.toFixed(2), quantity: String(e.quantity) };
        if ((format === 'csv' ? toCsv(f) : toNdjson(f)) !== g.line) problems.push(`serializers differ: ${g.line}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('spreads a short run over the span and still opens a flash sale in a short window', () => {
    const short = gen({ events: 200, spanMs: 10 * 60_000, startMs: START });
    expect(short.every((g) => g.tsMs >= START && g.tsMs < START + 10 * 60_000)).toBe(true);
    expect(flashSalesFor({ catalog, startMs: START, spanMs: 10 * 60_000 })).toHaveLength(1);
    expect(gen({ events: 0 })).toEqual([]);
  });
});

describe('produce', () => {
  it('writes files named in production order, renamed from hidden temporaries, with a summary that re-counts exactly', async () => {
    const dir = tmp('nd');
    const summaryPath = join(dir, '..', `${dir.split('/').pop()}-summary.json`);
    tmpRoots.push(summaryPath);
    const s = await produce({ out: dir, events: 25_000, fileEvents: 4000, dirt: DIRT, catalog: CATALOG_PATH, summaryPath });
    const files = dataFiles(dir);
    expect(readdirSync(dir).filter((f) => f.startsWith('.') || f.endsWith('.tmp'))).toEqual([]);
    expect(files).toEqual(['events-000001.ndjson', 'events-000002.ndjson', 'events-000003.ndjson', 'events-000004.ndjson', 'events-000005.ndjson', 'events-000006.ndjson', 'events-000007.ndjson']);
    expect(s.files).toEqual(files);
    const counts = files.map((f) => readFileSync(join(dir, f), 'utf8').split('\n').length - 1);
    expect(counts).toEqual([4000, 4000, 4000, 4000, 4000, 4000, 1000]);
    for (const f of files) expect(readFileSync(join(dir, f), 'utf8').endsWith('\n')).toBe(true);

    expect(s.lines).toBe(25_000);
    expect(s.lines).toBe(s.distinct_valid_events + s.duplicates + s.malformed + s.nulls + s.invalid);
    const r = recountLines(
      readEventLines(
        files.map((f) => join(dir, f)),
        'ndjson',
      ),
      'ndjson',
      catalogIds,
    );
    for (const k of ['lines', 'distinct_valid_events', 'duplicates', 'malformed', 'nulls', 'invalid', 'late', 'by_event_type', 'nulls_by_field', 'invalid_by_reason', 'first_event_ts', 'last_event_ts'] as const) {
      expect(s[k], k).toEqual(r[k]);
    }
    expect(s.purchases.orders).toBe(r.purchases.orders);
    expect(s.purchases.units).toBe(r.purchases.units);
    expect(s.purchases.revenue).toBe((r.purchases.revenue_cents / 100).toFixed(2));
    expect(JSON.parse(readFileSync(summaryPath, 'utf8'))).toEqual(s);
    expect(s.flash_sales.length).toBeGreaterThanOrEqual(3);
  });

  it('is byte-identical for the same seed, different for another seed, whatever the file size', async () => {
    const opts = { events: 12_000, dirt: DIRT, catalog } as const;
    const a = tmp('a');
    const b = tmp('b');
    const c = tmp('c');
    const d = tmp('d');
    await produce({ ...opts, out: a, seed: 11 });
    await produce({ ...opts, out: b, seed: 11 });
    await produce({ ...opts, out: c, seed: 12 });
    await produce({ ...opts, out: d, seed: 11, fileEvents: 5000 });
    const fa = readAll(a);
    expect(fa.size).toBe(2);
    const fb = readAll(b);
    expect([...fb.keys()]).toEqual([...fa.keys()]);
    for (const [k, v] of fa) expect(fb.get(k)!.equals(v)).toBe(true);
    const fc = readAll(c);
    expect([...fc.keys()]).toEqual([...fa.keys()]);
    for (const [k, v] of fa) expect(fc.get(k)!.equals(v)).toBe(false);
    // the concatenated stream does not depend on how it is cut into files
    expect(Buffer.concat([...readAll(d).values()]).equals(Buffer.concat([...fa.values()]))).toBe(true);
  });

  it('writes CSV with a header line in every file; the records parse and re-count like the summary', async () => {
    const dir = tmp('csv');
    const s = await produce({ out: dir, events: 9000, fileEvents: 4000, format: 'csv', dirt: DIRT, catalog });
    const files = dataFiles(dir);
    expect(files).toEqual(['events-000001.csv', 'events-000002.csv', 'events-000003.csv']);
    for (const f of files) {
      const text = readFileSync(join(dir, f), 'utf8');
      expect(text.split('\n')[0]).toBe(CSV_HEADER);
      expect(csvRecord(CSV_HEADER)).toEqual([...EVENT_COLUMNS]);
    }
    const data = [...readEventLines(files.map((f) => join(dir, f)), 'csv')];
    expect(data).toHaveLength(9000);
    const wellFormed = data.filter((l) => csvRecord(l)?.length === EVENT_COLUMNS.length);
    expect(wellFormed.length).toBe(9000 - s.malformed);
    const r = recountLines(data, 'csv', catalogIds);
    expect(r.distinct_valid_events).toBe(s.distinct_valid_events);
    expect(r.duplicates).toBe(s.duplicates);
    expect(r.nulls_by_field).toEqual(s.nulls_by_field);
    expect(r.invalid_by_reason).toEqual(s.invalid_by_reason);
    expect(r.late).toBe(s.late);
    // "Home & Kitchen" etc. need no quoting; a valid record has an empty last field or an FS- id
    const rec = csvRecord(data.find((l) => classifyLine(l, 'csv', catalogIds).kind === 'valid')!)!;
    expect(rec[9] === null || rec[9]!.startsWith('FS-')).toBe(true);
  });

  it('continues the file numbering of a directory that already holds event files', async () => {
    const dir = tmp('cont');
    writeFileSync(join(dir, 'events-000007.ndjson'), '');
    writeFileSync(join(dir, 'other.txt'), 'x');
    const s = await produce({ out: dir, events: 30, fileEvents: 20, catalog });
    expect(s.files).toEqual(['events-000008.ndjson', 'events-000009.ndjson']);
  });

  it('writes to a stream with --out -', async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const s = await produce({ out: '-', stdout: out, events: 1000, format: 'csv', catalog });
    const text = Buffer.concat(chunks).toString('utf8');
    const rows = text.split('\n');
    expect(rows[0]).toBe(CSV_HEADER);
    expect(rows).toHaveLength(1002); // header + 1000 + final ''
    expect(s.files).toEqual([]);
    const dir = tmp('same');
    await produce({ out: dir, events: 1000, format: 'csv', catalog });
    expect(readFileSync(join(dir, 'events-000001.csv'), 'utf8')).toBe(text);
  });

  it('paces a steady --rate into small files, at least one per second', async () => {
    const dir = tmp('rate');
    const names: string[] = [];
    const t0 = performance.now();
    const s = await produce({ out: dir, events: 300, rate: 200, fileEvents: 10_000, catalog, onFile: (n) => names.push(n) });
    const took = performance.now() - t0;
    expect(s.lines).toBe(300);
    // Paced: event 299 is due 1.495 s after the start, so the run cannot be shorter. Only a
    // lower bound: a loaded machine makes it slower, never faster (no upper bound on purpose).
    expect(took).toBeGreaterThan(1400);
    // Rolled by age, not by size (fileEvents is 10,000): 1.5 s of events make at least 2 files.
    // How the 300 lines split between them depends on the machine's timers, so it is not pinned.
    expect(s.files.length).toBeGreaterThanOrEqual(2);
    expect(names).toEqual(s.files);
    const sizes = s.files.map((f) => readFileSync(join(dir, f), 'utf8').split('\n').length - 1);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(300);
    expect(Math.min(...sizes)).toBeGreaterThan(0);
    // same lines as an unpaced run
    const fast = tmp('fast');
    await produce({ out: fast, events: 300, catalog });
    expect(Buffer.concat([...readAll(dir).values()]).equals(readFileSync(join(fast, 'events-000001.ndjson')))).toBe(true);
  });

  it('stops after --duration and on abort, completing the current file', async () => {
    // Without --events, the run plans rate × duration events (and then either limit may stop it).
    const planned = await produce({ out: tmp('plan'), rate: 1000, durationMs: 50, catalog });
    expect(planned.planned_events).toBe(50);

    // With more events planned than the duration lets through (3,000 at 1,000/s take 3 s), only
    // the duration can stop the run at 0.7 s: without the duration stop it ends by 'events'.
    const dir = tmp('dur');
    const s = await produce({ out: dir, events: 3000, rate: 1000, durationMs: 700, catalog });
    expect(s.stopped_by).toBe('duration');
    expect(s.planned_events).toBe(3000);
    // stopped after the duration (not before), and at most rate × duration lines by then; how
    // many below that depends on the machine's load, so only "some" is asserted
    expect(s.elapsed_ms).toBeGreaterThanOrEqual(700);
    expect(s.lines).toBeGreaterThan(0);
    expect(s.lines).toBeLessThanOrEqual(700);
    expect(readdirSync(dir).some((f) => f.endsWith('.tmp'))).toBe(false);

    // Aborted right when the first file is completed (by age, at ≈ 1 s): no line is written after
    // the signal. The files then hold exactly the lines written before it, and the run stops
    // well before its 500 events (5 s at 100/s); a producer that ignored the signal would write them all.
    const dir2 = tmp('abort');
    const ac = new AbortController();
    let linesAtAbort = -1;
    const s2 = await produce({
      out: dir2, rate: 100, events: 500, catalog, signal: ac.signal,
      onFile: (name) => {
        if (linesAtAbort >= 0) return;
        linesAtAbort = readFileSync(join(dir2, name), 'utf8').split('\n').length - 1;
        ac.abort();
      },
    });
    expect(s2.stopped_by).toBe('signal');
    expect(linesAtAbort).toBeGreaterThan(0);
    expect(s2.lines).toBe(linesAtAbort);
    expect(s2.lines).toBeLessThan(500);
    const written = dataFiles(dir2).reduce((a, f) => a + readFileSync(join(dir2, f), 'utf8').split('\n').length - 1, 0);
    expect(written).toBe(s2.lines);
  });

  it('rejects bad options with a clear FtError', async () => {
    await expect(produce({ out: tmp('bad'), rate: 0, durationMs: 1000, catalog })).rejects.toThrow(/--duration needs a steady --rate/);
    await expect(produce({ out: tmp('bad'), events: 10, dirt: { duplicates: 0.7, late: 0.5 }, catalog })).rejects.toThrow(/add up to 1.200/);
    await expect(produce({ out: tmp('bad'), events: 10, catalog: '/nonexistent/products.csv' })).rejects.toThrow(/product catalog not found/);
    await expect(produce({ out: tmp('bad'), events: 10, start: 'tomorrow', catalog })).rejects.toThrow(/--start "tomorrow"/);
  });

  // Its speed is measured by the stream benchmark, not asserted here.
  it('produces 100,000 events', async () => {
    const s = await produce({ out: tmp('perf'), events: 100_000, catalog });
    expect(s.lines).toBe(100_000);
  });
});
