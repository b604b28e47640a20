// A unit test's input as SQL: the columns of the relation it stands for (from the server, the
// YAML's data_type, or guessed from the values), each row a SELECT of CASTs joined by UNION ALL,
// so the model's `select *` and its arithmetic see the types the real table has.
import type { Adapter } from '../../adapters/adapter.js';
import { castTarget } from '../../adapters/mysql/mysql-cast-type.js';
import { quoteIdent } from '../../project/relation-names.js';
import type { Node } from '../../project/types.js';
import { FtError } from '../../util/errors.js';
import { didYouMean } from '../../util/suggest.js';
import { cell, type Row } from './fixture-rows.js';

export interface TypedColumn {
  name: string;
  /** a CAST target: signed, decimal(12,2), char, datetime(6) … */
  cast: string;
}

const INT = /^-?\d+$/;
const NUM = /^-?\d*\.?\d+(?:[eE][-+]?\d+)?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2}(\.\d{1,6})?)?$/;

/** A CAST target that holds every value given (NULL alone: text). */
export function inferCast(values: unknown[]): string {
  const vs = values.filter((v) => v !== null && v !== undefined);
  if (!vs.length) return 'char';
  const text = vs.map((v) => (v instanceof Date ? v.toISOString().slice(0, 23).replace('T', ' ') : v));
  if (text.every((v) => typeof v === 'boolean')) return 'signed';
  const strs = text.map((v) => (typeof v === 'number' ? String(v) : v));
  if (strs.every((v) => typeof v === 'string' && INT.test(v) && v.replace('-', '').length <= 18)) return 'signed';
  if (strs.every((v) => typeof v === 'string' && NUM.test(v) && !/[eE]/.test(v))) {
    let whole = 1;
    let scale = 0;
    for (const v of strs as string[]) {
      const [i = '', f = ''] = v.replace('-', '').split('.');
      whole = Math.max(whole, i.replace(/^0+(?=\d)/, '').length);
      scale = Math.max(scale, f.length);
    }
    return whole + scale <= 65 && scale <= 30 ? `decimal(${whole + scale},${scale})` : 'double';
  }
  if (strs.every((v) => typeof v === 'string' && NUM.test(v))) return 'double';
  if (strs.every((v) => typeof v === 'string' && DATE.test(v))) return 'date';
  if (strs.every((v) => typeof v === 'string' && (DATE.test(v) || DATETIME.test(v)))) {
    const frac = Math.max(0, ...strs.map((v) => /\.(\d+)$/.exec(v as string)?.[1]?.length ?? 0));
    return frac ? `datetime(${frac})` : 'datetime';
  }
  return 'char';
}

/**
 * The columns of an input: the relation's own when it exists on the server, else those its
 * YAML declares (typed by data_type where given), else the columns the rows give; a type not
 * known is guessed from the values.
 */
export async function inputColumns(node: Node, given: { columns: string[]; rows: Row[] }, adapter: Adapter, what: string, file: string, line: number): Promise<TypedColumn[]> {
  const values = (name: string) => given.rows.map((r) => cell(r, name));
  const ephemeral = node.resource_type === 'model' && node.config.materialized === 'ephemeral';
  const fromServer = !ephemeral && node.relation_name ? await adapter.columns(node.schema, node.alias) : [];
  if (fromServer.length) {
    const known = new Set(fromServer.map((c) => c.name.toLowerCase()));
    for (const c of given.columns) {
      if (!known.has(c.toLowerCase())) {
        throw new FtError(`${what}: column "${c}" is not a column of ${node.relation_name}.${didYouMean(c, fromServer.map((x) => x.name))} Fix the column name in the rows.`, 2, file, line);
      }
    }
    return fromServer.map((c) => ({ name: c.name, cast: castTarget(c.type) ?? inferCast(values(c.name)) }));
  }
  const declared = Object.values(node.columns);
  const out: TypedColumn[] = declared.map((c) => ({ name: c.name, cast: (c.data_type ? castTarget(c.data_type) : undefined) ?? inferCast(values(c.name)) }));
  const have = new Set(out.map((c) => c.name.toLowerCase()));
  for (const c of given.columns) if (!have.has(c.toLowerCase())) out.push({ name: c, cast: inferCast(values(c)) });
  return out;
}

/**
 * Why a fixture value cannot be of its column's type, or undefined when it can. A CAST in a
 * SELECT is not covered by the strict sql_mode: 'abc' would become 0, an invalid date NULL and
 * a long text a cut one, and a wrong fixture could pass.
 */
export function fixtureValueProblem(v: unknown, cast: string): string | undefined {
  if (v === null || v === undefined || typeof v === 'boolean' || v instanceof Date) return undefined;
  const s = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : undefined;
  if (s === undefined) return undefined;
  const base = cast.toLowerCase();
  if ((base === 'signed' || base === 'unsigned') && !INT.test(s)) return 'not a whole number';
  if ((base.startsWith('decimal') || base === 'double') && !NUM.test(s)) return 'not a number';
  if (base === 'date' || base.startsWith('datetime')) {
    if (!(base === 'date' ? DATE : DATETIME).test(s) && !DATE.test(s)) return `not a ${base === 'date' ? 'date (YYYY-MM-DD)' : 'datetime (YYYY-MM-DD hh:mm:ss)'}`;
    const [y, m, d] = s.slice(0, 10).split('-').map(Number) as [number, number, number];
    const day = new Date(Date.UTC(y, m - 1, d));
    if (day.getUTCFullYear() !== y || day.getUTCMonth() !== m - 1 || day.getUTCDate() !== d) return 'not a date of the calendar';
  }
  const width = /^char\((\d+)\)$/.exec(base)?.[1];
  if (width && [...String(v)].length > Number(width)) return `longer than the column's ${width} characters`;
  return undefined;
}

/** The rows as one SELECT: a CAST per column and row, UNION ALL; no rows: a SELECT that returns none. */
export function fixtureSelect(columns: TypedColumn[], rows: Row[], literal: (v: unknown) => string, where?: { what: string; file: string; line: number }): string {
  if (!columns.length) throw new FtError('a unit test input has no columns: give at least one column in its rows.');
  rows.forEach((row, i) => {
    for (const c of columns) {
      const v = cell(row, c.name);
      const problem = fixtureValueProblem(v, c.cast);
      if (problem) throw new FtError(`${where?.what ?? 'a unit test input'}: row ${i + 1}, column ${c.name}: ${JSON.stringify(v)} is ${problem} (${c.cast}), so the server would turn it into another value. Fix the fixture.`, 2, where?.file, where?.line);
    }
  });
  const value = (v: unknown): string => {
    if (v instanceof Date) return literal(v.toISOString().slice(0, 23).replace('T', ' '));
    if (v !== null && typeof v === 'object') return literal(JSON.stringify(v));
    return literal(v);
  };
  const select = (row: Row | undefined): string => `SELECT ${columns.map((c) => `CAST(${row ? value(cell(row, c.name) ?? null) : 'NULL'} AS ${c.cast}) AS ${quoteIdent(c.name)}`).join(', ')}`;
  if (!rows.length) return `${select(undefined)} FROM DUAL WHERE 1 = 0`;
  return rows.map(select).join('\nUNION ALL\n');
}
