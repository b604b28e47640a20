/**
 * The flash-sale event stream: a pure, synchronous, deterministic generator of output lines.
 *
 * Every line is exactly one of:
 *  - valid original  — a well-formed, valid event seen for the first time (its event_id is new);
 *  - duplicate       — a byte-identical copy of an earlier valid original (same event_id);
 *  - malformed       — a line that does not parse (broken JSON / wrong CSV field count);
 *  - null            — parses, but one required field (event_id, event_type, event_ts, session_id,
 *                      product_id) is null, empty or missing; otherwise valid;
 *  - invalid         — parses, no required field null, but one value is wrong: unknown event_type,
 *                      price ≤ 0, quantity < 1 or unknown product_id.
 * Late events are valid originals that arrive late: a late event's event_ts is at least 1 hour
 * (at most about 6 hours) behind the stream clock when it is written, the stream clock being the
 * greatest event_ts among the valid lines written before it. Every other valid line is at or
 * ahead of the stream clock (valid non-late times never decrease).
 *
 * Valid originals come from simulated shopping sessions: view (one or more) → add_to_cart →
 * purchase | remove_from_cart | nothing (abandoned cart). Dirty lines are synthetic events with
 * their own session ids, so the valid events of a session always follow the funnel: no
 * purchase or remove_from_cart without an earlier add_to_cart of the same product in the same
 * session, earlier both in event_ts and in stream order (only a session's last event may be
 * delayed as a late event).
 *
 * Given (catalog, events, seed, startMs, spanMs, format, dirt) the lines are always identical.
 */
import { csvField } from '../util/csv.js';
import type { Product } from './catalog.js';
import type { EventFields, EventFormat, EventType, RequiredField } from './event.js';
import { REQUIRED_FIELDS, formatCents, formatTimestamp, jsonValue, toCsv, toCsvFields, toNdjson } from './event.js';
import type { FlashSale } from './flash-sales.js';
import { DAY_MS, HOUR_MS, planFlashSales, saleAt } from './flash-sales.js';
import { MinHeap } from './heap.js';
import { KpiSteering, dirtBefore } from './kpi-steering.js';
import { Prng, fnv1a32 } from './prng.js';
import { SimClock } from './traffic.js';
import { trafficProfile, type TrafficProfile } from './traffic-profile.js';

export const DEFAULT_SEED = 42;
export const DEFAULT_START = '2026-11-24T00:00:00Z';
export const DEFAULT_SPAN_MS = DAY_MS;

/** Fractions (0..1) of all written lines. duplicates+malformed+nulls+invalid+late must be ≤ 1. */
export interface DirtRatios {
  duplicates: number;
  malformed: number;
  nulls: number;
  invalid: number;
  late: number;
}

export const NO_DIRT: Readonly<DirtRatios> = { duplicates: 0, malformed: 0, nulls: 0, invalid: 0, late: 0 };

export interface GenerateOptions {
  catalog: readonly Product[];
  /** Number of lines to generate (all kinds together). */
  events: number;
  seed?: number | string;
  /** Simulated clock start, epoch ms (default 2026-11-24T00:00:00Z). */
  startMs?: number;
  /** Simulated time the events are spread over (default 24 h). */
  spanMs?: number;
  format?: EventFormat;
  dirt?: Partial<DirtRatios>;
  /** traffic profile (traffic-profile.ts; default realistic) */
  profile?: string;
}

export type LineKind = 'valid' | 'duplicate' | 'malformed' | 'null' | 'invalid';

export const INVALID_REASONS = ['unknown_event_type', 'non_positive_price', 'non_positive_quantity', 'unknown_product_id'] as const;
export type InvalidReason = (typeof INVALID_REASONS)[number];

export const MALFORMED_STYLES = {
  ndjson: ['truncated', 'trailing_garbage', 'single_quotes'],
  csv: ['missing_fields', 'extra_fields'],
} as const;

