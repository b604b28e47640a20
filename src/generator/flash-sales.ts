/**
 * The flash-sale calendar: a few sales per simulated UTC day, each 30–90 minutes, each featuring
 * one or two categories (plus a couple of "doorbuster" products elsewhere) at 10–50 % off.
 *
 * A day's schedule depends only on (seed, day): a longer --span or a later --start does not
 * change the sales of the days in common.
 */
import type { Product } from './catalog.js';
import { Prng } from './prng.js';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

export interface FlashSale {
  /** FS-YYYYMMDD-NN, NN = 01.. in start order within the day. */
  id: string;
  startMs: number;
  /** Exclusive. */
  endMs: number;
  /** Featured categories. */
  categories: string[];
  /** By product index in the catalog: percent off (10–50), 0 = not in this sale. */
  discountPct: Uint8Array;
  /** Traffic multiplier over the normal curve while the sale runs (3–7). */
  trafficMultiplier: number;
  /** Catalog indexes of the featured products. */
  featured: number[];
}

function saleId(dayStartMs: number, n: number): string {
  const d = new Date(dayStartMs).toISOString();
  return `FS-${d.slice(0, 4)}${d.slice(5, 7)}${d.slice(8, 10)}-${String(n).padStart(2, '0')}`;
}

function feature(rng: Prng, catalog: readonly Product[], categories: readonly string[]): { cats: string[]; discount: Uint8Array; featured: number[] } {
  const nCats = categories.length > 1 && rng.chance(0.35) ? 2 : 1;
  const cats: string[] = [];
  while (cats.length < nCats) {
    const c = rng.pick(categories);
    if (!cats.includes(c)) cats.push(c);
  }
  const discount = new Uint8Array(catalog.length);
  const featured: number[] = [];
  const pct = (): number => 10 + 5 * rng.int(9); // 10, 15, …, 50
  catalog.forEach((p, i) => {
    if (cats.includes(p.category) && rng.chance(0.7)) {
      discount[i] = pct();
      featured.push(i);
    }
  });
  // Doorbusters: a couple of deep-discounted products from anywhere.
  for (let k = 0; k < 2; k++) {
    const i = rng.int(catalog.length);
    if (discount[i] === 0) {
      discount[i] = 30 + 5 * rng.int(5); // 30–50
      featured.push(i);
    }
  }
  if (featured.length === 0) {
    const i = rng.int(catalog.length);
    discount[i] = pct();
    featured.push(i);
  }
  featured.sort((a, b) => a - b);
  return { cats, discount, featured };
}

/** The sales of one UTC day (dayStartMs at 00:00Z): 3–5, between 08:00 and 23:30, non-overlapping. */
export function salesOfDay(seed: number | string, catalog: readonly Product[], dayStartMs: number): FlashSale[] {
  const rng = new Prng(seed, `flash-sales/${dayStartMs}`);
  const categories = [...new Set(catalog.map((p) => p.category))];
  const count = rng.range(3, 5);
  const windowStart = dayStartMs + 8 * HOUR_MS;
  const slot = Math.floor((15.5 * HOUR_MS) / count);
  const sales: FlashSale[] = [];
  for (let n = 0; n < count; n++) {
    const durationMin = rng.range(30, 90);
    const maxOffsetMin = Math.floor((slot - durationMin * MINUTE_MS) / MINUTE_MS);
    const startMs = windowStart + n * slot + rng.range(0, Math.max(0, maxOffsetMin)) * MINUTE_MS;
    const { cats, discount, featured } = feature(rng, catalog, categories);
    sales.push({
      id: saleId(dayStartMs, n + 1),
      startMs,
      endMs: startMs + durationMin * MINUTE_MS,
      categories: cats,
      discountPct: discount,
      trafficMultiplier: rng.range(30, 70) / 10,
      featured,
    });
  }
  return sales;
}

/**
 * The sales overlapping [startMs, startMs + spanMs), in start order. When the window is so short
 * that no scheduled sale touches it, one ad-hoc sale opens inside it (so short demo runs still
 * show a flash sale); it is numbered after that day's scheduled sales.
 */
export function planFlashSales(seed: number | string, catalog: readonly Product[], startMs: number, spanMs: number): FlashSale[] {
  const endMs = startMs + spanMs;
  const out: FlashSale[] = [];
  for (let day = Math.floor(startMs / DAY_MS) * DAY_MS; day < endMs; day += DAY_MS) {
    for (const s of salesOfDay(seed, catalog, day)) if (s.endMs > startMs && s.startMs < endMs) out.push(s);
  }
  if (out.length === 0 && spanMs > 0) {
    const rng = new Prng(seed, `flash-sales/adhoc/${startMs}`);
    const day = Math.floor(startMs / DAY_MS) * DAY_MS;
    const scheduled = salesOfDay(seed, catalog, day).length;
    const offset = Math.floor((spanMs / 2) * rng.float());
    const s = startMs + offset - (spanMs >= 2 * MINUTE_MS ? (startMs + offset) % MINUTE_MS : 0);
    const durationMin = rng.range(30, 90);
    const categories = [...new Set(catalog.map((p) => p.category))];
    const { cats, discount, featured } = feature(rng, catalog, categories);
    out.push({
      id: saleId(day, scheduled + 1),
      startMs: Math.max(startMs, s),
      endMs: Math.max(startMs, s) + durationMin * MINUTE_MS,
      categories: cats,
      discountPct: discount,
      trafficMultiplier: rng.range(30, 70) / 10,
      featured,
    });
  }
  return out;
}

/** Index of the sale running at `ms` in a start-ordered, non-overlapping list, or -1. */
export function saleAt(sales: readonly FlashSale[], ms: number): number {
  let lo = 0;
  let hi = sales.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (sales[mid]!.startMs <= ms) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found >= 0 && ms < sales[found]!.endMs ? found : -1;
}
