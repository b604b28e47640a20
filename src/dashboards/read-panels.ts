// Reads the data of the dashboards a project declares: a metrics panel is one SQL statement
// compiled by the metrics layer (and, for KPI tiles, one more without the grouping, for the
// overall values); a model panel one aggregate over the model's table. A panel whose tables are
// not built says so; one whose SQL fails says why; neither stops the others.
import type { Adapter } from '../adapters/adapter.js';
import { nodeRelation, relationKey, type RelationInfo } from '../docs/catalog.js';
import type { DashboardPanelData, DashboardView, ValueFormat } from '../docs/site/types.js';
import { compileQuery } from '../metrics/compile-query.js';
import { metricModels, type SemanticLayer } from '../metrics/semantic-layer.js';
import type { Project } from '../project/project.js';
import type { Node } from '../project/types.js';
import { didYouMean } from '../util/suggest.js';
import { panelRequest } from './link-dashboards.js';
import type { DeclaredFormat, PanelDecl } from './types.js';

type Cell = string | number | null;
type Query = (sql: string) => Promise<Array<Record<string, unknown>>>;

const FORMAT_OF: Record<DeclaredFormat, ValueFormat> = { percent: 'fraction', currency: 'currency', number: 'number', integer: 'integer' };
const TEMPORAL = /date|time|year/i;
const NUMERIC = /int|dec|numeric|float|double|real|bit|bool/i;

/** Each declared dashboard with its panels' rows; adapter null: not read (the database is not reachable). */
export async function readDeclaredDashboards(project: Project, adapter: Adapter | null, relations: Map<string, RelationInfo> | null): Promise<DashboardView[]> {
  const out: DashboardView[] = [];
  const query: Query = (sql) => adapter!.withSession((s) => s.query(sql));
  for (const d of project.dashboards ?? []) {
    const panels: DashboardPanelData[] = [];
    for (const p of d.panels) panels.push(await readPanel(project, p, adapter ? query : null, relations, (s) => adapter!.quote(s)));
    out.push({ name: d.name, label: d.label ?? d.name, description: d.description, declared_at: `${d.file}:${d.line}`, panels });
  }
  return out;
}

function byName(project: Project, name: string): Node | undefined {
  for (const n of project.nodes.values()) if (n.name === name && (n.resource_type === 'model' || n.resource_type === 'seed' || n.resource_type === 'snapshot')) return n;
  return undefined;
}

const cell = (v: unknown): Cell => {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  const s = String(v);
  return /^-?\d+(\.\d+)?(e[-+]?\d+)?$/i.test(s) && s.length < 20 ? Number(s) : s;
};

function blank(p: PanelDecl, source: string, models: string[]): DashboardPanelData {
  return {
    kind: p.kind,
    title: p.title,
    description: p.description,
    status: 'unavailable',
    source,
    models,
    columns: [],
    rows: [],
    x: null,
    y: [],
    series: null,
    overall: null,
    labels: { ...p.labels },
    formats: {},
    better: {},
    tone: null,
    total: null,
    read_at: new Date().toISOString(),
    newest: null,
  };
}

function dressValues(out: DashboardPanelData, p: PanelDecl, y: string[], typeOf: (c: string) => string | undefined): void {
  for (const c of y) {
    const declared = p.formats[c] ?? p.default_format;
    const type = typeOf(c) ?? '';
    out.formats[c] = declared ? FORMAT_OF[declared] : /int/i.test(type) && !/point/i.test(type) ? 'integer' : 'number';
    const better = p.better[c] ?? p.default_better;
    if (better) out.better[c] = better;
  }
}

