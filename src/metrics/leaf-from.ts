// The FROM clause of one aggregate of a metrics query: a semantic model's rows, read through
// a subquery that names each expression it needs (dimension, entity and measure `expr`s are
// SQL over the model's own columns), plus the models joined one entity away.
import { dateTrunc } from '../adapters/mysql/mysql-date-trunc.js';
import { didYouMean } from '../util/suggest.js';
import { findDimension, findDimensionTwoAway, linkableNames, type DimensionHome } from './linkable.js';
import { itemName, originError, type GroupItem, type Origin } from './query-items.js';
import type { LinkedModel, SemanticLayer } from './semantic-layer.js';
import { customGrain } from './time-spines.js';
import { GRAINS, type SemanticDimension, type SemanticMeasure, type TimeGrain } from './types.js';

const q = (name: string): string => `\`${name.replace(/`/g, '``')}\``;

/** One semantic model as a derived table: `(select <expr> as d_x, … from schema.table) alias`. */
export class ModelScope {
  private readonly columns = new Map<string, string>();

  constructor(
    readonly model: LinkedModel,
    readonly alias: string,
  ) {}

  /** `alias`.`kind_name`, the model's `expr` projected under that name. */
  col(kind: 'd' | 'e' | 'm' | 't', name: string, expr: string): string {
    const key = `${kind}_${name}`;
    this.columns.set(key, expr);
    return `${this.alias}.${q(key)}`;
  }

  sql(): string {
    const cols = [...this.columns].map(([k, e]) => `${e} as ${q(k)}`);
    return `(select ${cols.length ? cols.join(', ') : '1 as _one'} from ${this.model.relation}) ${this.alias}`;
  }
}

export const grainIndex = (g: TimeGrain): number => GRAINS.indexOf(g);

/** The time dimension metric_time means for a measure: its own agg_time_dimension or its model's. */
export function aggTimeDimension(model: LinkedModel, measure: SemanticMeasure, origin: Origin): SemanticDimension {
  const name = measure.agg_time_dimension ?? model.agg_time_dimension;
  if (!name) throw originError(origin, `measure ${measure.name} (semantic model ${model.name}, ${model.file}:${model.line}) has no time dimension for metric_time: set \`defaults: {agg_time_dimension: <time dimension>}\` on the model or agg_time_dimension on the measure.`);
  return model.dimensions.find((d) => d.name === name)!;
}

export interface LeafFromOptions {
  /** the measure whose agg_time_dimension metric_time means */
  measure: SemanticMeasure;
  /** SQL added to the time before it is truncated (derived metrics' offset_window) */
  shift?: string;
  /** metric_time as a given SQL expression (a time point of a cumulative), truncated to the asked grain */
  timePoint?: { expr: string; grain: TimeGrain };
}

export class LeafFrom {
  readonly base: ModelScope;
  private readonly joins = new Map<string, { scope: ModelScope; on: string }>();
  /** spines joined for their custom granularity columns, by what they are joined on */
  private readonly customJoins = new Map<string, { alias: string; sql: string }>();

  constructor(
    private readonly layer: SemanticLayer,
    model: LinkedModel,
    private readonly alias: string,
    private readonly opts: LeafFromOptions,
  ) {
    this.base = new ModelScope(model, alias);
  }

  get model(): LinkedModel {
    return this.base.model;
  }

  /** The raw (untruncated) agg time column of the measure. */
  timeColumn(origin: Origin): string {
    const dim = aggTimeDimension(this.model, this.opts.measure, origin);
    return this.base.col('t', dim.name, dim.expr);
  }

