/**
 * Dashboard data for the docs site, read from the tables of the models the project declares
 * as panels: a model's schema YAML says `meta: {dashboard: {panel: kpis | trends | bars |
 * heatmap | flagged, title: …}}` (kpis also lists its `tiles:` and the columns to `hide:`), so
 * the engine knows no model or column of any project and a project that declares nothing shows
 * no panels. Within a declared model, the columns that are its time, label and measure are
 * taken from the declaration (`time:`, `label:`, `measure:`) or found from names and catalog
 * types; a panel whose table is missing says "not built yet" instead of failing.
 */
import type { Adapter } from '../adapters/adapter.js';
import type { Project } from '../project/project.js';
import type { Node } from '../project/types.js';
import { readDeclaredDashboards } from '../dashboards/read-panels.js';
import { FtError } from '../util/errors.js';
import { nodeRelation, relationKey, type RelationInfo } from './catalog.js';
import type { AnomalyPanel, BarsPanel, DashboardData, HeatmapPanel, KpiPanel, KpiTile, PanelBase, SeriesPanel, ValueFormat } from './site/types.js';

type Col = { name: string; type: string };

const NUMERIC = /int|dec|numeric|float|double|real|bit|bool/i;
const TEMPORAL = /date|time|year/i;
const TEXT = /char|text|enum|set/i;

export const isNumeric = (c: Col): boolean => NUMERIC.test(c.type) && !TEMPORAL.test(c.type);
export const isTemporal = (c: Col): boolean => TEMPORAL.test(c.type);

function byNames(cols: Col[], names: string[], pred: (c: Col) => boolean = () => true): Col | undefined {
  for (const n of names) {
    const c = cols.find((x) => x.name.toLowerCase() === n && pred(x));
    if (c) return c;
  }
  return undefined;
}

const MEASURES = [
  'revenue', 'total_revenue', 'gross_revenue', 'net_revenue', 'sales', 'sales_amount', 'gmv', 'purchase_value',
  'units_sold', 'units', 'quantity', 'items_sold', 'purchases', 'purchase_count', 'orders', 'order_count', 'events', 'event_count', 'views', 'view_count',
];
const NOT_A_MEASURE = /(^|_)id$|^hour|^day|^dow|week|rank|z_?score|^is_|^has_|_flag$|^flag|year|month|mean|stddev|std_dev|baseline|expected/i;
const AVERAGED = /rate|avg|average|ratio|pct|percent|index|score|mean|share|price|value$/i;

/** The column to chart: a known additive measure, else the first numeric column that is not a key or a time part. */
export function pickMeasure(cols: Col[]): { column: string; agg: 'SUM' | 'AVG' } | null {
  const known = byNames(cols, MEASURES, isNumeric);
  if (known) return { column: known.name, agg: 'SUM' };
  const any = cols.find((c) => isNumeric(c) && !NOT_A_MEASURE.test(c.name));
  if (!any) return null;
  return { column: any.name, agg: AVERAGED.test(any.name) ? 'AVG' : 'SUM' };
}

export function pickTime(cols: Col[]): { expr: (q: (s: string) => string) => string; name: string } | null {
  const hourly = byNames(cols, ['hour_start', 'event_hour', 'hour_ts', 'window_start', 'bucket_start', 'hour', 'ts', 'period_start'], isTemporal);
  if (hourly) return { name: hourly.name, expr: (q) => q(hourly.name) };
  const day = byNames(cols, ['day', 'date', 'event_date', 'sale_date', 'order_date', 'activity_date'], isTemporal) ?? cols.find(isTemporal);
  if (!day) return null;
  const hourOfDay = byNames(cols, ['hour', 'hour_of_day', 'event_hour', 'hr'], isNumeric);
  if (hourOfDay) return { name: `${day.name} + ${hourOfDay.name}h`, expr: (q) => `TIMESTAMP(${q(day.name)}) + INTERVAL ${q(hourOfDay.name)} HOUR` };
  return { name: day.name, expr: (q) => q(day.name) };
}

