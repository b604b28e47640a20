// A metrics query → one SELECT: each aggregate grouped on its own (UNION ALL, one column
// each), merged per group (MySQL has no FULL OUTER JOIN), then each metric's expression
// over those columns, ordered and limited — all on the server.
import { didYouMean } from '../util/suggest.js';
import { aggTimeDimension, grainIndex } from './leaf-from.js';
import { leafSql, shareKey } from './leaf-sql.js';
import { MetricPlanner, type Filter, type Leaf } from './plan-metrics.js';
import { filterItems, itemName, originError, parseGroupItem, parseItemCall, type GroupItem, type Origin } from './query-items.js';
import type { SemanticLayer } from './semantic-layer.js';
import { customGrain, withCustomGrainHint } from './time-spines.js';
import type { TimeGrain } from './types.js';

export interface MetricsRequest {
  metrics: string[];
  groupBy: string[];
  where: string[];
  orderBy: string[];
  limit?: number;
  /** where the request was written (a saved query's file and line), for messages */
  file?: string;
  line?: number;
}

export interface CompiledQuery {
  sql: string;
  /** result columns: the group-by items, then the metrics */
  groupColumns: string[];
  metricColumns: string[];
  /** what the caller should tell the user about the answer (e.g. periods read without a time spine) */
  notes: string[];
}

const q = (name: string): string => `\`${name.replace(/`/g, '``')}\``;

export function compileQuery(layer: SemanticLayer, req: MetricsRequest): CompiledQuery {
  const origin = (what: string): Origin => ({ what, file: req.file, line: req.line });
  const metrics = [...new Set(req.metrics.map((m) => m.trim()).filter(Boolean))];
  if (!metrics.length) throw originError(origin('--metrics'), 'name at least one metric (ft metrics list shows them).');
  for (const m of metrics) {
    if (!layer.metrics.has(m)) throw originError(origin('--metrics'), `"${m}" is not a metric.${didYouMean(m, layer.metrics.keys()) || ` Metrics: ${[...layer.metrics.keys()].sort().join(', ')}.`}`);
  }
  const planner = new MetricPlanner(layer);
  const exprs = metrics.map((m) => planner.compile(m));
  const spines = layer.timeSpines;
  let items: GroupItem[] = req.groupBy.map((g) =>
    withCustomGrainHint(spines, g, origin('--group-by'), (): GroupItem => {
      const item = parseGroupItem(g, origin('--group-by'));
      // entity__time_dimension__<custom> reads as a dimension two entities away: the hint says what it is
      if (item.kind === 'dimension' && item.via && spines.some((s) => s.custom.some((c) => c.name === item.dim))) throw originError(origin('--group-by'), `"${g}" is not a dimension.`);
      // a custom granularity is over the periods of its spine's grain
      if (item.kind === 'metric_time' && item.custom) return { ...item, grain: customGrain(spines, item.custom, origin('--group-by')).spine.grain };
      return item;
    }),
  );
  for (const w of req.where) withCustomGrainHint(spines, w, origin('--where'), () => filterItems(w, origin('--where')));
  // metric_time without a grain: the coarsest grain any of the measures' time dimensions holds
  if (items.some((i) => i.kind === 'metric_time' && !i.grain)) {
    let grain: TimeGrain = 'second';
    for (const leaf of planner.leaves) {
      const name = leaf.kind === 'conversions' ? leaf.conversion!.base_measure.name : leaf.measure;
      const { measure, model } = layer.measures.get(name)!;
      const g = aggTimeDimension(model, measure, origin('metric_time')).grain!;
      if (grainIndex(g) > grainIndex(grain)) grain = g;
    }
    items = items.map((i) => (i.kind === 'metric_time' && !i.grain ? { kind: 'metric_time', grain } : i));
  }
  const names = items.map(itemName);
  items = items.filter((_i, k) => names.indexOf(names[k]!) === k);
  const groupColumns = [...new Set(names)];
  for (const m of metrics) if (groupColumns.includes(m)) throw originError(origin('--group-by'), `"${m}" is both a metric and a group-by column; leave one out.`);
  const where: Filter[] = req.where.filter((w) => w.trim()).map((sql) => ({ sql, origin: origin('--where') }));
  const notes: string[] = [];
  const overPeriods = [...new Set(planner.leaves.filter((l) => l.cumulative || l.offsetToGrain).map((l) => l.metric))];
  if (!spines.length && overPeriods.length && items.some((i) => i.kind === 'metric_time')) {
    notes.push(`${overPeriods.join(', ')}: the project declares no time spine (a model with \`time_spine:\`, or one named metricflow_time_spine), so a cumulative or offset_to_grain value is shown only for the periods its semantic model has rows in; MetricFlow requires a time spine and shows every period of it.`);
  }
  // aggregates over the same rows are computed in one scan
  const batches: Leaf[][] = [];
  const byKey = new Map<string, Leaf[]>();
  for (const leaf of planner.leaves) {
    const key = shareKey(layer, leaf);
    let batch = key === undefined ? undefined : byKey.get(key);
    if (!batch) {
      batches.push((batch = []));
      if (key !== undefined) byKey.set(key, batch);
    }
    batch.push(leaf);
  }
  const ctx = { layer, items, groupOrigin: origin('--group-by'), where };
  const k = items.length;
  const g = Array.from({ length: k }, (_, i) => `g${i + 1}`);
  const aliases = planner.leaves.map((l) => l.alias);
  const parts = batches.map((batch) => {
    const own = new Set(batch.map((l) => l.alias));
    return `select ${[...g.map((c) => `s.${c}`), ...aliases.map((a) => (own.has(a) ? `s.${a}` : `null as ${a}`))].join(', ')}\nfrom (\n${leafSql(ctx, batch)}\n) s`;
  });
  const merged = `select ${[...g, ...aliases.map((a) => `max(${a}) as ${a}`)].join(', ')}\nfrom (\n${parts.join('\nunion all\n')}\n) u0${k ? ` group by ${g.join(', ')}` : ''}`;
  const select = [...g.map((c, i) => `u.${c} as ${q(groupColumns[i]!)}`), ...exprs.map((e, i) => `${e} as ${q(metrics[i]!)}`)];
  const order = orderBy(req.orderBy, groupColumns, metrics, origin('--order-by'));
  const limit = req.limit === undefined ? '' : `\nlimit ${Math.max(0, Math.trunc(req.limit))}`;
  return { sql: `select ${select.join(',\n  ')}\nfrom (\n${merged}\n) u${order}${limit}`, groupColumns, metricColumns: metrics, notes };
}

