/**
 * A small shop for the metrics tests: customers, orders and site visits in `<prefix>_raw`,
 * views over them as models, and semantic models and metrics of every type over those.
 * Few enough rows that every expected answer in the tests is worked out by hand.
 *
 *   customers  c1 FR signed up 2025-12-01, c2 DE 2026-01-03, c3 FR 2025-12-20
 *   orders     o1 c1 2026-01-05 10:00:00  10.00
 *              o2 c1 2026-01-06 11:30:00  20.00 gift
 *              o3 c2 2026-01-06 12:00:00  30.00
 *              o7 c3 2026-01-06 23:59:59   5.00
 *              o4 c3 2026-01-12 09:00:00  40.00
 *              o5 c2 2026-02-02 08:00:00  50.00 gift
 *              o6 c1 2026-02-03 15:00:00  60.00
 *   countries  FR West, DE Central
 *   visits     v2 c2 2026-01-04 12:00:00, v1 c1 2026-01-05 09:00:00, v4 c1 2026-01-06 11:00:00,
 *              v3 c3 2026-01-12 08:00:00, v5 c3 2026-02-10 10:00:00
 * (2026-01-05, 01-12 and 02-02 are Mondays.)
 */
import { createProject, type CliResult, type TestProject } from '../helpers/project-builder.js';

export const SEMANTIC_YAML = `version: 2
semantic_models:
  - name: orders
    description: One row per order.
    model: ref('orders')
    defaults:
      agg_time_dimension: ordered_at
    entities:
      - {name: order, type: primary, expr: order_id}
      - {name: customer, type: foreign, expr: customer_id}
    dimensions:
      - {name: ordered_at, type: time, type_params: {time_granularity: second}}
      - {name: is_gift, type: categorical}
    measures:
      - {name: revenue, agg: sum, expr: amount}
      - {name: order_count, agg: count, expr: "1"}
      - {name: customers_ordering, agg: count_distinct, expr: customer_id}
      - {name: avg_order, agg: average, expr: amount, create_metric: true}
      - {name: min_order, agg: min, expr: amount, create_metric: true}
      - {name: max_order, agg: max, expr: amount, create_metric: true}
      - {name: gift_orders, agg: sum_boolean, expr: is_gift = 1}
      - {name: median_amount, agg: median, expr: amount, create_metric: true}
      - {name: p90_amount, agg: percentile, expr: amount, agg_params: {percentile: 0.9}, create_metric: true}
      - {name: last_order_amount, agg: sum, expr: amount, create_metric: true, non_additive_dimension: {name: ordered_at, window_choice: max}}
      - {name: last_order_per_customer, agg: sum, expr: amount, create_metric: true, non_additive_dimension: {name: ordered_at, window_choice: max, window_groupings: [customer]}}
      - {name: first_order_amount, agg: sum, expr: amount, create_metric: true, non_additive_dimension: {name: ordered_at}}
      - {name: p90_amount_disc, agg: percentile, expr: amount, agg_params: {percentile: 0.9, use_discrete_percentile: true}, create_metric: true}
  - name: customers
    model: "{{ ref('customers') }}"
    defaults:
      agg_time_dimension: signup_date
    entities:
      - {name: customer, type: primary, expr: customer_id}
      - {name: country, type: foreign, expr: country}
    dimensions:
      - {name: country, type: categorical}
      - {name: signup_date, type: time, type_params: {time_granularity: day}}
  - name: countries
    model: ref('countries')
    entities:
      - {name: country, type: primary, expr: country_code}
    dimensions:
      - {name: region, type: categorical}
  - name: visits
    model: ref('visits')
    defaults:
      agg_time_dimension: visited_at
    entities:
      - {name: visit, type: primary, expr: visit_id}
      - {name: customer, type: foreign, expr: customer_id}
    dimensions:
      - {name: visited_at, type: time, type_params: {time_granularity: second}}
    measures:
      - {name: visit_count, agg: count, expr: "1"}

metrics:
  - {name: revenue, type: simple, description: Order amounts, type_params: {measure: revenue}}
  - {name: order_count, type: simple, type_params: {measure: order_count}}
  - {name: customers_ordering, type: simple, type_params: {measure: customers_ordering}}
  - {name: gift_orders, type: simple, type_params: {measure: gift_orders}}
  - {name: visit_count, type: simple, type_params: {measure: visit_count}}
  - name: revenue_fr
    type: simple
    type_params: {measure: revenue}
    filter: "{{ Dimension('customer__country') }} = 'FR'"
  - name: gift_share
    type: ratio
    type_params: {numerator: gift_orders, denominator: order_count}
  - name: fr_revenue_share
    type: ratio
    type_params:
      numerator:
        name: revenue
        filter: "{{ Dimension('customer__country') }} = 'FR'"
      denominator: revenue
  - name: revenue_per_customer
    type: derived
    type_params:
      expr: revenue / customers_ordering
      metrics: [revenue, customers_ordering]
  - name: revenue_last_week
    type: derived
    type_params:
      expr: rev_lw
      metrics:
        - {name: revenue, alias: rev_lw, offset_window: 7 days}
  - name: revenue_growth_wow
    type: derived
    type_params:
      expr: (revenue - rev_lw) / rev_lw
      metrics:
        - revenue
        - {name: revenue, alias: rev_lw, offset_window: 1 week}
  - name: revenue_first_month
    type: derived
    type_params:
      expr: rev_jan
      metrics:
        - {name: revenue, alias: rev_jan, offset_to_grain: year}
  - name: revenue_mtd
    type: cumulative
    type_params:
      measure: revenue
      cumulative_type_params: {grain_to_date: month}
  - name: revenue_2d
    type: cumulative
    type_params:
      measure: revenue
      window: 2 days
  - name: revenue_cum
    type: cumulative
    type_params: {measure: revenue}
  - name: visits_2d
    type: cumulative
    type_params: {measure: visit_count, cumulative_type_params: {window: 2 days}}
  - name: visit_to_order_1d
    type: conversion
    type_params:
      conversion_type_params:
        entity: customer
        base_measure: visit_count
        conversion_measure: order_count
        window: 1 day
  - name: visit_conversions_7d
    type: conversion
    type_params:
      conversion_type_params:
        entity: customer
        base_measure: visit_count
        conversion_measure: order_count
        calculation: conversions
        window: 7 days

saved_queries:
  - name: monthly_fr_revenue
    description: Revenue of French customers by month.
    query_params:
      metrics: [revenue, order_count]
      group_by: ["TimeDimension('metric_time', 'month')"]
      where: ["{{ Dimension('customer__country') }} = 'FR'"]
`;