export function pickLabel(cols: Col[], kind: 'product' | 'category'): Col | undefined {
  const names = kind === 'product' ? ['product_name', 'product', 'name', 'product_id', 'sku'] : ['category', 'category_name', 'product_category'];
  return byNames(cols, names) ?? cols.find((c) => TEXT.test(c.type) && c.name.toLowerCase().includes(kind));
}

/** How a KPI column is shown: YAML `meta: {format: …}` wins; rates in [0, 1] are fractions. */
export function kpiFormat(column: string, type: string, values: Array<number | null>, meta?: Record<string, unknown>): ValueFormat {
  const declared = meta?.format;
  if (typeof declared === 'string' && ['percent', 'fraction', 'currency', 'number', 'integer'].includes(declared)) return declared as ValueFormat;
  const name = column.toLowerCase();
  const nums = values.filter((v): v is number => v !== null);
  if (/rate|pct|percent|share|ratio/.test(name)) return nums.every((v) => Math.abs(v) <= 1) ? 'fraction' : 'percent';
  if (/order_value|revenue|amount|price|aov|sales|gmv/.test(name)) return 'currency';
  if (/int/i.test(type) || /count|views|purchases|orders|events|carts|sessions|users|units|^n_|^num_/.test(name)) return 'integer';
  return 'number';
}

export interface PanelModels {
  kpis?: Node;
  products?: Node;
  categories?: Node;
  heatmap?: Node;
  anomalies?: Node;
}

/** The panel kinds a model can declare (`meta: {dashboard: {panel: …}}`), and the dashboard slot each fills. */
const PANEL_KINDS: Record<string, keyof PanelModels> = { kpis: 'kpis', trends: 'products', bars: 'categories', heatmap: 'heatmap', flagged: 'anomalies' };
const FORMATS: ValueFormat[] = ['percent', 'fraction', 'currency', 'number', 'integer'];

/** What a model declares under `meta: {dashboard: …}` in its schema YAML (or `config: {meta: …}`). */
export interface PanelDeclaration {
  panel: keyof PanelModels;
  title?: string;
  /** kpis: the tiles, in order */
  tiles: KpiTile[];
  /** kpis: columns left out of the table (keys, bookkeeping) */
  hide: string[];
  /** the label, time and measure columns, when names and types would not find them */
  label?: string;
  time?: string;
  measure?: string;
}

function declarationError(node: Node, what: string): FtError {
  const [file, line] = (node.patch_path ?? node.original_file_path ?? '').split(/:(?=\d+$)/);
  return new FtError(`model ${node.name}: meta.dashboard ${what}`, 2, file || undefined, line ? Number(line) : undefined);
}

/** The dashboard panel a model declares, if any; a declaration that does not read is an error naming its YAML. */
export function panelDeclaration(node: Node): PanelDeclaration | undefined {
  const meta = (node.meta?.dashboard ?? (node.config?.meta as Record<string, unknown> | undefined)?.dashboard) as unknown;
  if (meta === undefined || meta === null) return undefined;
  if (typeof meta !== 'object' || Array.isArray(meta)) throw declarationError(node, 'must be a mapping, e.g. {panel: kpis, title: Key indicators}.');
  const d = meta as Record<string, unknown>;
  const panel = typeof d.panel === 'string' ? PANEL_KINDS[d.panel] : undefined;
  if (!panel) throw declarationError(node, `needs panel: one of ${Object.keys(PANEL_KINDS).join(', ')} (got ${JSON.stringify(d.panel ?? null)}).`);
  const text = (k: string): string | undefined => {
    if (d[k] === undefined || d[k] === null) return undefined;
    if (typeof d[k] !== 'string') throw declarationError(node, `${k} must be a string.`);
    return d[k] as string;
  };
  const hide = d.hide ?? [];
  if (!Array.isArray(hide) || hide.some((h) => typeof h !== 'string')) throw declarationError(node, 'hide must be a list of column names.');
  const tilesIn = d.tiles ?? [];
  if (!Array.isArray(tilesIn)) throw declarationError(node, 'tiles must be a list of {column, label, format, better}.');
  const tiles = tilesIn.map((t: unknown): KpiTile => {
    const o = (t ?? {}) as Record<string, unknown>;
    if (typeof o.column !== 'string') throw declarationError(node, 'each tile needs column: the KPI column to show.');
    if (o.format !== undefined && !FORMATS.includes(o.format as ValueFormat)) throw declarationError(node, `tile ${o.column}: format must be one of ${FORMATS.join(', ')}.`);
    if (o.better !== undefined && o.better !== null && o.better !== 'up' && o.better !== 'down') throw declarationError(node, `tile ${o.column}: better must be up or down (or left out).`);
    return { column: o.column, label: typeof o.label === 'string' ? o.label : o.column, format: (o.format as ValueFormat | undefined) ?? 'number', better: (o.better as 'up' | 'down' | undefined) ?? null };
  });
  return { panel, title: text('title'), tiles, hide: hide as string[], label: text('label'), time: text('time'), measure: text('measure') };
}

