/**
 * Classifying raw event lines independently of the generator — the same rules the pipeline
 * applies (bronze → silver), so tests and KPI checks can re-derive what a stream contains.
 *
 * Order of the checks (the first that fails decides):
 *  1. malformed — NDJSON: not parseable JSON, or not a JSON object. CSV: broken quoting, a line
 *     break, or not exactly 10 fields.
 *  2. null — one of event_id, event_type, event_ts, session_id, product_id is missing, null or
 *     the empty string (in CSV an empty field is null). The reason is the first such field.
 *  3. invalid — reason: unknown_event_type | bad_timestamp (not YYYY-MM-DDTHH:MM:SS.mmmZ or not a
 *     real instant) | unknown_product_id (not in the catalog) | bad_price (not a number) |
 *     non_positive_price (≤ 0) | bad_quantity (not an integer) | non_positive_quantity (< 1) |
 *     bad_value (a field of the wrong JSON type: ids not strings, user_id/category/flash_sale_id
 *     neither string nor null).
 *  4. otherwise valid.
 * NDJSON `price` must be a JSON number and `quantity` an integer number. A valid line that
 * repeats an earlier valid line's event_id is a duplicate; the first one is the original.
 * A valid original is late when its event_ts is at least 1 hour behind the stream clock, the
 * greatest event_ts among the valid lines before it.
 */
import { readFileSync } from 'node:fs';
import { parseCsvRecord } from '../util/csv.js';
import type { EventFormat, EventType, FlashSaleEvent } from './event.js';
import { CSV_HEADER, EVENT_COLUMNS, EVENT_TYPES, REQUIRED_FIELDS, TIMESTAMP_RE } from './event.js';
import { HOUR_MS } from './flash-sales.js';

export type ClassifiedKind = 'valid' | 'malformed' | 'null' | 'invalid';

export type ClassifyInvalidReason =
  | 'unknown_event_type'
  | 'bad_timestamp'
  | 'unknown_product_id'
  | 'bad_price'
  | 'non_positive_price'
  | 'bad_quantity'
  | 'non_positive_quantity'
  | 'bad_value';

export interface LineClass {
  kind: ClassifiedKind;
  /** malformed: what is broken; null: the field; invalid: a ClassifyInvalidReason. */
  reason?: string;
  /** valid only. */
  event?: FlashSaleEvent;
}

/** Lateness from which a valid original counts as late. */
export const LATE_THRESHOLD_MS = HOUR_MS;

const EVENT_TYPE_SET: ReadonlySet<string> = new Set(EVENT_TYPES);
const DECIMAL_RE = /^-?\d+(\.\d+)?$/;
const INTEGER_RE = /^-?\d+$/;
/** Reused by every CSV line (parseCsvRecord fills it). */
const csvFields: Array<string | null> = [];

function parseTimestamp(v: string): number {
  if (!TIMESTAMP_RE.test(v)) return Number.NaN;
  const ms = Date.parse(v);
  // Date.parse accepts e.g. 2026-02-30; a round trip rejects it.
  return Number.isNaN(ms) || new Date(ms).toISOString() !== v ? Number.NaN : ms;
}

/** Classifies one line (without its newline; for CSV, not the header line). */
export function classifyLine(line: string, format: EventFormat, catalogIds: ReadonlySet<string>): LineClass {
  let rec: Record<string, unknown>;
  if (format === 'csv') {
    // an event is one record on one line: any line break (a CR of CRLF too) counts as broken quoting
    const fields = csvFields;
    if (line.indexOf('\n') !== -1 || line.indexOf('\r') !== -1 || parseCsvRecord(line, fields) !== null) return { kind: 'malformed', reason: 'quoting' };
    if (fields.length !== EVENT_COLUMNS.length) return { kind: 'malformed', reason: 'field_count' };
    rec = {};
    for (let i = 0; i < EVENT_COLUMNS.length; i++) {
      const col = EVENT_COLUMNS[i]!;
      const v = fields[i] ?? '';
      if (v === '') rec[col] = null;
      else if (col === 'price') rec[col] = DECIMAL_RE.test(v) ? Number(v) : v;
      else if (col === 'quantity') rec[col] = INTEGER_RE.test(v) ? Number(v) : v;
      else rec[col] = v;
    }
  } else {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      return { kind: 'malformed', reason: 'json' };
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { kind: 'malformed', reason: 'not_an_object' };
    rec = parsed as Record<string, unknown>;
  }

  for (const f of REQUIRED_FIELDS) {
    const v = rec[f];
    if (v === undefined || v === null || v === '') return { kind: 'null', reason: f };
  }

  const type = rec.event_type;
  if (typeof type !== 'string' || !EVENT_TYPE_SET.has(type)) return { kind: 'invalid', reason: 'unknown_event_type' };
  const ts = rec.event_ts;
  if (typeof ts !== 'string' || Number.isNaN(parseTimestamp(ts))) return { kind: 'invalid', reason: 'bad_timestamp' };
  const productId = rec.product_id;
  if (typeof productId !== 'string' || !catalogIds.has(productId)) return { kind: 'invalid', reason: 'unknown_product_id' };
  const price = rec.price;
  if (typeof price !== 'number' || !Number.isFinite(price)) return { kind: 'invalid', reason: 'bad_price' };
  if (price <= 0) return { kind: 'invalid', reason: 'non_positive_price' };
  const quantity = rec.quantity;
  if (typeof quantity !== 'number' || !Number.isInteger(quantity)) return { kind: 'invalid', reason: 'bad_quantity' };
  if (quantity < 1) return { kind: 'invalid', reason: 'non_positive_quantity' };
  const eventId = rec.event_id;
  const sessionId = rec.session_id;
  const userId = rec.user_id ?? null;
  const category = rec.category ?? null;
  const fs = rec.flash_sale_id ?? null;
  if (
    typeof eventId !== 'string' ||
    typeof sessionId !== 'string' ||
    (userId !== null && typeof userId !== 'string') ||
    (category !== null && typeof category !== 'string') ||
    (fs !== null && typeof fs !== 'string')
  ) {
    return { kind: 'invalid', reason: 'bad_value' };
  }
  return {
    kind: 'valid',
    event: {
      event_id: eventId,
      event_type: type as EventType,
      event_ts: ts,
      user_id: userId as string | null,
      session_id: sessionId,
      product_id: productId,
      category: category as string | null,
      price,
      quantity,
      flash_sale_id: fs as string | null,
    },
  };
}

