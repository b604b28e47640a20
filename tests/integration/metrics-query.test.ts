import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestProject } from '../helpers/project-builder.js';
import { metricRows, shopProject } from './metrics-fixture.js';

/**
 * `ft metrics query` on the real server against answers worked out by hand from the shop
 * fixture (tests/integration/metrics-fixture.ts lists its rows): every aggregation, every
 * metric type, joins through entities, filters, grains, output formats and messages.
 */
describe('ft metrics query', { timeout: 240_000 }, () => {
  let p: TestProject;

  beforeAll(async () => {
    p = await shopProject('metricsq');
  }, 240_000);

  afterAll(async () => {
    await p?.cleanup();
  });

  /** Rows with every number rounded to 6 places (ratios are doubles). */
  const rounded = (rows: Array<Record<string, unknown>>): Array<Record<string, unknown>> =>
    rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'number' ? Math.round(v * 1e6) / 1e6 : v])));

  it('simple metrics of every aggregation, by day and overall', async () => {
    const metrics = 'revenue,order_count,customers_ordering,avg_order,min_order,max_order,gift_orders';
    expect(rounded(await metricRows(p, ['--metrics', metrics, '--group-by', 'metric_time__day']))).toEqual([
      { metric_time__day: '2026-01-05', revenue: 10, order_count: 1, customers_ordering: 1, avg_order: 10, min_order: 10, max_order: 10, gift_orders: 0 },
      { metric_time__day: '2026-01-06', revenue: 55, order_count: 3, customers_ordering: 3, avg_order: 18.333333, min_order: 5, max_order: 30, gift_orders: 1 },
      { metric_time__day: '2026-01-12', revenue: 40, order_count: 1, customers_ordering: 1, avg_order: 40, min_order: 40, max_order: 40, gift_orders: 0 },
      { metric_time__day: '2026-02-02', revenue: 50, order_count: 1, customers_ordering: 1, avg_order: 50, min_order: 50, max_order: 50, gift_orders: 1 },
      { metric_time__day: '2026-02-03', revenue: 60, order_count: 1, customers_ordering: 1, avg_order: 60, min_order: 60, max_order: 60, gift_orders: 0 },
    ]);
    expect(rounded(await metricRows(p, ['--metrics', metrics]))).toEqual([
      { revenue: 215, order_count: 7, customers_ordering: 3, avg_order: 30.714286, min_order: 5, max_order: 60, gift_orders: 2 },
    ]);
  });

  it('grains: hour, week (from Monday), month, quarter, year; several at once', async () => {
    expect(await metricRows(p, ['--metrics', 'revenue', '--group-by', 'metric_time__hour', '--where', "{{ TimeDimension('metric_time', 'day') }} = '2026-01-06'"])).toEqual([
      { metric_time__hour: '2026-01-06 11:00:00', revenue: 20 },
      { metric_time__hour: '2026-01-06 12:00:00', revenue: 30 },
      { metric_time__hour: '2026-01-06 23:00:00', revenue: 5 },
    ]);
    expect(await metricRows(p, ['--metrics', 'revenue', '--group-by', 'metric_time__week'])).toEqual([
      { metric_time__week: '2026-01-05', revenue: 65 },
      { metric_time__week: '2026-01-12', revenue: 40 },
      { metric_time__week: '2026-02-02', revenue: 110 },
    ]);
    expect(await metricRows(p, ['--metrics', 'revenue,order_count', '--group-by', 'metric_time__month,metric_time__quarter,metric_time__year'])).toEqual([
      { metric_time__month: '2026-01-01', metric_time__quarter: '2026-01-01', metric_time__year: '2026-01-01', revenue: 105, order_count: 5 },
      { metric_time__month: '2026-02-01', metric_time__quarter: '2026-01-01', metric_time__year: '2026-01-01', revenue: 110, order_count: 2 },
    ]);
    expect(await metricRows(p, ['--metrics', 'revenue', '--group-by', 'metric_time__minute', '--where', "{{ TimeDimension('metric_time', 'day') }} = '2026-01-06'", '--limit', '1'])).toEqual([
      { metric_time__minute: '2026-01-06 11:30:00', revenue: 20 },
    ]);
  });

  it('joins through entities: dimensions and time dimensions of another semantic model, the entity itself', async () => {
    expect(await metricRows(p, ['--metrics', 'revenue,order_count', '--group-by', 'customer__country'])).toEqual([
      { customer__country: 'DE', revenue: 80, order_count: 2 },
      { customer__country: 'FR', revenue: 135, order_count: 5 },
    ]);
    expect(await metricRows(p, ['--metrics', 'revenue', '--group-by', 'customer__signup_date__month'])).toEqual([
      { customer__signup_date__month: '2025-12-01', revenue: 135 },
      { customer__signup_date__month: '2026-01-01', revenue: 80 },
    ]);
    // two entities away: order → customer → country
    expect(await metricRows(p, ['--metrics', 'revenue', '--group-by', 'customer__country__region', '--where', "{{ Dimension('customer__country__region') }} <> 'North'"])).toEqual([
      { customer__country__region: 'Central', revenue: 80 },
      { customer__country__region: 'West', revenue: 135 },
    ]);
    expect(await metricRows(p, ['--metrics', 'revenue', '--group-by', 'customer', '--order-by', '-revenue'])).toEqual([
      { customer: 'c1', revenue: 90 },
      { customer: 'c2', revenue: 80 },
      { customer: 'c3', revenue: 45 },
    ]);
  });

  it('filters: --where on a joined dimension, a metric filter, a ratio with a filtered numerator', async () => {
    expect(await metricRows(p, ['--metrics', 'revenue', '--group-by', 'metric_time__month', '--where', "{{ Dimension('customer__country') }} = 'FR'"])).toEqual([
      { metric_time__month: '2026-01-01', revenue: 75 },
      { metric_time__month: '2026-02-01', revenue: 60 },
    ]);
    // two --where: both apply
    expect(
      await metricRows(p, ['--metrics', 'order_count', '--where', "{{ Dimension('customer__country') }} = 'FR'", '--where', "{{ Dimension('order__is_gift') }} = 1"]),
    ).toEqual([{ order_count: 1 }]);
    expect(await metricRows(p, ['--metrics', 'revenue,order_count', '--where', "{{ Entity('customer') }} = 'c1'"])).toEqual([{ revenue: 90, order_count: 3 }]);
    expect(await metricRows(p, ['--metrics', 'revenue_fr,revenue', '--group-by', 'metric_time__day'])).toEqual([
      { metric_time__day: '2026-01-05', revenue_fr: 10, revenue: 10 },
      { metric_time__day: '2026-01-06', revenue_fr: 25, revenue: 55 },
      { metric_time__day: '2026-01-12', revenue_fr: 40, revenue: 40 },
      { metric_time__day: '2026-02-02', revenue_fr: null, revenue: 50 },
      { metric_time__day: '2026-02-03', revenue_fr: 60, revenue: 60 },
    ]);
    expect(rounded(await metricRows(p, ['--metrics', 'fr_revenue_share,gift_share']))).toEqual([{ fr_revenue_share: 0.627907, gift_share: 0.285714 }]);
    expect(rounded(await metricRows(p, ['--metrics', 'fr_revenue_share', '--group-by', 'metric_time__month']))).toEqual([
      { metric_time__month: '2026-01-01', fr_revenue_share: 0.714286 },
      { metric_time__month: '2026-02-01', fr_revenue_share: 0.545455 },
    ]);
  });

  it('derived metrics: an expression over metrics, and an offset window', async () => {
    expect(rounded(await metricRows(p, ['--metrics', 'revenue_per_customer']))).toEqual([{ revenue_per_customer: 71.666667 }]);
    expect(rounded(await metricRows(p, ['--metrics', 'revenue,revenue_last_week,revenue_growth_wow', '--group-by', 'metric_time__day']))).toEqual([
      { metric_time__day: '2026-01-05', revenue: 10, revenue_last_week: null, revenue_growth_wow: null },
      { metric_time__day: '2026-01-06', revenue: 55, revenue_last_week: null, revenue_growth_wow: null },
      { metric_time__day: '2026-01-12', revenue: 40, revenue_last_week: 10, revenue_growth_wow: 3 },
      { metric_time__day: '2026-01-13', revenue: null, revenue_last_week: 55, revenue_growth_wow: null },
      { metric_time__day: '2026-01-19', revenue: null, revenue_last_week: 40, revenue_growth_wow: null },
      { metric_time__day: '2026-02-02', revenue: 50, revenue_last_week: null, revenue_growth_wow: null },
      { metric_time__day: '2026-02-03', revenue: 60, revenue_last_week: null, revenue_growth_wow: null },
      { metric_time__day: '2026-02-09', revenue: null, revenue_last_week: 50, revenue_growth_wow: null },
      { metric_time__day: '2026-02-10', revenue: null, revenue_last_week: 60, revenue_growth_wow: null },
    ]);
    // offset to the start of the year: each month shows the year's first month
    expect(await metricRows(p, ['--metrics', 'revenue,revenue_first_month', '--group-by', 'metric_time__month'])).toEqual([
      { metric_time__month: '2026-01-01', revenue: 105, revenue_first_month: 105 },
      { metric_time__month: '2026-02-01', revenue: 110, revenue_first_month: 105 },
    ]);
    const r = await p.ft(['metrics', 'query', '--metrics', 'revenue_last_week']);
    expect(r.code).toBe(2);
    expect(r.output).toMatch(/metric revenue_last_week: a metric with an offset needs metric_time in the group by/);
  });

  it('cumulative metrics: grain to date, a trailing window, all time', async () => {
    expect(await metricRows(p, ['--metrics', 'revenue_mtd,revenue_2d,revenue_cum', '--group-by', 'metric_time__day'])).toEqual([
      { metric_time__day: '2026-01-05', revenue_mtd: 10, revenue_2d: 10, revenue_cum: 10 },
      { metric_time__day: '2026-01-06', revenue_mtd: 65, revenue_2d: 65, revenue_cum: 65 },
      { metric_time__day: '2026-01-12', revenue_mtd: 105, revenue_2d: 40, revenue_cum: 105 },
      { metric_time__day: '2026-02-02', revenue_mtd: 50, revenue_2d: 50, revenue_cum: 155 },
      { metric_time__day: '2026-02-03', revenue_mtd: 110, revenue_2d: 110, revenue_cum: 215 },
    ]);
    expect(await metricRows(p, ['--metrics', 'revenue_cum', '--group-by', 'metric_time__month'])).toEqual([
      { metric_time__month: '2026-01-01', revenue_cum: 105 },
      { metric_time__month: '2026-02-01', revenue_cum: 215 },
    ]);
    // the window's two ends: 01-06 counts v1 (01-05) and v4 (01-06), not v2 (01-04)
    expect(await metricRows(p, ['--metrics', 'visits_2d', '--group-by', 'metric_time__day'])).toEqual([
      { metric_time__day: '2026-01-04', visits_2d: 1 },
      { metric_time__day: '2026-01-05', visits_2d: 2 },
      { metric_time__day: '2026-01-06', visits_2d: 2 },
      { metric_time__day: '2026-01-12', visits_2d: 1 },
      { metric_time__day: '2026-02-10', visits_2d: 1 },
    ]);
    // no metric_time: all of it
    expect(await metricRows(p, ['--metrics', 'revenue_cum'])).toEqual([{ revenue_cum: 215 }]);
    // a dimension beside the period: each country's running total
    expect(await metricRows(p, ['--metrics', 'revenue_cum', '--group-by', 'metric_time__month,customer__country'])).toEqual([
      { metric_time__month: '2026-01-01', customer__country: 'DE', revenue_cum: 30 },
      { metric_time__month: '2026-01-01', customer__country: 'FR', revenue_cum: 75 },
      { metric_time__month: '2026-02-01', customer__country: 'DE', revenue_cum: 80 },
      { metric_time__month: '2026-02-01', customer__country: 'FR', revenue_cum: 135 },
    ]);
  });

  it('conversion metrics: visits followed by an order of the same customer within the window', async () => {
    // 1 day: o1 ← v1, o2 ← v4 (the latest visit before it), o4 ← v3; o3 is 48 h after v2
    expect(rounded(await metricRows(p, ['--metrics', 'visit_to_order_1d,visit_count']))).toEqual([{ visit_to_order_1d: 0.6, visit_count: 5 }]);
    expect(rounded(await metricRows(p, ['--metrics', 'visit_to_order_1d,visit_conversions_7d', '--group-by', 'metric_time__day']))).toEqual([
      { metric_time__day: '2026-01-04', visit_to_order_1d: 0, visit_conversions_7d: 1 },
      { metric_time__day: '2026-01-05', visit_to_order_1d: 1, visit_conversions_7d: 1 },
      { metric_time__day: '2026-01-06', visit_to_order_1d: 1, visit_conversions_7d: 1 },
      { metric_time__day: '2026-01-12', visit_to_order_1d: 1, visit_conversions_7d: 1 },
      { metric_time__day: '2026-02-10', visit_to_order_1d: 0, visit_conversions_7d: 0 },
    ]);
    expect(await metricRows(p, ['--metrics', 'visit_conversions_7d'])).toEqual([{ visit_conversions_7d: 4 }]);
  });

  it('median and percentiles (continuous and discrete), overall and by month', async () => {
    expect(rounded(await metricRows(p, ['--metrics', 'median_amount,p90_amount,p90_amount_disc']))).toEqual([{ median_amount: 30, p90_amount: 54, p90_amount_disc: 60 }]);
    expect(rounded(await metricRows(p, ['--metrics', 'median_amount,p90_amount,p90_amount_disc,revenue', '--group-by', 'metric_time__month']))).toEqual([
      { metric_time__month: '2026-01-01', median_amount: 20, p90_amount: 36, p90_amount_disc: 40, revenue: 105 },
      { metric_time__month: '2026-02-01', median_amount: 55, p90_amount: 59, p90_amount_disc: 60, revenue: 110 },
    ]);
  });

  it('semi-additive measures (non_additive_dimension): the rows at the first or last time of each group, per customer with window_groupings', async () => {
    expect(await metricRows(p, ['--metrics', 'last_order_amount,last_order_per_customer,first_order_amount', '--group-by', 'metric_time__month'])).toEqual([
      { metric_time__month: '2026-01-01', last_order_amount: 40, last_order_per_customer: 90, first_order_amount: 10 },
      { metric_time__month: '2026-02-01', last_order_amount: 60, last_order_per_customer: 110, first_order_amount: 50 },
    ]);
    expect(await metricRows(p, ['--metrics', 'last_order_amount,last_order_per_customer,first_order_amount'])).toEqual([{ last_order_amount: 60, last_order_per_customer: 150, first_order_amount: 10 }]);
    expect(await metricRows(p, ['--metrics', 'last_order_amount', '--group-by', 'customer__country'])).toEqual([
      { customer__country: 'DE', last_order_amount: 50 },
      { customer__country: 'FR', last_order_amount: 60 },
    ]);
  });

  it('a saved query, with --order-by and --limit on top', async () => {
    expect(await metricRows(p, ['--saved-query', 'monthly_fr_revenue'])).toEqual([
      { metric_time__month: '2026-01-01', revenue: 75, order_count: 4 },
      { metric_time__month: '2026-02-01', revenue: 60, order_count: 1 },
    ]);
    expect(await metricRows(p, ['--saved-query', 'monthly_fr_revenue', '--order-by', 'revenue', '--limit', '1'])).toEqual([{ metric_time__month: '2026-02-01', revenue: 60, order_count: 1 }]);
    const r = await p.ft(['metrics', 'query', '--saved-query', 'monthly_fr_revenu']);
    expect(r.code).toBe(2);
    expect(r.output).toMatch(/"monthly_fr_revenu" is not a saved query\. Did you mean "monthly_fr_revenue"\?/);
  });

  it('output formats: table, csv, and --explain prints the one SELECT without running it', async () => {
    const table = await p.ft(['metrics', 'query', '--metrics', 'revenue,revenue_fr', '--group-by', 'customer__country']);
    expect(table.code, table.output).toBe(0);
    expect(table.stdout.split('\n')).toEqual([
      'customer__country | revenue | revenue_fr',
      '------------------+---------+-----------',
      'DE                |   80.00 |       NULL',
      'FR                |  135.00 |     135.00',
      '(2 rows)',
      '',
    ]);
    const csv = await p.ft(['metrics', 'query', '--metrics', 'revenue,revenue_fr', '--group-by', 'customer__country', '--output', 'csv']);
    expect(csv.stdout).toBe('customer__country,revenue,revenue_fr\nDE,80.00,\nFR,135.00,135.00\n');
    const explain = await p.ft(['metrics', 'query', '--metrics', 'revenue,visit_to_order_1d,revenue_mtd', '--group-by', 'metric_time__day,customer__country', '--explain']);
    expect(explain.code, explain.output).toBe(0);
    const sql = explain.stdout.trim();
    expect(sql).toMatch(/^select /);
    expect(sql.endsWith(';')).toBe(true);
    // one statement: the only semicolon ends it
    expect(sql.slice(0, -1)).not.toContain(';');
    expect(sql).toContain(`\`${p.database}\`.\`orders\``);
    expect(sql).toMatch(/left join \(select .* from `[^`]+`\.`customers`\) bj1 on/);
  });

  it('metrics list: type, description and the dimensions each can be grouped by', async () => {
    const r = await p.ft(['metrics', 'list']);
    expect(r.code, r.output).toBe(0);
    expect(r.stdout).toContain('revenue (simple)\n  Order amounts\n  dimensions: customer, customer__country, customer__signup_date, metric_time, order, order__is_gift, order__ordered_at\n');
    expect(r.stdout).toContain('visit_to_order_1d (conversion)\n  dimensions: customer, customer__country, customer__signup_date, metric_time, visit, visit__visited_at\n');
    expect(r.stdout).toMatch(/saved queries:\n {2}monthly_fr_revenue: revenue, order_count by TimeDimension\('metric_time', 'month'\)/);
    const json = JSON.parse((await p.ft(['metrics', 'list', '--output', 'json'])).stdout) as Array<{ name: string; type: string }>;
    expect(json.map((m) => `${m.name}:${m.type}`)).toContain('revenue_growth_wow:derived');
  });

  it("manifest.json has dbt's semantic_models, metrics and saved_queries with their lineage; ft ls lists and selects them", async () => {
    const parse = await p.ft(['parse']);
    expect(parse.code, parse.output).toBe(0);
    const m = p.readJson('target/manifest.json');
    expect(Object.keys(m.semantic_models).sort()).toEqual(['semantic_model.proj.countries', 'semantic_model.proj.customers', 'semantic_model.proj.orders', 'semantic_model.proj.visits']);
    expect(m.semantic_models['semantic_model.proj.orders']).toMatchObject({
      resource_type: 'semantic_model',
      model: "ref('orders')",
      depends_on: { nodes: ['model.proj.orders'] },
      defaults: { agg_time_dimension: 'ordered_at' },
      entities: [{ name: 'order', type: 'primary', expr: 'order_id' }, { name: 'customer', type: 'foreign', expr: 'customer_id' }],
    });
    expect(m.metrics['metric.proj.fr_revenue_share']).toMatchObject({
      type: 'ratio',
      type_params: { numerator: { name: 'revenue', filter: { where_filters: [{ where_sql_template: "{{ Dimension('customer__country') }} = 'FR'" }] } }, denominator: { name: 'revenue' } },
      depends_on: { nodes: ['metric.proj.revenue'] },
    });
    expect(m.metrics['metric.proj.visit_to_order_1d'].depends_on.nodes).toEqual(['semantic_model.proj.orders', 'semantic_model.proj.visits']);
    expect(m.saved_queries['saved_query.proj.monthly_fr_revenue']).toMatchObject({ query_params: { metrics: ['revenue', 'order_count'] }, depends_on: { nodes: ['metric.proj.order_count', 'metric.proj.revenue'] } });
    expect(m.parent_map['metric.proj.revenue']).toEqual(['semantic_model.proj.orders']);
    expect(m.parent_map['semantic_model.proj.orders']).toEqual(['model.proj.orders']);
    expect(m.child_map['model.proj.orders']).toContain('semantic_model.proj.orders');
    expect(m.child_map['metric.proj.revenue']).toContain('metric.proj.revenue_per_customer');

    const metrics = await p.ft(['ls', '--resource-type', 'metric']);
    expect(metrics.code, metrics.output).toBe(0);
    expect(metrics.stdout.split('\n')).toContain('visit_to_order_1d');
    expect(metrics.stdout.split('\n')).not.toContain('orders');
    // on the graph, a metric selects the models it reads (and + their parents)
    const models = await p.ft(['ls', '-s', 'metric:visit_to_order_1d', '--resource-type', 'model']);
    expect(models.stdout.trim().split('\n')).toEqual(['orders', 'visits']);
    const selected = await p.ft(['ls', '-s', 'metric:revenue_*', '--resource-type', 'metric', '--output', 'selector']);
    expect(selected.stdout.trim().split('\n')).toEqual(['metric:revenue_2d', 'metric:revenue_cum', 'metric:revenue_first_month', 'metric:revenue_fr', 'metric:revenue_growth_wow', 'metric:revenue_last_week', 'metric:revenue_mtd', 'metric:revenue_per_customer']);
  });

  it('unknown metric, dimension, grain or column: a message with the nearest name, exit 2, no stack trace', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--metrics', 'revenu'], /error: --metrics: "revenu" is not a metric\. Did you mean "revenue"/],
      [['--metrics', 'revenue', '--group-by', 'customer__contry'], /error: --group-by: "customer__contry" is not a dimension or entity reachable from semantic model orders \(the rows of measure revenue\)\. Did you mean "customer__country"/],
      [['--metrics', 'revenue', '--where', "{{ Dimension('customer__countri') }} = 'FR'"], /error: --where: "customer__countri" is not a dimension .* Did you mean "customer__country"/],
      [['--metrics', 'revenue', '--group-by', 'customer__signup_date__hour'], /customer__signup_date by hour: customers\.signup_date holds days \(time_granularity: day\); ask for day, week, month, quarter, year/],
      [['--metrics', 'revenue', '--group-by', 'metric_time__fortnight'], /"fortnight" is not a time grain; use one of second, minute, hour, day, week, month, quarter, year/],
      [['--metrics', 'revenue', '--order-by', 'revenu'], /--order-by: "revenu" is not a column of the result \(revenue\).* Did you mean "revenue"\?/],
      [['--metrics', 'revenue', '--where', "{{ Metric('revenue', group_by=['customer']) }} > 1"], /filtering on a metric's value \(Metric\(…\)\) is not supported/],
      [['--metrics', 'revenue', '--output', 'xml'], /--output must be table, json, csv, not "xml"/],
    ];
    for (const [args, message] of cases) {
      const r = await p.ft(['metrics', 'query', ...args]);
      expect(r.code, r.output).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
