import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileQuery, type MetricsRequest } from '../../src/metrics/compile-query.js';
import { loadProject } from '../../src/project/load-project.js';
import type { Project } from '../../src/project/project.js';
import { FtError } from '../../src/util/errors.js';
import { SEMANTIC_YAML } from '../integration/metrics-fixture.js';

// dbt's semantic_models:, metrics: and saved_queries: are read with errors naming the file, the
// line and the nearest right name, and a metrics query that cannot be compiled says why.

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const PROFILES = 'p:\n  target: dev\n  outputs:\n    dev: {type: mysql, host: 127.0.0.1, port: 3306, user: root, password: "", database: db_dev}\n';
const MODELS = { 'models/orders.sql': 'select 1 as order_id\n', 'models/customers.sql': 'select 1 as customer_id\n', 'models/visits.sql': 'select 1 as visit_id\n', 'models/countries.sql': 'select 1 as country_code\n' };

function project(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'ft-metrics-'));
  dirs.push(root);
  for (const [rel, text] of Object.entries({ 'profiles.yml': PROFILES, 'project.yml': 'name: p\nprofile: p\n', ...MODELS, ...files })) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

async function load(yaml: string, partialParse = false, root = project({ 'models/semantic.yml': yaml })): Promise<{ p: Project; warnings: string[] }> {
  const warnings: string[] = [];
  const p = await loadProject({ projectDir: root, partialParse, warn: (w) => warnings.push(w) });
  return { p, warnings };
}

async function loadError(yaml: string): Promise<FtError> {
  let thrown: unknown;
  try {
    await load(yaml);
  } catch (e) {
    thrown = e;
  }
  expect(thrown, 'expected the load to fail').toBeInstanceOf(FtError);
  return thrown as FtError;
}

/** 1-based line of the first line of `text` holding `snippet`. */
const lineOf = (text: string, snippet: string, from = 0): number => {
  const lines = text.split('\n');
  for (let i = from; i < lines.length; i++) if (lines[i]!.includes(snippet)) return i + 1;
  throw new Error(`no line holds ${snippet}`);
};

/** The fixture's YAML with one piece replaced (it must be there). */
const withChange = (from: string, to: string): string => {
  expect(SEMANTIC_YAML).toContain(from);
  return SEMANTIC_YAML.replace(from, to);
};

