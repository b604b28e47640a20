import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hasDashboard, legacyPanelWarnings } from '../../src/dashboards/legacy-panels.js';
import { loadProject } from '../../src/project/load-project.js';
import type { Project } from '../../src/project/project.js';
import { FtError } from '../../src/util/errors.js';

// The dashboards: section of schema YAML: read into panels, each reference checked when the
// project loads; mistakes name the file, the line and the nearest right name.

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const PROFILES = 'p:\n  target: dev\n  outputs:\n    dev: {type: mysql, host: 127.0.0.1, port: 3306, user: root, password: "", database: db_dev}\n';
const SEMANTIC = `version: 2
semantic_models:
  - name: orders
    model: ref('orders')
    defaults: {agg_time_dimension: ordered_at}
    entities: [{name: order, type: primary, expr: order_id}]
    dimensions:
      - {name: ordered_at, type: time, type_params: {time_granularity: day}}
      - {name: country, type: categorical}
    measures:
      - {name: revenue, agg: sum, create_metric: true}
      - {name: orders, agg: count, expr: "1", create_metric: true}
metrics:
  - {name: order_value, label: Order value, type: ratio, type_params: {numerator: revenue, denominator: orders}}
saved_queries:
  - name: daily_revenue
    query_params: {metrics: [revenue], group_by: [metric_time__day]}
`;
const DASHBOARDS = `version: 2
dashboards:
  - name: sales
    label: Sales
    description: How the shop sells.
    panels:
      - kind: kpi_tiles
        title: Key figures
        metrics: [revenue, order_value]
        format: {revenue: currency, order_value: currency}
        better: up
      - kind: time_series
        title: Revenue by country
        metrics: revenue
        group_by: [metric_time__day, order__country]
      - kind: bars
        title: Per country
        model: ref('orders')
        x: country
        y: revenue
        format: percent
      - kind: heatmap
        model: "{{ref \\"orders\\"}}"
        x: hour_of_day
        y: day_of_week
        value: revenue
      - kind: table
        title: Latest orders
        model: "{{ ref('orders') }}"
        columns: [order_id, revenue]
        order_by: [order_id desc]
        limit: 20
      - kind: time_series
        title: Saved
        saved_query: daily_revenue
`;

