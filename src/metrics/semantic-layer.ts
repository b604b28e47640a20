// The project's semantic layer: every file's declarations linked to each other and to the
// models they read. A name that does not resolve is an error at load, as in dbt's parse,
// naming the file and line of the reference and the nearest declared name.
import type { Node } from '../project/types.js';
import { FtError } from '../util/errors.js';
import { didYouMean } from '../util/suggest.js';
import { substituteNames } from './derived-expr.js';
import { linkTimeSpines, type TimeSpine } from './time-spines.js';
import type { Metric, SavedQuery, SemanticDeclarations, SemanticMeasure, SemanticModel } from './types.js';

export interface LinkedModel extends SemanticModel {
  unique_id: string;
  /** the model's (or seed's) node */
  node_id: string;
  /** `schema`.`table` the rows are read from */
  relation: string;
}

export interface SemanticLayer {
  models: Map<string, LinkedModel>;
  /** every measure by name, with its model (measure names are unique across the project) */
  measures: Map<string, { measure: SemanticMeasure; model: LinkedModel }>;
  metrics: Map<string, Metric>;
  savedQueries: Map<string, SavedQuery>;
  /** the models declared as time spines, finest first (none: cumulative metrics read the periods with rows) */
  timeSpines: TimeSpine[];
  packageName: string;
}

export const semanticModelId = (pkg: string, name: string): string => `semantic_model.${pkg}.${name}`;
export const metricId = (pkg: string, name: string): string => `metric.${pkg}.${name}`;
export const savedQueryId = (pkg: string, name: string): string => `saved_query.${pkg}.${name}`;