describe('reading the semantic layer', () => {
  it('the shop fixture loads: semantic models linked to their models, metrics (and create_metric), saved queries; no warnings', async () => {
    const { p, warnings } = await load(SEMANTIC_YAML);
    expect(warnings).toEqual([]);
    const layer = p.semantic!;
    expect([...layer.models.keys()]).toEqual(['orders', 'customers', 'countries', 'visits']);
    expect(layer.models.get('customers')!.node_id).toBe('model.p.customers');
    expect(layer.models.get('orders')!.relation).toBe('`db_dev`.`orders`');
    expect(layer.metrics.get('median_amount')).toMatchObject({ type: 'simple', from_measure: true });
    expect(layer.metrics.get('revenue_2d')).toMatchObject({ type: 'cumulative', window: '2 days' });
    expect(layer.metrics.get('revenue_mtd')).toMatchObject({ type: 'cumulative', grain_to_date: 'month' });
    expect(layer.metrics.get('fr_revenue_share')!.numerator).toEqual({ name: 'revenue', filter: ["{{ Dimension('customer__country') }} = 'FR'"], alias: undefined });
    expect(layer.metrics.get('visit_to_order_1d')!.conversion).toMatchObject({ entity: 'customer', calculation: 'conversion_rate', window: '1 day' });
    expect(layer.savedQueries.get('monthly_fr_revenue')!.group_by).toEqual(["TimeDimension('metric_time', 'month')"]);
  });

  it('a project without the sections has no semantic layer; from the parse cache it is the same', async () => {
    expect((await load('version: 2\nmodels:\n  - name: orders\n')).p.semantic).toBeUndefined();
    const root = project({ 'models/semantic.yml': SEMANTIC_YAML });
    const cold = await load('', true, root);
    const warm = await load('', true, root);
    expect([...warm.p.semantic!.metrics.keys()]).toEqual([...cold.p.semantic!.metrics.keys()]);
    expect(warm.p.semantic!.models.get('orders')!.measures).toEqual(cold.p.semantic!.models.get('orders')!.measures);
  });

  it('errors name the file, the line and the nearest name', async () => {
    const cases: Array<[string, string, RegExp, string, number?]> = [
      // [replace, with, message, the line it names holds this (its nth occurrence)]
      ["model: ref('orders')", "model: ref('order')", /semantic model orders reads ref\('order'\), but there is no model or seed "order"\. Did you mean "orders"/, '- name: orders'],
      ['{name: revenue, agg: sum, expr: amount}', '{name: revenue, agg: summ, expr: amount}', /`agg: summ` is not one of sum, count, .* Did you mean "sum"/, '{name: revenue, agg: summ'],
      ['type_params: {time_granularity: second}}\n      - {name: is_gift', '}\n      - {name: is_gift', /time dimension ordered_at of orders needs `type_params: \{time_granularity: day\}`/, '{name: ordered_at, type: time'],
      ['agg_time_dimension: ordered_at', 'agg_time_dimension: ordered', /agg_time_dimension "ordered" is not a time dimension of semantic model orders\. Did you mean "ordered_at"/, '- name: orders'],
      ['type_params: {measure: gift_orders}', 'type_params: {measure: gift_order}', /metric gift_orders: measure "gift_order" is not a measure of any semantic model\. Did you mean "gift_orders"/, '{name: gift_orders, type: simple'],
      ['type_params: {numerator: gift_orders, denominator: order_count}', 'type_params: {numerator: gift_orders, denominator: order_cnt}', /metric gift_share: denominator "order_cnt" is not a metric\. Did you mean "order_count"/, '- name: gift_share'],
      ['    type: ratio\n    type_params: {numerator', '    type: ratoi\n    type_params: {numerator', /`type: ratoi` is not one of simple, ratio, derived, cumulative, conversion\. Did you mean "ratio"/, 'type: ratoi'],
      ['expr: revenue / customers_ordering', 'expr: revenue / customers', /expr "revenue \/ customers" names "customers", which is not one of its inputs \(revenue, customers_ordering\)\. Did you mean "customers_ordering"/, '- name: revenue_per_customer'],
      ['window: 2 days', 'window: 2 dayz', /`window: 2 dayz` is not a window; write a count and a grain, like "7 days"/, 'window: 2 dayz'],
      ['agg_params: {percentile: 0.9}, create', 'agg_params: {}, create', /measure p90_amount: agg percentile needs `agg_params: \{percentile: 0\.9\}`/, '{name: p90_amount,'],
      ['metrics: [revenue, order_count]', 'metrics: [revenue, orders_count]', /saved query monthly_fr_revenue: "orders_count" is not a metric\. Did you mean "order_count"/, '- name: monthly_fr_revenue'],
      ['        entity: customer\n        base_measure: visit_count\n        conversion_measure: order_count\n        window: 1 day', '        entity: visitor\n        base_measure: visit_count\n        conversion_measure: order_count\n        window: 1 day', /conversion metric visit_to_order_1d: the base_measure's semantic model visits has no entity "visitor"/, '- name: visit_to_order_1d'],
      ['  - {name: visit_count, type: simple, type_params: {measure: visit_count}}', '  - {name: revenue, type: simple, type_params: {measure: visit_count}}', /metric "revenue" is declared twice \(also at models\/semantic\.yml:\d+\)/, '{name: revenue, type: simple, type_params: {measure: visit_count}}'],
      ['      - {name: country, type: categorical}', '      - {name: country, type: categorical}\n      - {name: country, type: categorical}', /semantic model customers declares the dimension "country" twice \(first at line \d+\)/, '{name: country, type: categorical}', 2],
    ];
    for (const [from, to, message, at, nth = 1] of cases) {
      const yaml = withChange(from, to);
      const e = await loadError(yaml);
      expect(e.message, to).toMatch(message);
      expect(e.file).toBe('models/semantic.yml');
      let line = 0;
      for (let k = 0; k < nth; k++) line = lineOf(yaml, at, line);
      expect(e.line, `${to}: ${e.format()}`).toBe(line);
    }
  });

  it('a semantic model cannot read an ephemeral model', async () => {
    const root = project({ 'models/semantic.yml': SEMANTIC_YAML, 'models/visits.sql': '{{config materialized="ephemeral"}}\nselect 1 as visit_id\n' });
    await expect(loadProject({ projectDir: root })).rejects.toThrow(/semantic model visits reads visits, which is ephemeral \(no table or view to query\); materialize it as a view or table/);
  });

  it('metrics that refer to each other in a circle', async () => {
    const yaml = `${SEMANTIC_YAML.split('\nsaved_queries:')[0]}\n  - {name: loop_a, type: derived, type_params: {expr: loop_b + 1, metrics: [loop_b]}}\n  - {name: loop_b, type: ratio, type_params: {numerator: loop_a, denominator: revenue}}\n`;
    const e = await loadError(yaml);
    expect(e.message).toMatch(/metrics refer to each other in a circle: loop_a → loop_b → loop_a/);
    expect(e.line).toBe(lineOf(yaml, 'name: loop_a'));
  });

  it("MetricFlow's {{ Dimension('…') }} in filters is not taken for Jinja; unknown keys are warnings with the line", async () => {
    const yaml = withChange('{name: order_count, agg: count, expr: "1"}', '{name: order_count, agg: count, expr: "1", agg_paramz: {}}');
    const { p, warnings } = await load(yaml);
    expect(p.semantic!.metrics.get('revenue_fr')!.filter).toEqual(["{{ Dimension('customer__country') }} = 'FR'"]);
    expect(warnings).toEqual([`models/semantic.yml:${lineOf(yaml, 'agg_paramz')}: unknown key "agg_paramz" in measure order_count ignored. Did you mean "agg_params", "agg"?`]);
  });

  it('what is read but not acted on is a warning with the line: exports, validity_params, join_to_timespine', async () => {
    let yaml = withChange("      where: [\"{{ Dimension('customer__country') }} = 'FR'\"]\n", "      where: [\"{{ Dimension('customer__country') }} = 'FR'\"]\n    exports:\n      - name: fr_monthly\n        config: {export_as: table}\n");
    yaml = yaml.replace('{name: signup_date, type: time, type_params: {time_granularity: day}}', '{name: signup_date, type: time, type_params: {time_granularity: day, validity_params: {is_start: true}}}');
    yaml = yaml.replace('type_params: {numerator: gift_orders, denominator: order_count}', 'type_params: {numerator: gift_orders, denominator: {name: order_count, join_to_timespine: true}}');
    const { p, warnings } = await load(yaml);
    expect(p.semantic!.savedQueries.get('monthly_fr_revenue')!.exports).toEqual([{ name: 'fr_monthly', export_as: 'table', schema: undefined, alias: undefined }]);
    expect(warnings).toEqual([
      `models/semantic.yml:${lineOf(yaml, 'validity_params')}: validity_params (SCD type 2 dimensions) are not supported; signup_date is read as a plain time dimension.`,
      `models/semantic.yml:${lineOf(yaml, 'join_to_timespine')}: the denominator of gift_share: join_to_timespine acts on a simple or cumulative metric's measure (type_params.measure), as in MetricFlow; ignored here.`,
      `models/semantic.yml:${lineOf(yaml, '- name: fr_monthly')}: saved query monthly_fr_revenue: export fr_monthly is recorded in manifest.json but not built (ft writes no export tables); run ft metrics query --saved-query monthly_fr_revenue.`,
    ]);
  });

  it('Jinja elsewhere in the same file is still an error', async () => {
    const e = await loadError(`${SEMANTIC_YAML}\nmodels:\n  - name: orders\n    config:\n      schema: "{{ my_schema('s') }}"\n`);
    expect(e.message).toMatch(/is Jinja; ft templates are Handlebars/);
  });
});

describe('compiling a metrics query', () => {
  const compile = async (req: Partial<MetricsRequest>, yaml = SEMANTIC_YAML): Promise<string> => {
    const { p } = await load(yaml);
    return compileQuery(p.semantic!, { metrics: [], groupBy: [], where: [], orderBy: [], ...req }).sql;
  };
  const compileError = async (req: Partial<MetricsRequest>, yaml?: string): Promise<string> => {
    try {
      await compile(req, yaml);
    } catch (e) {
      expect(e).toBeInstanceOf(FtError);
      return (e as FtError).format();
    }
    throw new Error('expected the compile to fail');
  };

  it('one statement: each aggregate once, even when several metrics share it, aggregates of the same rows in one scan', async () => {
    const sql = await compile({ metrics: ['revenue', 'fr_revenue_share', 'revenue_per_customer'], groupBy: ['metric_time__day'] });
    // revenue (shared by all three), revenue for FR, customers_ordering
    expect(sql.match(/\bas l\d+\b/g)!.filter((x, i, a) => a.indexOf(x) === i)).toEqual(['as l1', 'as l2', 'as l3']);
    // revenue and customers_ordering read the same rows in one SELECT; revenue of FR customers in another
    expect(sql.split('union all')).toHaveLength(2);
    expect(sql).not.toContain(';');
  });

  it('orders by the group-by columns unless told; -name descends, metric_time means its grain', async () => {
    expect(await compile({ metrics: ['revenue'], groupBy: ['metric_time__day', 'customer__country'] })).toMatch(/\norder by `metric_time__day`, `customer__country`$/);
    expect(await compile({ metrics: ['revenue'], groupBy: ['metric_time__day'], orderBy: ['-metric_time', 'revenue'], limit: 3 })).toMatch(/\norder by `metric_time__day` desc, `revenue`\nlimit 3$/);
    expect(await compile({ metrics: ['revenue'], groupBy: ['metric_time'] })).toMatch(/ as `metric_time__second`/);
  });

  it("a conversion's constant properties are equal on both sides of the join", async () => {
    const yaml = withChange('        calculation: conversions\n', '        calculation: conversions\n        constant_properties:\n          - {base_property: customer, conversion_property: customer}\n');
    const sql = await compile({ metrics: ['visit_conversions_7d'] }, yaml);
    expect(sql).toContain('c.`t_ordered_at` <= b.`t_visited_at` + interval 7 day and b.`e_customer` = c.`e_customer`');
    const bad = yaml.replace('conversion_property: customer}', 'conversion_property: shopper}');
    expect(await compileError({ metrics: ['visit_conversions_7d'] }, bad)).toMatch(/constant property "shopper" is not a dimension or entity of semantic model orders/);
  });

  it('says what it cannot do', async () => {
    expect(await compileError({ metrics: ['revenue'], groupBy: ['order__customer__country__region'] })).toMatch(/--group-by: "order__customer__country__region" goes through more than two entities/);
    expect(await compileError({ metrics: ['revenue'], groupBy: ['customer__country__regio'] })).toMatch(/"customer__country__regio" is not a dimension or entity reachable from semantic model orders/);
    expect(await compileError({ metrics: ['revenue_2d'] })).toMatch(/metric revenue_2d: a cumulative metric with a window or grain_to_date needs metric_time in the group by/);
    expect(await compileError({ metrics: ['revenue'], where: ["{{ Dimension('customer__country') = 'FR'"] })).toMatch(/--where: unbalanced \{\{ \}\}/);
    expect(await compileError({ metrics: ['revenue'], where: ["{{ Dimension(customer__country) }} = 'FR'"] })).toMatch(/arguments must be quoted strings/);
    expect(await compileError({ metrics: ['revenue'], groupBy: ['order__is_gift__month'] })).toMatch(/order__is_gift is a categorical dimension; it has no grain/);
    const nonAdditive = withChange('{name: revenue, agg: sum, expr: amount}', '{name: revenue, agg: sum, expr: amount, non_additive_dimension: {name: ordered_at, window_choice: max}}');
    expect(await compileError({ metrics: ['revenue_mtd'], groupBy: ['metric_time__day'] }, nonAdditive)).toMatch(/metric revenue_mtd: measure revenue has a non_additive_dimension: a cumulative metric or an offset over it is not supported/);
    const badNad = withChange('{name: revenue, agg: sum, expr: amount}', '{name: revenue, agg: sum, expr: amount, non_additive_dimension: {name: ordered, window_groupings: [customer]}}');
    await expect(load(badNad)).rejects.toThrow(/measure revenue: non_additive_dimension "ordered" is not a time dimension of semantic model orders\. Did you mean "ordered_at"/);
    const cumulativeMedian = `${SEMANTIC_YAML.split('\nsaved_queries:')[0]}\n  - {name: median_cum, type: cumulative, type_params: {measure: median_amount}}\n`;
    expect(await compileError({ metrics: ['median_cum'], groupBy: ['metric_time__day'] }, cumulativeMedian)).toMatch(/measure median_amount \(agg median\) can be a simple metric's measure only/);
  });
});
