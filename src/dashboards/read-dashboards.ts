// The `dashboards:` section of a schema file: dashboards of panels, each reading a metrics query
// (compiled by src/metrics/), a saved query or a model. Shape errors name the file and line of
// the key and what to write; unknown keys are warnings with the nearest known one.
import { keyLine } from '../project/not-supported.js';
import type { YamlWithLines } from '../project/yaml-file.js';
import { refName, YamlFields } from '../metrics/yaml-fields.js';
import { AGGS, FORMATS, PANEL_KINDS, type DashboardDecl, type DeclaredFormat, type PanelDecl, type PanelSource } from './types.js';

const DASHBOARD_KEYS = ['name', 'label', 'description', 'panels', 'meta', 'tags'];
const PANEL_KEYS = [
  'kind', 'title', 'description', 'metrics', 'group_by', 'where', 'saved_query', 'model', 'x', 'y', 'value', 'series',
  'columns', 'agg', 'order_by', 'limit', 'top', 'time', 'tone', 'format', 'better', 'labels',
];
const EXAMPLE = "e.g. `metrics: [revenue]` with `group_by: [metric_time__day]`, `saved_query: daily_kpis` or `model: ref('orders')`";

/** The dashboards a parsed schema file declares (none: an empty list); warnings are added to `warnings`. */
export function readDashboardsYaml(doc: YamlWithLines, file: string, text: string, warnings: string[]): DashboardDecl[] {
  const top = doc.value as Record<string, unknown> | null;
  if (!top || typeof top !== 'object' || top.dashboards === undefined) return [];
  const f = new YamlFields(doc, file, text, warnings);
  const sectionLine = keyLine(text, 'dashboards', 1, true);
  if (top.dashboards === null) return [];
  return f.items(top.dashboards, 'dashboards', sectionLine).map(({ value, line }) => {
    const o = f.named(value, 'dashboards', line);
    const name = String(o.name);
    f.checkKeys(o, DASHBOARD_KEYS, `dashboard ${name}`, line);
    const pl = f.keyLine('panels', line);
    const panels = f.items(o.panels, `panels of dashboard ${name}`, pl).map(({ value: p, line: l }, i) => readPanel(f, p, l, `panel ${i + 1} of dashboard ${name}`));
    if (!panels.length) f.fail(`dashboard ${name} needs \`panels:\`, a list of {kind, title, …} (kinds: ${PANEL_KINDS.join(', ')}).`, o.panels === undefined ? line : pl);
    return { name, label: f.str(o, 'label', line), description: f.str(o, 'description', line) ?? '', panels, file, line };
  });
}

/** A string or a list of strings (`[a, b]` or `a, b`). */
function names(f: YamlFields, o: Record<string, unknown>, key: string, line: number): string[] {
  const v = o[key];
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter(Boolean);
  return f.items(v, key, f.keyLine(key, line)).map(({ value, line: l }) => {
    if (value === null || typeof value === 'object') f.fail(`each item of \`${key}:\` must be a name.`, l);
    return String(value);
  });
}

function whole(f: YamlFields, o: Record<string, unknown>, key: string, line: number): number | undefined {
  if (o[key] === undefined || o[key] === null) return undefined;
  const n = Number(o[key]);
  if (!Number.isInteger(n) || n < 1) f.fail(`\`${key}: ${String(o[key])}\` must be a whole number above 0.`, f.keyLine(key, line));
  return n;
}

/** `format: percent` for every value, or `format: {<value>: percent, …}` per value. */
function perValue<T extends string>(f: YamlFields, o: Record<string, unknown>, key: string, allowed: readonly T[], line: number): { all?: T; each: Record<string, T> } {
  const v = o[key];
  if (v === undefined || v === null) return { each: {} };
  const kl = f.keyLine(key, line);
  if (typeof v !== 'object') return { all: f.oneOf({ [key]: v }, key, allowed, kl), each: {} };
  const m = f.mapping(v, key, kl);
  const each: Record<string, T> = {};
  for (const k of Object.keys(m)) each[k] = f.oneOf(m, k, allowed, kl);
  return { each };
}

