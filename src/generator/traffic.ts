/**
 * When events happen: a traffic intensity over the simulated window (a daily curve, quiet at
 * night, peaks at lunch and in the evening, multiplied during flash sales with a burst right after
 * a sale opens) and a clock that spreads N events over the window following that intensity.
 *
 * The k-th of N events gets the time where the cumulative intensity reaches (k + u_k) / N of the
 * total (u_k uniform in [0, 1)): the times are strictly increasing in k, all lie inside the
 * window, and their density follows the curve exactly, whatever N is.
 */
import type { FlashSale } from './flash-sales.js';
import { DAY_MS, HOUR_MS, MINUTE_MS, saleAt } from './flash-sales.js';
import type { Prng } from './prng.js';

function bump(hour: number, mu: number, sigma: number): number {
  let d = Math.abs(hour - mu);
  if (d > 12) d = 24 - d;
  return Math.exp(-(d * d) / (2 * sigma * sigma));
}

/** Relative traffic at `ms`: 1.0 is roughly the evening peak of a normal day. */
export function intensityAt(ms: number, sales: readonly FlashSale[]): number {
  const hour = (((ms % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS;
  let v = 0.12 + 0.45 * bump(hour, 12.5, 2.5) + 0.85 * bump(hour, 20.5, 2.2);
  const i = saleAt(sales, ms);
  if (i >= 0) {
    const s = sales[i]!;
    // The opening burst decays with a 10-minute time constant.
    v *= s.trafficMultiplier * (1 + 1.5 * Math.exp(-(ms - s.startMs) / (10 * MINUTE_MS)));
  }
  return v;
}

export class SimClock {
  readonly bucketMs: number;
  private readonly weights: Float64Array;
  private readonly cum: Float64Array;
  private readonly total: number;
  private ptr = 0;
  private lastK = -1;

  constructor(
    readonly startMs: number,
    readonly spanMs: number,
    sales: readonly FlashSale[],
    private readonly n: number,
    private readonly rng: Prng,
  ) {
    let bucket = Math.max(1000, Math.min(MINUTE_MS, Math.ceil(spanMs / 1440)));
    if (spanMs / bucket > 500_000) bucket = Math.ceil(spanMs / 500_000);
    this.bucketMs = bucket;
    const nb = Math.max(1, Math.ceil(spanMs / bucket));
    this.weights = new Float64Array(nb);
    this.cum = new Float64Array(nb + 1);
    for (let b = 0; b < nb; b++) {
      const width = Math.min(bucket, spanMs - b * bucket);
      const mid = startMs + b * bucket + width / 2;
      this.weights[b] = Math.max(1e-9, intensityAt(mid, sales) * (width / bucket));
      this.cum[b + 1] = this.cum[b]! + this.weights[b]!;
    }
    this.total = this.cum[nb]!;
  }

  /** Share (0..1) of all events that happen before `ms`. */
  fractionBefore(ms: number): number {
    if (ms <= this.startMs) return 0;
    if (ms >= this.startMs + this.spanMs) return 1;
    const off = ms - this.startMs;
    const b = Math.min(this.weights.length - 1, Math.floor(off / this.bucketMs));
    const width = Math.min(this.bucketMs, this.spanMs - b * this.bucketMs);
    return (this.cum[b]! + (this.weights[b]! * (off - b * this.bucketMs)) / width) / this.total;
  }

  /** Time (epoch ms, integer) of event k; call with k = 0, 1, 2, … in order. */
  at(k: number): number {
    if (k <= this.lastK) throw new Error('SimClock.at must be called with increasing k');
    this.lastK = k;
    const target = ((k + this.rng.float()) / this.n) * this.total;
    const nb = this.weights.length;
    while (this.ptr < nb - 1 && this.cum[this.ptr + 1]! <= target) this.ptr++;
    const b = this.ptr;
    const width = Math.min(this.bucketMs, this.spanMs - b * this.bucketMs);
    const frac = Math.min(1, Math.max(0, (target - this.cum[b]!) / this.weights[b]!));
    const t = Math.floor(this.startMs + b * this.bucketMs + frac * width);
    return Math.min(t, this.startMs + this.spanMs - 1);
  }
}
