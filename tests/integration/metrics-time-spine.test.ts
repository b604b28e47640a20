import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject, type TestProject } from '../helpers/project-builder.js';
import { metricRows } from './metrics-fixture.js';

/**
 * The time spine, as dbt 1.9+ declares it (`time_spine:` on a model) and as dbt < 1.9 names it
 * (a model called metricflow_time_spine): join_to_timespine and cumulative metrics read their
 * periods from it, as MetricFlow does, so a day without rows is still there.
 *
 *   sales    s1 2026-03-01 10.00 north    (day 1)
 *            s2 2026-03-01  5.00 south
 *            s3 2026-03-02 20.00 north    (day 2)
 *            s4 2026-03-04 40.00 south    (day 4; none on day 3 nor day 5)
 *   spine    2026-03-01 … 2026-03-05 (days 1 to 5), one row a day
 */
const DAYS = ['2026-03-01', '2026-03-02', '2026-03-03', '2026-03-04', '2026-03-05'];

/** five days from 2026-03-01, with a column the custom granularity reads */
const SPINE_SQL = `{{config materialized="table"}}
select cast(date_add('2026-03-01', interval n day) as date) as date_day,
  cast(date_add('2026-03-01', interval n - mod(n, 2) day) as date) as fiscal_pair_start
from (select 0 as n union all select 1 union all select 2 union all select 3 union all select 4) d
`;

const SEMANTIC = `
semantic_models:
  - name: sales
    model: ref('sales')
    defaults: {agg_time_dimension: sold_at}
    entities: [{name: sale, type: primary, expr: sale_id}]
    dimensions:
      - {name: sold_at, type: time, type_params: {time_granularity: day}}
      - {name: region, type: categorical}
    measures:
      - {name: amount, agg: sum}

metrics:
  - {name: sales_amount, type: simple, type_params: {measure: amount}}
  - name: sales_spined
    type: simple
    type_params:
      measure: {name: amount, join_to_timespine: true}
  - name: sales_spined_zero
    type: simple
    type_params:
      measure: {name: amount, join_to_timespine: true, fill_nulls_with: 0}
  - name: sales_2d
    type: cumulative
    type_params: {measure: amount, cumulative_type_params: {window: 2 days}}
  - {name: sales_running, type: cumulative, type_params: {measure: amount}}
  - name: sales_mtd
    type: cumulative
    type_params: {measure: amount, cumulative_type_params: {grain_to_date: month}}
`;

const SPINE_YAML = `version: 2
models:
  - name: time_spine_daily
    description: One row a day.
    time_spine:
      standard_granularity_column: date_day
      custom_granularities:
        - {name: fiscal_pair, column_name: fiscal_pair_start}
    columns:
      - name: date_day
        granularity: day
      - name: fiscal_pair_start
`;

/** A project over the four sales (models `sales` and, given, the spine), built. */
async function salesProject(label: string, models: Record<string, string>, yaml: string): Promise<TestProject> {
  const p = await createProject({
    label,
    models: { 'sales.sql': '{{config materialized="view"}}\nselect * from {{source "raw" "sales"}}\n', ...models },
    yaml: {
      'sources.yml': 'version: 2\nsources:\n  - name: raw\n    schema: "{{target.database}}_raw"\n    tables: [{name: sales}]\n',
      'semantic.yml': yaml,
    },
  });
  const raw = `\`${p.database}_raw\``;
  await p.query(`CREATE DATABASE ${raw}`);
  await p.query(`CREATE TABLE ${raw}.sales (sale_id varchar(10) primary key, sold_at datetime, amount decimal(10,2), region varchar(10))`);
  await p.query(
    `INSERT INTO ${raw}.sales VALUES ('s1', '2026-03-01 09:00:00', 10, 'north'), ('s2', '2026-03-01 18:00:00', 5, 'south'), ('s3', '2026-03-02 12:00:00', 20, 'north'), ('s4', '2026-03-04 08:00:00', 40, 'south')`,
  );
  const r = await p.ft(['run']);
  if (r.code !== 0) throw new Error(`ft run failed:\n${r.output}`);
  return p;
}

/** `[day, value]` pairs of one metric by metric_time__day. */
const byDay = (rows: Array<Record<string, unknown>>, metric: string): Array<[unknown, unknown]> => rows.map((r) => [r.metric_time__day, r[metric]]);