async function readPanel(project: Project, p: PanelDecl, query: Query | null, relations: Map<string, RelationInfo> | null, q: (s: string) => string): Promise<DashboardPanelData> {
  const layer = project.semantic;
  const req = panelRequest(p, layer);
  if (req) {
    const modelIds = [...new Set(req.metrics.flatMap((m) => [...metricModels(layer!, m)].map((sm) => layer!.models.get(sm)!.node_id)))];
    const out = blank(p, `metrics ${req.metrics.join(', ')}${req.groupBy.length ? ` by ${req.groupBy.join(', ')}` : ''}${p.source.kind === 'saved_query' ? ` (saved query ${p.source.name})` : ''}`, modelIds);
    if (!query || !relations) return out;
    if (!modelIds.every((id) => built(project.nodes.get(id), relations))) return { ...out, status: 'missing' };
    return guard(out, async () => {
      const compiled = compileQuery(layer!, req);
      const rows = await query(compiled.sql);
      const time = compiled.groupColumns.find((c) => c.startsWith('metric_time') || /__(day|hour|week|month|minute|second|year|quarter)$/.test(c));
      out.columns = [...compiled.groupColumns, ...compiled.metricColumns];
      out.y = p.kind === 'heatmap' ? [compiled.metricColumns[0]!] : compiled.metricColumns;
      out.x = p.x ?? time ?? compiled.groupColumns[0] ?? null;
      out.series = p.series ?? compiled.groupColumns.find((c) => c !== out.x) ?? null;
      for (const c of [out.x, out.series]) if (c && !out.columns.includes(c)) throw new Error(`${c} is not a group-by item of the panel (${compiled.groupColumns.join(', ') || 'none'})${didYouMean(c, compiled.groupColumns)}`);
      out.rows = rows.map((r) => out.columns.map((c) => cell(r[c])));
      for (const m of compiled.metricColumns) out.labels[m] ??= layer!.metrics.get(m)?.label ?? m;
      dressValues(out, p, out.y, () => undefined);
      if (p.kind === 'kpi_tiles') {
        const all = await query(compileQuery(layer!, { ...req, groupBy: [], limit: undefined }).sql);
        out.overall = out.y.map((m) => (typeof cell(all[0]?.[m]) === 'number' ? (cell(all[0]?.[m]) as number) : null));
      }
      finish(out, time ?? null);
    });
  }
  const model = (p.source as { model: string }).model;
  const node = byName(project, model)!;
  const out = blank(p, `model ${model}`, [node.unique_id]);
  if (!query || !relations) return out;
  const r = nodeRelation(node);
  const info = r ? relations.get(relationKey(r.schema, r.name)) : undefined;
  if (!r || !info) return { ...out, status: 'missing' };
  return guard(out, async () => {
    const cols = info.columns.map((c) => ({ name: c.name, type: c.type }));
    const col = (name: string, role: string): string => {
      const c = cols.find((x) => x.name.toLowerCase() === name.toLowerCase());
      if (!c) throw new Error(`${role} ${name} is not a column of ${model}.${didYouMean(name, cols.map((x) => x.name)) || ` Columns: ${cols.map((x) => x.name).join(', ')}.`}`);
      return c.name;
    };
    const typeOf = (c: string): string | undefined => cols.find((x) => x.name === c)?.type;
    const rel = `${q(info.schema)}.${q(info.name)}`;
    const where = p.where ? ` WHERE ${p.where}` : '';
    const order = (fallback: string): string => {
      if (!p.order_by.length) return fallback;
      return ` ORDER BY ${p.order_by
        .map((o) => {
          const m = /^\s*(\w+)(?:\s+(asc|desc))?\s*$/i.exec(o);
          if (!m) throw new Error(`order_by "${o}" must be a column, optionally followed by asc or desc`);
          return `${q(col(m[1]!, 'order_by'))}${m[2] ? ` ${m[2].toUpperCase()}` : ''}`;
        })
        .join(', ')}`;
    };
    let time: string | null = p.time ? col(p.time, 'time') : null;
    if (p.kind === 'table') {
      const shown = p.columns.length ? p.columns.map((c) => col(c, 'column')) : cols.slice(0, 12).map((c) => c.name);
      const [n] = await query(`SELECT COUNT(*) AS n FROM ${rel}${where}`);
      out.total = Number(n?.n ?? 0);
      const rows = await query(`SELECT ${shown.map(q).join(', ')} FROM ${rel}${where}${order('')} LIMIT ${p.limit ?? 100}`);
      out.columns = shown;
      out.y = shown.filter((c) => NUMERIC.test(typeOf(c) ?? '') && !TEMPORAL.test(typeOf(c) ?? ''));
      out.rows = rows.map((row) => shown.map((c) => cell(row[c])));
      time ??= shown.find((c) => TEMPORAL.test(typeOf(c) ?? '')) ?? null;
      if (p.tone) {
        const tone = col(p.tone, 'tone');
        if (!out.y.includes(tone)) throw new Error(`tone "${p.tone}" must be a numeric column the table shows (${out.y.join(', ') || 'it shows none'})`);
        out.tone = tone;
      }
      dressValues(out, p, out.y.filter((c) => p.formats[c] || p.default_format || c === out.tone), typeOf);
      finish(out, time);
      return;
    }
    const x = p.x ? col(p.x, 'x') : null;
    const series = p.series ? col(p.series, p.kind === 'heatmap' ? 'y' : 'series') : null;
    const y = p.y.map((c) => col(c, p.kind === 'heatmap' ? 'value' : 'y'));
    const keys = [x, series].filter((c): c is string => c !== null);
    const agg = (c: string): string => (p.agg === 'none' ? q(c) : `${p.agg.toUpperCase()}(${q(c)})`);
    const select = `SELECT ${[...keys.map(q), ...y.map((c) => `${agg(c)} AS ${q(c)}`)].join(', ')} FROM ${rel}${where}`;
    const group = p.agg === 'none' || !keys.length ? '' : ` GROUP BY ${keys.map(q).join(', ')}`;
    const byX = x ? ` ORDER BY ${q(x)} IS NULL, ${q(x)}` : '';
    const bars = p.kind === 'bars' && y[0] ? ` ORDER BY ${q(y[0])} DESC` : byX;
    const rows = await query(`${select}${group}${order(bars)} LIMIT ${p.limit ?? (p.kind === 'bars' ? 25 : 20000)}`);
    out.columns = [...keys, ...y];
    out.x = x;
    out.series = series;
    out.y = y;
    out.rows = rows.map((row) => out.columns.map((c) => cell(row[c])));
    if (p.kind === 'kpi_tiles' && x) {
      // the row whose day is NULL holds the overall values
      const all = out.rows.find((row) => row[0] === null);
      out.overall = all ? y.map((_c, i) => (typeof all[keys.length + i] === 'number' ? (all[keys.length + i] as number) : null)) : null;
      out.rows = out.rows.filter((row) => row[0] !== null);
    }
    if (p.kind === 'time_series' && series) keepTop(out, p.top);
    dressValues(out, p, y, typeOf);
    finish(out, time ?? (x && TEMPORAL.test(typeOf(x) ?? '') ? x : null));
  });
}

