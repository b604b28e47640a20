import { TestArgumentError, type GenericTestContext } from './types.js';

/** Argument readers shared by the generic tests: each names the test and the argument in its error. */

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}

export function argError(test: string, message: string): TestArgumentError {
  return new TestArgumentError(`Test "${test}": ${message}`);
}

function missing(test: string, key: string, example: string): TestArgumentError {
  return argError(test, `missing required argument "${key}". Add it under the test, e.g. \`${example}\`.`);
}

export function has(args: Record<string, unknown>, key: string): boolean {
  return args[key] !== undefined && args[key] !== null;
}

export function stringArg(test: string, args: Record<string, unknown>, key: string, example: string): string;
export function stringArg(
  test: string,
  args: Record<string, unknown>,
  key: string,
  example: string,
  fallback: string | null,
): string | null;
export function stringArg(
  test: string,
  args: Record<string, unknown>,
  key: string,
  example: string,
  fallback?: string | null,
): string | null {
  const v = args[key];
  if (v === undefined || v === null) {
    if (fallback !== undefined) return fallback;
    throw missing(test, key, example);
  }
  if (typeof v === 'string') {
    if (v.trim() === '') throw argError(test, `argument "${key}" is empty; give it a value, e.g. \`${example}\`.`);
    return v;
  }
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw argError(test, `argument "${key}" must be a string, got ${describe(v)}; e.g. \`${example}\`.`);
}

export function numberArg(test: string, args: Record<string, unknown>, key: string, example: string): number;
export function numberArg(test: string, args: Record<string, unknown>, key: string, example: string, fallback: number): number;
export function numberArg(
  test: string,
  args: Record<string, unknown>,
  key: string,
  example: string,
  fallback: number | null,
): number | null;
export function numberArg(
  test: string,
  args: Record<string, unknown>,
  key: string,
  example: string,
  fallback?: number | null,
): number | null {
  const v = args[key];
  if (v === undefined || v === null) {
    if (fallback !== undefined) return fallback;
    throw missing(test, key, example);
  }
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  throw argError(test, `argument "${key}" must be a number, got ${describe(v)}; e.g. \`${example}\`.`);
}

export function intArg(test: string, args: Record<string, unknown>, key: string, example: string, fallback: number): number {
  const n = numberArg(test, args, key, example, fallback);
  if (!Number.isInteger(n)) throw argError(test, `argument "${key}" must be a whole number, got ${n}; e.g. \`${example}\`.`);
  return n;
}

export function boolArg(test: string, args: Record<string, unknown>, key: string, fallback: boolean): boolean {
  const v = args[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'True') return true;
  if (v === 'false' || v === 'False') return false;
  throw argError(test, `argument "${key}" must be true or false, got ${describe(v)}.`);
}

/** A list of strings; a single string is accepted as a one-element list. */
export function stringListArg(
  test: string,
  args: Record<string, unknown>,
  key: string,
  example: string,
  options: { required?: boolean } = {},
): string[] {
  const v = args[key];
  if (v === undefined || v === null) {
    if (options.required) throw missing(test, key, example);
    return [];
  }
  const list = Array.isArray(v) ? v : [v];
  const out: string[] = [];
  for (const item of list) {
    if (typeof item === 'string' && item.trim() !== '') out.push(item);
    else if (typeof item === 'number') out.push(String(item));
    else throw argError(test, `argument "${key}" must be a list of column names, got an item ${describe(item)}; e.g. \`${example}\`.`);
  }
  if (options.required && out.length === 0) throw argError(test, `argument "${key}" is an empty list; e.g. \`${example}\`.`);
  return out;
}

export function enumArg<T extends string>(
  test: string,
  args: Record<string, unknown>,
  key: string,
  allowed: readonly T[],
  fallback: T,
): T {
  const v = args[key];
  if (v === undefined || v === null) return fallback;
  const s = typeof v === 'string' ? v.toLowerCase() : v;
  if (typeof s === 'string' && (allowed as readonly string[]).includes(s)) return s as T;
  throw argError(test, `argument "${key}" must be one of ${allowed.map((a) => `"${a}"`).join(', ')}, got ${describe(v)}.`);
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]*$/;

/**
 * A column named in an argument (combination_of_columns, group_by_columns, partition_by,
 * lower_bound_column, …). dbt inserts these raw, so users may write expressions such as
 * `coalesce(valid_to, '2099-01-01')`. A plain identifier is quoted (same meaning in MySQL,
 * whose column names are case-insensitive, and safe for reserved words like `order`);
 * anything else is inserted as the SQL expression it is. `forceQuote` quotes always
 * (dbt_utils' quote_columns: true).
 */
export function columnExpr(ctx: Pick<GenericTestContext, 'quote'>, name: string, forceQuote = false): string {
  const trimmed = name.trim();
  if (forceQuote || IDENTIFIER.test(trimmed)) return ctx.quote(trimmed);
  return trimmed;
}

/** The column a column-level test is declared on: always an identifier, always quoted. */
export function testColumn(test: string, ctx: GenericTestContext): string {
  if (!ctx.columnName) {
    throw argError(test, 'this test checks a column: declare it under a column\'s `tests:` (or `data_tests:`), not under the model.');
  }
  return ctx.quote(ctx.columnName);
}

/** A SQL string literal with MySQL escaping (backslash and quote), independent of ctx.literal. */
export function sqlString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "''").replace(/\0/g, '\\0')}'`;
}

/** Dateparts accepted by MySQL's INTERVAL (dbt's dateadd dateparts). */
export const DATEPARTS = ['microsecond', 'second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year'] as const;
export type Datepart = (typeof DATEPARTS)[number];

export function datepartArg(test: string, args: Record<string, unknown>, key: string, required: boolean): Datepart | null {
  const v = args[key];
  if (v === undefined || v === null) {
    if (required) throw missing(test, key, `${key}: day`);
    return null;
  }
  const s = typeof v === 'string' ? v.toLowerCase().replace(/s$/, '') : '';
  if ((DATEPARTS as readonly string[]).includes(s)) return s as Datepart;
  throw argError(test, `argument "${key}" must be one of ${DATEPARTS.join(', ')}, got ${describe(v)}.`);
}

/** MySQL's dateadd: DATE_ADD(expr, INTERVAL n unit) — n may be negative. */
export function dateAdd(datepart: Datepart, n: number | string, expr: string): string {
  return `DATE_ADD(${expr}, INTERVAL ${n} ${datepart.toUpperCase()})`;
}

/** dbt_utils.slugify: lower case, non-alphanumerics to `_`, `_` prefix if it starts with a digit. */
export function slugify(s: string): string {
  const slug = s.toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/_+/g, '_');
  return /^[0-9]/.test(slug) ? `_${slug}` : slug;
}

/** A numeric bound inserted into SQL: numbers as numbers, strings raw (dbt inserts them raw, so `"'2024-01-01'"` or `"current_date"` work). */
export function rawValue(test: string, key: string, v: unknown): string {
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'string' && v.trim() !== '') return v;
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  throw argError(test, `argument "${key}" must be a number or a SQL expression string, got ${describe(v)}.`);
}