/** Which model feeds which panel: the one whose YAML declares it (the first by name when several do). */
export function choosePanelModels(models: Node[]): PanelModels {
  const out: PanelModels = {};
  for (const n of [...models].sort((a, b) => a.name.localeCompare(b.name))) {
    if (n.resource_type !== undefined && n.resource_type !== 'model') continue;
    const d = panelDeclaration(n);
    if (d && !out[d.panel]) out[d.panel] = n;
  }
  return out;
}

const DAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

/**
 * Row labels and Monday-first order for day-of-week values. Names (given, or the
 * values themselves) win; numbers follow ISO (1 = Monday … 7 = Sunday), or
 * MySQL's WEEKDAY (0 = Monday) when a 0 is present, or DAYOFWEEK (1 = Sunday) when
 * the column says so (dayofweek/dow_sun).
 */
export function dayLabels(values: Array<string | number>, column: string, names?: Map<string, string>): Map<string, { label: string; order: number }> {
  const out = new Map<string, { label: string; order: number }>();
  const fromName = (s: string): number => DAY_NAMES.findIndex((d) => d.toLowerCase().startsWith(s.trim().toLowerCase().slice(0, 3)));
  const nums = values.map((v) => Number(v));
  const numeric = nums.every((n) => Number.isInteger(n));
  const zeroBased = numeric && Math.min(...nums) === 0;
  const sundayFirst = /dayofweek|sun/i.test(column);
  values.forEach((v, i) => {
    const key = String(v);
    const name = names?.get(key);
    let order = name !== undefined ? fromName(name) : numeric ? -1 : fromName(key);
    if (order < 0 && numeric) order = zeroBased ? nums[i]! : sundayFirst ? (nums[i]! + 5) % 7 : nums[i]! - 1;
    const label = name !== undefined ? name.slice(0, 3) : numeric ? (DAY_NAMES[order]?.slice(0, 3) ?? key) : key.slice(0, 3);
    out.set(key, { label, order: order >= 0 && order < 7 ? order : 7 + i });
  });
  return out;
}

export function emptyDashboard(message?: string): DashboardData {
  const base = (): PanelBase => ({ status: 'unavailable', model: null });
  return {
    generated_at: new Date().toISOString(),
    refresh_seconds: null,
    database: false,
    message,
    kpis: { ...base(), columns: [], rows: [], formats: {}, tiles: [] },
    products: { ...base(), label_column: null, time_column: null, measure: null, series: [] },
    categories: { ...base(), label_column: null, measure: null, bars: [] },
    heatmap: { ...base(), measure: null, days: [], cells: [] },
    anomalies: { ...base(), columns: [], rows: [], z_column: null, total_flagged: 0 },
    exposures: [],
    dashboards: [],
  };
}

function exposures(project: Project): DashboardData['exposures'] {
  return [...project.nodes.values()]
    .filter((n) => n.resource_type === 'exposure')
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((n) => ({
      id: n.unique_id,
      name: n.name,
      label: n.label ?? null,
      type: n.type ?? null,
      owner: (n.owner as Record<string, unknown> | undefined) ?? null,
      url: n.url ?? null,
      depends_on: n.depends_on.nodes,
    }));
}

