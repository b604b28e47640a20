// The SELECT of one aggregate of a metrics query, grouped by the query's items (columns g1…gk)
// with its value in column v: a plain aggregate, a percentile (window functions: MySQL has no
// PERCENTILE_CONT, MariaDB only as a window function), a cumulative or an offset to a grain
// (over the periods the model has rows in), or the conversions of a conversion metric.
import { dateAdd, dateTrunc } from '../adapters/mysql/mysql-date-trunc.js';
import { aggTimeDimension, grainIndex, LeafFrom, type ModelScope } from './leaf-from.js';
import type { Filter, Leaf } from './plan-metrics.js';
import { filterItems, originError, renderFilter, type GroupItem, type Origin } from './query-items.js';
import type { LinkedModel, SemanticLayer } from './semantic-layer.js';
import { spineJoinSql } from './spine-join.js';
import { spineColumn, spineFor } from './time-spines.js';
import type { SemanticMeasure, TimeGrain } from './types.js';

/** `7 days` → `interval 7 day`. */
export function intervalSql(window: string): string {
  const m = /^(\d+)\s+(\w+?)s?$/.exec(window.trim())!;
  return `interval ${m[1]} ${m[2]}`;
}

export function aggregate(measure: SemanticMeasure, col: string, origin: Origin): string {
  switch (measure.agg) {
    case 'sum':
      return `sum(${col})`;
    case 'count':
      return `count(${col})`;
    case 'count_distinct':
      return `count(distinct ${col})`;
    case 'avg':
      return `avg(${col})`;
    case 'min':
      return `min(${col})`;
    case 'max':
      return `max(${col})`;
    case 'sum_boolean':
      return `sum(case when ${col} then 1 else 0 end)`;
    default:
      throw originError(origin, `measure ${measure.name} (agg ${measure.agg}) can be a simple metric's measure only (not a cumulative's or a conversion's).`);
  }
}

export interface LeafContext {
  layer: SemanticLayer;
  items: GroupItem[];
  /** where the group-by items were written */
  groupOrigin: Origin;
  where: Filter[];
}

const groupList = (n: number): string => (n ? ` group by ${Array.from({ length: n }, (_, i) => i + 1).join(', ')}` : '');
const selectGroups = (groups: string[]): string[] => groups.map((g, i) => `${g} as g${i + 1}`);

function measureOf(layer: SemanticLayer, name: string): { measure: SemanticMeasure; model: LinkedModel } {
  return layer.measures.get(name)!;
}

function applyFilters(from: LeafFrom, filters: Filter[]): string[] {
  return filters.map((f) => renderFilter(f.sql, f.origin, (item) => from.resolve(item, f.origin)));
}

const whereSql = (conds: string[]): string => (conds.length ? `\nwhere ${conds.join('\n  and ')}` : '');

/**
 * Why leaves may share one scan: plain aggregates of one model's rows with the same time
 * dimension, filters and offset (the key), or undefined for a leaf that needs its own SELECT.
 */
export function shareKey(layer: SemanticLayer, leaf: Leaf): string | undefined {
  if (leaf.kind !== 'measure' || leaf.cumulative || leaf.offsetToGrain || leaf.spineJoin) return undefined;
  const { measure, model } = measureOf(layer, leaf.measure);
  if (measure.percentile !== undefined || measure.non_additive_dimension) return undefined;
  return JSON.stringify([model.name, measure.agg_time_dimension ?? model.agg_time_dimension ?? '', leaf.filters.map((f) => f.sql), leaf.offsetWindow ?? '']);
}

/** The SELECT of some leaves (several only when they share a key), each value in a column named by its alias. */
export function leafSql(ctx: LeafContext, leaves: Leaf[]): string {
  const leaf = leaves[0]!;
  const sql = rowsSql(ctx, leaves);
  // no spine in the project: the periods with rows (load warned of it)
  return leaf.spineJoin && ctx.layer.timeSpines.length ? spineJoinSql(ctx, leaf, sql, { what: `metric ${leaf.metric}` }) : sql;
}

