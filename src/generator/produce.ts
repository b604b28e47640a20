/**
 * The flash-sale event producer: runs generateEvents and writes its lines to rolling files (or
 * a stream), optionally paced at a steady rate, and reports what it wrote.
 *
 * Summary definitions (exact): every written line is exactly one of valid original, duplicate,
 * malformed, null, invalid (see generate-events.ts), so
 *   lines = distinct_valid_events + duplicates + malformed + nulls + invalid.
 * `by_event_type`, `purchases`, `first_event_ts` / `last_event_ts` are over the valid originals
 * (distinct valid events). `late` counts the valid originals that arrived late; they are also
 * counted in `distinct_valid_events`. A CSV file's header line is not a line in these counts.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { FtError } from '../util/errors.js';
import type { Product } from './catalog.js';
import { defaultCatalogPath, readCatalog } from './catalog.js';
import { emptyByEventType } from './classify.js';
import type { EventFormat, EventType } from './event.js';
import { CSV_HEADER, formatCents } from './event.js';
import type { EventSink } from './event-sink.js';
import { DirectorySink, StreamSink, makeDirs } from './event-sink.js';
import { NatsSink, type NatsSinkOptions } from './nats-sink.js';
import type { DirtRatios, GeneratedLine } from './generate-events.js';
import { DEFAULT_SEED, DEFAULT_SPAN_MS, DEFAULT_START, flashSalesFor, generateEvents, normalizeDirt, resolveGenerateOptions } from './generate-events.js';

export const DEFAULT_EVENTS = 10_000;
export const DEFAULT_FILE_EVENTS = 10_000;
export const DEFAULT_FILE_PREFIX = 'events';
/** At a steady --rate, a file is completed at least this often. */
export const ROLL_INTERVAL_MS = 1000;

export interface ProduceOptions {
  /** Lines to write. Default: rate × duration when both are given, else 10,000. */
  events?: number;
  /** Wall-clock run length; only with rate > 0. */
  durationMs?: number;
  /** Events per second; 0 = as fast as possible (default). */
  rate?: number;
  /** Output directory, or '-' for `stdout`. */
  out: string;
  /** The stream used for out = '-' (default process.stdout). */
  stdout?: NodeJS.WritableStream;
  format?: EventFormat;
  /** Lines per file (default 10,000). */
  fileEvents?: number;
  filePrefix?: string;
  seed?: number | string;
  /** Simulated clock start: ISO-8601 text, epoch ms or a Date (default 2026-11-24T00:00:00Z). */
  start?: string | number | Date;
  /** Simulated time the events are spread over (default 24 h). */
  spanMs?: number;
  dirt?: Partial<DirtRatios>;
  /** Traffic profile (default realistic; seed-report: the original system's published KPIs). */
  profile?: string;
  /** Catalog CSV path, or products already read (default <project>/seeds/products.csv). */
  catalog?: string | readonly Product[];
  /** Write the summary JSON here too. */
  summaryPath?: string;
  /** Stops the run early (the current file is completed and the summary written). */
  signal?: AbortSignal;
  /** Called after each completed file. */
  onFile?: (name: string) => void;
  /** Publish to NATS JetStream instead of writing files (`out` is then ignored). */
  nats?: NatsSinkOptions;
}

export interface FlashSaleSummary {
  flash_sale_id: string;
  start: string;
  end: string;
  categories: string[];
  featured_products: string[];
  traffic_multiplier: number;
}

export interface ProduceSummary {
  format: EventFormat;
  seed: number | string;
  /** Absolute output directory, or '-'. */
  out: string;
  /** Completed files, in production order (names relative to `out`). */
  files: string[];
  /** Every written line (CSV headers excluded). */
  lines: number;
  distinct_valid_events: number;
  duplicates: number;
  malformed: number;
  nulls: number;
  invalid: number;
  /** Valid originals delivered ≥ 1 h behind the stream clock (a subset of distinct_valid_events). */
  late: number;
  by_event_type: Record<EventType, number>;
  malformed_by_style: Record<string, number>;
  nulls_by_field: Record<string, number>;
  invalid_by_reason: Record<string, number>;
  purchases: { orders: number; units: number; revenue: string };
  /** min / max event_ts over distinct valid events (null when none). */
  first_event_ts: string | null;
  last_event_ts: string | null;
  simulated_start: string;
  simulated_end: string;
  flash_sales: FlashSaleSummary[];
  rate: number;
  planned_events: number;
  stopped_by: 'events' | 'duration' | 'signal' | 'output_closed';
  started_at: string;
  elapsed_ms: number;
}

function fail(message: string): never {
  throw new FtError(message, 2);
}