export interface GeneratedLine {
  /** The line without its newline. */
  line: string;
  kind: LineKind;
  /** valid / duplicate: the event type; otherwise null. */
  eventType: EventType | null;
  /** valid / duplicate: the event_id; otherwise null. */
  eventId: string | null;
  /** valid / duplicate: event_ts in epoch ms; dirt: the simulated clock at that line. */
  tsMs: number;
  /** A valid original delivered late (see the module comment). */
  late: boolean;
  /** invalid: an InvalidReason; null: the field; malformed: the style; else null. */
  reason: string | null;
  /** valid / duplicate: unit price in cents and quantity; else 0. */
  priceCents: number;
  quantity: number;
}

const VIEW = 0;
const CART = 1;
const PURCHASE = 2;
const REMOVE = 3;

const OUTCOME_PURCHASE = 1;
const OUTCOME_REMOVE = 2;
const OUTCOME_ABANDON = 3;

/** Share of traffic per category (unknown categories weigh 1). */
const CATEGORY_WEIGHT: Record<string, number> = {
  Electronics: 1.6,
  Fashion: 1.3,
  'Home & Kitchen': 1.1,
  Beauty: 0.8,
  Sports: 0.8,
  Toys: 0.6,
  Books: 0.5,
  Grocery: 0.7,
};

const UNKNOWN_TYPES = ['wishlist_add', 'checkout_start', 'page_ping', 'refund'];
const RECENT = 1024;

interface Session {
  seq: number;
  id: string;
  user: string;
  nextTs: number;
  stage: number;
  viewsLeft: number;
  willCart: boolean;
  outcome: number;
  /** Sale index the session came for, or -1. */
  sale: number;
  category: number;
  product: number;
  cartCents: number;
  cartQty: number;
  cartSale: string | null;
}

interface Pending {
  seq: number;
  release: number;
  line: GeneratedLine;
}

/** Parses ratios to numbers and checks them; throws RangeError naming the bad one. */
export function normalizeDirt(d: Partial<DirtRatios> | undefined): DirtRatios {
  const out: DirtRatios = { ...NO_DIRT };
  for (const k of Object.keys(NO_DIRT) as Array<keyof DirtRatios>) {
    const v = d?.[k] ?? 0;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) {
      throw new RangeError(`dirt ratio ${k} must be a number between 0 and 1 (got ${String(v)})`);
    }
    out[k] = v;
  }
  const sum = out.duplicates + out.malformed + out.nulls + out.invalid + out.late;
  if (sum > 1 + 1e-9) throw new RangeError(`dirt ratios add up to ${sum.toFixed(3)}; duplicates + malformed + nulls + invalid + late must be ≤ 1`);
  return out;
}

class EventSimulation {
  private readonly rng: Prng;
  private readonly format: EventFormat;
  private readonly dirt: DirtRatios;
  private readonly clock: SimClock;
  readonly sales: FlashSale[];
  private readonly catalog: readonly Product[];
  private readonly catalogIds: Set<string>;
  private readonly categories: string[];
  private readonly categoryOf: Int32Array;
  private readonly catCum: Float64Array;
  private readonly productsByCat: number[][];
  private readonly productCum: Float64Array[];
  private readonly userPool: number;
  private readonly userIds: string[] = [];
  /** Set by priceAt: the flash_sale_id of the price it returned. */
  private priceSale: string | null = null;
  /** Set by step: whether the event it made was its session's last. */
  private lastWasTerminal = false;
  /** Pre-encoded `"product_id":…,"category":…` and `product_id,category` per catalog index. */
  private readonly productJson: string[];
  private readonly productCsv: string[];
  private readonly sessions = new MinHeap<Session>((a, b) => a.nextTs < b.nextTs || (a.nextTs === b.nextTs && a.seq < b.seq));
  private readonly pending = new MinHeap<Pending>((a, b) => a.release < b.release || (a.release === b.release && a.seq < b.seq));
  private readonly recent: GeneratedLine[] = [];
  private recentPos = 0;
  private seq = 0;
  private streamClock = Number.NEGATIVE_INFINITY;
  private lateWritten = 0;
  private readonly lateEnd: number;
  /** Share of the events that happen while a late event is still possible. */
  private readonly lateWindowShare: number;
  // cumulative thresholds for the kind of each line
  private readonly tDup: number;
  private readonly tMal: number;
  private readonly tNull: number;
  private readonly tInv: number;
  /** set by a profile with KPI targets: sessions, products and quantities are steered to them */
  private readonly steer: KpiSteering | null;