function rowsSql(ctx: LeafContext, leaves: Leaf[]): string {
  const leaf = leaves[0]!;
  const origin: Origin = { what: `metric ${leaf.metric}` };
  if (leaf.kind === 'conversions') return conversionSql(ctx, leaf, origin);
  const { measure, model } = measureOf(ctx.layer, leaf.measure);
  const timeItems = ctx.items.filter((i) => i.kind === 'metric_time');
  const needsPoints = leaf.offsetToGrain !== undefined || (leaf.cumulative !== undefined && (timeItems.length > 0 || leaf.cumulative.window !== undefined || leaf.cumulative.grainToDate !== undefined));
  if ((leaf.offsetWindow || needsPoints) && !timeItems.length) {
    throw originError(origin, `${leaf.cumulative ? 'a cumulative metric with a window or grain_to_date' : 'a metric with an offset'} needs metric_time in the group by (e.g. --group-by metric_time__day).`);
  }
  if (measure.non_additive_dimension && (needsPoints || leaf.offsetWindow)) throw originError(origin, `measure ${measure.name} has a non_additive_dimension: a cumulative metric or an offset over it is not supported.`);
  if (needsPoints) return timePointSql(ctx, leaf, measure, model, origin);
  const from = new LeafFrom(ctx.layer, model, 'b', { measure, shift: leaf.offsetWindow ? intervalSql(leaf.offsetWindow) : undefined });
  const groups = ctx.items.map((i) => from.resolve(i, ctx.groupOrigin));
  const conds = [...applyFilters(from, ctx.where), ...applyFilters(from, leaf.filters)];
  if (measure.percentile !== undefined) return percentileSql(from, groups, conds, from.base.col('m', measure.name, measure.expr), measure, leaf.alias);
  if (measure.non_additive_dimension) return nonAdditiveSql(from, groups, conds, measure, leaf.alias, origin);
  const values = leaves.map((l) => {
    const m = measureOf(ctx.layer, l.measure).measure;
    return `${aggregate(m, from.base.col('m', m.name, m.expr), { what: `metric ${l.metric}` })} as ${l.alias}`;
  });
  return `select ${[...selectGroups(groups), ...values].join(', ')}\nfrom ${from.sql()}${whereSql(conds)}${groupList(groups.length)}`;
}

/**
 * A semi-additive measure: in each group (and each of its window_groupings entities), only the
 * rows at the group's first or last time of the non-additive dimension are aggregated.
 */
function nonAdditiveSql(from: LeafFrom, groups: string[], conds: string[], measure: SemanticMeasure, alias: string, origin: Origin): string {
  const nad = measure.non_additive_dimension!;
  const dim = from.model.dimensions.find((d) => d.name === nad.name)!;
  const time = dateTrunc(from.base.col('d', dim.name, dim.expr), dim.grain!);
  const partition = [...groups, ...nad.window_groupings.map((g) => from.resolve({ kind: 'entity', entity: g }, origin))];
  const pick = `${nad.window_choice}(${time}) over (${partition.length ? `partition by ${partition.join(', ')}` : ''})`;
  const value = from.base.col('m', measure.name, measure.expr);
  const inner = `select ${[...selectGroups(groups), `${value} as x`, `${time} as nt`, `${pick} as nt_pick`].join(', ')}\nfrom ${from.sql()}${whereSql(conds)}`;
  return `select ${[...groups.map((_g, i) => `g${i + 1}`), `${aggregate(measure, 'x', origin)} as ${alias}`].join(', ')}\nfrom (\n${inner}\n) p\nwhere nt = nt_pick${groupList(groups.length)}`;
}