const num = (v: unknown): number | null => {
  if (v === null || v === undefined || v === '') return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
};

type Query = (sql: string, params?: unknown[]) => Promise<Array<Record<string, unknown>>>;

/**
 * Reads every panel. `relations` is what readRelations found (null: the database
 * was not reachable, every panel is 'unavailable').
 */
export async function readDashboard(project: Project, adapter: Adapter | null, relations: Map<string, RelationInfo> | null, message?: string): Promise<DashboardData> {
  const out = emptyDashboard(message);
  out.exposures = exposures(project);
  out.dashboards = await readDeclaredDashboards(project, adapter, relations);
  const panels = choosePanelModels([...project.nodes.values()]);
  for (const key of ['kpis', 'products', 'categories', 'heatmap', 'anomalies'] as const) {
    const node = panels[key];
    out[key].model = node?.unique_id ?? null;
    if (node) out[key].title = panelDeclaration(node)!.title;
  }
  if (panels.kpis) out.kpis.tiles = panelDeclaration(panels.kpis)!.tiles;
  if (!adapter || !relations) return out;
  out.database = true;
  out.message = undefined;
  const q = (s: string): string => adapter.quote(s);
  const query: Query = (sql, params) => adapter.withSession((s) => s.query(sql, params));

  const open = (node: Node | undefined, panel: PanelBase): { rel: string; cols: Col[]; node: Node } | null => {
    if (!node) {
      panel.status = 'missing';
      return null;
    }
    const r = nodeRelation(node);
    const info = r ? relations.get(relationKey(r.schema, r.name)) : undefined;
    if (!r || !info) {
      panel.status = 'missing';
      return null;
    }
    return { rel: adapter.relation(info.schema, info.name), cols: info.columns.map((c) => ({ name: c.name, type: c.type })), node };
  };
  const guard = async (panel: PanelBase, fn: () => Promise<void>): Promise<void> => {
    try {
      await fn();
    } catch (e) {
      panel.status = 'error';
      panel.message = String((e as Error).message ?? e).split('\n')[0];
    }
  };

  await guard(out.kpis, () => readKpis(open(panels.kpis, out.kpis), out.kpis, query, q));
  await guard(out.products, () => readProducts(open(panels.products, out.products), out.products, query, q));
  await guard(out.categories, () => readCategories(open(panels.categories, out.categories), out.categories, query, q));
  await guard(out.heatmap, () => readHeatmap(open(panels.heatmap, out.heatmap), out.heatmap, query, q));
  await guard(out.anomalies, () => readAnomalies(open(panels.anomalies, out.anomalies), out.anomalies, query, q));
  return out;
}

type Opened = { rel: string; cols: Col[]; node: Node } | null;

/** The label, time and measure columns the model's declaration names (each must be a column of its table). */
function declared(t: NonNullable<Opened>): { label?: Col; time?: Col; measure?: { column: string; agg: 'SUM' | 'AVG' } } {
  const d = panelDeclaration(t.node);
  const col = (k: 'label' | 'time' | 'measure'): Col | undefined => {
    const name = d?.[k];
    if (name === undefined) return undefined;
    const c = t.cols.find((x) => x.name.toLowerCase() === name.toLowerCase());
    if (!c) throw new Error(`meta.dashboard.${k} names ${name}, which is not a column of ${t.node.name} (columns: ${t.cols.map((x) => x.name).join(', ')})`);
    return c;
  };
  const m = col('measure');
  return { label: col('label'), time: col('time'), measure: m && { column: m.name, agg: AVERAGED.test(m.name) ? 'AVG' : 'SUM' } };
}

