// A failed unit test's diff: a text table for the console (rows marked =, ~, -, +; a differing
// cell shows `expected → actual`) and the same as data for run_results.json and the JSON log.
import { cell, type Row } from './fixture-rows.js';
import type { RowComparison } from './compare-rows.js';

/** The diff as data: the compared columns and each row's state, values as the server returned them. */
export interface UnitDiff {
  columns: string[];
  expected_rows: number;
  actual_rows: number;
  rows: Array<{ status: 'match' | 'changed' | 'missing' | 'unexpected'; expected?: Row; actual?: Row; differing?: string[] }>;
}

/** At most this many rows in the text table (the data keeps them all). */
const MAX_LINES = 40;
const MAX_CELL = 40;

const pick = (row: Row, columns: string[]): Row => Object.fromEntries(columns.map((c) => [c, cell(row, c) ?? null]));

export function unitDiff(c: RowComparison, actualRows: number, expectedRows: number): UnitDiff {
  return {
    columns: c.columns,
    expected_rows: expectedRows,
    actual_rows: actualRows,
    rows: [
      ...c.changed.map((x) => ({ status: 'changed' as const, expected: pick(x.expected, c.columns), actual: pick(x.actual, c.columns), differing: x.cells })),
      ...c.missing.map((e) => ({ status: 'missing' as const, expected: pick(e, c.columns) })),
      ...c.unexpected.map((a) => ({ status: 'unexpected' as const, actual: pick(a, c.columns) })),
      ...c.matched.map((m) => ({ status: 'match' as const, expected: pick(m.expected, c.columns), actual: pick(m.actual, c.columns) })),
    ],
  };
}

const show = (v: unknown): string => {
  const s = v === null || v === undefined ? 'NULL' : v instanceof Date ? v.toISOString() : typeof v === 'object' ? JSON.stringify(v) : String(v);
  const flat = s.replace(/\s+/g, ' ');
  return flat.length > MAX_CELL ? `${flat.slice(0, MAX_CELL - 1)}…` : flat;
};

const MARK = { match: '=', changed: '~', missing: '-', unexpected: '+' } as const;

/** The diff as a text table, with a legend line. */
export function formatUnitDiff(d: UnitDiff): string {
  const lines = d.rows.slice(0, MAX_LINES).map((r) => {
    const cells = d.columns.map((c) => {
      if (r.status === 'changed' && r.differing!.includes(c)) return `${show(r.expected![c])} → ${show(r.actual![c])}`;
      return show((r.expected ?? r.actual)![c]);
    });
    return [MARK[r.status], ...cells];
  });
  const head = ['', ...d.columns];
  const widths = head.map((h, i) => Math.max([...h].length, ...lines.map((l) => [...l[i]!].length)));
  const fmt = (vals: string[]) => `${vals.map((v, i) => v + ' '.repeat(widths[i]! - [...v].length)).join(' | ')}`.trimEnd();
  const table = [fmt(head), widths.map((w) => '-'.repeat(w)).join('-+-'), ...lines.map(fmt)];
  if (d.rows.length > MAX_LINES) table.push(`… ${d.rows.length - MAX_LINES} more rows (all in run_results.json)`);
  const counts = (s: keyof typeof MARK) => d.rows.filter((r) => r.status === s).length;
  const summary = `actual differs from expected: ${d.expected_rows} row${d.expected_rows === 1 ? '' : 's'} expected, ${d.actual_rows} returned; ${counts('changed')} changed (~), ${counts('missing')} missing (-), ${counts('unexpected')} unexpected (+)`;
  return `${summary}\n${table.join('\n')}\n(~ cells: expected → actual; - expected but not returned; + returned but not expected; = as expected)`;
}