  constructor(private readonly opts: Required<Omit<GenerateOptions, 'dirt' | 'format' | 'profile'>> & { format: EventFormat; dirt: DirtRatios; profile: TrafficProfile }) {
    this.catalog = opts.catalog;
    this.format = opts.format;
    this.dirt = opts.dirt;
    this.rng = new Prng(opts.seed, 'events');
    this.sales = planFlashSales(opts.seed, opts.catalog, opts.startMs, opts.spanMs);
    this.clock = new SimClock(opts.startMs, opts.spanMs, this.sales, Math.max(1, opts.events), new Prng(opts.seed, 'clock'));
    this.catalogIds = new Set(opts.catalog.map((p) => p.productId));
    this.categories = [...new Set(opts.catalog.map((p) => p.category))];
    this.categoryOf = new Int32Array(opts.catalog.map((p) => this.categories.indexOf(p.category)));
    this.catCum = cumulative(this.categories.map((c) => CATEGORY_WEIGHT[c] ?? 1));
    this.productsByCat = this.categories.map(() => []);
    opts.catalog.forEach((_, i) => this.productsByCat[this.categoryOf[i]!]!.push(i));
    // Popularity: a stable pseudo-random weight per product id (independent of the seed).
    this.productCum = this.productsByCat.map((idx) => cumulative(idx.map((i) => 0.35 + fnv1a32(opts.catalog[i]!.productId) / 4294967296)));
    this.productJson = opts.catalog.map((p) => `"product_id":${jsonValue(p.productId)},"category":${jsonValue(p.category)}`);
    this.productCsv = opts.catalog.map((p) => `${csvField(p.productId)},${csvField(p.category)}`);
    this.userPool = Math.max(50, Math.min(999_999, Math.round(opts.events / 30)));
    this.lateEnd = opts.startMs + opts.spanMs - Math.max(60_000, (3 * opts.spanMs) / Math.max(1, opts.events));
    this.lateWindowShare = Math.max(0.05, this.clock.fractionBefore(this.lateEnd - HOUR_MS));
    const d = this.dirt;
    this.tDup = d.duplicates;
    this.tMal = this.tDup + d.malformed;
    this.tNull = this.tMal + d.nulls;
    this.tInv = this.tNull + d.invalid;
    this.steer = opts.profile.targets ? new KpiSteering(opts.profile.targets) : null;
  }

  // ----- picking -------------------------------------------------------------------------------

  private pickCategory(): number {
    return searchCum(this.catCum, this.rng.float());
  }

  private pickInCategory(c: number): number {
    return this.productsByCat[c]![searchCum(this.productCum[c]!, this.rng.float())]!;
  }

  private pickUser(): string {
    const u = this.rng.float();
    // Skewed: a minority of users make most of the sessions.
    const i = Math.floor(this.userPool * u * Math.sqrt(u));
    return (this.userIds[i] ??= `U${String(i + 1).padStart(6, '0')}`);
  }

  private newSessionId(): string {
    return `S-${this.rng.hex(64)}`;
  }

  /** Unit price (cents) of product p at time ts; its flash_sale_id is left in this.priceSale. */
  private priceAt(p: number, ts: number): number {
    const list = this.catalog[p]!.listPriceCents;
    const s = saleAt(this.sales, ts);
    if (s >= 0) {
      const pct = this.sales[s]!.discountPct[p]!;
      if (pct > 0) {
        this.priceSale = this.sales[s]!.id;
        return Math.max(1, Math.round((list * (100 - pct)) / 100));
      }
    }
    this.priceSale = null;
    return list;
  }