function parseStart(start: ProduceOptions['start']): number {
  if (start === undefined) return Date.parse(DEFAULT_START);
  if (start instanceof Date) return start.getTime();
  if (typeof start === 'number') return start;
  const ms = /^\d{4}-\d{2}-\d{2}/.test(start) ? Date.parse(start) : Number.NaN;
  if (Number.isNaN(ms)) fail(`--start "${start}" is not an ISO-8601 time; use e.g. --start ${DEFAULT_START}`);
  return ms;
}

class Tally {
  lines = 0;
  distinct = 0;
  duplicates = 0;
  malformed = 0;
  nulls = 0;
  invalid = 0;
  late = 0;
  byType = emptyByEventType();
  malformedBy: Record<string, number> = {};
  nullsBy: Record<string, number> = {};
  invalidBy: Record<string, number> = {};
  orders = 0;
  units = 0;
  revenueCents = 0;
  minTs = Number.POSITIVE_INFINITY;
  maxTs = Number.NEGATIVE_INFINITY;

  add(g: GeneratedLine): void {
    this.lines++;
    switch (g.kind) {
      case 'valid':
        this.distinct++;
        this.byType[g.eventType!]++;
        if (g.late) this.late++;
        if (g.tsMs < this.minTs) this.minTs = g.tsMs;
        if (g.tsMs > this.maxTs) this.maxTs = g.tsMs;
        if (g.eventType === 'purchase') {
          this.orders++;
          this.units += g.quantity;
          this.revenueCents += g.priceCents * g.quantity;
        }
        break;
      case 'duplicate':
        this.duplicates++;
        break;
      case 'malformed':
        this.malformed++;
        this.malformedBy[g.reason!] = (this.malformedBy[g.reason!] ?? 0) + 1;
        break;
      case 'null':
        this.nulls++;
        this.nullsBy[g.reason!] = (this.nullsBy[g.reason!] ?? 0) + 1;
        break;
      case 'invalid':
        this.invalid++;
        this.invalidBy[g.reason!] = (this.invalidBy[g.reason!] ?? 0) + 1;
        break;
    }
  }
}

