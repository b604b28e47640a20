import { FtError } from '../util/errors.js';
import { didYouMean } from '../util/suggest.js';
import { KNOWN_CONFIG_KEYS, normaliseKey } from './config-keys.js';
import { ENTRY_KEYS, keyLine, rejectYamlJinja, unsupportedConfig, unsupportedEntryKey, UNSUPPORTED_SECTIONS } from './not-supported.js';
import type { YamlWithLines } from './yaml-file.js';
import { readSemanticYaml } from '../metrics/read-semantic-yaml.js';
import { readDashboardsYaml } from '../dashboards/read-dashboards.js';
import type { DashboardDecl } from '../dashboards/types.js';
import type { SemanticDeclarations } from '../metrics/types.js';
import { readUnitTests } from '../testing/unit/parse-unit-tests.js';
import type { UnitTestSpec } from '../testing/unit/unit-test-spec.js';
import { readColumnGranularity, readTimeSpine, type TimeSpineConfig } from '../metrics/read-time-spine.js';

/** One column as declared in schema YAML. */
export interface ColumnPatch {
  name: string;
  description: string;
  data_type?: string;
  required?: boolean;
  meta: Record<string, unknown>;
  tags: string[];
  tests: RawTest[];
  /** `constraints:` entries with their lines (models; read by contract-config.ts) */
  constraints: RawTest[];
  /** a time spine's column: the grain of its periods (`granularity: day`) */
  granularity?: string;
  line: number;
}

/** A test entry as written: `not_null`, or `{accepted_values: {values: [..]}}`, with its line. */
export interface RawTest {
  spec: unknown;
  line: number;
}

/** A models:/seeds:/snapshots: entry: documentation, config and tests for one node. */
export interface NodePatch {
  kind: 'models' | 'seeds' | 'snapshots';
  /** snapshots: `relation:` as written (ref('x'), {{source "s" "t"}}…) and its line */
  relation?: { text: string; line: number };
  name: string;
  description: string;
  config: Record<string, unknown>;
  columns: ColumnPatch[];
  tests: RawTest[];
  /** model-level `constraints:` (with `columns:`) and their lines */
  constraints: RawTest[];
  meta: Record<string, unknown>;
  /** models: `time_spine:` (dbt 1.9+), checked against the columns */
  time_spine?: TimeSpineConfig;
  file: string;
  line: number;
}

export interface SourceTablePatch {
  name: string;
  identifier?: string;
  description: string;
  columns: ColumnPatch[];
  tests: RawTest[];
  loaded_at_field?: string;
  freshness?: unknown;
  loader?: Record<string, unknown>;
  meta: Record<string, unknown>;
  tags: string[];
  line: number;
}

export interface SourcePatch {
  name: string;
  schema?: string;
  description: string;
  loaded_at_field?: string;
  freshness?: unknown;
  meta: Record<string, unknown>;
  tags: string[];
  tables: SourceTablePatch[];
  file: string;
  line: number;
}

export interface ExposurePatch {
  name: string;
  label?: string;
  type: string;
  owner: Record<string, unknown>;
  description: string;
  url?: string;
  maturity?: string;
  dependsOn: string[];
  meta: Record<string, unknown>;
  tags: string[];
  file: string;
  line: number;
}

export interface SchemaFile {
  models: NodePatch[];
  sources: SourcePatch[];
  exposures: ExposurePatch[];
  /** semantic_models:, metrics:, saved_queries: (null: none; absent: read before ft read them) */
  semantic?: SemanticDeclarations | null;
  /** dashboards: (absent: read before ft read them) */
  dashboards?: DashboardDecl[];
  unitTests: UnitTestSpec[];
  /** what the file says that ft does not act on, as `file:line: …` (kept with the cached patches) */
  warnings: string[];
}

const TOP_KEYS = ['version', 'models', 'seeds', 'sources', 'exposures', 'macros', 'metrics', 'semantic_models', 'snapshots', 'analyses', 'unit_tests', 'groups', 'saved_queries', 'dashboards'];

/**
 * Reads a dbt-format schema YAML file into patches; shape errors name the file and line, and
 * what ft does not act on is a warning naming the line (`text`, the file's text, finds the
 * lines of keys).
 */