/** Continuous: interpolated between the two nearest rows (PERCENTILE_CONT); discrete: the first row at or past it. */
function percentileSql(from: LeafFrom, groups: string[], conds: string[], value: string, measure: SemanticMeasure, alias: string): string {
  const p = measure.percentile!;
  const partition = groups.length ? `partition by ${groups.join(', ')} ` : '';
  const inner = `select ${[...selectGroups(groups), `${value} as x`, `row_number() over (${partition}order by ${value}) as rn`, `count(*) over (${partition.trim()}) as n`].join(', ')}\nfrom ${from.sql()}${whereSql([...conds, `${value} is not null`])}`;
  const outerGroups = groups.map((_g, i) => `g${i + 1}`);
  let v: string;
  if (measure.discrete) v = `max(case when rn = greatest(1, ceil(${p} * n)) then x end)`;
  else {
    const pos = `(1 + ${p} * (n - 1))`;
    const lo = `max(case when rn = floor(${pos}) then x end)`;
    const hi = `max(case when rn = ceil(${pos}) then x end)`;
    v = `${lo} + (max(${pos}) - floor(max(${pos}))) * (${hi} - ${lo})`;
  }
  return `select ${[...outerGroups, `${v} as ${alias}`].join(', ')}\nfrom (\n${inner}\n) p${groupList(groups.length)}`;
}

/**
 * A cumulative (or an offset to a grain): one row per period T of the query's finest
 * metric_time grain that has rows in its window. The periods are the time spine's, as in
 * MetricFlow (a period without rows of its own still gets its running value); a project
 * without a spine gets the periods the model has rows in.
 */
function timePointSql(ctx: LeafContext, leaf: Leaf, measure: SemanticMeasure, model: LinkedModel, origin: Origin): string {
  const grains = ctx.items.filter((i) => i.kind === 'metric_time').map((i) => (i as { grain: TimeGrain }).grain);
  const g = grains.reduce((a, b) => (grainIndex(b) < grainIndex(a) ? b : a));
  const dim = aggTimeDimension(model, measure, origin);
  // T's window is the rows with from(T) <= time < to(T) (no from: all time before)
  const end = (T: string): string => dateAdd(T, 1, g);
  let from: ((T: string) => string) | undefined;
  let to = end;
  if (leaf.offsetToGrain) {
    // the period of the query's grain that holds the start of T's offset_to_grain period
    const start = (T: string): string => dateTrunc(dateTrunc(T, leaf.offsetToGrain!), g);
    from = start;
    to = (T) => dateAdd(start(T), 1, g);
  } else if (leaf.cumulative!.window) from = (T) => `${end(T)} - ${intervalSql(leaf.cumulative!.window!)}`;
  else if (leaf.cumulative!.grainToDate) from = (T) => dateTrunc(T, leaf.cumulative!.grainToDate!);
  let points = `(select distinct ${dateTrunc(dim.expr, g)} as T from ${model.relation}) tp`;
  if (ctx.layer.timeSpines.length) {
    const spine = spineFor(ctx.layer.timeSpines, g, origin, leaf.cumulative ? 'a cumulative metric' : 'an offset to a grain');
    points = `(${spinePointsSql(ctx, leaf, measure, model, origin, `select ${dateTrunc(spineColumn(spine, 'sp'), g)} as T from ${spine.relation} sp`, from, to)}) tp`;
  }
  const rows = new LeafFrom(ctx.layer, model, 'b', { measure, timePoint: { expr: 'tp.T', grain: g } });
  const groups = ctx.items.map((i) => rows.resolve(i, ctx.groupOrigin));
  const conds = [...applyFilters(rows, ctx.where), ...applyFilters(rows, leaf.filters)];
  const t = rows.timeColumn(origin);
  const on = [...(from ? [`${t} >= ${from('tp.T')}`] : []), `${t} < ${to('tp.T')}`].join(' and ');
  const value = aggregate(measure, rows.base.col('m', measure.name, measure.expr), origin);
  return `select ${[...selectGroups(groups), `${value} as ${leaf.alias}`].join(', ')}\nfrom ${points}\n  join ${rows.base.sql()} on ${on}\n  ${rows.joinSql().join('\n  ')}${whereSql(conds)}${groupList(groups.length)}`;
}

/**
 * The spine's periods whose window can hold a row: those with to(T) past the first row's time
 * and from(T) at or before the last's, from one min/max of the measure's rows (filtered as the
 * metric is, but for filters on metric_time, which bound T itself). The others have no rows to
 * join, so the answer is the same, but without this every period of the spine (decades of days)
 * is joined to the rows. An all-time cumulative runs on to the spine's end, as in MetricFlow.
 */
