// join_to_timespine: an aggregate's rows left-joined to the time spine's periods at the query's
// metric_time grains, so a period without rows is there with NULL (fill_nulls_with turns it into
// a number). As MetricFlow does: only when the query groups by metric_time; the spine is bounded by
// the filters on metric_time alone (no such filter: the whole spine), and the filters whose items
// are all grouped by are applied again after the join (a new period has NULL in those columns).
import { dateTrunc } from '../adapters/mysql/mysql-date-trunc.js';
import { aggTimeDimension, grainIndex } from './leaf-from.js';
import type { Filter, Leaf } from './plan-metrics.js';
import { filterItems, itemName, originError, renderFilter, type GroupItem, type Origin } from './query-items.js';
import type { SemanticLayer } from './semantic-layer.js';
import { customGrain, spineColumn, spineFor } from './time-spines.js';
import type { TimeGrain } from './types.js';

export interface SpineJoinContext {
  layer: SemanticLayer;
  items: GroupItem[];
  where: Filter[];
}

/** `inner` (columns g1…gk and the leaf's alias) with the spine's periods it lacks added. */
export function spineJoinSql(ctx: SpineJoinContext, leaf: Leaf, inner: string, origin: Origin): string {
  const timeAt = ctx.items.map((i, k) => (i.kind === 'metric_time' ? k : -1)).filter((k) => k >= 0);
  // without metric_time every row is one period: nothing to fill
  if (!timeAt.length) return inner;
  const { measure, model } = ctx.layer.measures.get(leaf.measure)!;
  const own = aggTimeDimension(model, measure, origin).grain!;
  const grainOf = (i: GroupItem): TimeGrain => (i.kind === 'metric_time' && i.grain) || own;
  const finest = timeAt.map((k) => grainOf(ctx.items[k]!)).reduce((a, b) => (grainIndex(b) < grainIndex(a) ? b : a));
  // a custom granularity is a column of its own spine: that spine gives the periods
  const custom = timeAt.map((k) => ctx.items[k]!).find((i) => i.kind === 'metric_time' && i.custom);
  const spine = custom?.kind === 'metric_time' ? customGrain(ctx.layer.timeSpines, custom.custom!, origin).spine : spineFor(ctx.layer.timeSpines, finest, origin, `metric ${leaf.metric} (join_to_timespine)`);
  if (grainIndex(spine.grain) > grainIndex(finest)) throw originError(origin, `metric ${leaf.metric} (join_to_timespine): group by ${spine.model}'s custom granularity with metric_time at ${spine.grain} or coarser only.`);
  const col = spineColumn(spine, 'sp');
  const timeOf = (i: GroupItem): string => {
    if (i.kind !== 'metric_time' || !i.custom) return dateTrunc(col, grainOf(i));
    const c = customGrain(ctx.layer.timeSpines, i.custom, origin);
    if (c.spine !== spine) throw originError(origin, `metric ${leaf.metric} (join_to_timespine): metric_time__${i.custom} is a column of time spine ${c.spine.model}, and this query's periods come from ${spine.model}; use one spine's granularities.`);
    return spineColumn({ ...spine, column: c.column }, 'sp');
  };
  // metric_time without a grain (in a filter) is at the measure's own grain
  const nameOf = (i: GroupItem): string => itemName(i.kind === 'metric_time' ? { ...i, grain: grainOf(i) } : i);
  const names = ctx.items.map(nameOf);
  const outCol = (k: number): string => `${timeAt.includes(k) ? 'ts' : 's'}.g${k + 1}`;
  const spineConds: string[] = [];
  const after: string[] = [];
  for (const f of [...ctx.where, ...leaf.filters]) {
    const items = filterItems(f.sql, f.origin);
    if (!items.length) continue;
    if (items.every((i) => i.kind === 'metric_time')) spineConds.push(renderFilter(f.sql, f.origin, timeOf));
    else if (items.every((i) => names.includes(nameOf(i)))) after.push(renderFilter(f.sql, f.origin, (i) => outCol(names.indexOf(nameOf(i)))));
  }
  const where = (conds: string[]): string => (conds.length ? `\nwhere ${conds.join('\n  and ')}` : '');
  const points = `select distinct ${timeAt.map((k) => `${timeOf(ctx.items[k]!)} as g${k + 1}`).join(', ')}\nfrom ${spine.relation} sp${where(spineConds)}`;
  const select = [...ctx.items.map((_i, k) => `${outCol(k)} as g${k + 1}`), `s.${leaf.alias}`];
  const on = timeAt.map((k) => `s.g${k + 1} = ts.g${k + 1}`).join(' and ');
  return `select ${select.join(', ')}\nfrom (\n${points}\n) ts\n  left join (\n${inner}\n) s on ${on}${where(after)}`;
}
