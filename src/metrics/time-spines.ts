// The project's time spines: models with one row per period that MetricFlow joins so that a
// period without rows still has a place in a metrics query (cumulative metrics, offsets,
// join_to_timespine). Declared with `time_spine:` (dbt 1.9+), or the legacy model named
// metricflow_time_spine with a date_day column. A query uses the coarsest spine at or below its grain.
import type { Node } from '../project/types.js';
import { FtError } from '../util/errors.js';
import { didYouMean } from '../util/suggest.js';
import { originError, type Origin } from './query-items.js';
import { GRAINS, type Metric, type TimeGrain } from './types.js';

/** dbt's fallback spine when no daily one is declared (dbt < 1.9 projects) */
export const LEGACY_SPINE_MODEL = 'metricflow_time_spine';
const LEGACY_SPINE_COLUMN = 'date_day';

export interface TimeSpine {
  /** the model's name and node */
  model: string;
  node_id: string;
  /** `schema`.`table` */
  relation: string;
  /** the standard granularity column and the grain of its periods */
  column: string;
  grain: TimeGrain;
  custom: Array<{ name: string; column: string }>;
  legacy: boolean;
  file: string;
  line: number;
}

const q = (name: string): string => `\`${name.replace(/`/g, '``')}\``;
const grainIndex = (g: TimeGrain): number => GRAINS.indexOf(g);

/** The spines of the project's models, finest first (one per grain: a second is reported). */
export function linkTimeSpines(nodes: Map<string, Node>, warn: (m: string) => void): TimeSpine[] {
  const spines: TimeSpine[] = [];
  let legacy: Node | undefined;
  for (const n of nodes.values()) {
    if (n.resource_type !== 'model') continue;
    const at = n.declared_at ?? { file: n.original_file_path, line: 1 };
    if (!n.time_spine) {
      if (n.name === LEGACY_SPINE_MODEL) legacy = n;
      continue;
    }
    if (!n.relation_name) throw new FtError(`model ${n.name} is a time spine but ephemeral (no table or view to join); materialize it as a table or view.`, 2, at.file, at.line);
    const column = n.time_spine.standard_granularity_column;
    spines.push({
      model: n.name,
      node_id: n.unique_id,
      relation: n.relation_name,
      column,
      grain: n.columns[column]!.granularity as TimeGrain,
      custom: n.time_spine.custom_granularities.map((c) => ({ name: c.name, column: c.column_name ?? c.name })),
      legacy: false,
      ...at,
    });
  }
  // dbt reads the legacy model only when no declared spine is daily
  if (legacy?.relation_name && !spines.some((s) => s.grain === 'day')) {
    const at = legacy.declared_at ?? { file: legacy.original_file_path, line: 1 };
    const cols = Object.keys(legacy.columns);
    if (cols.length && !cols.includes(LEGACY_SPINE_COLUMN)) {
      throw new FtError(`model ${LEGACY_SPINE_MODEL} is read as the time spine (dbt's legacy name) and needs a ${LEGACY_SPINE_COLUMN} column (one row per day); its columns: ${cols.join(', ')}. Or declare \`time_spine: {standard_granularity_column: <column>}\` on it.`, 2, at.file, at.line);
    }
    spines.push({ model: legacy.name, node_id: legacy.unique_id, relation: legacy.relation_name, column: LEGACY_SPINE_COLUMN, grain: 'day', custom: [], legacy: true, ...at });
  }
  spines.sort((a, b) => grainIndex(a.grain) - grainIndex(b.grain));
  const kept: TimeSpine[] = [];
  for (const s of spines) {
    const first = kept.find((k) => k.grain === s.grain);
    if (first) warn(`${s.file}:${s.line}: model ${s.model} is a second time spine at grain ${s.grain} (also ${first.model}, ${first.file}:${first.line}); MetricFlow takes one per grain: ${first.model} is used.`);
    else kept.push(s);
  }
  return kept;
}

/** The spine a query at `grain` joins: the coarsest whose periods are no longer than `grain`. */
export function spineFor(spines: TimeSpine[], grain: TimeGrain, origin: Origin, why: string): TimeSpine {
  const fit = spines.filter((s) => grainIndex(s.grain) <= grainIndex(grain));
  if (!fit.length) {
    throw originError(origin, `${why} joins the time spine, but the finest one (${spines[0]!.model}) holds ${spines[0]!.grain}s and the query asks for ${grain}s; group by metric_time__${spines[0]!.grain} or coarser, or declare a time spine at ${grain} grain.`);
  }
  return fit[fit.length - 1]!;
}

/** `alias`.`column` of a spine. */
export const spineColumn = (spine: TimeSpine, alias: string): string => `${alias}.${q(spine.column)}`;

/** Whether a metric's query joins the time spine: a cumulative, an offset to a grain, or a measure with join_to_timespine (through its inputs). */
export function usesTimeSpine(metrics: Map<string, Metric>, name: string, seen = new Set<string>()): boolean {
  const m = metrics.get(name);
  if (!m || seen.has(name)) return false;
  seen.add(name);
  if (m.type === 'cumulative' || m.measure?.join_to_timespine) return true;
  // an offset to a grain is computed over the spine's periods (an offset window shifts the rows themselves)
  if ((m.metrics ?? []).some((i) => i.offset_to_grain)) return true;
  return [m.numerator, m.denominator, ...(m.metrics ?? [])].some((i) => i && usesTimeSpine(metrics, i.name, seen));
}

/** The spine holding custom granularity `name` (metric_time__fiscal_quarter) and its column. */
export function customGrain(spines: TimeSpine[], name: string, origin: Origin): { spine: TimeSpine; column: string } {
  for (const spine of spines) {
    const c = spine.custom.find((x) => x.name === name);
    if (c) return { spine, column: c.column };
  }
  const customs = spines.flatMap((s) => s.custom.map((c) => c.name));
  throw originError(
    origin,
    `"${name}" is not a time grain; use one of ${GRAINS.join(', ')}, or a custom granularity of a time spine (${customs.length ? customs.join(', ') : 'the project declares none'}).${didYouMean(name, [...GRAINS, ...customs])}`,
  );
}

/**
 * `parse()` of a group-by item or filter; when it fails on a spine's custom granularity used
 * on a dimension (order__ordered_at__fiscal_quarter), the message says ft reads it on metric_time only.
 */
export function withCustomGrainHint<T>(spines: TimeSpine[], text: string, origin: Origin, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    for (const s of spines) {
      for (const c of s.custom) {
        if (new RegExp(`(__|['"])${c.name}\\b`, 'i').test(text)) {
          throw originError(origin, `"${c.name}" is a custom granularity of time spine ${s.model} (${s.file}:${s.line}); ft groups and filters by it on metric_time only (metric_time__${c.name}), not on another time dimension yet.`);
        }
      }
    }
    throw e;
  }
}
