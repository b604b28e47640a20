/**
 * Traffic profiles of the producer: the default stream is the one it always was, and the
 * seed-report profile's stream has the original system's published KPIs, computed here from
 * the lines as kpi_daily defines them (valid events, first copy of each event id).
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readCatalog } from '../../src/generator/catalog.js';
import { generateEvents, type DirtRatios } from '../../src/generator/generate-events.js';
import { runProduceCli } from '../../src/generator/produce-cli.js';
import { TRAFFIC_PROFILES, trafficProfile } from '../../src/generator/traffic-profile.js';

const catalog = readCatalog(join(import.meta.dirname, '../../seeds/products.csv'));

interface Kpis {
  conversion: number;
  abandonment: number;
  aov: number;
  dpi: number;
}

function kpisOf(lines: Iterable<{ kind: string; eventId: string | null; line: string }>): Kpis {
  const seen = new Set<string>();
  const sessions = new Map<string, { cart: boolean; bought: boolean }>();
  let events = 0;
  let views = 0;
  let purchases = 0;
  let units = 0;
  let revenue = 0;
  for (const g of lines) {
    if ((g.kind !== 'valid' && g.kind !== 'duplicate') || seen.has(g.eventId!)) continue;
    seen.add(g.eventId!);
    const e = JSON.parse(g.line) as { event_type: string; session_id: string; price: number; quantity: number };
    events++;
    const s = sessions.get(e.session_id) ?? { cart: false, bought: false };
    sessions.set(e.session_id, s);
    if (e.event_type === 'view') views++;
    if (e.event_type === 'add_to_cart') s.cart = true;
    if (e.event_type === 'purchase') {
      purchases++;
      s.bought = true;
      units += e.quantity;
      revenue += e.price * e.quantity;
    }
  }
  const carts = [...sessions.values()].filter((s) => s.cart);
  return { conversion: purchases / views, abandonment: carts.filter((s) => !s.bought).length / carts.length, aov: revenue / purchases, dpi: events / units };
}

const relative = (a: number, b: number): number => Math.abs(a - b) / b;

describe('traffic profiles', () => {
  it('leave the default stream byte for byte as it was before profiles existed', () => {
    const h = createHash('sha256');
    const dirt = { duplicates: 0.02, malformed: 0.01, nulls: 0.01, invalid: 0.01, late: 0.02 };
    for (const g of generateEvents({ catalog, events: 20_000, seed: 42, dirt })) h.update(`${g.line}\n`);
    expect(h.digest('hex')).toBe('0841ab615bb99ec311dd09eea5ac2ca6ef53b179de76834e409a6a4d49488425');
  });

  it.each([
    [10_000, 42, {}],
    [10_000, 7, { duplicates: 0.02, malformed: 0.01, nulls: 0.01, invalid: 0.01 }],
    [25_000, 'flash', { duplicates: 0.05 }],
  ] as Array<[number, number | string, Partial<DirtRatios>]>)('seed-report: %i lines, seed %s, dirt %j — each KPI within half a percent of the published figure', (events, seed, dirt) => {
    const k = kpisOf(generateEvents({ catalog, events, seed, dirt, profile: 'seed-report' }));
    const t = TRAFFIC_PROFILES['seed-report']!.targets!;
    expect(relative(k.conversion, t.conversionRate)).toBeLessThan(0.005);
    expect(relative(k.abandonment, t.cartAbandonmentRate)).toBeLessThan(0.005);
    expect(relative(k.aov, t.averageOrderValue)).toBeLessThan(0.005);
    expect(relative(k.dpi, t.demandPressureIndex)).toBeLessThan(0.005);
  });

  it('the realistic profile is not steered: its KPIs are far from the published ones', () => {
    const k = kpisOf(generateEvents({ catalog, events: 10_000, seed: 42 }));
    expect(k.conversion).toBeLessThan(0.5);
    expect(k.dpi).toBeGreaterThan(1);
  });

  it('seed-report sessions still follow the funnel: one view, then cart, then purchase or removal', () => {
    const bySession = new Map<string, string[]>();
    for (const g of generateEvents({ catalog, events: 5_000, seed: 3, profile: 'seed-report' })) {
      const e = JSON.parse(g.line) as { event_type: string; session_id: string };
      bySession.set(e.session_id, [...(bySession.get(e.session_id) ?? []), e.event_type]);
    }
    const shapes = new Set([...bySession.values()].map((s) => s.join('>')));
    expect([...shapes].sort()).toEqual(['view', 'view>add_to_cart', 'view>add_to_cart>purchase', 'view>add_to_cart>remove_from_cart']);
  });

  it('an unknown profile, or late events with seed-report, is refused with the way out', async () => {
    expect(() => trafficProfile('seed-reprot')).toThrow(/unknown traffic profile "seed-reprot". Did you mean "seed-report"\? Profiles: realistic, seed-report/);
    const err = new PassThrough();
    let text = '';
    err.on('data', (d: Buffer) => (text += d.toString()));
    expect(await runProduceCli(['--profile', 'seed-report', '--late', '0.01', '--events', '10', '--out', '-'], { stderr: err, stdout: new PassThrough() })).toBe(2);
    expect(text).toMatch(/seed-report profile .* takes no late events \(drop --late\)/);
    text = '';
    expect(await runProduceCli(['--profile', 'nope', '--events', '10', '--out', '-'], { stderr: err, stdout: new PassThrough() })).toBe(2);
    expect(text).toMatch(/unknown traffic profile "nope"/);
  });
});