/** What a sequence of lines contains, re-derived line by line with classifyLine. */
export interface Recount {
  lines: number;
  distinct_valid_events: number;
  duplicates: number;
  malformed: number;
  nulls: number;
  invalid: number;
  late: number;
  by_event_type: Record<EventType, number>;
  nulls_by_field: Record<string, number>;
  invalid_by_reason: Record<string, number>;
  /** Over distinct valid purchase events. */
  purchases: { orders: number; units: number; revenue_cents: number };
  first_event_ts: string | null;
  last_event_ts: string | null;
}

export function emptyByEventType(): Record<EventType, number> {
  return { view: 0, add_to_cart: 0, remove_from_cart: 0, purchase: 0 };
}

/** Re-counts data lines (CSV: without header lines) in stream order. */
export function recountLines(lines: Iterable<string>, format: EventFormat, catalogIds: ReadonlySet<string>): Recount {
  const r: Recount = {
    lines: 0,
    distinct_valid_events: 0,
    duplicates: 0,
    malformed: 0,
    nulls: 0,
    invalid: 0,
    late: 0,
    by_event_type: emptyByEventType(),
    nulls_by_field: {},
    invalid_by_reason: {},
    purchases: { orders: 0, units: 0, revenue_cents: 0 },
    first_event_ts: null,
    last_event_ts: null,
  };
  const seen = new Set<string>();
  let clock = Number.NEGATIVE_INFINITY;
  let minTs = Number.POSITIVE_INFINITY;
  let maxTs = Number.NEGATIVE_INFINITY;
  for (const line of lines) {
    r.lines++;
    const c = classifyLine(line, format, catalogIds);
    if (c.kind === 'malformed') r.malformed++;
    else if (c.kind === 'null') {
      r.nulls++;
      r.nulls_by_field[c.reason!] = (r.nulls_by_field[c.reason!] ?? 0) + 1;
    } else if (c.kind === 'invalid') {
      r.invalid++;
      r.invalid_by_reason[c.reason!] = (r.invalid_by_reason[c.reason!] ?? 0) + 1;
    } else {
      const e = c.event!;
      if (seen.has(e.event_id)) {
        r.duplicates++;
        continue;
      }
      seen.add(e.event_id);
      r.distinct_valid_events++;
      r.by_event_type[e.event_type]++;
      const ms = Date.parse(e.event_ts);
      if (clock - ms >= LATE_THRESHOLD_MS) r.late++;
      if (ms > clock) clock = ms;
      if (ms < minTs) minTs = ms;
      if (ms > maxTs) maxTs = ms;
      if (e.event_type === 'purchase') {
        r.purchases.orders++;
        r.purchases.units += e.quantity;
        r.purchases.revenue_cents += Math.round(e.price * 100) * e.quantity;
      }
    }
  }
  if (r.distinct_valid_events > 0) {
    r.first_event_ts = new Date(minTs).toISOString();
    r.last_event_ts = new Date(maxTs).toISOString();
  }
  return r;
}

/** The data lines of event files, in the given order (CSV header lines dropped; no trailing empty line). */
export function* readEventLines(paths: Iterable<string>, format: EventFormat): Generator<string> {
  for (const p of paths) {
    const text = readFileSync(p, 'utf8');
    const lines = text.split('\n');
    if (lines[lines.length - 1] === '') lines.pop();
    let i = 0;
    if (format === 'csv') {
      if (lines[0] !== CSV_HEADER) throw new Error(`${p}: the first line is not the CSV header ${CSV_HEADER}`);
      i = 1;
    }
    for (; i < lines.length; i++) yield lines[i]!;
  }
}