function project(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'ft-dashboards-'));
  dirs.push(root);
  const all = { 'profiles.yml': PROFILES, 'project.yml': 'name: p\nprofile: p\n', 'models/orders.sql': 'select 1 as order_id, 2.5 as revenue, \'FR\' as country, current_date as ordered_at\n', 'models/semantic.yml': SEMANTIC, ...files };
  for (const [rel, text] of Object.entries(all)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

async function load(dashboards: string, extra: Record<string, string> = {}, partialParse = false, root = project({ 'models/dashboards.yml': dashboards, ...extra })): Promise<{ p: Project; warnings: string[]; root: string }> {
  const warnings: string[] = [];
  const p = await loadProject({ projectDir: root, partialParse, warn: (w) => warnings.push(w) });
  return { p, warnings, root };
}

async function loadError(dashboards: string, extra: Record<string, string> = {}): Promise<FtError> {
  let thrown: unknown;
  try {
    await load(dashboards, extra);
  } catch (e) {
    thrown = e;
  }
  expect(thrown, 'expected the load to fail').toBeInstanceOf(FtError);
  return thrown as FtError;
}

const lineOf = (text: string, snippet: string): number => {
  const i = text.split('\n').findIndex((l) => l.includes(snippet));
  if (i < 0) throw new Error(`no line holds ${snippet}`);
  return i + 1;
};

const change = (from: string, to: string): string => {
  expect(DASHBOARDS).toContain(from);
  return DASHBOARDS.replace(from, to);
};

describe('dashboards: in schema YAML', () => {
  it('reads each panel: its kind, data source, columns and formats', async () => {
    const { p, warnings } = await load(DASHBOARDS);
    expect(warnings).toEqual([]);
    const [d] = p.dashboards!;
    expect(d).toMatchObject({ name: 'sales', label: 'Sales', description: 'How the shop sells.', file: 'models/dashboards.yml', line: lineOf(DASHBOARDS, '- name: sales') });
    expect(d!.panels.map((x) => x.kind)).toEqual(['kpi_tiles', 'time_series', 'bars', 'heatmap', 'table', 'time_series']);
    const [tiles, series, bars, heat, table, saved] = d!.panels;
    // KPI tiles group by day unless told
    expect(tiles!.source).toEqual({ kind: 'metrics', metrics: ['revenue', 'order_value'], group_by: ['metric_time__day'], where: [] });
    expect(tiles!.formats).toEqual({ revenue: 'currency', order_value: 'currency' });
    expect(tiles!.default_better).toBe('up');
    expect(tiles!.line).toBe(lineOf(DASHBOARDS, 'kind: kpi_tiles'));
    expect(series!.source).toMatchObject({ metrics: ['revenue'], group_by: ['metric_time__day', 'order__country'] });
    // ref('x'), {{ref "x"}} and {{ ref('x') }} all name the model
    expect([bars, heat, table].map((x) => x!.source)).toEqual([{ kind: 'model', model: 'orders' }, { kind: 'model', model: 'orders' }, { kind: 'model', model: 'orders' }]);
    expect(bars).toMatchObject({ x: 'country', y: ['revenue'], agg: 'sum', default_format: 'percent' });
    // a heatmap's rows are its y, its measure its value
    expect(heat).toMatchObject({ x: 'hour_of_day', series: 'day_of_week', y: ['revenue'] });
    expect(table).toMatchObject({ columns: ['order_id', 'revenue'], order_by: ['order_id desc'], limit: 20, agg: 'none' });
    expect(saved!.source).toEqual({ kind: 'saved_query', name: 'daily_revenue' });
    expect(hasDashboard(p)).toBe(true);
  });

  it('is read again from a parse cache written before (partial parse keeps it)', async () => {
    const first = await load(DASHBOARDS, {}, true);
    const again = await load('', {}, true, first.root);
    expect(again.p.dashboards!.map((d) => d.panels.length)).toEqual([6]);
  });

  it('an unknown kind names the line and the nearest kind', async () => {
    const e = await loadError(change('kind: kpi_tiles', 'kind: kpi_tile'));
    expect(e.file).toBe('models/dashboards.yml');
    expect(e.line).toBe(lineOf(DASHBOARDS, 'kind: kpi_tiles'));
    expect(e.message).toMatch(/`kind: kpi_tile` is not one of kpi_tiles, time_series, bars, heatmap, table\. Did you mean "kpi_tiles"/);
  });

  it('a panel needs exactly one data source', async () => {
    const none = await loadError(change("        model: ref('orders')\n        x: country", '        x: country'));
    expect(none.line).toBe(lineOf(DASHBOARDS, 'kind: bars'));
    expect(none.message).toMatch(/panel "Per country" needs a data source, e\.g\. `metrics: \[revenue\]`/);
    const two = await loadError(change("        model: ref('orders')\n        x: country", "        model: ref('orders')\n        metrics: [revenue]\n        x: country"));
    expect(two.message).toMatch(/reads from metrics and model: give one data source/);
  });

  it('an unknown metric, model or saved query names the panel line and the nearest name', async () => {
    const metric = await loadError(change('metrics: [revenue, order_value]', 'metrics: [revenue, order_valu]'));
    expect(metric.line).toBe(lineOf(DASHBOARDS, 'kind: kpi_tiles'));
    expect(metric.message).toMatch(/dashboard sales, panel "Key figures": "order_valu" is not a metric\. Did you mean "order_value"/);
    const model = await loadError(change("model: ref('orders')", "model: ref('order')"));
    expect(model.line).toBe(lineOf(DASHBOARDS, 'kind: bars'));
    expect(model.message).toMatch(/model "order" is not a model, seed or snapshot of the project\. Did you mean "orders"/);
    const saved = await loadError(change('saved_query: daily_revenue', 'saved_query: daily_revenu'));
    expect(saved.message).toMatch(/"daily_revenu" is not a saved query\. Did you mean "daily_revenue"/);
  });

  it('a group_by the metrics layer cannot compile fails the load at the panel', async () => {
    const e = await loadError(change('group_by: [metric_time__day, order__country]', 'group_by: [metric_time__day, order__countri]'));
    expect(e.file).toBe('models/dashboards.yml');
    expect(e.line).toBe(lineOf(DASHBOARDS, 'title: Revenue by country') - 1);
    expect(e.message).toMatch(/countri/);
  });

  it("a model panel missing the columns its kind draws says which", async () => {
    const e = await loadError(change('        x: country\n        y: revenue\n', '        x: country\n'));
    expect(e.line).toBe(lineOf(DASHBOARDS, 'kind: bars'));
    expect(e.message).toMatch(/bars of model orders\): needs `x:` \(the label column\) and `y:` \(the measure column\)/);
  });

  it('bad values name their key: a format, a limit', async () => {
    const fmt = await loadError(change('format: percent', 'format: percnt'));
    expect(fmt.line).toBe(lineOf(DASHBOARDS, 'format: percent'));
    expect(fmt.message).toMatch(/`format: percnt` is not one of percent, currency, number, integer\. Did you mean "percent"/);
    const limit = await loadError(change('limit: 20', 'limit: many'));
    expect(limit.line).toBe(lineOf(DASHBOARDS, 'limit: 20'));
    expect(limit.message).toMatch(/`limit: many` must be a whole number/);
  });

  it('an unknown key is a warning naming its line and the nearest key; a misspelt section an error', async () => {
    const { warnings } = await load(change('title: Key figures', 'titel: Key figures'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(new RegExp(`^models/dashboards\\.yml:${lineOf(DASHBOARDS, 'title: Key figures')}: unknown key "titel" in panel 1 of dashboard sales ignored\\. Did you mean .*"title"`));
    const e = await loadError('version: 2\ndashboard:\n  - name: sales\n');
    expect(e.line).toBe(2);
    expect(e.message).toMatch(/unknown top-level key "dashboard".*Did you mean "dashboards"/);
  });

  it('two dashboards of one name are an error naming both', async () => {
    const e = await loadError(DASHBOARDS, { 'models/more.yml': 'version: 2\ndashboards:\n  - name: sales\n    panels: [{kind: bars, model: orders, x: country, y: revenue}]\n' });
    expect(e.message).toMatch(/dashboard sales is declared twice \(also at models\/(dashboards|more)\.yml:\d+\)/);
  });

  it('a model still declaring meta.dashboard is named, with its file, line and the new form', async () => {
    const yaml = 'version: 2\nmodels:\n  - name: orders\n    meta: {dashboard: {panel: bars, title: Per country}}\n';
    const { p } = await load('', { 'models/dashboards.yml': 'version: 2\n', 'models/orders.yml': yaml });
    expect(p.dashboards).toEqual([]);
    expect(hasDashboard(p)).toBe(true);
    const [w] = legacyPanelWarnings(p);
    expect(w).toMatch(/^models\/orders\.yml:3: model orders: `meta: \{dashboard: \{panel: …\}\}` is deprecated/);
    expect(w).toContain("kind: bars, title: Per country, model: ref('orders')");
  });

  it('a project with neither has no dashboard', async () => {
    const { p } = await load('version: 2\n');
    expect(p.dashboards).toEqual([]);
    expect(hasDashboard(p)).toBe(false);
  });
});