async function readKpis(t: Opened, panel: KpiPanel, query: Query, q: (s: string) => string): Promise<void> {
  if (!t) return;
  const day = t.cols.find((c) => c.name.toLowerCase() === 'day') ?? t.cols.find(isTemporal);
  const rows = await query(`SELECT * FROM ${t.rel}${day ? ` ORDER BY ${q(day.name)} IS NULL, ${q(day.name)}` : ''} LIMIT 1000`);
  panel.columns = t.cols.map((c) => c.name);
  panel.rows = rows.map((r) => {
    const o: Record<string, string | number | null> = {};
    for (const c of t.cols) {
      const v = r[c.name];
      o[c.name === day?.name ? 'day' : c.name] = v === null || v === undefined ? null : isNumeric(c) ? num(v) : String(v);
    }
    return o;
  });
  if (day && day.name !== 'day') panel.columns = panel.columns.map((c) => (c === day.name ? 'day' : c));
  const hide = new Set(panelDeclaration(t.node)?.hide ?? []);
  if (hide.size) panel.columns = panel.columns.filter((c) => !hide.has(c));
  for (const c of t.cols) {
    if (!isNumeric(c)) continue;
    const key = c.name === day?.name ? 'day' : c.name;
    panel.formats[key] = kpiFormat(c.name, c.type, panel.rows.map((r) => num(r[key])), t.node.columns[c.name]?.meta);
  }
  panel.status = rows.length ? 'ok' : 'empty';
}

async function readProducts(t: Opened, panel: SeriesPanel, query: Query, q: (s: string) => string): Promise<void> {
  if (!t) return;
  const d = declared(t);
  const label = d.label ?? pickLabel(t.cols, 'product');
  const time = d.time ? { name: d.time.name, expr: (q: (s: string) => string) => q(d.time!.name) } : pickTime(t.cols);
  const measure = d.measure ?? pickMeasure(t.cols);
  if (!label || !time || !measure) throw new Error(`cannot tell the product, time and measure columns of ${t.node.name} (columns: ${t.cols.map((c) => c.name).join(', ')})`);
  panel.label_column = label.name;
  panel.time_column = time.name;
  panel.measure = measure.column;
  const m = `${measure.agg}(${q(measure.column)})`;
  const top = await query(`SELECT ${q(label.name)} AS l, ${m} AS v FROM ${t.rel} GROUP BY ${q(label.name)} ORDER BY v DESC LIMIT 6`);
  if (!top.length) {
    panel.status = 'empty';
    return;
  }
  const labels = top.map((r) => String(r.l));
  const rows = await query(
    `SELECT ${q(label.name)} AS l, ${time.expr(q)} AS t, ${m} AS v FROM ${t.rel} WHERE ${q(label.name)} IN (${labels.map(() => '?').join(', ')}) GROUP BY l, t ORDER BY t LIMIT 20000`,
    labels,
  );
  const series = new Map<string, Array<[string, number]>>(labels.map((l) => [l, []]));
  for (const r of rows) {
    const v = num(r.v);
    if (v !== null && r.t !== null) series.get(String(r.l))?.push([String(r.t), v]);
  }
  // rows exist only for periods with events: an additive measure is 0 in the others
  const times = [...new Set(rows.map((r) => String(r.t)))].sort();
  panel.series = labels.map((l) => {
    const pts = series.get(l) ?? [];
    if (measure.agg !== 'SUM') return { label: l, points: pts };
    const have = new Map(pts);
    return { label: l, points: times.map((t): [string, number] => [t, have.get(t) ?? 0]) };
  });
  panel.status = 'ok';
}

async function readCategories(t: Opened, panel: BarsPanel, query: Query, q: (s: string) => string): Promise<void> {
  if (!t) return;
  const d = declared(t);
  const label = d.label ?? pickLabel(t.cols, 'category');
  const measure = d.measure ?? pickMeasure(t.cols);
  if (!label || !measure) throw new Error(`cannot tell the category and measure columns of ${t.node.name} (columns: ${t.cols.map((c) => c.name).join(', ')})`);
  panel.label_column = label.name;
  panel.measure = `${measure.agg === 'AVG' ? 'average ' : 'total '}${measure.column}`;
  const rows = await query(`SELECT ${q(label.name)} AS l, ${measure.agg}(${q(measure.column)}) AS v FROM ${t.rel} GROUP BY ${q(label.name)} ORDER BY v DESC LIMIT 25`);
  panel.bars = rows.map((r) => ({ label: String(r.l ?? '(none)'), value: num(r.v) ?? 0 }));
  panel.status = rows.length ? 'ok' : 'empty';
}