  /** SQL of a group-by or filter item on these rows; joins the model it needs. */
  resolve(item: GroupItem, origin: Origin): string {
    if (item.kind === 'metric_time' && item.custom) return this.customTime(item.custom, origin);
    if (item.kind === 'metric_time') {
      const dim = aggTimeDimension(this.model, this.opts.measure, origin);
      const grain = item.grain ?? dim.grain!;
      this.checkGrain(grain, dim, this.model.name, origin, 'metric_time');
      if (this.opts.timePoint) return grain === this.opts.timePoint.grain ? this.opts.timePoint.expr : dateTrunc(this.opts.timePoint.expr, grain);
      const col = this.base.col('t', dim.name, dim.expr);
      return dateTrunc(this.opts.shift ? `(${col} + ${this.opts.shift})` : col, grain);
    }
    if (item.kind === 'entity') {
      const e = this.model.entities.find((x) => x.name === item.entity);
      if (!e) throw this.unknown(item, origin);
      return this.base.col('e', e.name, e.expr);
    }
    let scope = this.base;
    let home: DimensionHome | undefined;
    if (item.via) {
      const two = findDimensionTwoAway(this.layer, this.model, item.via, item.entity, item.dim);
      if (!two) throw this.unknown(item, origin);
      scope = this.join(this.join(this.base, two.first), two.second);
      home = two.second;
    } else {
      home = findDimension(this.layer, this.model, item.entity, item.dim);
      if (!home) throw this.unknown(item, origin);
      if (home.via) scope = this.join(this.base, home);
    }
    const d = home.dimension;
    const col = scope.col('d', d.name, d.expr);
    if (d.type === 'categorical') {
      if (item.grain) throw originError(origin, `${itemName(item)}: ${item.entity}__${item.dim} is a categorical dimension; it has no grain.`);
      return col;
    }
    const grain = item.grain ?? d.grain!;
    this.checkGrain(grain, d, home.model.name, origin, `${item.entity}__${item.dim}`);
    return dateTrunc(col, grain);
  }

  /**
   * metric_time at a spine's custom granularity: the spine's column for the period of the
   * spine's grain holding the row's time (a left join on the spine, one row per period).
   */
  private customTime(name: string, origin: Origin): string {
    const { spine, column } = customGrain(this.layer.timeSpines, name, origin);
    if (this.opts.timePoint) throw originError(origin, `metric_time__${name}: a cumulative metric or an offset to a grain by a custom granularity is not supported yet; group by a standard grain.`);
    const dim = aggTimeDimension(this.model, this.opts.measure, origin);
    this.checkGrain(spine.grain, dim, this.model.name, origin, `metric_time__${name}`);
    const col = this.base.col('t', dim.name, dim.expr);
    const at = dateTrunc(this.opts.shift ? `(${col} + ${this.opts.shift})` : col, spine.grain);
    const key = `${spine.model}:${column}:${at}`;
    let join = this.customJoins.get(key);
    if (!join) {
      const alias = `${this.alias}s${this.customJoins.size + 1}`;
      const periods = `select ${dateTrunc(q(spine.column), spine.grain)} as k, max(${q(column)}) as v from ${spine.relation} group by 1`;
      join = { alias, sql: `left join (${periods}) ${alias} on ${alias}.k = ${at}` };
      this.customJoins.set(key, join);
    }
    return `${join.alias}.v`;
  }

  /** The model `home` names, joined to `from` on its entity (each join once). */
  private join(from: ModelScope, home: DimensionHome): ModelScope {
    const key = `${from.alias}:${home.via!.from.name}:${home.model.name}`;
    let join = this.joins.get(key);
    if (!join) {
      const s = new ModelScope(home.model, `${this.alias}j${this.joins.size + 1}`);
      join = { scope: s, on: `${s.col('e', home.via!.to.name, home.via!.to.expr)} = ${from.col('e', home.via!.from.name, home.via!.from.expr)}` };
      this.joins.set(key, join);
    }
    return join.scope;
  }

  private checkGrain(grain: TimeGrain, dim: SemanticDimension, model: string, origin: Origin, what: string): void {
    if (grainIndex(grain) < grainIndex(dim.grain!)) {
      throw originError(origin, `${what} by ${grain}: ${model}.${dim.name} holds ${dim.grain}s (time_granularity: ${dim.grain}); ask for ${GRAINS.slice(grainIndex(dim.grain!)).join(', ')}.`);
    }
  }

  private unknown(item: GroupItem, origin: Origin): Error {
    const names = linkableNames(this.layer, this.model);
    const name = itemName(item);
    const hint = didYouMean(name, names) || ` Available: ${names.sort().join(', ')}.`;
    return originError(origin, `"${name}" is not a dimension or entity reachable from semantic model ${this.model.name} (the rows of measure ${this.opts.measure.name}).${hint}`);
  }

  /** `<base> left join <model> on …`, each joined model once. */
  sql(): string {
    return [this.base.sql(), ...this.joinSql()].join('\n  ');
  }

  /** Only the joins (for a FROM that starts elsewhere). */
  joinSql(): string[] {
    return [...[...this.joins.values()].map((j) => `left join ${j.scope.sql()} on ${j.on}`), ...[...this.customJoins.values()].map((j) => j.sql)];
  }
}