function built(node: Node | undefined, relations: Map<string, RelationInfo>): boolean {
  const r = node && nodeRelation(node);
  return !!r && relations.has(relationKey(r.schema, r.name));
}

/** A time series split by a label keeps the `top` labels with the largest total of the first value. */
function keepTop(out: DashboardPanelData, top: number): void {
  const si = out.columns.indexOf(out.series!);
  const yi = out.columns.indexOf(out.y[0]!);
  const totals = new Map<string, number>();
  for (const r of out.rows) totals.set(String(r[si]), (totals.get(String(r[si])) ?? 0) + (typeof r[yi] === 'number' ? (r[yi] as number) : 0));
  const kept = new Set([...totals].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k]) => k));
  out.rows = out.rows.filter((r) => kept.has(String(r[si])));
}

function finish(out: DashboardPanelData, time: string | null): void {
  out.status = out.rows.length || (out.overall && out.overall.some((v) => v !== null)) ? 'ok' : 'empty';
  out.read_at = new Date().toISOString();
  const i = time ? out.columns.indexOf(time) : -1;
  if (i >= 0) {
    let newest: string | null = null;
    for (const r of out.rows) if (r[i] !== null && (newest === null || String(r[i]) > newest)) newest = String(r[i]);
    out.newest = newest;
  }
}

async function guard(out: DashboardPanelData, fn: () => Promise<void>): Promise<DashboardPanelData> {
  try {
    await fn();
  } catch (e) {
    out.status = 'error';
    out.message = String((e as { sqlMessage?: string }).sqlMessage ?? (e as Error).message ?? e).split('\n')[0];
  }
  return out;
}

