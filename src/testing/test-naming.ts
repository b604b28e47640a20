import { md5 } from '../util/hash.js';
import { TEST_CONFIG_KEYS } from './generic/registry.js';

/**
 * dbt's names for generic tests, so a dbt project's test names, unique ids and selectors
 * carry over unchanged. A port of dbt-core's `synthesize_generic_test_names`
 * (core/dbt/parser/generic_test_builders.py) and of TestBuilder.get_synthetic_test_names:
 *
 * - the arguments (with `column_name`, without `model` and without config keys) are taken
 *   in sorted key order; a mapping contributes its values, a list its items, anything else
 *   itself; each part is `str()`-ed as Python would (True, None, 1.5, ['a', 'b']) and every
 *   run of characters outside [0-9a-zA-Z_] becomes `_`; the parts are joined with `__`;
 * - full name = `<test type>_<target name>_<parts>`, where the test type is the test name,
 *   prefixed `source_` for a test on a source and `<namespace>_` for a namespaced test
 *   (`dbt_utils_…`), and the target name is the model (`<name>_v<version>` for a versioned
 *   model) or `<source>_<table>`;
 * - when the full name has 64 characters or more, the short name is the first 30
 *   characters of `<test type>_<target name>` + `_` + md5(full name).
 *
 * dbt uses the full name as the node's name (unique_id, fqn, selectors) and the short name
 * as its alias (the compiled file and the table that stores failures, which must fit
 * MySQL's 64-character identifier limit).
 */

/** Python's str() of a value as YAML would have produced it (str for a top-level string, repr inside containers). */
export function pythonStr(v: unknown): string {
  if (typeof v === 'string') return v;
  return pythonRepr(v);
}

function pythonRepr(v: unknown): string {
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return pythonNumber(v);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'string') return pythonStringRepr(v);
  if (v instanceof Date) return pythonDate(v);
  if (Array.isArray(v)) return `[${v.map(pythonRepr).join(', ')}]`;
  if (typeof v === 'object') {
    return `{${Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${pythonStringRepr(k)}: ${pythonRepr(x)}`)
      .join(', ')}}`;
  }
  return String(v);
}

/**
 * A YAML number: integers print as Python ints. A float prints as Python's repr (shortest
 * round-trip digits, like JavaScript, but with exponent notation below 1e-4 and from 1e16,
 * and a trailing `.0` on integral floats). JavaScript cannot tell `1.0` from `1` once YAML
 * is parsed, so an integral float written `1.0` prints `1` here where dbt prints `1.0`.
 */
function pythonNumber(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  if (Number.isInteger(n) && Math.abs(n) < 1e16) return String(n);
  const exp = n === 0 ? 0 : Math.floor(Math.log10(Math.abs(n)));
  if (exp < -4 || exp >= 16) {
    const [mant, e] = n.toExponential().split('e') as [string, string];
    const sign = e.startsWith('-') ? '-' : '+';
    const digits = e.replace(/^[+-]/, '').padStart(2, '0');
    return `${mant}e${sign}${digits}`;
  }
  const s = String(n);
  return s.includes('.') || s.includes('e') ? s : `${s}.0`;
}

function pythonStringRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = '';
  for (const ch of s) {
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f) out += `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return quote + out + quote;
}

/** PyYAML reads `2024-01-01` as a date; str(date) is ISO. */
function pythonDate(d: Date): string {
  const iso = d.toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.replace('T', ' ').replace(/\.000Z$/, '').replace(/Z$/, '');
}

/** Exact port of dbt-core's synthesize_generic_test_names: returns [shortName, fullName]. */
export function synthesizeGenericTestNames(testType: string, testName: string, args: Record<string, unknown>): [string, string] {
  const flatArgs: string[] = [];
  for (const argName of Object.keys(args).sort(pythonCompare)) {
    if (argName === 'model') continue;
    const argVal = args[argName];
    let parts: unknown[];
    if (argVal !== null && typeof argVal === 'object' && !Array.isArray(argVal) && !(argVal instanceof Date)) {
      parts = Object.values(argVal as Record<string, unknown>);
    } else if (Array.isArray(argVal)) {
      parts = argVal;
    } else {
      parts = [argVal];
    }
    flatArgs.push(...parts.map(pythonStr));
  }
  const cleanFlatArgs = flatArgs.map((a) => a.replace(/[^0-9a-zA-Z_]+/g, '_'));
  const unique = cleanFlatArgs.join('__');
  const testIdentifier = `${testType}_${testName}`;
  const fullName = `${testIdentifier}_${unique}`;
  // Python's len() counts code points (never more than UTF-16 units: a short name is short)
  const shortName = fullName.length >= 64 && [...fullName].length >= 64 ? `${[...testIdentifier].slice(0, 30).join('')}_${md5(fullName)}` : fullName;
  return [shortName, fullName];
}

/** Python sorts str keys by code point; JavaScript's default sort compares UTF-16 units. */
function pythonCompare(a: string, b: string): number {
  const ca = [...a].map((c) => c.codePointAt(0)!);
  const cb = [...b].map((c) => c.codePointAt(0)!);
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) if (ca[i] !== cb[i]) return ca[i]! - cb[i]!;
  return ca.length - cb.length;
}

export interface GenericTestNameInput {
  /** the test as written: `not_null`, or `dbt_utils.unique_combination_of_columns` */
  testName: string;
  /** the namespace, when not already part of testName */
  namespace?: string | null;
  /** model / seed / snapshot name; for a source, `<source>_<table>` */
  modelName: string;
  columnName?: string | null;
  /** the test's arguments; config keys (severity, where, config, name, …) are ignored */
  args: Record<string, unknown>;
  /** the test is declared on a source table: dbt prefixes the test type with `source_` */
  isSource?: boolean;
  /** model version: the target name becomes `<model>_v<version>` */
  version?: string | number | null;
}

export interface GenericTestNames {
  /** dbt's full name: the node name (unique_id, fqn, selection) */
  name: string;
  /** the short name: equal to name when under 64 characters, else truncated + md5 (dbt's default alias) */
  alias: string;
}

export function genericTestNames(input: GenericTestNameInput): GenericTestNames {
  let testName = input.testName;
  let namespace = input.namespace ?? null;
  const dot = testName.indexOf('.');
  if (dot >= 0) {
    namespace = testName.slice(0, dot);
    testName = testName.slice(dot + 1);
  }
  let type = input.isSource ? `source_${testName}` : testName;
  if (namespace) type = `${namespace}_${type}`;
  const target = input.version !== undefined && input.version !== null && !input.isSource ? `${input.modelName}_v${input.version}` : input.modelName;

  const args: Record<string, unknown> = {};
  const nested = input.args.arguments;
  const flat = nested !== null && typeof nested === 'object' && !Array.isArray(nested) ? { ...input.args, ...(nested as Record<string, unknown>) } : input.args;
  for (const [k, v] of Object.entries(flat)) {
    if (k === 'arguments' && flat !== input.args) continue;
    if (TEST_CONFIG_KEYS.has(k) || k === 'model') continue;
    args[k] = v;
  }
  if (input.columnName !== undefined && input.columnName !== null) args.column_name = input.columnName;
  const [alias, name] = synthesizeGenericTestNames(type, target, args);
  return { name, alias };
}

/** dbt's node name of a generic test (the full name; see genericTestNames for the alias). */
export function genericTestName(input: GenericTestNameInput): string {
  return genericTestNames(input).name;
}
