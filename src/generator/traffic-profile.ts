/**
 * Traffic profiles of the producer: how shoppers behave. `realistic` (the default) is the
 * simulated funnel of generate-events.ts; `seed-report` steers the stream so that the
 * pipeline's KPIs come out as the figures the original system published (see
 * ../shared/seed: conversion 84.63%, cart abandonment 7.88%, average order value $4.78K,
 * demand pressure index 0.54 events per unit sold) — traffic no real shop has, kept to show that
 * the pipeline reproduces those numbers when fed traffic that has them.
 */
import { didYouMean } from '../util/suggest.js';

/** The four KPIs as kpi_daily defines them (its overall row). */
export interface KpiTargets {
  /** purchases / views */
  conversionRate: number;
  /** sessions with an add_to_cart and no purchase / sessions with an add_to_cart */
  cartAbandonmentRate: number;
  /** revenue / purchases, dollars */
  averageOrderValue: number;
  /** events / units sold */
  demandPressureIndex: number;
}

export interface TrafficProfile {
  name: string;
  description: string;
  /** KPI figures the stream is steered to (absent: the simulated funnel decides) */
  targets?: KpiTargets;
}

export const TRAFFIC_PROFILES: Readonly<Record<string, TrafficProfile>> = {
  realistic: { name: 'realistic', description: 'simulated shoppers: browsing sessions, carts, purchases and flash-sale rushes' },
  'seed-report': {
    name: 'seed-report',
    description: "traffic whose KPIs are the original system's published figures (conversion 84.63%, cart abandonment 7.88%, AOV $4.78K, demand pressure 0.54)",
    targets: { conversionRate: 0.8463, cartAbandonmentRate: 0.0788, averageOrderValue: 4780, demandPressureIndex: 0.54 },
  },
};

export const DEFAULT_PROFILE = 'realistic';

/** The profile of this name; a RangeError naming the known ones for any other. */
export function trafficProfile(name: string | undefined): TrafficProfile {
  const key = name ?? DEFAULT_PROFILE;
  if (Object.hasOwn(TRAFFIC_PROFILES, key)) return TRAFFIC_PROFILES[key]!;
  const names = Object.keys(TRAFFIC_PROFILES);
  throw new RangeError(`unknown traffic profile "${key}".${didYouMean(key, names)} Profiles: ${names.join(', ')}.`);
}