async function readHeatmap(t: Opened, panel: HeatmapPanel, query: Query, q: (s: string) => string): Promise<void> {
  if (!t) return;
  const hour = byNames(t.cols, ['hour_of_day', 'hour', 'hr', 'event_hour', 'sale_hour'], isNumeric);
  const dow = byNames(t.cols, ['day_of_week', 'dow', 'weekday', 'day_of_week_num', 'dow_num', 'weekday_num', 'day_of_week_name', 'day_name', 'weekday_name']);
  const dowName = byNames(t.cols, ['day_name', 'weekday_name', 'dow_name', 'day_of_week_name'], (c) => TEXT.test(c.type));
  const measure = declared(t).measure ?? pickMeasure(t.cols.filter((c) => c !== hour && c !== dow));
  if (!hour || !dow || !measure) throw new Error(`cannot tell the hour, day-of-week and measure columns of ${t.node.name} (columns: ${t.cols.map((c) => c.name).join(', ')})`);
  panel.measure = measure.column;
  const nameSel = dowName && dowName !== dow ? `, MIN(${q(dowName.name)}) AS n` : '';
  const rows = await query(`SELECT ${q(dow.name)} AS d, ${q(hour.name)} AS h, ${measure.agg}(${q(measure.column)}) AS v${nameSel} FROM ${t.rel} GROUP BY d, h LIMIT 2000`);
  if (!rows.length) {
    panel.status = 'empty';
    return;
  }
  const keys = [...new Set(rows.map((r) => String(r.d)))];
  const names = nameSel ? new Map(rows.filter((r) => r.n !== null && r.n !== undefined).map((r) => [String(r.d), String(r.n)])) : undefined;
  const labels = dayLabels(keys, dow.name, names);
  const ordered = keys.sort((a, b) => labels.get(a)!.order - labels.get(b)!.order);
  panel.days = ordered.map((k) => labels.get(k)!.label);
  const index = new Map(ordered.map((k, i) => [k, i]));
  panel.cells = rows.map((r) => [index.get(String(r.d))!, Number(r.h), num(r.v) ?? 0] as [number, number, number]);
  panel.status = 'ok';
}

async function readAnomalies(t: Opened, panel: AnomalyPanel, query: Query, q: (s: string) => string): Promise<void> {
  if (!t) return;
  const z = t.cols.find((c) => /z_?score/i.test(c.name) && isNumeric(c));
  const flag = byNames(t.cols, ['is_anomaly', 'is_flagged', 'flagged', 'anomaly', 'is_outlier', 'flag']);
  // anomaly_type / anomaly_kind: spike, drop, or NULL when the row is not flagged
  const kind = byNames(t.cols, ['anomaly_type', 'anomaly_kind', 'anomaly_direction', 'direction']);
  const where = flag
    ? ` WHERE ${q(flag.name)} ${isNumeric(flag) ? '<> 0' : "NOT IN ('', 'false', 'no', '0', 'normal')"}`
    : kind
      ? ` WHERE ${q(kind.name)} IS NOT NULL AND ${q(kind.name)} <> ''`
      : '';
  const time = t.cols.find(isTemporal);
  const order = z ? `ABS(${q(z.name)}) DESC` : time ? `${q(time.name)} DESC` : '1';
  const [count] = await query(`SELECT COUNT(*) AS n FROM ${t.rel}${where}`);
  panel.total_flagged = num(count?.n) ?? 0;
  const rows = await query(`SELECT * FROM ${t.rel}${where} ORDER BY ${order} LIMIT 100`);
  panel.columns = t.cols.map((c) => c.name).slice(0, 12);
  panel.z_column = z?.name ?? null;
  panel.rows = rows.map((r) => {
    const o: Record<string, string | number | null> = {};
    for (const c of t.cols.slice(0, 12)) {
      const v = r[c.name];
      o[c.name] = v === null || v === undefined ? null : isNumeric(c) ? num(v) : String(v);
    }
    return o;
  });
  panel.status = 'ok';
}
