// Actual against expected rows as multisets: order does not matter, only the columns the test
// expects are compared, and values are compared as what they mean (0.25 = '0.2500', '2024-01-05'
// = '2024-01-05 00:00:00', true = 1, NULL only equals NULL).
import { cell, type Row } from './fixture-rows.js';

const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;
const DATETIME = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2})?)(\.\d+)?)?(?:Z)?$/;

/** A date or datetime in one spelling: `YYYY-MM-DD[ hh:mm:ss[.ffffff]]`, midnight and zero fractions dropped. */
function dateKey(s: string): string | undefined {
  const m = DATETIME.exec(s);
  if (!m) return undefined;
  const time = m[2] ? (m[2].length === 5 ? `${m[2]}:00` : m[2]) : '00:00:00';
  const frac = (m[3] ?? '').replace(/0+$/, '').replace(/^\.$/, '');
  return time === '00:00:00' && !frac ? m[1]! : `${m[1]} ${time}${frac}`;
}

/** How a value compares: numbers by value, dates by instant, booleans as 1/0, the rest as text. */
export function normalise(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean') return v ? 'n:1' : 'n:0';
  if (typeof v === 'number' || typeof v === 'bigint') return `n:${Number(v)}`;
  if (v instanceof Date) return `d:${dateKey(v.toISOString().replace('T', ' ').replace('Z', ''))}`;
  if (Buffer.isBuffer(v)) return `s:${v.toString('utf8')}`;
  if (typeof v === 'object') return `s:${JSON.stringify(v)}`;
  const s = String(v);
  if (NUMBER.test(s.trim()) && !/^[-+]?0\d/.test(s.trim())) return `n:${Number(s)}`;
  const d = dateKey(s.trim());
  if (d) return `d:${d}`;
  return `s:${s}`;
}

/** Decimal places of a value written as a fixed-point number ('0.2500' → 4), else undefined. */
function scaleOf(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  const m = /^[-+]?\d+\.(\d+)$/.exec(v.trim());
  return m ? m[1]!.length : undefined;
}

/**
 * Whether an actual cell holds the expected value. A DECIMAL column's value holds an expected
 * number that rounds to it at the column's scale (a ratio of 1/3 in a decimal(8,4) column
 * matches 0.3333 and 0.33333), as the expected value cast to the column's type would.
 */
export function sameValue(actual: unknown, expected: unknown): boolean {
  const a = normalise(actual);
  const e = normalise(expected);
  if (a === null || e === null) return a === e;
  if (a === e) return true;
  if (a.startsWith('n:') && e.startsWith('n:')) {
    const an = Number(a.slice(2));
    const en = Number(e.slice(2));
    const scale = scaleOf(actual);
    if (scale !== undefined) return Math.abs(an - Number(en.toFixed(scale))) < 10 ** -(scale + 3);
    // floating point (DOUBLE) results: equal to 12 significant digits
    return Math.abs(an - en) <= 1e-12 * Math.max(1, Math.abs(an), Math.abs(en));
  }
  return false;
}

export interface RowComparison {
  columns: string[];
  /** expected rows matched by an actual row, with it */
  matched: Array<{ expected: Row; actual: Row }>;
  /** an expected row and the actual row closest to it, which differ in some cells */
  changed: Array<{ expected: Row; actual: Row; cells: string[] }>;
  /** expected rows with no actual row like them */
  missing: Row[];
  /** actual rows no expected row asked for */
  unexpected: Row[];
}

/** Compares the rows on `columns` as multisets (each actual row matches at most one expected row). */
export function compareRows(actual: Row[], expected: Row[], columns: string[]): RowComparison {
  const equal = (a: Row, e: Row) => columns.every((c) => sameValue(cell(a, c), cell(e, c)));
  const free = actual.map(() => true);
  const matched: RowComparison['matched'] = [];
  const unmatched: Row[] = [];
  for (const e of expected) {
    const i = actual.findIndex((a, k) => free[k] && equal(a, e));
    if (i >= 0) {
      free[i] = false;
      matched.push({ expected: e, actual: actual[i]! });
    } else unmatched.push(e);
  }
  const rest = actual.filter((_, k) => free[k]);
  // pair each unmatched expected row with the leftover actual row sharing most of its cells
  const changed: RowComparison['changed'] = [];
  const missing: Row[] = [];
  const taken = rest.map(() => false);
  for (const e of unmatched) {
    let best = -1;
    let bestSame = 0;
    rest.forEach((a, k) => {
      if (taken[k]) return;
      const same = columns.filter((c) => sameValue(cell(a, c), cell(e, c))).length;
      if (same > bestSame) {
        best = k;
        bestSame = same;
      }
    });
    // a pair shares at least half its cells; rows alike in less are one missing and one unexpected
    if (best >= 0 && bestSame * 2 >= columns.length) {
      taken[best] = true;
      const a = rest[best]!;
      changed.push({ expected: e, actual: a, cells: columns.filter((c) => !sameValue(cell(a, c), cell(e, c))) });
    } else missing.push(e);
  }
  return { columns, matched, changed, missing, unexpected: rest.filter((_, k) => !taken[k]) };
}

/** Rows that differ: a changed pair counts once. */
export const differences = (c: RowComparison): number => c.changed.length + c.missing.length + c.unexpected.length;
