// The semantic layer in manifest.json, in dbt's shape: semantic_models (depending on their
// model), metrics (on their semantic models, derived ones on their input metrics) and
// saved_queries (on their metrics), with the parent entries the lineage maps need.
import type { Project } from '../project/project.js';
import { metricId, metricInputs, savedQueryId, semanticModelId } from './semantic-layer.js';
import type { InputRef, Metric } from './types.js';

export interface SemanticManifest {
  semantic_models: Record<string, unknown>;
  metrics: Record<string, unknown>;
  saved_queries: Record<string, unknown>;
  /** parent_map entries of the entries above */
  parents: Record<string, string[]>;
}

const whereFilters = (filters: string[]): { where_filters: Array<{ where_sql_template: string }> } | null =>
  filters.length ? { where_filters: filters.map((f) => ({ where_sql_template: f })) } : null;

const input = (i: InputRef | undefined): Record<string, unknown> | null =>
  i ? { name: i.name, filter: whereFilters(i.filter), alias: i.alias ?? null, join_to_timespine: i.join_to_timespine ?? false, fill_nulls_with: i.fill_nulls_with ?? null } : null;

export function semanticManifest(project: Project): SemanticManifest {
  const out: SemanticManifest = { semantic_models: {}, metrics: {}, saved_queries: {}, parents: {} };
  const layer = project.semantic;
  if (!layer) return out;
  const pkg = layer.packageName;
  const common = (kind: string, name: string, file: string) => ({ name, resource_type: kind, package_name: pkg, path: file, original_file_path: file, unique_id: `${kind}.${pkg}.${name}`, fqn: [pkg, name] });
  for (const m of layer.models.values()) {
    const node = project.nodes.get(m.node_id)!;
    out.semantic_models[m.unique_id] = {
      ...common('semantic_model', m.name, m.file),
      model: m.model_ref,
      node_relation: { alias: node.alias, schema_name: node.schema, database: null, relation_name: m.relation },
      description: m.description,
      label: m.label ?? null,
      defaults: m.agg_time_dimension ? { agg_time_dimension: m.agg_time_dimension } : null,
      entities: m.entities.map((e) => ({ name: e.name, type: e.type, description: e.description, role: e.role ?? null, expr: e.expr })),
      measures: m.measures.map((x) => ({
        name: x.name,
        agg: x.agg,
        description: x.description,
        label: x.label ?? null,
        create_metric: x.create_metric,
        expr: x.expr,
        agg_params: x.agg_params ?? null,
        non_additive_dimension: x.non_additive_dimension ?? null,
        agg_time_dimension: x.agg_time_dimension ?? null,
      })),
      dimensions: m.dimensions.map((d) => ({
        name: d.name,
        type: d.type,
        description: d.description,
        label: d.label ?? null,
        is_partition: d.is_partition,
        type_params: d.grain ? { time_granularity: d.grain, validity_params: null } : null,
        expr: d.expr,
      })),
      primary_entity: m.primary_entity ?? null,
      meta: m.meta,
      config: { enabled: true, meta: m.meta },
      depends_on: { macros: [], nodes: [m.node_id] },
      refs: [{ name: m.model, package: null, version: null }],
      declared_at: { file: m.file, line: m.line },
    };
    out.parents[m.unique_id] = [m.node_id];
  }
  for (const m of layer.metrics.values()) {
    const parents = new Set<string>();
    const measures = [m.measure, m.conversion?.base_measure, m.conversion?.conversion_measure].filter((x): x is InputRef => x !== undefined);
    for (const x of measures) parents.add(semanticModelId(pkg, layer.measures.get(x.name)!.model.name));
    for (const name of metricInputs(m)) parents.add(metricId(pkg, name));
    out.metrics[metricId(pkg, m.name)] = {
      ...common('metric', m.name, m.file),
      description: m.description,
      label: m.label ?? m.name,
      type: m.type,
      type_params: typeParams(m),
      filter: whereFilters(m.filter),
      meta: m.meta,
      tags: m.tags,
      config: { enabled: true, meta: m.meta },
      depends_on: { macros: [], nodes: [...parents].sort() },
      metrics: metricInputs(m).map((n) => [n]),
      refs: [],
      declared_at: { file: m.file, line: m.line },
    };
    out.parents[metricId(pkg, m.name)] = [...parents].sort();
  }
  for (const q of layer.savedQueries.values()) {
    const parents = q.metrics.map((n) => metricId(pkg, n)).sort();
    out.saved_queries[savedQueryId(pkg, q.name)] = {
      ...common('saved_query', q.name, q.file),
      description: q.description,
      label: q.label ?? null,
      query_params: { metrics: q.metrics, group_by: q.group_by, where: whereFilters(q.where), order_by: q.order_by, limit: q.limit ?? null },
      exports: q.exports.map((e) => ({ name: e.name, config: { export_as: e.export_as ?? 'table', schema_name: e.schema ?? null, alias: e.alias ?? null } })),
      meta: q.meta,
      depends_on: { macros: [], nodes: parents },
      refs: [],
      declared_at: { file: q.file, line: q.line },
    };
    out.parents[savedQueryId(pkg, q.name)] = parents;
  }
  return out;
}

function typeParams(m: Metric): Record<string, unknown> {
  const c = m.conversion;
  return {
    measure: input(m.measure),
    input_measures: [m.measure, c?.base_measure, c?.conversion_measure].filter((x) => x !== undefined).map(input),
    numerator: input(m.numerator),
    denominator: input(m.denominator),
    expr: m.expr ?? null,
    window: m.window ? { count: Number(m.window.split(/\s+/)[0]), granularity: m.window.split(/\s+/)[1]!.replace(/s$/, '') } : null,
    grain_to_date: m.grain_to_date ?? null,
    metrics: (m.metrics ?? []).map((i) => ({ ...input(i), offset_window: i.offset_window ?? null, offset_to_grain: i.offset_to_grain ?? null })),
    conversion_type_params: c
      ? { base_measure: input(c.base_measure), conversion_measure: input(c.conversion_measure), entity: c.entity, calculation: c.calculation, window: c.window ?? null, constant_properties: c.constant_properties }
      : null,
  };
}
