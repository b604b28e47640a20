// A model's `time_spine:` as dbt 1.9+ declares it in schema YAML (the model's rows are one
// per period; MetricFlow joins them for cumulative metrics and join_to_timespine), and the
// column-level `granularity:` its standard column needs. Checked where written, as dbt's parse does.
import { keyLine } from '../project/not-supported.js';
import type { YamlWithLines } from '../project/yaml-file.js';
import { didYouMean } from '../util/suggest.js';
import { readGrain } from './read-semantic-models.js';
import { GRAINS } from './types.js';
import { YamlFields } from './yaml-fields.js';

/** The model property as dbt's manifest.json has it. */
export interface TimeSpineConfig {
  standard_granularity_column: string;
  custom_granularities: Array<{ name: string; column_name: string | null }>;
}

/** A declared column, as far as a time spine reads it. */
export interface SpineColumn {
  name: string;
  granularity?: string;
  line: number;
}

/** A column's `granularity: day` (dbt spells grains in lower case; finer than a second reads as second). */
export function readColumnGranularity(v: unknown, doc: YamlWithLines, file: string, text: string, line: number): string | undefined {
  if (v === undefined || v === null) return undefined;
  const f = new YamlFields(doc, file, text, []);
  return readGrain(String(v), f, 'granularity', line);
}

/** `time_spine:` of model `model` (its entry at `line`), checked against the entry's columns. */
export function readTimeSpine(v: unknown, columns: SpineColumn[], model: string, doc: YamlWithLines, file: string, text: string, line: number, warnings: string[]): TimeSpineConfig {
  const f: YamlFields = new YamlFields(doc, file, text, warnings);
  const tl = keyLine(text, 'time_spine', line);
  const o = f.mapping(v, 'time_spine', tl);
  f.checkKeys(o, ['standard_granularity_column', 'custom_granularities'], `time_spine of ${model}`, tl);
  const names = columns.map((c) => c.name);
  const listed = names.length ? ` Its columns: ${names.join(', ')}.` : ' It lists no columns.';
  const std = f.str(o, 'standard_granularity_column', tl);
  if (std === undefined) f.fail(`model ${model}: time_spine needs \`standard_granularity_column: <column>\`, the column holding the start of each period (e.g. date_day).`, tl);
  const sl = keyLine(text, 'standard_granularity_column', tl);
  const col = columns.find((c) => c.name === std);
  if (!col) f.fail(`model ${model}: time_spine's standard_granularity_column "${std}" must be a column listed under the model's columns:, with its granularity (\`- name: ${std}\` and \`granularity: day\` under it).${didYouMean(std, names)}${listed}`, sl);
  if (!col.granularity) f.fail(`model ${model}: column ${std} is the time spine's standard_granularity_column and needs \`granularity:\` (one of ${GRAINS.join(', ')}), e.g. granularity: day.`, col.line);
  const out: TimeSpineConfig = { standard_granularity_column: std, custom_granularities: [] };
  const cl = keyLine(text, 'custom_granularities', tl);
  const seen = new Set<string>();
  for (const { value, line: l } of f.items(o.custom_granularities, 'custom_granularities', cl)) {
    const g = f.named(value, `custom_granularities of ${model}`, l);
    f.checkKeys(g, ['name', 'column_name'], `custom granularity ${String(g.name)}`, l);
    const name = String(g.name).toLowerCase();
    if (GRAINS.includes(name as (typeof GRAINS)[number])) f.fail(`model ${model}: custom granularity "${name}" has the name of a standard grain; name it otherwise (e.g. fiscal_${name}).`, l);
    if (seen.has(name)) f.fail(`model ${model}: custom granularity "${name}" is declared twice.`, l);
    seen.add(name);
    const column = f.str(g, 'column_name', l);
    if (!names.includes(column ?? name)) f.fail(`model ${model}: custom granularity ${name} reads column "${column ?? name}", which is not listed under the model's columns:.${didYouMean(column ?? name, names)}${listed}`, l);
    out.custom_granularities.push({ name, column_name: column ?? null });
  }
  return out;
}
