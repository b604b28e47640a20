// `metrics:` entries of a schema file: simple, ratio, derived, cumulative and conversion.
import { CONVERSION_CALCULATIONS } from './metricflow-keywords.js';
import { readGrain } from './read-semantic-models.js';
import type { InputRef, Metric, MetricType } from './types.js';
import type { YamlFields } from './yaml-fields.js';

const METRIC_KEYS = ['name', 'description', 'label', 'type', 'type_params', 'filter', 'config', 'meta', 'tags', 'time_granularity', 'group'];
const TYPES: readonly MetricType[] = ['simple', 'ratio', 'derived', 'cumulative', 'conversion'];

export function readMetrics(section: unknown, f: YamlFields, sectionLine: number): Metric[] {
  return f.items(section, 'metrics', sectionLine).map(({ value, line }) => readMetric(value, f, line));
}

/** A window as dbt writes it: `7 days`, `1 week`, `2 hours`. */
export function checkWindow(v: string, f: YamlFields, key: string, line: number): string {
  if (!/^\s*\d+\s+(second|minute|hour|day|week|month|quarter|year)s?\s*$/i.test(v)) f.fail(`\`${key}: ${v}\` is not a window; write a count and a grain, like "7 days" or "1 month".`, f.keyLine(key, line));
  return v.trim().toLowerCase();
}

/**
 * `name` or `{name, filter, alias, …}`: a measure or metric used by this one. `spineJoin`: a
 * simple or cumulative metric's measure, where join_to_timespine acts (as in MetricFlow).
 */
function readInput(v: unknown, f: YamlFields, what: string, line: number, offsets = false, spineJoin = false): InputRef {
  if (typeof v === 'string' && v.trim()) return { name: v.trim(), filter: [] };
  const o = f.mapping(v, what, line);
  const l = f.lineOf(v, line);
  if (typeof o.name !== 'string' || !o.name) f.fail(`${what} needs a \`name:\`.`, l);
  const known = ['name', 'filter', 'alias', 'fill_nulls_with', 'join_to_timespine', ...(offsets ? ['offset_window', 'offset_to_grain'] : [])];
  f.checkKeys(o, known, what, l);
  const ref: InputRef = { name: String(o.name), filter: f.filters(o.filter, f.keyLine('filter', l)), alias: f.str(o, 'alias', l) };
  if (o.fill_nulls_with !== undefined && o.fill_nulls_with !== null) {
    const n = Number(o.fill_nulls_with);
    if (!Number.isFinite(n)) f.fail(`\`fill_nulls_with: ${String(o.fill_nulls_with)}\` must be a number.`, f.keyLine('fill_nulls_with', l));
    ref.fill_nulls_with = n;
  }
  if (o.join_to_timespine === true) {
    if (spineJoin) ref.join_to_timespine = true;
    else f.warnings.push(`${f.file}:${f.keyLine('join_to_timespine', l)}: ${what}: join_to_timespine acts on a simple or cumulative metric's measure (type_params.measure), as in MetricFlow; ignored here.`);
  }
  if (offsets) {
    const w = f.str(o, 'offset_window', l);
    if (w !== undefined) ref.offset_window = checkWindow(w, f, 'offset_window', l);
    ref.offset_to_grain = readGrain(f.str(o, 'offset_to_grain', l), f, 'offset_to_grain', l);
    if (ref.offset_window && ref.offset_to_grain) f.fail(`${what}: give offset_window or offset_to_grain, not both.`, l);
  }
  return ref;
}