export function readSchemaFile(doc: YamlWithLines, file: string, text = ''): SchemaFile {
  const out: SchemaFile = { models: [], sources: [], exposures: [], unitTests: [], warnings: [] };
  // an empty file declares no semantic layer (undefined would be a cache entry from before ft read one)
  out.semantic = null;
  out.dashboards = [];
  const root = doc.value;
  if (root === null || root === undefined) return out;
  if (typeof root !== 'object' || Array.isArray(root)) throw new FtError('a schema file must be a mapping (`version: 2`, `models:`, `sources:` …).', 2, file, 1);
  rejectYamlJinja(doc, text, file);
  const lineOf = (o: unknown): number => (o && typeof o === 'object' ? doc.lines.get(o) ?? 0 : 0);
  const warn = (key: string, from: number, what: string, topLevel = false): void => {
    out.warnings.push(`${file}:${keyLine(text, key, from, topLevel)}: ${what}`);
  };
  /** Keys of an entry that ft does not act on: a warning each. */
  const checkKeys = (o: Record<string, unknown>, known: Set<string>, line: number): void => {
    for (const key of Object.keys(o)) {
      if (known.has(key)) continue;
      const why = unsupportedEntryKey(key);
      if (why) warn(key, line, `"${key}": ${why}; ignored.`);
      else if (KNOWN_CONFIG_KEYS.has(normaliseKey(key))) warn(key, line, `"${key}" is a config key; ignored here: put it under config:.`);
      else warn(key, line, `unknown key "${key}" ignored.${didYouMean(key, known)}`);
    }
  };
  /** A config block's keys: unknown ones, and known ones ft does not act on. */
  const checkConfig = (cfg: Record<string, unknown>, line: number): void => {
    for (const [key, value] of Object.entries(cfg)) {
      const k = normaliseKey(key);
      if (!KNOWN_CONFIG_KEYS.has(k)) {
        warn(key, line, `unknown config key "${key}" ignored.${didYouMean(k, KNOWN_CONFIG_KEYS)}`);
        continue;
      }
      const why = unsupportedConfig(k, value);
      if (why) warn(key, line, `config "${key}": ${why}.`);
    }
  };
  const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
  const obj = (v: unknown, what: string, line: number): Record<string, unknown> => {
    if (v === undefined || v === null) return {};
    if (typeof v !== 'object' || Array.isArray(v)) throw new FtError(`${what} must be a mapping.`, 2, file, line);
    return v as Record<string, unknown>;
  };
  const list = (v: unknown, what: string, line: number): unknown[] => {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) throw new FtError(`${what} must be a list (items start with "- ").`, 2, file, line);
    return v;
  };
  const named = (v: unknown, what: string, line: number): Record<string, unknown> => {
    const o = obj(v, what, line);
    if (typeof o.name !== 'string' || !o.name) throw new FtError(`each entry under ${what} needs a \`name:\`.`, 2, file, lineOf(v) || line);
    return o;
  };
  const tests = (o: Record<string, unknown>, line: number): RawTest[] => {
    const arr = list(o.data_tests ?? o.tests, 'tests', line);
    const lines = doc.itemLines.get(arr) ?? [];
    return arr.map((spec, i) => ({ spec, line: lines[i] || line }));
  };
  const constraints = (o: Record<string, unknown>, line: number): RawTest[] => {
    const arr = list(o.constraints, 'constraints', line);
    const lines = doc.itemLines.get(arr) ?? [];
    return arr.map((spec, i) => ({ spec, line: lines[i] || line }));
  };
  const tags = (v: unknown): string[] => (v === undefined || v === null ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);
  const columns = (o: Record<string, unknown>, line: number): ColumnPatch[] =>
    list(o.columns, 'columns', line).map((c) => {
      const col = named(c, 'columns', line);
      const cl = lineOf(c);
      checkKeys(col, ENTRY_KEYS.column, cl);
      const granularity = readColumnGranularity(col.granularity, doc, file, text, cl);
      // dbt 1.10 writes a column's tags and meta under config:; both forms are read
      const config = obj(col.config, 'config', cl);
      for (const key of Object.keys(config)) if (key !== 'tags' && key !== 'meta') warn(key, lineOf(config) || cl, `a column's config takes tags and meta; "${key}" ignored.`);
      return {
        name: String(col.name),
        description: str(col.description),
        data_type: col.data_type === undefined ? undefined : str(col.data_type),
        required: col.required === undefined ? undefined : Boolean(col.required),
        meta: { ...obj(col.meta, 'meta', cl), ...obj(config.meta, 'meta', cl) },
        tags: [...new Set([...tags(col.tags), ...tags(config.tags)])],
        tests: tests(col, cl),
        constraints: constraints(col, cl),
        ...(granularity ? { granularity } : {}),
        line: cl,
      };
    });

  const top = root as Record<string, unknown>;
  for (const key of Object.keys(top)) {
    if (!TOP_KEYS.includes(key)) throw new FtError(`unknown top-level key "${key}" in a schema file; expected models:, seeds:, sources: or exposures:.${didYouMean(key, TOP_KEYS)}`, 2, file, keyLine(text, key, 1, true));
    const why = UNSUPPORTED_SECTIONS[key];
    if (why) warn(key, 1, `${key}: ${why}; this section is ignored.`, true);
  }
  out.semantic = readSemanticYaml(doc, file, text, out.warnings) ?? null;
  out.dashboards = readDashboardsYaml(doc, file, text, out.warnings);
  out.unitTests = readUnitTests(top.unit_tests, doc, file, text, (m) => out.warnings.push(m));
  for (const kind of ['models', 'seeds', 'snapshots'] as const) {
    for (const entry of list(top[kind], kind, lineOf(top))) {
      const e = named(entry, kind, lineOf(top));
      const line = lineOf(entry);
      checkKeys(e, kind === 'snapshots' ? ENTRY_KEYS.snapshot : ENTRY_KEYS.model, line);
      const config = obj(e.config, 'config', line);
      checkConfig(config, lineOf(config) || line);
      const cols = columns(e, line);
      let timeSpine: TimeSpineConfig | undefined;
      if (e.time_spine !== undefined && e.time_spine !== null) {
        if (kind === 'models') timeSpine = readTimeSpine(e.time_spine, cols, String(e.name), doc, file, text, line, out.warnings);
        else warn('time_spine', line, `"time_spine" applies to models only (as in dbt); ignored on ${kind}: put the dates in a model.`);
      }
      out.models.push({
        kind,
        name: String(e.name),
        description: str(e.description),
        config,
        columns: cols,
        tests: tests(e, line),
        constraints: constraints(e, line),
        meta: obj(e.meta, 'meta', line),
        ...(kind === 'snapshots' && e.relation !== undefined ? { relation: { text: str(e.relation), line: keyLine(text, 'relation', line) } } : {}),
        ...(timeSpine ? { time_spine: timeSpine } : {}),
        file,
        line,
      });
    }
  }
  for (const entry of list(top.sources, 'sources', lineOf(top))) {
    const s = named(entry, 'sources', lineOf(top));
    const line = lineOf(entry);
    checkKeys(s, ENTRY_KEYS.source, line);
    const cfg = obj(s.config, 'config', line);
    out.sources.push({
      name: String(s.name),
      schema: s.schema === undefined ? undefined : str(s.schema),
      description: str(s.description),
      loaded_at_field: (s.loaded_at_field ?? cfg.loaded_at_field) as string | undefined,
      freshness: s.freshness ?? cfg.freshness,
      meta: obj(s.meta, 'meta', line),
      tags: tags(s.tags),
      file,
      line,
      tables: list(s.tables, 'tables', line).map((t) => {
        const tb = named(t, `sources.${String(s.name)}.tables`, line);
        const tl = lineOf(t);
        checkKeys(tb, ENTRY_KEYS.table, tl);
        const tcfg = obj(tb.config, 'config', tl);
        const tcols = columns(tb, tl);
        // ft creates a model's table with its constraints; a source's table is not ft's to create
        for (const c of tcols) for (const k of c.constraints) out.warnings.push(`${file}:${k.line}: constraints apply to models with an enforced contract, not to source tables; ignored.`);
        return {
          name: String(tb.name),
          identifier: tb.identifier === undefined ? undefined : str(tb.identifier),
          description: str(tb.description),
          columns: tcols,
          tests: tests(tb, tl),
          loaded_at_field: (tb.loaded_at_field ?? tcfg.loaded_at_field) as string | undefined,
          // `freshness: null` on a table switches off the source-level rule, as in dbt
          freshness: 'freshness' in tb ? tb.freshness : 'freshness' in tcfg ? tcfg.freshness : undefined,
          loader: tb.loader === undefined ? undefined : obj(tb.loader, 'loader', tl),
          meta: obj(tb.meta, 'meta', tl),
          tags: tags(tb.tags),
          line: tl,
        };
      }),
    });
  }
  for (const entry of list(top.exposures, 'exposures', lineOf(top))) {
    const x = named(entry, 'exposures', lineOf(top));
    const line = lineOf(entry);
    checkKeys(x, ENTRY_KEYS.exposure, line);
    out.exposures.push({
      name: String(x.name),
      label: x.label === undefined ? undefined : str(x.label),
      type: str(x.type) || 'dashboard',
      owner: obj(x.owner, 'owner', line),
      description: str(x.description),
      url: x.url === undefined ? undefined : str(x.url),
      maturity: x.maturity === undefined ? undefined : str(x.maturity),
      dependsOn: list(x.depends_on, 'depends_on', line).map(String),
      meta: obj(x.meta, 'meta', line),
      tags: tags(x.tags),
      file,
      line,
    });
  }
  return out;
}