/** ORDER BY of the result columns: `-name` or `name desc` descending; default, the group-by columns. */
function orderBy(specs: string[], groups: string[], metrics: string[], origin: Origin): string {
  const columns = [...groups, ...metrics];
  if (!specs.length) return groups.length ? `\norder by ${groups.map(q).join(', ')}` : '';
  const terms = specs.flatMap((s) => s.split(',')).map((raw) => {
    let text = raw.trim();
    let desc = false;
    if (text.startsWith('-')) {
      desc = true;
      text = text.slice(1).trim();
    }
    const dir = /\s+(asc|desc)$/i.exec(text);
    if (dir) {
      desc = dir[1]!.toLowerCase() === 'desc';
      text = text.slice(0, dir.index).trim();
    }
    if (/\.descending\(\s*true\s*\)/i.test(text)) desc = true;
    text = text.replace(/\.descending\([^)]*\)/i, '');
    let name = text;
    const metric = /^Metric\(\s*['"]([^'"]+)['"]\s*\)$/.exec(text);
    if (metric) name = metric[1]!;
    else if (/^\w+\s*\(/.test(text)) name = itemName(parseItemCall(text, origin));
    else if (name === 'metric_time') name = columns.find((c) => c.startsWith('metric_time__')) ?? name;
    else if (!columns.includes(name) && name.split('__')[0] === 'metric_time') name = itemName(parseGroupItem(name, origin));
    if (!columns.includes(name)) throw originError(origin, `"${raw.trim()}" is not a column of the result (${columns.join(', ')}); order by a metric or a group-by item.${didYouMean(name, columns)}`);
    return `${q(name)}${desc ? ' desc' : ''}`;
  });
  return `\norder by ${terms.join(', ')}`;
}