  private pickQuantity(): number {
    const r = this.rng.float();
    return r < 0.8 ? 1 : r < 0.95 ? 2 : 3;
  }

  // ----- sessions ------------------------------------------------------------------------------

  private newSession(ts: number, capacity: number): Session {
    const rng = this.rng;
    const saleIdx = saleAt(this.sales, ts);
    const saleShopper = saleIdx >= 0 && rng.chance(0.75);
    let views = 1;
    let willCart: boolean;
    let outcome: number;
    if (this.steer) {
      const { plan, events } = this.steer.plan(capacity, rng.chance(0.4));
      willCart = plan !== 'view';
      outcome = plan === 'purchase' ? OUTCOME_PURCHASE : events === 3 ? OUTCOME_REMOVE : OUTCOME_ABANDON;
    } else {
      while (views < 8 && rng.chance(0.5)) views++;
      willCart = rng.chance(saleShopper ? 0.42 : 0.16);
      const r = rng.float();
      outcome = r < 0.6 ? OUTCOME_PURCHASE : r < 0.75 ? OUTCOME_REMOVE : OUTCOME_ABANDON;
    }
    return {
      seq: this.seq++,
      id: this.newSessionId(),
      user: this.pickUser(),
      nextTs: ts,
      stage: VIEW,
      viewsLeft: views,
      willCart,
      outcome,
      sale: saleShopper ? saleIdx : -1,
      category: this.pickCategory(),
      product: -1,
      cartCents: 0,
      cartQty: 0,
      cartSale: null,
    };
  }

  private gap(minMs: number, maxMs: number): number {
    const r = this.rng.float();
    return minMs + Math.floor((maxMs - minMs) * r * r); // skewed towards quick actions
  }

  /**
   * Performs the session's next step at s.nextTs; returns its fields and whether it was the
   * session's last event. Schedules the following step, if any.
   */
  private step(s: Session): GeneratedLine {
    const rng = this.rng;
    const ts = s.nextTs;
    let type: EventType;
    let p: number;
    let cents: number;
    let fs: string | null;
    let qty: number;
    let terminal = false;
    if (s.stage === VIEW) {
      type = 'view';
      if (s.sale >= 0 && rng.chance(0.8)) p = rng.pick(this.sales[s.sale]!.featured);
      else if (s.product >= 0 && rng.chance(0.6)) p = this.pickInCategory(this.categoryOf[s.product]!);
      else p = this.pickInCategory(s.product < 0 ? s.category : this.pickCategory());
      if (this.steer && s.outcome === OUTCOME_PURCHASE && s.willCart) p = this.steeredProduct(p, ts);
      s.product = p;
      cents = this.priceAt(p, ts);
      fs = this.priceSale;
      qty = 1;
      s.viewsLeft--;
      if (s.viewsLeft > 0) {
        s.nextTs = ts + this.gap(4_000, 75_000);
      } else if (s.willCart) {
        s.stage = CART;
        s.nextTs = ts + this.gap(8_000, 150_000);
      } else terminal = true;
    } else if (s.stage === CART) {
      type = 'add_to_cart';
      p = s.product;
      cents = this.priceAt(p, ts);
      fs = this.priceSale;
      qty = this.steer && s.outcome === OUTCOME_PURCHASE ? this.steer.quantity(cents) : this.pickQuantity();
      s.cartCents = cents;
      s.cartQty = qty;
      s.cartSale = fs;
      if (s.outcome === OUTCOME_PURCHASE) {
        s.stage = PURCHASE;
        s.nextTs = ts + this.gap(15_000, 360_000);
      } else if (s.outcome === OUTCOME_REMOVE) {
        s.stage = REMOVE;
        s.nextTs = ts + this.gap(10_000, 240_000);
      } else terminal = true;
    } else {
      // The price and sale are the ones locked in when the product went into the cart.
      type = s.stage === PURCHASE ? 'purchase' : 'remove_from_cart';
      p = s.product;
      cents = s.cartCents;
      fs = s.cartSale;
      qty = s.cartQty;
      terminal = true;
    }
    if (!terminal) this.sessions.push(s);
    this.lastWasTerminal = terminal;
    this.steer?.wrote();
    // Fast path of toNdjson / toCsv: every value here is known not to need escaping except the
    // product's, which are pre-encoded. (A unit test checks both paths agree.)
    const eventId = rng.uuid();
    const tsText = formatTimestamp(ts);
    const line =
      this.format === 'csv'
        ? eventId + ',' + type + ',' + tsText + ',' + s.user + ',' + s.id + ',' + this.productCsv[p] + ',' + formatCents(cents) + ',' + qty + ',' + (fs === null ? '' : fs)
        : '{"event_id":"' +
          eventId +
          '","event_type":"' +
          type +
          '","event_ts":"' +
          tsText +
          '","user_id":"' +
          s.user +
          '","session_id":"' +
          s.id +
          '",' +
          this.productJson[p] +
          ',"price":' +
          formatCents(cents) +
          ',"quantity":' +
          qty +
          ',"flash_sale_id":' +
          (fs === null ? 'null' : '"' + fs + '"') +
          '}';
    return { line, kind: 'valid', eventType: type, eventId, tsMs: ts, late: false, reason: null, priceCents: cents, quantity: qty };
  }

