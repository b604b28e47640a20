// A metrics query's rows as a text table, JSON or CSV. Values arrive as the driver gives
// them (DECIMAL and dates as strings, to keep their digits).
import { csvField } from '../util/csv.js';

export type OutputFormat = 'table' | 'json' | 'csv';
export const OUTPUT_FORMATS: OutputFormat[] = ['table', 'json', 'csv'];

type Row = Record<string, unknown>;

const NUMERIC = /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i;

function text(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(12)));
  return String(v);
}

/** JSON: a list of objects; metric values as numbers (the server's DECIMAL strings turned into numbers). */
export function formatJson(rows: Row[], columns: string[], metricColumns: string[]): string {
  const out = rows.map((r) => {
    const o: Row = {};
    for (const c of columns) {
      const v = r[c];
      o[c] = metricColumns.includes(c) && typeof v === 'string' && NUMERIC.test(v) ? Number(v) : typeof v === 'bigint' ? Number(v) : (v ?? null);
    }
    return o;
  });
  return `${JSON.stringify(out, null, 2)}\n`;
}

export function formatCsv(rows: Row[], columns: string[]): string {
  const lines = [columns.map(csvField).join(',')];
  for (const r of rows) lines.push(columns.map((c) => csvField(text(r[c]))).join(','));
  return `${lines.join('\n')}\n`;
}

/** Aligned columns (numbers to the right), NULL shown as such. */
export function formatTable(rows: Row[], columns: string[]): string {
  const cells = rows.map((r) => columns.map((c) => text(r[c]) ?? 'NULL'));
  const numeric = columns.map((_c, i) => cells.length > 0 && cells.every((row) => row[i] === 'NULL' || NUMERIC.test(row[i]!)));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const line = (vals: string[]): string => vals.map((v, i) => (numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join(' | ').trimEnd();
  const out = [line(columns), widths.map((w) => '-'.repeat(w)).join('-+-'), ...cells.map(line)];
  return `${out.join('\n')}\n(${rows.length} row${rows.length === 1 ? '' : 's'})\n`;
}

export function formatResult(format: OutputFormat, rows: Row[], columns: string[], metricColumns: string[]): string {
  return format === 'json' ? formatJson(rows, columns, metricColumns) : format === 'csv' ? formatCsv(rows, columns) : formatTable(rows, columns);
}