function readPanel(f: YamlFields, value: unknown, line: number, what: string): PanelDecl {
  const o = f.mapping(value, `each entry of panels`, line);
  f.checkKeys(o, PANEL_KEYS, what, line);
  const kind = f.oneOf(o, 'kind', PANEL_KINDS, line);
  const title = f.str(o, 'title', line) ?? '';
  const label = title ? `panel "${title}"` : what;
  const given = (['metrics', 'saved_query', 'model'] as const).filter((k) => o[k] !== undefined && o[k] !== null);
  if (given.length !== 1) {
    f.fail(given.length ? `${label} reads from ${given.join(' and ')}: give one data source.` : `${label} needs a data source, ${EXAMPLE}.`, given.length ? f.keyLine(given[1]!, line) : line);
  }
  let source: PanelSource;
  const y = names(f, o, kind === 'heatmap' ? 'value' : 'y', line);
  if (given[0] === 'metrics') {
    const metrics = names(f, o, 'metrics', line);
    if (!metrics.length) f.fail(`${label}: \`metrics:\` lists no metric.`, f.keyLine('metrics', line));
    const where = o.where === undefined || o.where === null ? [] : f.filters(o.where, f.keyLine('where', line));
    source = { kind: 'metrics', metrics, group_by: names(f, o, 'group_by', line), where };
    if (kind === 'kpi_tiles' && !source.group_by.length) source.group_by = ['metric_time__day'];
  } else if (given[0] === 'saved_query') {
    source = { kind: 'saved_query', name: f.str(o, 'saved_query', line)! };
  } else {
    const raw = f.str(o, 'model', line)!;
    const model = refName(raw);
    if (!model) f.fail(`${label}: \`model: ${raw}\` must name a model, as ref('orders') or {{ref "orders"}}.`, f.keyLine('model', line));
    source = { kind: 'model', model };
  }
  for (const k of ['group_by'] as const) if (o[k] !== undefined && source.kind !== 'metrics') f.warnings.push(`${f.file}:${f.keyLine(k, line)}: ${label}: \`${k}:\` applies to metrics: panels; ignored.`);
  const series = f.str(o, kind === 'heatmap' ? 'y' : 'series', line);
  const x = f.str(o, 'x', line);
  if (source.kind === 'model') {
    // what each kind needs of a model's columns
    const need = (ok: boolean, msg: string): void => {
      if (!ok) f.fail(`${label} (${kind} of model ${source.kind === 'model' ? source.model : ''}): ${msg}`, line);
    };
    if (kind === 'time_series') need(!!x && y.length > 0, 'needs `x:` (the time column) and `y:` (the measure columns); `series:` splits lines by a label column.');
    if (kind === 'bars') need(!!x && y.length > 0, 'needs `x:` (the label column) and `y:` (the measure column).');
    if (kind === 'heatmap') need(!!x && !!series && y.length > 0, 'needs `x:` (hour of day, 0–23), `y:` (the row label, e.g. day of week) and `value:` (the measure column).');
    if (kind === 'kpi_tiles') need(y.length > 0 || names(f, o, 'columns', line).length > 0, 'needs `y:` (the KPI columns) and `x:` (the day column; its NULL row is the overall value).');
  } else if (kind === 'heatmap' && (!x || !series)) {
    f.fail(`${label}: a heatmap needs \`x:\` and \`y:\`, two of its group-by items.`, line);
  }
  const fmt = perValue<DeclaredFormat>(f, o, 'format', FORMATS, line);
  const better = perValue(f, o, 'better', ['up', 'down'] as const, line);
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(f.mapping(o.labels, 'labels', f.keyLine('labels', line)))) labels[k] = String(v);
  const columns = names(f, o, 'columns', line);
  const tone = f.str(o, 'tone', line);
  if (tone !== undefined && kind !== 'table') f.warnings.push(`${f.file}:${f.keyLine('tone', line)}: ${label}: \`tone:\` marks the rows of a table panel; ignored on ${kind}.`);
  return {
    kind,
    title,
    description: f.str(o, 'description', line) ?? '',
    source,
    x,
    y: kind === 'kpi_tiles' && !y.length ? columns : y,
    series,
    columns,
    agg: f.oneOf(o, 'agg', AGGS, line, kind === 'table' ? 'none' : 'sum'),
    where: source.kind === 'model' ? f.str(o, 'where', line) : undefined,
    order_by: names(f, o, 'order_by', line),
    limit: whole(f, o, 'limit', line),
    top: whole(f, o, 'top', line) ?? 6,
    time: f.str(o, 'time', line),
    tone: kind === 'table' ? tone : undefined,
    formats: fmt.each,
    default_format: fmt.all,
    better: better.each,
    default_better: better.all,
    labels,
    file: f.file,
    line,
  };
}