/** Links the declarations of every schema file; `nodes` are the project's (models and seeds are what a semantic model reads). */
export function linkSemanticLayer(decls: SemanticDeclarations[], nodes: Map<string, Node>, packageName: string, warn: (m: string) => void = () => {}): SemanticLayer | undefined {
  if (!decls.some((d) => d.semantic_models.length || d.metrics.length || d.saved_queries.length)) return undefined;
  const layer: SemanticLayer = { models: new Map(), measures: new Map(), metrics: new Map(), savedQueries: new Map(), timeSpines: linkTimeSpines(nodes, warn), packageName };
  const readable = new Map<string, Node>();
  for (const n of nodes.values()) if ((n.resource_type === 'model' || n.resource_type === 'seed' || (n.resource_type as string) === 'snapshot') && !readable.has(n.name)) readable.set(n.name, n);
  const twice = (what: string, name: string, first: { file: string; line: number }, again: { file: string; line: number }): never => {
    throw new FtError(`${what} "${name}" is declared twice (also at ${first.file}:${first.line}); names must be unique in a project.`, 2, again.file, again.line);
  };
  for (const m of decls.flatMap((d) => d.semantic_models)) {
    const before = layer.models.get(m.name);
    if (before) twice('semantic model', m.name, before, m);
    const node = readable.get(m.model);
    if (!node) throw new FtError(`semantic model ${m.name} reads ${m.model_ref}, but there is no model or seed "${m.model}".${didYouMean(m.model, readable.keys())}`, 2, m.file, m.line);
    if (!node.relation_name) throw new FtError(`semantic model ${m.name} reads ${m.model}, which is ephemeral (no table or view to query); materialize it as a view or table.`, 2, m.file, m.line);
    const linked: LinkedModel = { ...m, unique_id: semanticModelId(packageName, m.name), node_id: node.unique_id, relation: node.relation_name };
    layer.models.set(m.name, linked);
    const timeDims = m.dimensions.filter((d) => d.type === 'time').map((d) => d.name);
    const checkTime = (name: string | undefined, at: { file: string; line: number }, whose: string): void => {
      if (name !== undefined && !timeDims.includes(name)) {
        throw new FtError(`${whose} agg_time_dimension "${name}" is not a time dimension of semantic model ${m.name}.${didYouMean(name, timeDims)}${timeDims.length ? '' : ' Declare one under dimensions: with type: time.'}`, 2, at.file, at.line);
      }
    };
    checkTime(m.agg_time_dimension, m, `semantic model ${m.name}:`);
    const primaries = m.entities.filter((e) => e.type === 'primary');
    if (primaries.length > 1) throw new FtError(`semantic model ${m.name} has ${primaries.length} primary entities (${primaries.map((e) => e.name).join(', ')}); a model has at most one.`, 2, primaries[1]!.file, primaries[1]!.line);
    for (const measure of m.measures) {
      const seen = layer.measures.get(measure.name);
      if (seen) twice('measure', measure.name, seen.measure, measure);
      checkTime(measure.agg_time_dimension, measure, `measure ${measure.name}:`);
      const nad = measure.non_additive_dimension;
      if (nad) {
        if (!timeDims.includes(nad.name)) throw new FtError(`measure ${measure.name}: non_additive_dimension "${nad.name}" is not a time dimension of semantic model ${m.name}.${didYouMean(nad.name, timeDims)}`, 2, measure.file, measure.line);
        const entities = m.entities.map((e) => e.name);
        for (const g of nad.window_groupings) if (!entities.includes(g)) throw new FtError(`measure ${measure.name}: window_groupings entry "${g}" is not an entity of semantic model ${m.name}.${didYouMean(g, entities)}`, 2, measure.file, measure.line);
      }
      layer.measures.set(measure.name, { measure, model: linked });
    }
  }
  // a measure's `create_metric: true` is a simple metric of the same name
  for (const { measure } of layer.measures.values()) {
    if (measure.create_metric) layer.metrics.set(measure.name, { name: measure.name, type: 'simple', description: measure.description, label: measure.label, filter: [], meta: {}, tags: [], measure: { name: measure.name, filter: [] }, from_measure: true, file: measure.file, line: measure.line });
  }
  for (const metric of decls.flatMap((d) => d.metrics)) {
    const before = layer.metrics.get(metric.name);
    if (before) twice('metric', metric.name, before, metric);
    layer.metrics.set(metric.name, metric);
  }
  const measureNames = [...layer.measures.keys()];
  const metricNames = [...layer.metrics.keys()];
  const needMeasure = (name: string, metric: Metric, role: string): void => {
    if (!layer.measures.has(name)) throw new FtError(`metric ${metric.name}: ${role} "${name}" is not a measure of any semantic model.${didYouMean(name, measureNames)}`, 2, metric.file, metric.line);
  };
  const needMetric = (name: string, metric: Metric, role: string): void => {
    if (!layer.metrics.has(name)) throw new FtError(`metric ${metric.name}: ${role} "${name}" is not a metric.${didYouMean(name, metricNames)}`, 2, metric.file, metric.line);
  };
  for (const metric of layer.metrics.values()) {
    if (metric.measure) needMeasure(metric.measure.name, metric, 'measure');
    if (metric.measure?.join_to_timespine && !layer.timeSpines.length) {
      warn(`${metric.file}:${metric.line}: metric ${metric.name}: join_to_timespine, but the project declares no time spine (a model with \`time_spine:\`, or one named metricflow_time_spine): periods without rows are left out, not filled.`);
    }
    if (metric.numerator) needMetric(metric.numerator.name, metric, 'numerator');
    if (metric.denominator) needMetric(metric.denominator.name, metric, 'denominator');
    for (const input of metric.metrics ?? []) needMetric(input.name, metric, 'input metric');
    if (metric.expr !== undefined) substituteNames(metric.expr, new Map(metric.metrics!.map((i) => [i.alias ?? i.name, '0'])), { what: `metric ${metric.name}`, file: metric.file, line: metric.line });
    const c = metric.conversion;
    if (c) {
      needMeasure(c.base_measure.name, metric, 'base_measure');
      needMeasure(c.conversion_measure.name, metric, 'conversion_measure');
      for (const [role, ref] of [['base_measure', c.base_measure], ['conversion_measure', c.conversion_measure]] as const) {
        const model = layer.measures.get(ref.name)!.model;
        const names = model.entities.map((e) => e.name);
        if (!names.includes(c.entity)) throw new FtError(`conversion metric ${metric.name}: the ${role}'s semantic model ${model.name} has no entity "${c.entity}".${didYouMean(c.entity, names)}`, 2, metric.file, metric.line);
      }
    }
  }
  // a metric built from itself would never finish compiling
  const state = new Map<string, 'open' | 'done'>();
  const visit = (name: string, path: string[]): void => {
    if (state.get(name) === 'done') return;
    const m = layer.metrics.get(name)!;
    if (state.get(name) === 'open') throw new FtError(`metrics refer to each other in a circle: ${[...path, name].join(' → ')}.`, 2, m.file, m.line);
    state.set(name, 'open');
    for (const input of [m.numerator, m.denominator, ...(m.metrics ?? [])]) if (input) visit(input.name, [...path, name]);
    state.set(name, 'done');
  };
  for (const name of layer.metrics.keys()) visit(name, []);
  for (const q of decls.flatMap((d) => d.saved_queries)) {
    const before = layer.savedQueries.get(q.name);
    if (before) twice('saved query', q.name, before, q);
    for (const name of q.metrics) if (!layer.metrics.has(name)) throw new FtError(`saved query ${q.name}: "${name}" is not a metric.${didYouMean(name, metricNames)}`, 2, q.file, q.line);
    layer.savedQueries.set(q.name, q);
  }
  return layer;
}

/** The semantic models a metric reads, through its inputs. */
export function metricModels(layer: SemanticLayer, name: string, out = new Set<string>()): Set<string> {
  const m = layer.metrics.get(name);
  if (!m) return out;
  for (const measure of [m.measure, m.conversion?.base_measure, m.conversion?.conversion_measure]) if (measure) out.add(layer.measures.get(measure.name)!.model.name);
  for (const input of [m.numerator, m.denominator, ...(m.metrics ?? [])]) if (input) metricModels(layer, input.name, out);
  return out;
}

/** The metrics a metric is made of directly. */
export function metricInputs(m: Metric): string[] {
  return [m.numerator, m.denominator, ...(m.metrics ?? [])].filter((x) => x !== undefined).map((x) => x!.name);
}
