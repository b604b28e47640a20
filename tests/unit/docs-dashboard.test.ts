import { describe, expect, it } from 'vitest';
import { choosePanelModels, dayLabels, kpiFormat, panelDeclaration, pickLabel, pickMeasure, pickTime } from '../../src/docs/dashboard-data.js';
import { formatDelta, formatValue, renderDashboard } from '../../src/docs/site/dashboard-view.js';
import { emptyDashboard } from '../../src/docs/dashboard-data.js';
import type { Node } from '../../src/project/types.js';

const model = (name: string) => ({ name, unique_id: `model.p.${name}` }) as Node;
const cols = (spec: string) => spec.split(',').map((c) => {
  const [name, type] = c.trim().split(' ');
  return { name: name!, type: type! };
});

describe('dashboard panels', () => {
  it('takes each panel from the model whose YAML declares it (meta.dashboard), never from its name', () => {
    const declares = (name: string, dashboard?: unknown) => ({ ...model(name), resource_type: 'model', meta: dashboard === undefined ? {} : { dashboard } }) as unknown as Node;
    const models = [
      declares('daily_numbers', { panel: 'kpis', tiles: [{ column: 'rate', label: 'Rate', format: 'fraction', better: 'up' }] }),
      declares('by_item_hourly', { panel: 'trends', title: 'Item trends' }),
      declares('by_group_daily', { panel: 'bars' }),
      declares('week_pattern', { panel: 'heatmap' }),
      declares('alerts', { panel: 'flagged' }),
      // named like a panel, declaring none: not on the dashboard
      declares('kpi_summary'),
      declares('product_trends'),
    ];
    const p = choosePanelModels(models);
    expect(p.kpis?.name).toBe('daily_numbers');
    expect(p.products?.name).toBe('by_item_hourly');
    expect(p.categories?.name).toBe('by_group_daily');
    expect(p.heatmap?.name).toBe('week_pattern');
    expect(p.anomalies?.name).toBe('alerts');
    expect(panelDeclaration(models[0]!)?.tiles).toEqual([{ column: 'rate', label: 'Rate', format: 'fraction', better: 'up' }]);
    expect(choosePanelModels([declares('kpi_daily'), declares('product_performance_hourly')])).toEqual({});
    expect(choosePanelModels([])).toEqual({});
    expect(() => panelDeclaration(declares('x', { panel: 'pie' }))).toThrow(/panel: one of kpis, trends, bars, heatmap, flagged/);
  });

  it('picks time, label and measure columns from catalog types', () => {
    const c = cols('event_hour datetime, event_date date, product_id varchar(16), product_name varchar(255), category varchar(64), events bigint(21), revenue decimal(14,2), conversion_rate decimal(12,6), _max_batch_id bigint');
    expect(pickTime(c)?.name).toBe('event_hour');
    expect(pickLabel(c, 'product')?.name).toBe('product_name');
    expect(pickLabel(c, 'category')?.name).toBe('category');
    expect(pickMeasure(c)).toEqual({ column: 'revenue', agg: 'SUM' });
    expect(pickMeasure(cols('day date, conversion_rate decimal(8,6)'))).toEqual({ column: 'conversion_rate', agg: 'AVG' });
    const dayHour = pickTime(cols('day date, hour int'));
    expect(dayHour?.expr((s) => `\`${s}\``)).toBe('TIMESTAMP(`day`) + INTERVAL `hour` HOUR');
  });

  it('labels days of week: names, ISO numbers, WEEKDAY numbers', () => {
    const named = dayLabels(['1', '2', '7'], 'day_of_week', new Map([['1', 'Monday'], ['2', 'Tuesday'], ['7', 'Sunday']]));
    expect([...named.values()].map((v) => [v.label, v.order])).toEqual([['Mon', 0], ['Tue', 1], ['Sun', 6]]);
    const iso = dayLabels([1, 7], 'day_of_week');
    expect([...iso.values()].map((v) => v.label)).toEqual(['Mon', 'Sun']);
    const weekday = dayLabels([0, 6], 'weekday');
    expect([...weekday.values()].map((v) => v.label)).toEqual(['Mon', 'Sun']);
    const sunday = dayLabels([1, 2], 'dayofweek');
    expect([...sunday.values()].map((v) => v.label)).toEqual(['Sun', 'Mon']);
  });

  it('formats KPIs: fractions as percent, money, numbers', () => {
    expect(kpiFormat('conversion_rate', 'decimal(8,6)', [0.8463, 0.5])).toBe('fraction');
    expect(kpiFormat('conversion_rate', 'decimal(8,2)', [84.63])).toBe('percent');
    expect(kpiFormat('average_order_value', 'decimal(12,2)', [4780])).toBe('currency');
    expect(kpiFormat('demand_pressure_index', 'decimal(10,4)', [0.54])).toBe('number');
    expect(kpiFormat('views', 'bigint', [10])).toBe('integer');
    expect(kpiFormat('x', 'decimal', [1], { format: 'percent' })).toBe('percent');
    expect(formatValue(0.8463, 'fraction')).toBe('84.63%');
    expect(formatValue(84.63, 'percent')).toBe('84.63%');
    expect(formatValue(4780.5, 'currency')).toBe('$4,780.50');
    expect(formatValue(0.54, 'number')).toBe('0.54');
    expect(formatValue(null, 'number')).toBe('—');
    expect(formatDelta(0.85, 0.8, 'fraction')).toEqual({ text: '+5.00 pp', dir: 'up' });
    expect(formatDelta(90, 100, 'currency')).toEqual({ text: '−$10.00 (−10.0%)', dir: 'down' });
    expect(formatDelta(1, null, 'number')).toBeNull();
  });

  it('says "not built yet" for a panel whose table is missing', () => {
    const d = emptyDashboard();
    d.database = true;
    d.kpis.status = 'missing';
    d.kpis.model = 'model.p.kpi_daily';
    d.products.status = 'missing';
    d.products.model = 'model.p.item_trends';
    d.products.title = 'Item trends';
    const html = renderDashboard(d, (id) => `<a>${id}</a>`);
    expect(html).toContain('KPIs: not built yet');
    expect(html).toContain('Item trends: not built yet');
    expect(html).toContain('No exposures declared');
  });

  it('shows no panel a project does not declare', () => {
    const d = emptyDashboard();
    d.database = true;
    const html = renderDashboard(d, (id) => `<a>${id}</a>`);
    expect(html).toContain('The project declares no dashboard');
    expect(html).not.toMatch(/data-testid="(panel-|kpi-)/);
    expect(html).not.toContain('<h2>Key indicators</h2>');
  });
});
