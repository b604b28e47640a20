// `semantic_models:` entries of a schema file, as dbt's semantic layer writes them.
import { GRAINS, type EntityType, type MeasureAgg, type SemanticDimension, type SemanticEntity, type SemanticMeasure, type SemanticModel, type TimeGrain } from './types.js';
import { refName, type YamlFields } from './yaml-fields.js';

const MODEL_KEYS = ['name', 'description', 'label', 'model', 'defaults', 'entities', 'dimensions', 'measures', 'primary_entity', 'config', 'meta'];
const ENTITY_TYPES: readonly EntityType[] = ['primary', 'unique', 'foreign', 'natural'];
const AGGS: readonly MeasureAgg[] = ['sum', 'count', 'count_distinct', 'avg', 'min', 'max', 'sum_boolean', 'median', 'percentile'];
/** dbt's grains finer than a second hold nothing MySQL groups by apart from the second */
const SUB_SECOND = ['nanosecond', 'microsecond', 'millisecond'];

export function readSemanticModels(section: unknown, f: YamlFields, sectionLine: number): SemanticModel[] {
  return f.items(section, 'semantic_models', sectionLine).map(({ value, line }) => readModel(value, f, line));
}

/** A time grain as written (`day`, `DAY`), finer-than-second grains read as second. */
export function readGrain(v: string | undefined, f: YamlFields, key: string, line: number): TimeGrain | undefined {
  if (v === undefined) return undefined;
  const g = v.toLowerCase();
  if (SUB_SECOND.includes(g)) return 'second';
  if (!GRAINS.includes(g as TimeGrain)) f.fail(`\`${key}: ${v}\` is not a time grain; use one of ${GRAINS.join(', ')}.`, f.keyLine(key, line));
  return g as TimeGrain;
}

function readModel(value: unknown, f: YamlFields, line: number): SemanticModel {
  const o = f.named(value, 'semantic_models', line);
  const name = String(o.name);
  f.checkKeys(o, MODEL_KEYS, `semantic model ${name}`, line);
  const modelRef = f.str(o, 'model', line);
  if (modelRef === undefined) f.fail(`semantic model ${name} needs \`model: ref('<model name>')\`: the model or seed its rows come from.`, line);
  const model = refName(modelRef);
  if (!model) f.fail(`semantic model ${name}: \`model: ${modelRef}\` must be ref('<model name>').`, f.keyLine('model', line));
  const defaults = f.mapping(o.defaults, 'defaults', f.keyLine('defaults', line));
  const config = f.mapping(o.config, 'config', f.keyLine('config', line));
  const out: SemanticModel = {
    name,
    model,
    model_ref: modelRef,
    description: f.str(o, 'description', line) ?? '',
    label: f.str(o, 'label', line),
    agg_time_dimension: f.str(defaults, 'agg_time_dimension', f.keyLine('defaults', line)),
    primary_entity: f.str(o, 'primary_entity', line),
    entities: [],
    dimensions: [],
    measures: [],
    meta: { ...f.mapping(config.meta, 'meta', line), ...f.mapping(o.meta, 'meta', line) },
    file: f.file,
    line,
  };
  const seen = new Map<string, number>();
  const unique = (kind: string, n: string, l: number): void => {
    const before = seen.get(`${kind}:${n}`);
    if (before) f.fail(`semantic model ${name} declares the ${kind} "${n}" twice (first at line ${before}); rename one.`, l);
    seen.set(`${kind}:${n}`, l);
  };
  for (const { value: e, line: l } of f.items(o.entities, `entities of ${name}`, f.keyLine('entities', line))) {
    const x = f.named(e, `entities of ${name}`, l);
    f.checkKeys(x, ['name', 'type', 'expr', 'description', 'role', 'label', 'config', 'meta'], `entity ${String(x.name)}`, l);
    unique('entity', String(x.name), l);
    const entity: SemanticEntity = {
      name: String(x.name),
      type: f.oneOf(x, 'type', ENTITY_TYPES, l),
      expr: f.str(x, 'expr', l) ?? String(x.name),
      description: f.str(x, 'description', l) ?? '',
      role: f.str(x, 'role', l),
      file: f.file,
      line: l,
    };
    out.entities.push(entity);
  }
  for (const { value: d, line: l } of f.items(o.dimensions, `dimensions of ${name}`, f.keyLine('dimensions', line))) {
    const x = f.named(d, `dimensions of ${name}`, l);
    f.checkKeys(x, ['name', 'type', 'expr', 'description', 'label', 'type_params', 'is_partition', 'config', 'meta'], `dimension ${String(x.name)}`, l);
    unique('dimension', String(x.name), l);
    const type = f.oneOf(x, 'type', ['categorical', 'time'] as const, l);
    const params = f.mapping(x.type_params, 'type_params', f.keyLine('type_params', l));
    const dim: SemanticDimension = {
      name: String(x.name),
      type,
      expr: f.str(x, 'expr', l) ?? String(x.name),
      description: f.str(x, 'description', l) ?? '',
      label: f.str(x, 'label', l),
      is_partition: x.is_partition === true,
      file: f.file,
      line: l,
    };
    if (type === 'time') {
      const grain = readGrain(f.str(params, 'time_granularity', l), f, 'time_granularity', l);
      if (!grain) f.fail(`time dimension ${dim.name} of ${name} needs \`type_params: {time_granularity: day}\` (the finest grain its column holds).`, l);
      dim.grain = grain;
      if (params.validity_params !== undefined) f.warnings.push(`${f.file}:${f.keyLine('validity_params', l)}: validity_params (SCD type 2 dimensions) are not supported; ${dim.name} is read as a plain time dimension.`);
    }
    out.dimensions.push(dim);
  }
  for (const { value: m, line: l } of f.items(o.measures, `measures of ${name}`, f.keyLine('measures', line))) {
    out.measures.push(readMeasure(m, f, name, l, unique));
  }
  return out;
}