  // ----- lines ---------------------------------------------------------------------------------

  next(k: number): GeneratedLine {
    const c = this.clock.at(k);
    if (this.steer) return this.nextSteered(k, c);
    const r = this.rng.float();
    if (r < this.tDup && this.recent.length > 0) return this.duplicate();
    if (r >= this.tDup && r < this.tMal) return this.malformed(c);
    if (r >= this.tMal && r < this.tNull) return this.nullLine(c);
    if (r >= this.tNull && r < this.tInv) return this.invalidLine(c);
    return this.valid(c, k);
  }

  /**
   * Steered streams place dirt evenly (a quota, not a draw), so the number of valid lines still
   * to come is known and every session started fits in it (see valid).
   */
  private nextSteered(k: number, c: number): GeneratedLine {
    const t = this.tInv;
    if (dirtBefore(k + 1, t) === dirtBefore(k, t)) return this.valid(c, k);
    const r = this.rng.float() * t;
    if (r < this.tDup) return this.recent.length > 0 ? this.duplicate() : this.malformed(c);
    if (r < this.tMal) return this.malformed(c);
    if (r < this.tNull) return this.nullLine(c);
    return this.invalidLine(c);
  }

  /** Valid lines from line k (included) to the end of a steered stream. */
  private validLinesFrom(k: number): number {
    const n = this.opts.events;
    return n - k - (dirtBefore(n, this.tInv) - dirtBefore(k, this.tInv));
  }

  /** A buying session's product: of a few the shopper might look at, the one whose price keeps the order value on target. */
  private steeredProduct(first: number, ts: number): number {
    const candidates = [first];
    for (let i = 0; i < 11; i++) candidates.push(this.pickInCategory(this.pickCategory()));
    return candidates[this.steer!.pickPrice(candidates.map((p) => this.priceAt(p, ts)))]!;
  }

  private remember(g: GeneratedLine): void {
    if (this.recent.length < RECENT) this.recent.push(g);
    else {
      this.recent[this.recentPos] = g;
      this.recentPos = (this.recentPos + 1) % RECENT;
    }
  }

