// What dbt users write that ft does not act on (yet). Each occurrence gets one warning naming
// the file and line and what ft does instead, so nothing written is silently ignored; Jinja
// left in a YAML value is an error, since ft would read it as a literal string.
import { jinjaHint } from '../template/jinja-hint.js';
import { FtError } from '../util/errors.js';
import type { YamlWithLines } from './yaml-file.js';
import { rendersFully } from './yaml-templates.js';

const ACCESS = 'ft does not enforce model access or groups yet';
const MICROBATCH = 'ft does not build microbatch models yet';

/** Schema YAML sections ft does not build, with what it says of them. */
export const UNSUPPORTED_SECTIONS: Record<string, string> = {
  analyses: 'ft does not compile analyses yet',
  macros: 'ft does not document macros yet',
  groups: ACCESS,
};

/** project.yml keys ft does not act on. */
export const UNSUPPORTED_PROJECT_KEYS: Record<string, string> = {
  sources: 'ft does not apply project-level source config yet (configure sources in schema YAML)',
  exposures: 'ft does not apply project-level exposure config yet',
  quoting: 'ft quotes every identifier with backticks',
  flags: 'ft does not read dbt flags (use ft command-line flags)',
  dispatch: 'ft does not dispatch macros',
  'query-comment': 'ft does not add query comments yet',
  'require-dbt-version': 'ft does not check dbt versions',
  'log-path': 'ft writes no log files',
  'packages-install-path': 'ft does not install packages yet',
};

/** Keys of schema YAML entries ft does not act on (each kind's own keys are checked against its list). */
const UNSUPPORTED_ENTRY_KEYS: Record<string, string> = {
  access: ACCESS,
  group: ACCESS,
  versions: 'ft does not build model versions yet',
  latest_version: 'ft does not build model versions yet',
  deprecation_date: 'ft does not track deprecations yet',
  docs: "ft's docs site shows every node",
  database: 'MySQL has no database above the schema; use schema:',
  quoting: 'ft quotes every identifier with backticks',
  overrides: 'ft does not install packages, so there is no package source to override',
  external: 'ft does not create external tables',
  unit_tests: 'ft does not run unit tests yet',
};

/** Keys each kind of schema YAML entry has that ft reads. */
export const ENTRY_KEYS = {
  model: new Set(['name', 'description', 'config', 'columns', 'tests', 'data_tests', 'meta', 'constraints', 'time_spine']),
  column: new Set(['name', 'description', 'data_type', 'required', 'meta', 'tags', 'config', 'tests', 'data_tests', 'quote', 'constraints', 'granularity']),
  source: new Set(['name', 'description', 'schema', 'loaded_at_field', 'freshness', 'meta', 'tags', 'tables', 'config', 'loader']),
  table: new Set(['name', 'identifier', 'description', 'columns', 'tests', 'data_tests', 'loaded_at_field', 'freshness', 'loader', 'meta', 'tags', 'config']),
  exposure: new Set(['name', 'label', 'type', 'owner', 'description', 'url', 'maturity', 'depends_on', 'meta', 'tags', 'config']),
  snapshot: new Set(['name', 'description', 'relation', 'config', 'columns', 'tests', 'data_tests', 'meta']),
};

/** Why a schema entry's key is not acted on, or undefined for a key ft does not know at all. */
export const unsupportedEntryKey = (key: string): string | undefined => UNSUPPORTED_ENTRY_KEYS[key];