function spinePointsSql(ctx: LeafContext, leaf: Leaf, measure: SemanticMeasure, model: LinkedModel, origin: Origin, periods: string, from: ((T: string) => string) | undefined, to: (T: string) => string): string {
  const rows = new LeafFrom(ctx.layer, model, 'r', { measure });
  const t = rows.timeColumn(origin);
  const filters = [...ctx.where, ...leaf.filters].filter((f) => !filterItems(f.sql, f.origin).some((i) => i.kind === 'metric_time'));
  const conds = applyFilters(rows, filters); // before rows.sql(): they add the columns they read
  const range = `select min(${t}) as lo, max(${t}) as hi\nfrom ${rows.sql()}${whereSql(conds)}`;
  const inRange = [`${to('ps.T')} > pr.lo`, ...(from ? [`${from('ps.T')} <= pr.hi`] : [])];
  return `select distinct ps.T\nfrom (${periods}) ps\n  join (\n${range}\n) pr on ${inRange.join(' and ')}`;
}

/** A property of a conversion's rows that must be equal on both sides: a dimension or entity of each model. */
function propertyCol(scope: ModelScope, name: string, origin: Origin): string {
  const d = scope.model.dimensions.find((x) => x.name === name);
  if (d) return scope.col('d', d.name, d.expr);
  const e = scope.model.entities.find((x) => x.name === name);
  if (e) return scope.col('e', e.name, e.expr);
  throw originError(origin, `constant property "${name}" is not a dimension or entity of semantic model ${scope.model.name}.`);
}

/**
 * Conversions: each conversion row joined to the base rows of the same entity before it
 * (within the window), kept once — with the latest such base row, whose time and
 * dimensions it is counted under.
 */
function conversionSql(ctx: LeafContext, leaf: Leaf, origin: Origin): string {
  const c = leaf.conversion!;
  const base = measureOf(ctx.layer, c.base_measure.name);
  const conv = measureOf(ctx.layer, c.conversion_measure.name);
  if (conv.measure.non_additive_dimension) throw originError(origin, `measure ${conv.measure.name} has a non_additive_dimension: a conversion metric over it is not supported.`);
  const b = new LeafFrom(ctx.layer, base.model, 'b', { measure: base.measure });
  const cv = new LeafFrom(ctx.layer, conv.model, 'c', { measure: conv.measure });
  const groups = ctx.items.map((i) => b.resolve(i, ctx.groupOrigin));
  const conds = [...applyFilters(b, ctx.where), ...applyFilters(b, leaf.filters), ...applyFilters(cv, c.conversionFilters)];
  const be = base.model.entities.find((e) => e.name === c.entity)!;
  const ce = conv.model.entities.find((e) => e.name === c.entity)!;
  const bt = b.timeColumn(origin);
  const ct = cv.timeColumn(origin);
  const on = [`${cv.base.col('e', ce.name, ce.expr)} = ${b.base.col('e', be.name, be.expr)}`, `${ct} >= ${bt}`];
  if (c.window) on.push(`${ct} <= ${bt} + ${intervalSql(c.window)}`);
  for (const p of c.constant_properties) on.push(`${propertyCol(b.base, p.base_property, origin)} = ${propertyCol(cv.base, p.conversion_property, origin)}`);
  const primary = conv.model.entities.find((e) => e.type === 'primary');
  if (!primary) throw originError(origin, `the conversion measure ${conv.measure.name}'s semantic model ${conv.model.name} needs a primary entity, to count each conversion row once.`);
  const rowId = cv.base.col('e', primary.name, primary.expr);
  const x = cv.base.col('m', conv.measure.name, conv.measure.expr);
  const value = aggregate(conv.measure, 'x', origin);
  const inner = `select ${[...selectGroups(groups), `${x} as x`, `row_number() over (partition by ${rowId} order by ${bt} desc) as rn`].join(', ')}\nfrom ${b.sql()}\n  join ${cv.base.sql()} on ${on.join(' and ')}\n  ${cv.joinSql().join('\n  ')}${whereSql(conds)}`;
  return `select ${[...groups.map((_g, i) => `g${i + 1}`), `${value} as ${leaf.alias}`].join(', ')}\nfrom (\n${inner}\n) p\nwhere rn = 1${groupList(groups.length)}`;
}
