// Metrics → the aggregates they are made of ("leaves") and an expression over those per
// metric: a simple metric is one aggregate, a ratio two, a derived metric its inputs' with
// their offsets, a conversion metric its conversions and its base.
import { substituteNames } from './derived-expr.js';
import { originError, type Origin } from './query-items.js';
import type { SemanticLayer } from './semantic-layer.js';
import type { ConversionParams, InputRef, Metric, TimeGrain } from './types.js';

/** A filter template with where it was written. */
export interface Filter {
  sql: string;
  origin: Origin;
}

export interface Leaf {
  alias: string;
  kind: 'measure' | 'conversions';
  /** the measure aggregated (conversions: the conversion measure) */
  measure: string;
  /** metric, input and measure filters (conversions: on the base rows) */
  filters: Filter[];
  offsetWindow?: string;
  offsetToGrain?: TimeGrain;
  /** set for a cumulative: its window or grain to date (neither: all time) */
  cumulative?: { window?: string; grainToDate?: TimeGrain };
  conversion?: ConversionParams & { conversionFilters: Filter[] };
  /** join_to_timespine: the query's metric_time periods come from the time spine (left join) */
  spineJoin?: boolean;
  /** the metric that asked for it, for messages */
  metric: string;
}

interface Inherited {
  filters: Filter[];
  /** the metric the query asked for (messages name it) */
  top?: string;
  offsetWindow?: string;
  offsetToGrain?: TimeGrain;
}

export class MetricPlanner {
  readonly leaves: Leaf[] = [];
  private readonly byKey = new Map<string, Leaf>();

  constructor(private readonly layer: SemanticLayer) {}

  private leaf(spec: Omit<Leaf, 'alias'>): string {
    const { metric: _m, ...identity } = spec;
    const key = JSON.stringify(identity, (_k, v: unknown) => (v && typeof v === 'object' && 'origin' in (v as object) ? (v as Filter).sql : v));
    let leaf = this.byKey.get(key);
    if (!leaf) {
      leaf = { ...spec, alias: `l${this.leaves.length + 1}` };
      this.leaves.push(leaf);
      this.byKey.set(key, leaf);
    }
    return `u.${leaf.alias}`;
  }

  private filtersOf(m: Metric, input?: InputRef, role?: string): Filter[] {
    const own = m.filter.map((sql) => ({ sql, origin: { what: `metric ${m.name}'s filter`, file: m.file, line: m.line } }));
    const inp = (input?.filter ?? []).map((sql) => ({ sql, origin: { what: `the filter of ${m.name}'s ${role ?? 'input'} ${input!.name}`, file: m.file, line: m.line } }));
    return [...own, ...inp];
  }

  /** SQL expression of a metric over the leaves' columns (`u.l1`). */
  compile(name: string, inherited: Inherited = { filters: [] }): string {
    const m = this.layer.metrics.get(name)!;
    const origin: Origin = { what: `metric ${m.name}`, file: m.file, line: m.line };
    const top = inherited.top ?? m.name;
    inherited = { ...inherited, top };
    switch (m.type) {
      case 'simple': {
        const x = this.leaf({ kind: 'measure', measure: m.measure!.name, filters: [...inherited.filters, ...this.filtersOf(m, m.measure, 'measure')], offsetWindow: inherited.offsetWindow, offsetToGrain: inherited.offsetToGrain, spineJoin: m.measure!.join_to_timespine, metric: top });
        return m.measure!.fill_nulls_with === undefined ? x : `coalesce(${x}, ${m.measure!.fill_nulls_with})`;
      }
      case 'cumulative': {
        if (inherited.offsetWindow || inherited.offsetToGrain) throw originError(origin, 'a cumulative metric under an offset (offset_window / offset_to_grain of a derived metric) is not supported.');
        const x = this.leaf({ kind: 'measure', measure: m.measure!.name, filters: [...inherited.filters, ...this.filtersOf(m, m.measure, 'measure')], cumulative: { window: m.window, grainToDate: m.grain_to_date }, spineJoin: m.measure!.join_to_timespine, metric: top });
        return m.measure!.fill_nulls_with === undefined ? x : `coalesce(${x}, ${m.measure!.fill_nulls_with})`;
      }
      case 'ratio': {
        const num = this.compile(m.numerator!.name, { ...inherited, filters: [...inherited.filters, ...this.filtersOf(m, m.numerator, 'numerator')] });
        const den = this.compile(m.denominator!.name, { ...inherited, filters: [...inherited.filters, ...this.filtersOf(m, m.denominator, 'denominator')] });
        // as doubles: integer counts divided in DECIMAL keep only div_precision_increment places
        return `(${num}) * 1e0 / nullif(${den}, 0)`;
      }
      case 'derived': {
        const values = new Map<string, string>();
        for (const input of m.metrics!) {
          if ((input.offset_window || input.offset_to_grain) && (inherited.offsetWindow || inherited.offsetToGrain)) throw originError(origin, `input ${input.name} has an offset inside another offset; nest one offset at most.`);
          const sql = this.compile(input.name, {
            filters: [...inherited.filters, ...this.filtersOf(m, input)],
            top,
            offsetWindow: input.offset_window ?? inherited.offsetWindow,
            offsetToGrain: input.offset_to_grain ?? inherited.offsetToGrain,
          });
          values.set(input.alias ?? input.name, sql);
        }
        return `(${substituteNames(m.expr!, values, origin)})`;
      }
      case 'conversion': {
        const c = m.conversion!;
        if (inherited.offsetWindow || inherited.offsetToGrain) throw originError(origin, 'a conversion metric under an offset is not supported.');
        const baseFilters = [...inherited.filters, ...this.filtersOf(m, c.base_measure, 'base_measure')];
        const conversions = this.leaf({
          kind: 'conversions',
          measure: c.conversion_measure.name,
          filters: baseFilters,
          conversion: { ...c, conversionFilters: this.filtersOf({ ...m, filter: [] }, c.conversion_measure, 'conversion_measure') },
          metric: top,
        });
        // a period with base rows and none converted has 0 conversions, not none
        if (c.calculation === 'conversions') return `coalesce(${conversions}, 0)`;
        const base = this.leaf({ kind: 'measure', measure: c.base_measure.name, filters: baseFilters, metric: top });
        return `coalesce(${conversions}, 0) * 1e0 / nullif(${base}, 0)`;
      }
    }
  }
}