function readMeasure(m: unknown, f: YamlFields, model: string, l: number, unique: (kind: string, n: string, l: number) => void): SemanticMeasure {
  const x = f.named(m, `measures of ${model}`, l);
  f.checkKeys(
    x,
    ['name', 'agg', 'expr', 'description', 'label', 'agg_params', 'agg_time_dimension', 'create_metric', 'non_additive_dimension', 'config', 'meta'],
    `measure ${String(x.name)}`,
    l,
  );
  unique('measure', String(x.name), l);
  // dbt spells the mean `average`; `avg` (SQL's name) is taken too
  if (x.agg === 'average') x.agg = 'avg';
  const agg = f.oneOf(x, 'agg', AGGS, l);
  const params = f.mapping(x.agg_params, 'agg_params', f.keyLine('agg_params', l));
  const measure: SemanticMeasure = {
    name: String(x.name),
    agg,
    expr: f.str(x, 'expr', l) ?? String(x.name),
    description: f.str(x, 'description', l) ?? '',
    label: f.str(x, 'label', l),
    agg_time_dimension: f.str(x, 'agg_time_dimension', l),
    create_metric: x.create_metric === true,
    file: f.file,
    line: l,
  };
  if (Object.keys(params).length) measure.agg_params = params;
  if (x.non_additive_dimension !== undefined && x.non_additive_dimension !== null) {
    const nl = f.keyLine('non_additive_dimension', l);
    const nad = f.mapping(x.non_additive_dimension, 'non_additive_dimension', nl);
    f.checkKeys(nad, ['name', 'window_choice', 'window_groupings'], `non_additive_dimension of ${measure.name}`, nl);
    measure.non_additive_dimension = {
      name: f.str(nad, 'name', nl, true)!,
      window_choice: f.oneOf(nad, 'window_choice', ['min', 'max'] as const, nl, 'min'),
      window_groupings: f.items(nad.window_groupings, 'window_groupings', f.keyLine('window_groupings', nl)).map(({ value }) => String(value)),
    };
  }
  if (agg === 'median') measure.percentile = 0.5;
  if (agg === 'percentile') {
    const p = Number(params.percentile);
    if (params.percentile === undefined || !Number.isFinite(p) || p < 0 || p > 1) {
      f.fail(`measure ${measure.name}: agg percentile needs \`agg_params: {percentile: 0.9}\` (a fraction from 0 to 1).`, f.keyLine('agg_params', l));
    }
    measure.percentile = p;
    measure.discrete = params.use_discrete_percentile === true;
  }
  return measure;
}
