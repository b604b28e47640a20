/**
 * The flash-sale event: its columns, types and the two wire formats (NDJSON, CSV).
 *
 * NDJSON: one JSON object per line, keys in EVENT_COLUMNS order, `price` a JSON number written
 * with exactly two decimals (e.g. `1299.00`), `quantity` an integer, `flash_sale_id` a string or
 * null. CSV: a header line EVENT_COLUMNS, then one record per line, same order; an empty field
 * is null; price written with two decimals.
 */
import { csvField } from '../util/csv.js';

export const EVENT_TYPES = ['view', 'add_to_cart', 'remove_from_cart', 'purchase'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const EVENT_COLUMNS = [
  'event_id',
  'event_type',
  'event_ts',
  'user_id',
  'session_id',
  'product_id',
  'category',
  'price',
  'quantity',
  'flash_sale_id',
] as const;
export type EventColumn = (typeof EVENT_COLUMNS)[number];

/** Fields that must be present and non-null; the `--nulls` dirt removes one of these. */
export const REQUIRED_FIELDS = ['event_id', 'event_type', 'event_ts', 'session_id', 'product_id'] as const;
export type RequiredField = (typeof REQUIRED_FIELDS)[number];

export const CSV_HEADER = EVENT_COLUMNS.join(',');

export type EventFormat = 'ndjson' | 'csv';

/** A parsed, valid event. */
export interface FlashSaleEvent {
  event_id: string;
  event_type: EventType;
  /** ISO-8601 UTC with milliseconds, e.g. 2026-11-24T10:15:02.123Z */
  event_ts: string;
  user_id: string | null;
  session_id: string;
  product_id: string;
  category: string | null;
  /** Unit price (already discounted during a flash sale). */
  price: number;
  quantity: number;
  flash_sale_id: string | null;
}

/**
 * An event about to be serialized: every value already rendered as text (price with two
 * decimals), null for null. Dirt may put anything here (unknown type, negative price…).
 */
export interface EventFields {
  event_id: string | null;
  event_type: string | null;
  event_ts: string | null;
  user_id: string | null;
  session_id: string | null;
  product_id: string | null;
  category: string | null;
  price: string | null;
  quantity: string | null;
  flash_sale_id: string | null;
}

const NEEDS_ESCAPE = /[\u0000-\u001f"\\\u007f-\uffff]/;

function jsonString(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`;
}

/** A JSON string literal, or null. */
export function jsonValue(s: string | null): string {
  return s === null ? 'null' : NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`;
}

/**
 * One NDJSON line (no newline). `omit` leaves a key out entirely (a "missing" field) instead
 * of writing null. Numbers (`price`, `quantity`) are written as JSON number literals.
 */
export function toNdjson(f: EventFields, omit?: EventColumn): string {
  if (omit !== undefined) return toNdjsonOmitting(f, omit);
  return (
    '{"event_id":' +
    jsonValue(f.event_id) +
    ',"event_type":' +
    jsonValue(f.event_type) +
    ',"event_ts":' +
    jsonValue(f.event_ts) +
    ',"user_id":' +
    jsonValue(f.user_id) +
    ',"session_id":' +
    jsonValue(f.session_id) +
    ',"product_id":' +
    jsonValue(f.product_id) +
    ',"category":' +
    jsonValue(f.category) +
    ',"price":' +
    (f.price === null ? 'null' : f.price) +
    ',"quantity":' +
    (f.quantity === null ? 'null' : f.quantity) +
    ',"flash_sale_id":' +
    jsonValue(f.flash_sale_id) +
    '}'
  );
}

function toNdjsonOmitting(f: EventFields, omit: EventColumn): string {
  const parts: string[] = [];
  for (const key of EVENT_COLUMNS) {
    if (key === omit) continue;
    const v = f[key];
    parts.push(`"${key}":${key === 'price' || key === 'quantity' ? (v ?? 'null') : v === null ? 'null' : jsonString(v)}`);
  }
  return `{${parts.join(',')}}`;
}

/** The CSV fields of an event, in EVENT_COLUMNS order (null → empty). */
export function toCsvFields(f: EventFields): string[] {
  return [
    csvField(f.event_id),
    csvField(f.event_type),
    csvField(f.event_ts),
    csvField(f.user_id),
    csvField(f.session_id),
    csvField(f.product_id),
    csvField(f.category),
    f.price === null ? '' : f.price,
    f.quantity === null ? '' : f.quantity,
    csvField(f.flash_sale_id),
  ];
}

export function toCsv(f: EventFields): string {
  return toCsvFields(f).join(',');
}

export function serializeEvent(f: EventFields, format: EventFormat): string {
  return format === 'csv' ? toCsv(f) : toNdjson(f);
}

/** Cents → "1234.50" (negative allowed: "-5.00"). */
export function formatCents(cents: number): string {
  const neg = cents < 0;
  const a = Math.abs(Math.trunc(cents));
  const c = a % 100;
  return `${neg ? '-' : ''}${(a - c) / 100}.${c < 10 ? '0' : ''}${c}`;
}

let cachedMinute = Number.NaN;
let cachedPrefix = '';

/** Epoch milliseconds → "YYYY-MM-DDTHH:MM:SS.mmmZ" (UTC), with a per-minute cache. */
export function formatTimestamp(ms: number): string {
  const minute = Math.floor(ms / 60_000);
  if (minute !== cachedMinute) {
    cachedMinute = minute;
    cachedPrefix = new Date(minute * 60_000).toISOString().slice(0, 17);
  }
  const rest = ms - minute * 60_000; // 0..59999
  const sec = Math.floor(rest / 1000);
  const milli = rest - sec * 1000;
  return `${cachedPrefix}${sec < 10 ? '0' : ''}${sec}.${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
}

export const TIMESTAMP_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