/** Why a config key (with this value) is not acted on, or undefined when ft acts on it. */
export function unsupportedConfig(key: string, value: unknown): string | undefined {
  switch (key) {
    case 'access':
    case 'group':
      return `${ACCESS}; ignored`;
    case 'grants':
      return 'ft does not apply grants yet (a post_hook can run GRANT); ignored';
    case 'packages':
      return 'ft does not run Python models; ignored';
    case 'sql_header':
      return 'ft does not send sql_header yet (a pre_hook runs before the model); ignored';
    case 'batch_size':
    case 'lookback':
    case 'begin':
    case 'concurrent_batches':
      return `${MICROBATCH}; ignored`;
    case 'incremental_strategy':
      return value === 'microbatch' ? `${MICROBATCH}: ft run stops at this model; use append, merge or delete+insert` : undefined;
    case 'database':
    case 'target_database':
      return 'MySQL has no database above the schema (ft builds in `<target database>_<schema>`); use schema:; ignored';
    case 'quoting':
      return 'ft quotes every identifier with backticks; ignored';
    case 'docs':
      return value && typeof value === 'object' && (value as { show?: unknown }).show === false ? "ft's docs site shows every node; ignored" : undefined;
    default:
      return undefined;
  }
}

/**
 * The line of `key:` in a YAML text at or after line `from` (1-based), or `from` itself: the
 * parsed values know the line of each mapping, not of each key.
 */
export function keyLine(text: string, key: string, from: number, topLevel = false): number {
  const name = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`${topLevel ? '^' : '(?:^|[\\s{,])'}["']?${name}["']?\\s*:(?:\\s|$)`);
  const lines = text.split('\n');
  for (let i = Math.max(0, from - 1); i < lines.length; i++) if (re.test(lines[i]!)) return i + 1;
  return from;
}

/** The first line at or after `from` that matches `re`, or `from`. */
function lineMatching(text: string, re: RegExp, from: number): number {
  const lines = text.split('\n');
  for (let i = Math.max(0, from - 1); i < lines.length; i++) if (re.test(lines[i]!)) return i + 1;
  return from;
}

// dashboards: hold metrics' where filters and {{ ref('x') }} / {{ref "x"}} naming a model, read by src/dashboards/
const METRICFLOW_SECTIONS = new Set(['semantic_models', 'metrics', 'saved_queries', 'dashboards']);

/** A Jinja call (`{{ var('x') }}`, no space before the parenthesis as in Handlebars subexpressions) or statement. */
const JINJA = /\{%|\{\{-?\s*[\w.]+\(/;

/**
 * Throws, naming the file, line and Handlebars to write, at the first string value of a
 * parsed YAML file that still holds Jinja: ft would take it as a literal string (a truthy
 * `enabled`, a schema named after the template).
 */
export function rejectYamlJinja(doc: YamlWithLines, text: string, file: string): void {
  if (!text.includes('{%') && !text.includes('{{')) return;
  const walk = (v: unknown, line: number): void => {
    if (typeof v === 'string') {
      if (!JINJA.test(v)) return;
      // var, env_var and target are rendered (yaml-templates.ts): project.yml's once the vars are known
      if (rendersFully(v)) return;
      const hint = jinjaHint(v);
      if (!hint) return;
      // the line holding this value's own Jinja (var and env_var before it on other lines are rendered)
      const frag = /\{%[^%\n]*|\{\{[^}\n]*/.exec(v)?.[0];
      const own = frag ? text.split('\n').findIndex((l, i) => i >= line - 1 && l.includes(frag)) : -1;
      throw new FtError(`${hint.hint}. ft renders var, env_var and target in YAML values, not this: as written it is a literal string.`, 2, file, own >= 0 ? own + 1 : lineMatching(text, JINJA, line));
    }
    if (Array.isArray(v)) {
      const items = doc.itemLines.get(v);
      v.forEach((x, i) => walk(x, items?.[i] || doc.lines.get(v) || line));
    } else if (v && typeof v === 'object') {
      const own = doc.lines.get(v) || line;
      // descriptions are rendered (doc blocks), and say the same of Jinja when they are;
      // the semantic sections' filters hold MetricFlow's {{ Dimension('…') }}, read by src/metrics/
      for (const [k, x] of Object.entries(v)) if (k !== 'description' && !(v === doc.value && METRICFLOW_SECTIONS.has(k))) walk(x, own);
    }
  };
  walk(doc.value, 1);
}