/** The shop project, its raw tables filled and its views built. */
export async function shopProject(label: string): Promise<TestProject> {
  const p = await createProject({
    label,
    models: {
      'orders.sql': '{{config materialized="view"}}\nselect * from {{source "raw" "orders"}}\n',
      'customers.sql': '{{config materialized="view"}}\nselect * from {{source "raw" "customers"}}\n',
      'visits.sql': '{{config materialized="view"}}\nselect * from {{source "raw" "visits"}}\n',
      'countries.sql': '{{config materialized="view"}}\nselect * from {{source "raw" "countries"}}\n',
    },
    yaml: {
      'sources.yml': 'version: 2\nsources:\n  - name: raw\n    schema: "{{target.database}}_raw"\n    tables: [{name: orders}, {name: customers}, {name: visits}, {name: countries}]\n',
      'semantic.yml': SEMANTIC_YAML,
    },
  });
  const raw = `\`${p.database}_raw\``;
  await p.query(`CREATE DATABASE ${raw}`);
  await p.query(`CREATE TABLE ${raw}.customers (customer_id varchar(10) primary key, country char(2), signup_date date)`);
  await p.query(`INSERT INTO ${raw}.customers VALUES ('c1', 'FR', '2025-12-01'), ('c2', 'DE', '2026-01-03'), ('c3', 'FR', '2025-12-20')`);
  await p.query(`CREATE TABLE ${raw}.countries (country_code char(2) primary key, region varchar(20))`);
  await p.query(`INSERT INTO ${raw}.countries VALUES ('FR', 'West'), ('DE', 'Central')`);
  await p.query(`CREATE TABLE ${raw}.orders (order_id varchar(10) primary key, customer_id varchar(10), ordered_at datetime, amount decimal(10,2), is_gift tinyint)`);
  await p.query(
    `INSERT INTO ${raw}.orders VALUES ('o1', 'c1', '2026-01-05 10:00:00', 10, 0), ('o2', 'c1', '2026-01-06 11:30:00', 20, 1), ('o3', 'c2', '2026-01-06 12:00:00', 30, 0),
     ('o7', 'c3', '2026-01-06 23:59:59', 5, 0), ('o4', 'c3', '2026-01-12 09:00:00', 40, 0), ('o5', 'c2', '2026-02-02 08:00:00', 50, 1), ('o6', 'c1', '2026-02-03 15:00:00', 60, 0)`,
  );
  await p.query(`CREATE TABLE ${raw}.visits (visit_id varchar(10) primary key, customer_id varchar(10), visited_at datetime)`);
  await p.query(
    `INSERT INTO ${raw}.visits VALUES ('v2', 'c2', '2026-01-04 12:00:00'), ('v1', 'c1', '2026-01-05 09:00:00'), ('v4', 'c1', '2026-01-06 11:00:00'), ('v3', 'c3', '2026-01-12 08:00:00'), ('v5', 'c3', '2026-02-10 10:00:00')`,
  );
  const r = await p.ft(['run']);
  if (r.code !== 0) throw new Error(`ft run failed:\n${r.output}`);
  return p;
}

/** Rows of `ft metrics query … --output json`; fails with ft's output when it exits non-zero. */
export async function metricRows(p: TestProject, args: string[]): Promise<Array<Record<string, unknown>>> {
  const r: CliResult = await p.ft(['metrics', 'query', ...args, '--output', 'json']);
  if (r.code !== 0) throw new Error(`ft metrics query ${args.join(' ')} exited ${r.code}:\n${r.output}`);
  return JSON.parse(r.stdout) as Array<Record<string, unknown>>;
}
