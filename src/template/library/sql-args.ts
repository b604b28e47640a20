import { quoteIdent, stringLiteral } from '../../adapters/mysql/mysql-quoting.js';
import type { MacroCall } from './macro.js';

// Argument readers shared by the library's macros: dbt passes SQL text (column names,
// expressions, quoted literals) as strings, lists as lists, flags as booleans.

export { quoteIdent, stringLiteral };

/** An argument that is SQL text (a column, an expression, a number). */
export function sqlText(v: unknown, what: string, call: MacroCall): string {
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (typeof v === 'string' && v.trim() !== '') return v;
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && typeof (v as { toString?: unknown }).toString === 'function' && String(v) !== '[object Object]') return String(v);
  throw call.fail(`needs "${what}" as SQL text (a column or an expression in quotes), not ${describe(v)}.`);
}

/** A list argument: a list (`(array "a" "b")`, a list var) or one item. */
export function listArg(v: unknown, what: string, call: MacroCall, allowEmpty = true): unknown[] {
  const list = Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
  if (!allowEmpty && list.length === 0) throw call.fail(`needs "${what}" as a non-empty list, as in ${what}=(array "a" "b").`);
  return list;
}

/** A list of SQL texts. */
export function sqlList(v: unknown, what: string, call: MacroCall, allowEmpty = true): string[] {
  return listArg(v, what, call, allowEmpty).map((x) => sqlText(x, what, call));
}

/** A list of names (column names to leave out, to match); case kept. */
export function nameList(v: unknown, what: string, call: MacroCall): string[] {
  return listArg(v, what, call).map((x) => {
    if (typeof x === 'string') return x;
    if (x && typeof x === 'object' && typeof (x as { name?: unknown }).name === 'string') return (x as { name: string }).name;
    throw call.fail(`needs "${what}" as a list of names, not ${describe(x)}.`);
  });
}

export function boolArg(v: unknown, what: string, call: MacroCall): boolean {
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'True') return true;
  if (v === 'false' || v === 'False' || v === null || v === undefined) return false;
  if (typeof v === 'number') return v !== 0;
  throw call.fail(`needs "${what}" as true or false, not ${describe(v)}.`);
}

/** A whole number given as a number or as digits. */
export function intArg(v: unknown, what: string, call: MacroCall): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isInteger(n)) throw call.fail(`needs "${what}" as a whole number, not ${describe(v)}.`);
  return n;
}

/** Plain text (a prefix, a unit name). */
export function strArg(v: unknown, what: string, call: MacroCall): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string' || typeof v === 'number') return String(v);
  throw call.fail(`needs "${what}" as text, not ${describe(v)}.`);
}

/** MySQL's interval units, which are dbt's dateparts here. */
const DATEPARTS = ['microsecond', 'second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year'] as const;
export type Datepart = (typeof DATEPARTS)[number];

/** A datepart such as `day` (dbt passes it bare; `'day'` quoted, any case, is taken too). */
export function datepartArg(v: unknown, call: MacroCall, allowed: readonly string[] = DATEPARTS): Datepart {
  const s = typeof v === 'string' ? v.trim().replace(/^(['"])(.*)\1$/, '$2').toLowerCase().replace(/s$/, '') : '';
  if (!allowed.includes(s)) throw call.fail(`needs a datepart among ${allowed.join(', ')}, not ${describe(v)}.`);
  return s as Datepart;
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return v.trim() === '' ? 'an empty string' : `"${v}"`;
  if (typeof v === 'object') return 'an object';
  return String(v);
}