  private valid(c: number, k: number): GeneratedLine {
    const due = this.pending.peek();
    if (due && due.release <= this.streamClock) {
      this.pending.pop();
      this.lateWritten++;
      this.remember(due.line);
      return due.line;
    }
    // Late candidates exist only until lateEnd - 1 h: aim for the whole quota by then.
    const lateTarget = Math.min(this.dirt.late * this.opts.events, (this.dirt.late * (k + 1)) / this.lateWindowShare);
    for (;;) {
      const top = this.sessions.peek();
      let s: Session;
      // steered: once the lines left are those the started sessions need, only they are written
      const capacity = this.steer ? this.validLinesFrom(k) - this.steer.inFlight : Infinity;
      if (top && (top.nextTs <= c || capacity <= 0)) s = this.sessions.pop()!;
      else s = this.newSession(c, capacity);
      const g = this.step(s);
      const ts = g.tsMs;
      if (this.lastWasTerminal && this.lateWritten + this.pending.size < lateTarget && ts + HOUR_MS <= this.lateEnd) {
        // Hold this session's last event back: it arrives once the stream clock has moved 1–6 h on.
        g.late = true;
        // 1–6 h, but released before the end of the window (not piled up at the end).
        const maxDelay = Math.min(6 * HOUR_MS, this.lateEnd - ts);
        const release = ts + HOUR_MS + Math.floor(this.rng.float() * (maxDelay - HOUR_MS));
        this.pending.push({ seq: this.seq++, release, line: g });
        continue;
      }
      if (ts > this.streamClock) this.streamClock = ts;
      this.remember(g);
      return g;
    }
  }

  private duplicate(): GeneratedLine {
    const orig = this.recent[this.rng.int(this.recent.length)]!;
    return { ...orig, kind: 'duplicate', late: false };
  }

  /** A plausible event that belongs to no simulated session (the base of every dirty line). */
  private synthetic(c: number): EventFields {
    const rng = this.rng;
    const r = rng.float();
    const type: EventType = r < 0.6 ? 'view' : r < 0.85 ? 'add_to_cart' : r < 0.9 ? 'remove_from_cart' : 'purchase';
    const p = this.pickInCategory(this.pickCategory());
    const cents = this.priceAt(p, c);
    const fs = this.priceSale;
    const prod = this.catalog[p]!;
    return {
      event_id: rng.uuid(),
      event_type: type,
      event_ts: formatTimestamp(c),
      user_id: this.pickUser(),
      session_id: this.newSessionId(),
      product_id: prod.productId,
      category: prod.category,
      price: formatCents(cents),
      quantity: String(type === 'view' ? 1 : this.pickQuantity()),
      flash_sale_id: fs,
    };
  }

  private dirty(line: string, kind: LineKind, c: number, reason: string): GeneratedLine {
    return { line, kind, eventType: null, eventId: null, tsMs: c, late: false, reason, priceCents: 0, quantity: 0 };
  }