describe('metrics over the time spine', { timeout: 240_000 }, () => {
  let p: TestProject;

  beforeAll(async () => {
    p = await salesProject('mspine', { 'time_spine_daily.sql': SPINE_SQL }, `${SPINE_YAML}${SEMANTIC}`);
  }, 240_000);

  afterAll(async () => {
    await p?.cleanup();
  });

  it('join_to_timespine: every day of the spine, day 3 and day 5 NULL (or fill_nulls_with); without it only the days with rows', async () => {
    const day = ['--group-by', 'metric_time__day'];
    expect(byDay(await metricRows(p, ['--metrics', 'sales_amount', ...day]), 'sales_amount')).toEqual([
      [DAYS[0], 15],
      [DAYS[1], 20],
      [DAYS[3], 40],
    ]);
    expect(byDay(await metricRows(p, ['--metrics', 'sales_spined', ...day]), 'sales_spined')).toEqual([
      [DAYS[0], 15],
      [DAYS[1], 20],
      [DAYS[2], null],
      [DAYS[3], 40],
      [DAYS[4], null],
    ]);
    expect(byDay(await metricRows(p, ['--metrics', 'sales_spined_zero', ...day]), 'sales_spined_zero')).toEqual([
      [DAYS[0], 15],
      [DAYS[1], 20],
      [DAYS[2], 0],
      [DAYS[3], 40],
      [DAYS[4], 0],
    ]);
    // next to a metric without the spine, day 3 is there for both
    expect(await metricRows(p, ['--metrics', 'sales_amount,sales_spined_zero', ...day, '--where', `{{ TimeDimension('metric_time', 'day') }} = '${DAYS[2]}'`])).toEqual([
      { metric_time__day: DAYS[2], sales_amount: null, sales_spined_zero: 0 },
    ]);
  });

  it('join_to_timespine: a filter on metric_time bounds the spine; a filter on another dimension does not remove days', async () => {
    const rows = await metricRows(p, ['--metrics', 'sales_spined_zero', '--group-by', 'metric_time__day', '--where', `{{ TimeDimension('metric_time', 'day') }} between '${DAYS[1]}' and '${DAYS[3]}'`]);
    expect(byDay(rows, 'sales_spined_zero')).toEqual([
      [DAYS[1], 20],
      [DAYS[2], 0],
      [DAYS[3], 40],
    ]);
    // north: s1 (day 1) and s3 (day 2); region is not grouped by, so the spine's days stay (MetricFlow's rule)
    const north = await metricRows(p, ['--metrics', 'sales_spined_zero', '--group-by', 'metric_time__day', '--where', "{{ Dimension('sale__region') }} = 'north'"]);
    expect(byDay(north, 'sales_spined_zero')).toEqual([
      [DAYS[0], 10],
      [DAYS[1], 20],
      [DAYS[2], 0],
      [DAYS[3], 0],
      [DAYS[4], 0],
    ]);
    // grouped by region too, the filter on it is applied again after the join: a spine day without north rows has no region, so it goes
    const northByRegion = await metricRows(p, ['--metrics', 'sales_spined_zero', '--group-by', 'metric_time__day,sale__region', '--where', "{{ Dimension('sale__region') }} = 'north'"]);
    expect(northByRegion).toEqual([
      { metric_time__day: DAYS[0], sale__region: 'north', sales_spined_zero: 10 },
      { metric_time__day: DAYS[1], sale__region: 'north', sales_spined_zero: 20 },
    ]);
    // by month: one period, the sum
    expect(await metricRows(p, ['--metrics', 'sales_spined', '--group-by', 'metric_time__month'])).toEqual([{ metric_time__month: '2026-03-01', sales_spined: 75 }]);
  });

  it('cumulative metrics: a day without rows gets its running value', async () => {
    const day = ['--group-by', 'metric_time__day'];
    // 2 days ending with each day: d1 15; d2 15+20; d3 20 (days 2-3); d4 40 (days 3-4); d5 40 (days 4-5)
    expect(byDay(await metricRows(p, ['--metrics', 'sales_2d', ...day]), 'sales_2d')).toEqual([
      [DAYS[0], 15],
      [DAYS[1], 35],
      [DAYS[2], 20],
      [DAYS[3], 40],
      [DAYS[4], 40],
    ]);
    // all time and month to date: 15, 35, 35, 75, 75
    const rows = await metricRows(p, ['--metrics', 'sales_running,sales_mtd', ...day]);
    expect(rows.map((r) => [r.metric_time__day, r.sales_running, r.sales_mtd])).toEqual([
      [DAYS[0], 15, 15],
      [DAYS[1], 35, 35],
      [DAYS[2], 35, 35],
      [DAYS[3], 75, 75],
      [DAYS[4], 75, 75],
    ]);
  });

  it("manifest.json has the model's time_spine and the column's granularity; a metric over the spine selects it", async () => {
    const parse = await p.ft(['parse']);
    expect(parse.code, parse.output).toBe(0);
    expect(parse.output).not.toMatch(/time_spine|granularity/);
    const m = p.readJson('target/manifest.json');
    const node = m.nodes['model.proj.time_spine_daily'];
    expect(node.time_spine).toEqual({ standard_granularity_column: 'date_day', custom_granularities: [{ name: 'fiscal_pair', column_name: 'fiscal_pair_start' }] });
    expect(node.columns.date_day.granularity).toBe('day');
    expect(node.columns.fiscal_pair_start.granularity).toBeUndefined();
    const ls = async (sel: string): Promise<string[]> => (await p.ft(['ls', '-s', sel, '--resource-type', 'model'])).stdout.trim().split('\n');
    expect(await ls('metric:sales_2d')).toEqual(['sales', 'time_spine_daily']);
    expect(await ls('metric:sales_spined')).toEqual(['sales', 'time_spine_daily']);
    expect(await ls('metric:sales_amount')).toEqual(['sales']);
  });

  it("custom granularities: metric_time__fiscal_pair groups (and filters) by the spine's column", async () => {
    // pairs of days: days 1-2 → 2026-03-01, days 3-4 → 2026-03-03, day 5 → 2026-03-05
    const pairs = [
      { metric_time__fiscal_pair: DAYS[0], sales_amount: 35 },
      { metric_time__fiscal_pair: DAYS[2], sales_amount: 40 },
    ];
    expect(await metricRows(p, ['--metrics', 'sales_amount', '--group-by', 'metric_time__fiscal_pair'])).toEqual(pairs);
    // with join_to_timespine, the spine's third pair (day 5) is there too
    expect(await metricRows(p, ['--metrics', 'sales_spined', '--group-by', 'metric_time__fiscal_pair'])).toEqual([
      { metric_time__fiscal_pair: DAYS[0], sales_spined: 35 },
      { metric_time__fiscal_pair: DAYS[2], sales_spined: 40 },
      { metric_time__fiscal_pair: DAYS[4], sales_spined: null },
    ]);
    // a filter on the custom granularity: the pair of days 3 and 4
    const pair2 = ['--group-by', 'metric_time__day', '--where', `{{ TimeDimension('metric_time', 'fiscal_pair') }} = '${DAYS[2]}'`];
    expect(byDay(await metricRows(p, ['--metrics', 'sales_amount', ...pair2]), 'sales_amount')).toEqual([[DAYS[3], 40]]);
    expect(byDay(await metricRows(p, ['--metrics', 'sales_spined_zero', ...pair2]), 'sales_spined_zero')).toEqual([
      [DAYS[2], 0],
      [DAYS[3], 40],
    ]);
  });

  it('custom granularities ft does not read: a message saying so, exit 2', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--metrics', 'sales_2d', '--group-by', 'metric_time__fiscal_pair'], /metric_time__fiscal_pair: a cumulative metric or an offset to a grain by a custom granularity is not supported yet; group by a standard grain/],
      [['--metrics', 'sales_amount', '--group-by', 'metric_time__fiscal_year'], /--group-by: "fiscal_year" is not a time grain; use one of second, minute, hour, day, week, month, quarter, year, or a custom granularity of a time spine \(fiscal_pair\)/],
      [['--metrics', 'sales_amount', '--group-by', 'sale__sold_at__fiscal_pair'], /--group-by: "fiscal_pair" is a custom granularity of time spine time_spine_daily \(models\/semantic\.yml:3\); ft groups and filters by it on metric_time only/],
    ];
    for (const [args, message] of cases) {
      const r = await p.ft(['metrics', 'query', ...args]);
      expect(r.code, r.output).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});

/** `n` days from `start` (YYYY-MM-DD), each a YYYY-MM-DD. */
function daysFrom(start: string, n: number): string[] {
  const t = Date.parse(`${start}T00:00:00Z`);
  return Array.from({ length: n }, (_x, i) => new Date(t + i * 86_400_000).toISOString().slice(0, 10));
}

describe('a spine longer than the data: the periods before the first row and past the last row + window', { timeout: 240_000 }, () => {
  // 2026-02-26 … 2026-04-03: three days before the first sale (03-01), a month past the last (03-04)
  const SPINE = daysFrom('2026-02-26', 37);
  const MARCH = daysFrom('2026-03-01', 31);
  const WIDE_SPINE_SQL = `{{config materialized="table"}}
select cast(date_add('2026-02-26', interval a.n + 10 * b.n day) as date) as date_day, cast('2026-02-26' as date) as fiscal_pair_start
from (select 0 as n union all select 1 union all select 2 union all select 3 union all select 4 union all select 5 union all select 6 union all select 7 union all select 8 union all select 9) a
  cross join (select 0 as n union all select 1 union all select 2 union all select 3) b
where a.n + 10 * b.n < 37
`;
  const MONTH_START = `
  - name: sales_month_start
    type: derived
    type_params:
      expr: first_day
      metrics:
        - {name: sales_amount, alias: first_day, offset_to_grain: month}
`;
  let p: TestProject;

  beforeAll(async () => {
    p = await salesProject('mspinewide', { 'time_spine_daily.sql': WIDE_SPINE_SQL }, `${SPINE_YAML}${SEMANTIC}${MONTH_START}`);
  }, 240_000);

  afterAll(async () => {
    await p?.cleanup();
  });

  it("as MetricFlow (the spine inner-joined to the rows): no day before 03-01; a window's last day is the last row's + window - 1; all time to the spine's end; month to date to the month's end", async () => {
    expect(await metricRows(p, ['--metrics', 'sales_amount', '--group-by', 'metric_time__day'])).toHaveLength(3);
    const day = ['--group-by', 'metric_time__day'];
    // the last sale on 03-04: the 2-day window of 03-05 still holds it, 03-06's does not
    expect(byDay(await metricRows(p, ['--metrics', 'sales_2d', ...day]), 'sales_2d')).toEqual([
      ['2026-03-01', 15],
      ['2026-03-02', 35],
      ['2026-03-03', 20],
      ['2026-03-04', 40],
      ['2026-03-05', 40],
    ]);
    const running = (d: string): number => (d < '2026-03-02' ? 15 : d < '2026-03-04' ? 35 : 75);
    expect(byDay(await metricRows(p, ['--metrics', 'sales_running', ...day]), 'sales_running')).toEqual(SPINE.filter((d) => d >= '2026-03-01').map((d) => [d, running(d)]));
    expect(byDay(await metricRows(p, ['--metrics', 'sales_mtd', ...day]), 'sales_mtd')).toEqual(MARCH.map((d) => [d, running(d)]));
    // each March day has 03-01's 15; neither February's nor April's first day is a day with sales
    expect(byDay(await metricRows(p, ['--metrics', 'sales_month_start', ...day]), 'sales_month_start')).toEqual(MARCH.map((d) => [d, 15]));
  });

  it('filtered: the days are those of the rows the filter keeps', async () => {
    // north: s1 03-01 10, s3 03-02 20
    const north = ['--group-by', 'metric_time__day', '--where', "{{ Dimension('sale__region') }} = 'north'"];
    expect(byDay(await metricRows(p, ['--metrics', 'sales_2d', ...north]), 'sales_2d')).toEqual([
      ['2026-03-01', 10],
      ['2026-03-02', 30],
      ['2026-03-03', 20],
    ]);
    expect(byDay(await metricRows(p, ['--metrics', 'sales_mtd', ...north]), 'sales_mtd')).toEqual(MARCH.map((d) => [d, d < '2026-03-02' ? 10 : 30]));
    // a filter on metric_time bounds the days, not the rows: 03-03's window still reads 03-02's sale
    const late = ['--group-by', 'metric_time__day', '--where', `{{ TimeDimension('metric_time', 'day') }} >= '2026-03-03'`];
    expect(byDay(await metricRows(p, ['--metrics', 'sales_2d', ...late]), 'sales_2d')).toEqual([
      ['2026-03-03', 20],
      ['2026-03-04', 40],
      ['2026-03-05', 40],
    ]);
    // by month: all time in March and April, month to date in March only
    expect(await metricRows(p, ['--metrics', 'sales_running,sales_mtd', '--group-by', 'metric_time__month'])).toEqual([
      { metric_time__month: '2026-03-01', sales_running: 75, sales_mtd: 75 },
      { metric_time__month: '2026-04-01', sales_running: 75, sales_mtd: null },
    ]);
  });
});

describe('the legacy time spine (a model named metricflow_time_spine) and none at all', { timeout: 240_000 }, () => {
  let legacy: TestProject;
  let none: TestProject;

  beforeAll(async () => {
    const spine = `{{config materialized="table"}}\nselect cast(date_add('2026-03-01', interval n day) as date) as date_day\nfrom (select 0 as n union all select 1 union all select 2 union all select 3 union all select 4) d\n`;
    legacy = await salesProject('mspinelegacy', { 'metricflow_time_spine.sql': spine }, `version: 2\n${SEMANTIC}`);
    none = await salesProject('mspinenone', {}, `version: 2\n${SEMANTIC}`);
  }, 240_000);

  afterAll(async () => {
    await legacy?.cleanup();
    await none?.cleanup();
  });

  it('metricflow_time_spine.date_day is the daily spine when none is declared', async () => {
    // each alone: next to another metric, a day could come from that metric's rows
    const day = ['--group-by', 'metric_time__day'];
    expect(byDay(await metricRows(legacy, ['--metrics', 'sales_spined', ...day]), 'sales_spined')).toEqual([
      [DAYS[0], 15],
      [DAYS[1], 20],
      [DAYS[2], null],
      [DAYS[3], 40],
      [DAYS[4], null],
    ]);
    expect(byDay(await metricRows(legacy, ['--metrics', 'sales_2d', ...day]), 'sales_2d')).toEqual([
      [DAYS[0], 15],
      [DAYS[1], 35],
      [DAYS[2], 20],
      [DAYS[3], 40],
      [DAYS[4], 40],
    ]);
  });

  it('no time spine: the periods with rows, as before, and a warning that says so', async () => {
    const r = await none.ft(['metrics', 'query', '--metrics', 'sales_spined_zero,sales_2d', '--group-by', 'metric_time__day', '--output', 'json']);
    expect(r.code, r.output).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    expect(rows.map((x) => [x.metric_time__day, x.sales_spined_zero, x.sales_2d])).toEqual([
      [DAYS[0], 15, 15],
      [DAYS[1], 20, 35],
      [DAYS[3], 40, 40],
    ]);
    expect(r.stderr).toMatch(/warning: models\/semantic\.yml:\d+: metric sales_spined_zero: join_to_timespine, but the project declares no time spine .*periods without rows are left out, not filled\./);
    expect(r.stderr).toMatch(/warning: sales_2d: the project declares no time spine .* shown only for the periods its semantic model has rows in/);
  });
});

describe('a time_spine: that cannot be read: file, line and the fix, exit 2', { timeout: 120_000 }, () => {
  const cases: Array<[string, string, RegExp]> = [
    ['no standard column', '    time_spine: {custom_granularities: []}\n    columns: [{name: date_day, granularity: day}]\n', /error: models\/spine\.yml:4: model days: time_spine needs `standard_granularity_column: <column>`/],
    ['a column not listed', '    time_spine: {standard_granularity_column: day_date}\n    columns: [{name: date_day, granularity: day}]\n', /error: models\/spine\.yml:4: model days: time_spine's standard_granularity_column "day_date" must be a column listed under the model's columns:.*Did you mean "date_day"/],
    ['no granularity', '    time_spine:\n      standard_granularity_column: date_day\n    columns:\n      - name: date_day\n', /error: models\/spine\.yml:7: model days: column date_day is the time spine's standard_granularity_column and needs `granularity:`/],
    ['a granularity that is no grain', '    time_spine: {standard_granularity_column: date_day}\n    columns:\n      - name: date_day\n        granularity: dai\n', /error: models\/spine\.yml:7: `granularity: dai` is not a time grain/],
    ['a custom granularity without its column', '    time_spine:\n      standard_granularity_column: date_day\n      custom_granularities: [{name: fiscal_year}]\n    columns: [{name: date_day, granularity: day}]\n', /error: models\/spine\.yml:6: model days: custom granularity fiscal_year reads column "fiscal_year", which is not listed under the model's columns:/],
  ];

  for (const [what, entry, message] of cases) {
    it(what, async () => {
      const p = await createProject({ label: 'mspinebad', models: { 'days.sql': "select cast('2026-03-01' as date) as date_day\n" }, yaml: { 'spine.yml': `version: 2\nmodels:\n  - name: days\n${entry}` } });
      try {
        const r = await p.ft(['parse']);
        expect(r.code, r.output).toBe(2);
        expect(r.stderr).toMatch(message);
        expect(r.stderr).not.toMatch(/\n\s+at /);
      } finally {
        await p.cleanup();
      }
    });
  }
});