export async function produce(opts: ProduceOptions): Promise<ProduceSummary> {
  const startedAt = new Date();
  const t0 = performance.now();
  const rate = opts.rate ?? 0;
  if (!Number.isFinite(rate) || rate < 0) fail(`--rate must be a number ≥ 0 (events per second; 0 = as fast as possible), got ${rate}`);
  if (opts.durationMs !== undefined) {
    if (!Number.isFinite(opts.durationMs) || opts.durationMs <= 0) fail('--duration must be a positive duration, e.g. --duration 60s');
    if (rate === 0) fail('--duration needs a steady --rate (e.g. --rate 500 --duration 60s); without a rate use --events N');
  }
  let planned: number;
  if (opts.events !== undefined) planned = opts.events;
  else if (opts.durationMs !== undefined) planned = Math.ceil((rate * opts.durationMs) / 1000);
  else planned = DEFAULT_EVENTS;
  if (!Number.isInteger(planned) || planned < 0) fail(`--events must be a whole number ≥ 0, got ${planned}`);
  const fileEvents = opts.fileEvents ?? DEFAULT_FILE_EVENTS;
  if (!Number.isInteger(fileEvents) || fileEvents < 1) fail(`--file-events must be a whole number ≥ 1, got ${fileEvents}`);
  const format = opts.format ?? 'ndjson';
  if (format !== 'ndjson' && format !== 'csv') fail(`--format must be ndjson or csv, got ${String(format)}`);
  const spanMs = opts.spanMs ?? DEFAULT_SPAN_MS;
  if (!Number.isFinite(spanMs) || spanMs < 1000) fail('--span must be at least 1s, e.g. --span 24h');
  const startMs = parseStart(opts.start);
  const seed = opts.seed ?? DEFAULT_SEED;
  let dirt: DirtRatios;
  try {
    dirt = normalizeDirt(opts.dirt);
  } catch (e) {
    fail(`${(e as Error).message}`);
  }
  const catalog = typeof opts.catalog === 'object' ? opts.catalog : readCatalog(resolve(opts.catalog ?? defaultCatalogPath()));
  const prefix = opts.filePrefix ?? DEFAULT_FILE_PREFIX;
  if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(prefix)) fail(`the file prefix "${prefix}" must be letters, digits, _ . - (not starting with a dot)`);

  const header = format === 'csv' ? CSV_HEADER : null;
  const toStdout = opts.out === '-';
  const outDir = opts.nats ? `nats:${opts.nats.subject}` : toStdout ? '-' : resolve(opts.out);
  const sink: EventSink = opts.nats
    ? await NatsSink.open(opts.nats)
    : toStdout
    ? new StreamSink(opts.stdout ?? process.stdout, header)
    : new DirectorySink(outDir, prefix, format, header, fileEvents);
  const notify = (before: number): void => {
    if (opts.onFile) for (let i = before; i < sink.files.length; i++) opts.onFile(sink.files[i]!);
  };

  const tally = new Tally();
  const generate = { catalog, events: planned, seed, startMs, spanMs, format, dirt, profile: opts.profile };
  try {
    resolveGenerateOptions(generate);
  } catch (e) {
    fail(`${(e as Error).message}`);
  }
  const lines = generateEvents(generate);
  let stoppedBy: ProduceSummary['stopped_by'] = 'events';
  const signal = opts.signal;

  if (rate === 0) {
    let sinceYield = 0;
    for (const g of lines) {
      const before = sink.files.length;
      sink.write(g.line);
      tally.add(g);
      if (sink.files.length !== before) notify(before);
      if (++sinceYield >= 16_384 || ((sink instanceof StreamSink || sink instanceof NatsSink) && sink.full)) {
        sinceYield = 0;
        await sink.flush();
        // Let signals and stream events through.
        await new Promise<void>((r) => setImmediate(r));
        if (sink.broken) {
          stoppedBy = 'output_closed';
          break;
        }
        if (signal?.aborted) {
          stoppedBy = 'signal';
          break;
        }
      }
    }
  } else {
    const it = lines[Symbol.iterator]();
    const clock0 = performance.now();
    let written = 0;
    while (written < planned) {
      if (signal?.aborted) {
        stoppedBy = 'signal';
        break;
      }
      if (sink.broken) {
        stoppedBy = 'output_closed';
        break;
      }
      let now = performance.now();
      const elapsed = now - clock0;
      if (opts.durationMs !== undefined && elapsed >= opts.durationMs) {
        stoppedBy = 'duration';
        break;
      }
      // Event i (0-based) is due at i / rate seconds.
      const due = Math.min(planned, Math.floor((rate * elapsed) / 1000) + 1);
      const before = sink.files.length;
      while (written < due) {
        const r = it.next();
        if (r.done) break;
        sink.write(r.value.line);
        tally.add(r.value);
        written++;
      }
      now = performance.now();
      sink.rollIfOlderThan(ROLL_INTERVAL_MS, now);
      notify(before);
      await sink.flush();
      if (written >= planned) break;
      const untilNext = (written / rate) * 1000 - (now - clock0);
      const untilEnd = opts.durationMs !== undefined ? opts.durationMs - (now - clock0) : Number.POSITIVE_INFINITY;
      const wait = Math.min(untilNext, sink.msUntilRoll(ROLL_INTERVAL_MS, now), untilEnd, 250);
      if (wait > 0) {
        try {
          await sleep(Math.max(1, wait), undefined, signal ? { signal } : undefined);
        } catch {
          // aborted: handled at the top of the loop
        }
      }
    }
  }
  const before = sink.files.length;
  await sink.close();
  notify(before);

  const sales = flashSalesFor({ catalog, seed, startMs, spanMs });
  const iso = (ms: number): string => new Date(ms).toISOString();
  const summary: ProduceSummary = {
    format,
    seed,
    out: outDir,
    files: [...sink.files],
    lines: tally.lines,
    distinct_valid_events: tally.distinct,
    duplicates: tally.duplicates,
    malformed: tally.malformed,
    nulls: tally.nulls,
    invalid: tally.invalid,
    late: tally.late,
    by_event_type: tally.byType,
    malformed_by_style: tally.malformedBy,
    nulls_by_field: tally.nullsBy,
    invalid_by_reason: tally.invalidBy,
    purchases: { orders: tally.orders, units: tally.units, revenue: formatCents(tally.revenueCents) },
    first_event_ts: tally.distinct > 0 ? iso(tally.minTs) : null,
    last_event_ts: tally.distinct > 0 ? iso(tally.maxTs) : null,
    simulated_start: iso(startMs),
    simulated_end: iso(startMs + spanMs),
    flash_sales: sales.map((s) => ({
      flash_sale_id: s.id,
      start: iso(s.startMs),
      end: iso(s.endMs),
      categories: s.categories,
      featured_products: s.featured.map((i) => catalog[i]!.productId),
      traffic_multiplier: s.trafficMultiplier,
    })),
    rate,
    planned_events: planned,
    stopped_by: stoppedBy,
    started_at: startedAt.toISOString(),
    elapsed_ms: Math.round(performance.now() - t0),
  };
  if (opts.summaryPath) writeSummary(resolve(opts.summaryPath), summary);
  return summary;
}

/** Writes the summary JSON atomically (temporary file, then rename). */
export function writeSummary(path: string, summary: ProduceSummary): void {
  try {
    makeDirs(dirname(path));
    const tmp = `${path}.tmp`;
    writeFileSync(tmp, JSON.stringify(summary, null, 2) + '\n');
    renameSync(tmp, path);
  } catch (e) {
    throw new FtError(`cannot write the summary to ${path}: ${(e as Error).message} — pass a writable --summary PATH`);
  }
}
