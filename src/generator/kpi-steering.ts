/**
 * Steers a stream to fixed KPI figures (a profile with `targets`). Every session has one view;
 * whether it buys, leaves a cart or only looks is decided by quota; a buying session's quantity
 * is the one that keeps the average order value on target, and its product the one whose price
 * makes that quantity the units the demand-pressure target asks for. Each decision reads the running totals, so the
 * errors do not add up: a stream of any length ends within a few events of every figure.
 *
 * Random draws would leave the figures a percent or more away at 10,000 events (a buying rate of
 * 85% over ~3,500 sessions alone varies by ±0.6%), which is why quotas and feedback are used.
 */
import type { KpiTargets } from './traffic-profile.js';

export type SessionPlan = 'purchase' | 'cart' | 'view';

export class KpiSteering {
  private sessions = 0;
  private purchases = 0;
  private abandonedCarts = 0;
  /** events of every session planned so far (a session's events are known when it starts) */
  private events = 0;
  /** purchases whose quantity and price are locked (their add_to_cart is written) */
  private lockedPurchases = 0;
  private units = 0;
  private revenueCents = 0;
  /** events planned but not yet written */
  inFlight = 0;

  constructor(readonly targets: KpiTargets) {
    for (const [k, v] of Object.entries(targets)) if (!(v > 0)) throw new RangeError(`KPI target ${k} must be > 0 (got ${v})`);
    if (targets.conversionRate > 1 || targets.cartAbandonmentRate >= 1) throw new RangeError('conversion must be ≤ 1 and cart abandonment < 1');
  }

  /**
   * What the next session does, given how many valid lines the stream still has for new
   * sessions (`capacity`, ≥ 1): the plan and its number of events. A plan that does not fit
   * becomes a view, so every session planned is written whole.
   */
  plan(capacity: number, removes: boolean): { plan: SessionPlan; events: number } {
    const t = this.targets;
    let plan: SessionPlan = 'view';
    if (this.purchases < t.conversionRate * (this.sessions + 1)) plan = 'purchase';
    else if (this.abandonedCarts + 0.5 <= (t.cartAbandonmentRate / (1 - t.cartAbandonmentRate)) * this.purchases) plan = 'cart';
    let events = plan === 'purchase' ? 3 : plan === 'cart' ? (removes ? 3 : 2) : 1;
    if (events > capacity) {
      // a cart left in it (2 events) still fits where a removal does not
      if (plan === 'cart' && capacity >= 2) events = 2;
      else [plan, events] = ['view', 1];
    }
    this.sessions++;
    if (plan === 'purchase') this.purchases++;
    if (plan === 'cart') this.abandonedCarts++;
    this.events += events;
    this.inFlight += events;
    return { plan, events };
  }

  /** One planned event was written. */
  wrote(): void {
    this.inFlight--;
  }

  /**
   * The unit price (cents) a buying session's product should have now: the price at which the
   * order value's quantity is the units still owed to the demand-pressure target, shared among
   * the buying sessions whose cart is not yet filled (this one included).
   */
  targetPriceCents(): number {
    const owed = this.events / this.targets.demandPressureIndex - this.units;
    const perPurchase = Math.max(1, owed / Math.max(1, this.purchases - this.lockedPurchases));
    return (this.targets.averageOrderValue * 100) / perPurchase;
  }

  /** Index of the candidate price closest (by ratio) to the target. */
  pickPrice(pricesCents: readonly number[]): number {
    const want = Math.log(this.targetPriceCents());
    let best = 0;
    for (let i = 1; i < pricesCents.length; i++) {
      if (Math.abs(Math.log(pricesCents[i]!) - want) < Math.abs(Math.log(pricesCents[best]!) - want)) best = i;
    }
    return best;
  }

  /**
   * Quantity of a buying session's cart at this unit price: the one that brings the revenue of
   * the carts filled so far closest to the order-value target. Locks it into the totals.
   */
  quantity(priceCents: number): number {
    const owedCents = this.targets.averageOrderValue * 100 * (this.lockedPurchases + 1) - this.revenueCents;
    const q = Math.min(99, Math.max(1, Math.round(owedCents / priceCents)));
    this.units += q;
    this.revenueCents += priceCents * q;
    this.lockedPurchases++;
    return q;
  }
}

/** Lines [0, k) of a stream that are dirt when a share `t` of lines is, spread evenly. */
export function dirtBefore(k: number, t: number): number {
  return Math.floor(k * t + 1e-9);
}
