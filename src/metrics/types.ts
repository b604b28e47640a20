// The semantic layer as read from dbt-format YAML (semantic_models:, metrics:, saved_queries:).
// Plain JSON (no Maps, no class instances): a schema file's parse is cached as JSON.
import type { ConversionCalculation } from './metricflow-keywords.js';

/** Where a YAML entry was declared. */
export interface Declared {
  file: string;
  line: number;
}

export type EntityType = 'primary' | 'unique' | 'foreign' | 'natural';

export interface SemanticEntity extends Declared {
  name: string;
  type: EntityType;
  /** SQL over the model's columns (default: the entity's name) */
  expr: string;
  description: string;
  role?: string;
}

export type TimeGrain = 'second' | 'minute' | 'hour' | 'day' | 'week' | 'month' | 'quarter' | 'year';

export interface SemanticDimension extends Declared {
  name: string;
  type: 'categorical' | 'time';
  expr: string;
  description: string;
  label?: string;
  /** time dimensions: the finest grain the column holds */
  grain?: TimeGrain;
  is_partition: boolean;
}

export type MeasureAgg = 'sum' | 'count' | 'count_distinct' | 'avg' | 'min' | 'max' | 'sum_boolean' | 'median' | 'percentile';

export interface SemanticMeasure extends Declared {
  name: string;
  agg: MeasureAgg;
  expr: string;
  description: string;
  label?: string;
  /** percentile: the fraction (0.9) and whether the value is one of the rows' (discrete) */
  percentile?: number;
  discrete?: boolean;
  /** the time dimension metric_time means for this measure (default: the model's) */
  agg_time_dimension?: string;
  create_metric: boolean;
  /** a semi-additive measure (a balance): only the rows at the first or last time of each group count */
  non_additive_dimension?: { name: string; window_choice: 'min' | 'max'; window_groupings: string[] };
  agg_params?: Record<string, unknown>;
}

export interface SemanticModel extends Declared {
  name: string;
  /** the ref'd model or seed's name */
  model: string;
  /** as written (`ref('x')`) */
  model_ref: string;
  description: string;
  label?: string;
  agg_time_dimension?: string;
  primary_entity?: string;
  entities: SemanticEntity[];
  dimensions: SemanticDimension[];
  measures: SemanticMeasure[];
  meta: Record<string, unknown>;
}

/** A measure or metric used by another, with its own filters and alias. */
export interface InputRef {
  name: string;
  filter: string[];
  alias?: string;
  /** derived metrics' inputs */
  offset_window?: string;
  offset_to_grain?: TimeGrain;
  /** simple metrics' measure */
  fill_nulls_with?: number;
  join_to_timespine?: boolean;
}

export type MetricType = 'simple' | 'ratio' | 'derived' | 'cumulative' | 'conversion';

export interface ConversionParams {
  base_measure: InputRef;
  conversion_measure: InputRef;
  entity: string;
  calculation: ConversionCalculation;
  window?: string;
  constant_properties: Array<{ base_property: string; conversion_property: string }>;
}

export interface Metric extends Declared {
  name: string;
  type: MetricType;
  description: string;
  label?: string;
  filter: string[];
  meta: Record<string, unknown>;
  tags: string[];
  /** simple and cumulative */
  measure?: InputRef;
  /** ratio */
  numerator?: InputRef;
  denominator?: InputRef;
  /** derived */
  expr?: string;
  metrics?: InputRef[];
  /** cumulative: a trailing window (`7 days`) or a grain to date (`month`); neither: all time */
  window?: string;
  grain_to_date?: TimeGrain;
  /** conversion */
  conversion?: ConversionParams;
  /** created by a measure's `create_metric: true` */
  from_measure?: boolean;
}

export interface SavedQuery extends Declared {
  name: string;
  description: string;
  label?: string;
  metrics: string[];
  group_by: string[];
  where: string[];
  order_by: string[];
  limit?: number;
  exports: Array<{ name: string; export_as?: string; schema?: string; alias?: string }>;
  meta: Record<string, unknown>;
}

/** What one schema file declares of the semantic layer. */
export interface SemanticDeclarations {
  semantic_models: SemanticModel[];
  metrics: Metric[];
  saved_queries: SavedQuery[];
}

export const emptyDeclarations = (): SemanticDeclarations => ({ semantic_models: [], metrics: [], saved_queries: [] });

/** Grains from the finest up. */
export const GRAINS: TimeGrain[] = ['second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year'];
