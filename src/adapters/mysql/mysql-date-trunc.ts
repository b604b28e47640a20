// Time arithmetic for generated queries, in SQL that MariaDB 10.6+ and MySQL 8.0+ both accept
// (neither has DATE_TRUNC). Periods start on Monday for weeks (ISO), as dbt's semantic layer has them.

export type TruncGrain = 'second' | 'minute' | 'hour' | 'day' | 'week' | 'month' | 'quarter' | 'year';

/** The start of the `grain` period holding `expr` (DATETIME for second/minute/hour, DATE above). */
export function dateTrunc(expr: string, grain: TruncGrain): string {
  switch (grain) {
    case 'second':
      return `cast(date_format(${expr}, '%Y-%m-%d %H:%i:%s') as datetime)`;
    case 'minute':
      return `cast(date_format(${expr}, '%Y-%m-%d %H:%i:00') as datetime)`;
    case 'hour':
      return `cast(date_format(${expr}, '%Y-%m-%d %H:00:00') as datetime)`;
    case 'day':
      return `cast(${expr} as date)`;
    case 'week':
      return `date_sub(cast(${expr} as date), interval weekday(${expr}) day)`;
    case 'month':
      return `cast(date_format(${expr}, '%Y-%m-01') as date)`;
    case 'quarter':
      return `(makedate(year(${expr}), 1) + interval (quarter(${expr}) - 1) quarter)`;
    case 'year':
      return `makedate(year(${expr}), 1)`;
  }
}

/** `expr` moved by `count` `grain`s (negative: back). */
export function dateAdd(expr: string, count: number, grain: TruncGrain): string {
  return `(${expr} + interval ${Math.trunc(count)} ${grain})`;
}
