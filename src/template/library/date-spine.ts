import { dateAdd, generateSeries } from './cross-database.js';
import type { Datepart } from './sql-args.js';

/**
 * dbt's date_spine: one row per datepart from start_date (included) up to end_date (left out),
 * in a column `date_<datepart>`. dbt counts the periods with a query while compiling; here,
 * when both ends are date literals (`'2024-01-01'`, `cast('2024-01-01' as date)`), the count
 * is worked out while rendering and the rows come from dbt's generate_series. Otherwise the
 * rows come from a recursive CTE (MariaDB: no limit; MySQL stops at cte_max_recursion_depth,
 * 1000 by default).
 */
export function dateSpine(datepart: Datepart, start: string, end: string): string {
  const from = literalDate(start);
  const to = literalDate(end);
  const col = `date_${datepart}`;
  if (from && to) {
    const n = Math.max(0, periodsBetween(from, to, datepart));
    const series = n > 0 ? generateSeries(n) : 'select 1 as generated_number from (select 1) as none where 1 = 0';
    return [
      'with rawdata as (',
      series,
      '), all_periods as (',
      `    select ${dateAdd(datepart, 'row_number() over (order by generated_number) - 1', start)} as ${col}`,
      '    from rawdata',
      '), filtered as (',
      `    select * from all_periods where ${col} < ${end}`,
      ')',
      'select * from filtered',
    ].join('\n');
  }
  return [
    `with recursive all_periods (${col}) as (`,
    `    select ${start}`,
    '    union all',
    `    select ${dateAdd(datepart, '1', col)} from all_periods where ${dateAdd(datepart, '1', col)} < ${end}`,
    ')',
    `select * from all_periods where ${col} < ${end}`,
  ].join('\n');
}

interface YMDHMS {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
}

/** The date of `'2024-01-01'`, `cast('2024-01-01 10:00:00' as datetime)`, `date('…')`, or undefined. */
export function literalDate(sql: string): YMDHMS | undefined {
  const m = /^\s*(?:(?:cast|date|timestamp|to_date)\s*\(\s*)?'(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?'(?:\s+as\s+(?:date|datetime|timestamp)(?:\(\d\))?)?\s*\)?\s*$/i.exec(sql);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0)) as [number, number, number, number, number, number];
  return { y, mo, d, h, mi, s };
}

/** How many datepart steps from `a` stay before `b`: the rows of the spine. */
function periodsBetween(a: YMDHMS, b: YMDHMS, part: Datepart): number {
  const ms = (t: YMDHMS) => Date.UTC(t.y, t.mo - 1, t.d, t.h, t.mi, t.s);
  const span = ms(b) - ms(a);
  if (span <= 0) return 0;
  const fixed: Partial<Record<Datepart, number>> = { microsecond: 0.001, second: 1000, minute: 60_000, hour: 3_600_000, day: 86_400_000, week: 7 * 86_400_000 };
  const unit = fixed[part];
  if (unit) return Math.ceil(span / unit);
  const months = part === 'month' ? 1 : part === 'quarter' ? 3 : 12;
  // steps k with a + k*months < b
  let k = Math.max(0, Math.floor(((b.y - a.y) * 12 + (b.mo - a.mo)) / months) - 1);
  const stepMs = (n: number) => {
    const total = a.mo - 1 + n * months;
    const y = a.y + Math.floor(total / 12);
    const mo = total % 12;
    // MySQL's date_add clamps the day to the month's last
    const d = Math.min(a.d, new Date(Date.UTC(y, mo + 1, 0)).getUTCDate());
    return Date.UTC(y, mo, d, a.h, a.mi, a.s);
  };
  while (stepMs(k) < ms(b)) k++;
  return k;
}