  private malformed(c: number): GeneratedLine {
    const rng = this.rng;
    const f = this.synthetic(c);
    if (this.format === 'csv') {
      const fields = toCsvFields(f);
      if (rng.chance(0.5)) return this.dirty(fields.slice(0, 1 + rng.int(fields.length - 1)).join(','), 'malformed', c, 'missing_fields');
      const extra = rng.chance(0.5) ? ['web'] : ['web', ''];
      return this.dirty([...fields, ...extra].join(','), 'malformed', c, 'extra_fields');
    }
    const line = toNdjson(f);
    const style = rng.int(3);
    if (style === 0) return this.dirty(line.slice(0, 1 + rng.int(line.length - 2)), 'malformed', c, 'truncated');
    if (style === 1) return this.dirty(line + rng.pick(['}', ',', ']', ' {"']), 'malformed', c, 'trailing_garbage');
    return this.dirty(line.replace(/"/g, "'"), 'malformed', c, 'single_quotes');
  }

  private nullLine(c: number): GeneratedLine {
    const f = this.synthetic(c);
    const field: RequiredField = REQUIRED_FIELDS[this.rng.int(REQUIRED_FIELDS.length)]!;
    f[field] = null;
    const omit = this.format === 'ndjson' && this.rng.chance(0.5);
    const line = this.format === 'csv' ? toCsv(f) : toNdjson(f, omit ? field : undefined);
    return this.dirty(line, 'null', c, field);
  }

  private invalidLine(c: number): GeneratedLine {
    const rng = this.rng;
    const f = this.synthetic(c);
    const reason: InvalidReason = INVALID_REASONS[rng.int(INVALID_REASONS.length)]!;
    if (reason === 'unknown_event_type') f.event_type = rng.pick(UNKNOWN_TYPES);
    else if (reason === 'non_positive_price') f.price = rng.chance(0.5) ? '0.00' : `-${f.price}`;
    else if (reason === 'non_positive_quantity') f.quantity = rng.chance(0.5) ? '0' : '-1';
    else f.product_id = this.unknownProductId();
    const line = this.format === 'csv' ? toCsv(f) : toNdjson(f);
    return this.dirty(line, 'invalid', c, reason);
  }

  private unknownProductId(): string {
    for (let tries = 0; tries < 20; tries++) {
      const id = `P${9000 + this.rng.int(1000)}`;
      if (!this.catalogIds.has(id)) return id;
    }
    return `P-UNKNOWN-${this.rng.hex(32)}`;
  }
}

function cumulative(weights: number[]): Float64Array {
  const out = new Float64Array(weights.length);
  let sum = 0;
  for (let i = 0; i < weights.length; i++) {
    sum += weights[i]!;
    out[i] = sum;
  }
  for (let i = 0; i < out.length; i++) out[i]! /= sum;
  return out;
}

/** Index of the first cumulative weight > u (u in [0, 1)). */
function searchCum(cum: Float64Array, u: number): number {
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cum[mid]! > u) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Resolved options with defaults applied; throws RangeError on bad values. */
export function resolveGenerateOptions(opts: GenerateOptions) {
  if (!Number.isInteger(opts.events) || opts.events < 0) throw new RangeError(`events must be a non-negative integer (got ${opts.events})`);
  if (opts.catalog.length === 0) throw new RangeError('the catalog has no products');
  const startMs = opts.startMs ?? Date.parse(DEFAULT_START);
  const spanMs = opts.spanMs ?? DEFAULT_SPAN_MS;
  if (!Number.isFinite(startMs)) throw new RangeError('startMs must be a finite epoch time in ms');
  if (!Number.isFinite(spanMs) || spanMs < 1000) throw new RangeError(`span must be at least 1 s (got ${spanMs} ms)`);
  const dirt = normalizeDirt(opts.dirt);
  const profile = trafficProfile(opts.profile);
  // a late event is a session's last one held back: the steered stream's end could not wait for it
  if (profile.targets && dirt.late > 0) throw new RangeError(`the ${profile.name} profile steers every session to its end within the stream: it takes no late events (drop --late)`);
  return {
    catalog: opts.catalog,
    events: opts.events,
    seed: opts.seed ?? DEFAULT_SEED,
    startMs,
    spanMs,
    format: opts.format ?? 'ndjson',
    dirt,
    profile,
  };
}

/** The flash sales a stream with these options runs (same plan generateEvents uses). */
export function flashSalesFor(opts: Pick<GenerateOptions, 'catalog' | 'seed' | 'startMs' | 'spanMs'>): FlashSale[] {
  return planFlashSales(opts.seed ?? DEFAULT_SEED, opts.catalog, opts.startMs ?? Date.parse(DEFAULT_START), opts.spanMs ?? DEFAULT_SPAN_MS);
}

/** Yields exactly `opts.events` lines, deterministically (see the module comment). */
export function* generateEvents(opts: GenerateOptions): Generator<GeneratedLine, void, undefined> {
  const sim = new EventSimulation(resolveGenerateOptions(opts));
  for (let k = 0; k < opts.events; k++) yield sim.next(k);
}