function readMetric(value: unknown, f: YamlFields, line: number): Metric {
  const o = f.named(value, 'metrics', line);
  const name = String(o.name);
  f.checkKeys(o, METRIC_KEYS, `metric ${name}`, line);
  const type = f.oneOf(o, 'type', TYPES, line);
  const config = f.mapping(o.config, 'config', f.keyLine('config', line));
  const tags = o.tags ?? config.tags;
  const metric: Metric = {
    name,
    type,
    description: f.str(o, 'description', line) ?? '',
    label: f.str(o, 'label', line),
    filter: f.filters(o.filter, f.keyLine('filter', line)),
    meta: { ...f.mapping(config.meta, 'meta', line), ...f.mapping(o.meta, 'meta', line) },
    tags: tags === undefined || tags === null ? [] : Array.isArray(tags) ? tags.map(String) : [String(tags)],
    file: f.file,
    line,
  };
  const pl = f.keyLine('type_params', line);
  const params = f.mapping(o.type_params, 'type_params', pl);
  const need = (key: string, example: string): unknown => {
    if (params[key] === undefined || params[key] === null) f.fail(`metric ${name} (type ${type}) needs \`type_params: {${key}: ${example}}\`.`, o.type_params ? pl : line);
    return params[key];
  };
  switch (type) {
    case 'simple':
      f.checkKeys(params, ['measure'], `type_params of ${name}`, pl);
      metric.measure = readInput(need('measure', '<measure name>'), f, `the measure of ${name}`, f.keyLine('measure', pl), false, true);
      break;
    case 'ratio':
      f.checkKeys(params, ['numerator', 'denominator'], `type_params of ${name}`, pl);
      metric.numerator = readInput(need('numerator', '<metric name>'), f, `the numerator of ${name}`, f.keyLine('numerator', pl));
      metric.denominator = readInput(need('denominator', '<metric name>'), f, `the denominator of ${name}`, f.keyLine('denominator', pl));
      break;
    case 'derived': {
      f.checkKeys(params, ['expr', 'metrics'], `type_params of ${name}`, pl);
      metric.expr = String(need('expr', '<SQL over the metrics>'));
      const ml = f.keyLine('metrics', pl);
      metric.metrics = f.items(need('metrics', '[<metric name>, …]'), `the metrics of ${name}`, ml).map(({ value: v, line: l }) => readInput(v, f, `a metric of ${name}`, l, true));
      if (!metric.metrics.length) f.fail(`derived metric ${name} lists no metrics under type_params.metrics.`, ml);
      break;
    }
    case 'cumulative': {
      f.checkKeys(params, ['measure', 'window', 'grain_to_date', 'cumulative_type_params'], `type_params of ${name}`, pl);
      metric.measure = readInput(need('measure', '<measure name>'), f, `the measure of ${name}`, f.keyLine('measure', pl), false, true);
      const cl = f.keyLine('cumulative_type_params', pl);
      const cum = f.mapping(params.cumulative_type_params, 'cumulative_type_params', cl);
      f.checkKeys(cum, ['window', 'grain_to_date', 'period_agg'], `cumulative_type_params of ${name}`, cl);
      const window = f.str(cum, 'window', cl) ?? f.str(params, 'window', pl);
      const toDate = f.str(cum, 'grain_to_date', cl) ?? f.str(params, 'grain_to_date', pl);
      if (window !== undefined) metric.window = checkWindow(window, f, 'window', cum.window !== undefined ? cl : pl);
      metric.grain_to_date = readGrain(toDate, f, 'grain_to_date', cum.grain_to_date !== undefined ? cl : pl);
      if (metric.window && metric.grain_to_date) f.fail(`cumulative metric ${name}: give window or grain_to_date, not both.`, pl);
      const agg = f.str(cum, 'period_agg', cl);
      if (agg !== undefined && agg !== 'last') f.warnings.push(`${f.file}:${f.keyLine('period_agg', cl)}: metric ${name}: period_agg ${agg} is not supported; a period shows the window ending with it (last).`);
      break;
    }
    case 'conversion': {
      f.checkKeys(params, ['conversion_type_params'], `type_params of ${name}`, pl);
      const cl = f.keyLine('conversion_type_params', pl);
      const c = f.mapping(need('conversion_type_params', '{base_measure: …, conversion_measure: …, entity: …}'), 'conversion_type_params', cl);
      f.checkKeys(c, ['base_measure', 'conversion_measure', 'entity', 'calculation', 'window', 'constant_properties'], `conversion_type_params of ${name}`, cl);
      const needC = (key: string): unknown => {
        if (c[key] === undefined || c[key] === null) f.fail(`conversion metric ${name} needs \`${key}:\` under conversion_type_params.`, cl);
        return c[key];
      };
      const window = f.str(c, 'window', cl);
      metric.conversion = {
        base_measure: readInput(needC('base_measure'), f, `the base_measure of ${name}`, f.keyLine('base_measure', cl)),
        conversion_measure: readInput(needC('conversion_measure'), f, `the conversion_measure of ${name}`, f.keyLine('conversion_measure', cl)),
        entity: String(needC('entity')),
        calculation: f.oneOf(c, 'calculation', CONVERSION_CALCULATIONS, cl, CONVERSION_CALCULATIONS[0]),
        window: window === undefined ? undefined : checkWindow(window, f, 'window', cl),
        constant_properties: f.items(c.constant_properties, 'constant_properties', f.keyLine('constant_properties', cl)).map(({ value: v, line: l }) => {
          const p = f.mapping(v, 'a constant property', l);
          return { base_property: f.str(p, 'base_property', l, true)!, conversion_property: f.str(p, 'conversion_property', l, true)! };
        }),
      };
      break;
    }
  }
  return metric;
}
