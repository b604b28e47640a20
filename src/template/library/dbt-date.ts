import { dateAdd, dateTrunc, TYPES } from './cross-database.js';
import { dateSpine } from './date-spine.js';
import type { MacroCall, MacroFamily } from './macro.js';
import { boolArg, datepartArg, intArg, sqlText, stringLiteral, strArg } from './sql-args.js';

/**
 * dbt_date's common macros (`dbt_date.*`). dbt_date's `tz` arguments name a time zone: on
 * MySQL/MariaDB a named zone ('America/New_York') needs the server's time zone tables
 * (mysql_tzinfo_to_sql), an offset ('+02:00') always works. Without `tz`, now() is the
 * session's time.
 */

function tzArg(v: unknown, call: MacroCall): string | undefined {
  if (v === null || v === undefined || v === '') return undefined;
  return strArg(v, 'tz', call);
}

function now(tz: string | undefined): string {
  return tz ? `convert_tz(utc_timestamp(), '+00:00', ${stringLiteral(tz)})` : 'now()';
}

function today(tz: string | undefined): string {
  return `cast(${now(tz)} as date)`;
}

/** The date argument, or today (in tz) when none is given. */
function dateOr(v: unknown, tz: string | undefined, call: MacroCall): string {
  return v === null || v === undefined || v === '' ? today(tz) : sqlText(v, 'date', call);
}

function nDaysFrom(sign: 1 | -1) {
  return (a: Record<string, unknown>, c: MacroCall) => {
    const n = intArg(a.n, 'n', c);
    return `cast(${dateAdd('day', String(sign * n), `cast(${dateOr(a.date, tzArg(a.tz, c), c)} as date)`)} as date)`;
  };
}

function nMonthsFrom(sign: 1 | -1) {
  return (a: Record<string, unknown>, c: MacroCall) => {
    const n = intArg(a.n, 'n', c);
    return dateTrunc('month', dateAdd('month', String(sign * n), today(tzArg(a.tz, c))));
  };
}

/** Sunday of the week `d` falls in, as dbt_date's week_start. */
function weekStart(d: string): string {
  return `cast(date_sub(cast(${d} as date), interval (dayofweek(${d}) - 1) day) as date)`;
}

export const dbtDate: MacroFamily = {
  now: { params: ['tz'], defaults: { tz: null }, render: (a, c) => now(tzArg(a.tz, c)) },
  today: { params: ['tz'], defaults: { tz: null }, render: (a, c) => today(tzArg(a.tz, c)) },
  tomorrow: { params: ['date', 'tz'], defaults: { date: null, tz: null }, render: (a, c) => nDaysFrom(1)({ ...a, n: 1 }, c) },
  yesterday: { params: ['date', 'tz'], defaults: { date: null, tz: null }, render: (a, c) => nDaysFrom(-1)({ ...a, n: 1 }, c) },
  n_days_ago: { params: ['n', 'date', 'tz'], defaults: { date: null, tz: null }, render: nDaysFrom(-1) },
  n_days_away: { params: ['n', 'date', 'tz'], defaults: { date: null, tz: null }, render: nDaysFrom(1) },
  n_weeks_ago: {
    params: ['n', 'tz'],
    defaults: { tz: null },
    render: (a, c) => weekStart(dateAdd('week', String(-intArg(a.n, 'n', c)), today(tzArg(a.tz, c)))),
  },
  n_weeks_away: {
    params: ['n', 'tz'],
    defaults: { tz: null },
    render: (a, c) => weekStart(dateAdd('week', String(intArg(a.n, 'n', c)), today(tzArg(a.tz, c)))),
  },
  n_months_ago: { params: ['n', 'tz'], defaults: { tz: null }, render: nMonthsFrom(-1) },
  n_months_away: { params: ['n', 'tz'], defaults: { tz: null }, render: nMonthsFrom(1) },
  last_week: { params: ['tz'], defaults: { tz: null }, render: (a, c) => nDaysFrom(-1)({ n: 7, date: null, tz: a.tz }, c) },
  last_month: { params: ['tz'], defaults: { tz: null }, render: (a, c) => nMonthsFrom(-1)({ n: 1, tz: a.tz }, c) },
  next_month: { params: ['tz'], defaults: { tz: null }, render: (a, c) => nMonthsFrom(1)({ n: 1, tz: a.tz }, c) },
  day_of_week: {
    params: ['date', 'isoweek'],
    defaults: { isoweek: true },
    // ISO: Monday 1 … Sunday 7; otherwise Sunday 1 … Saturday 7
    render: (a, c) => (boolArg(a.isoweek, 'isoweek', c) ? `(weekday(${sqlText(a.date, 'date', c)}) + 1)` : `dayofweek(${sqlText(a.date, 'date', c)})`),
  },
  day_name: {
    params: ['date', 'short'],
    defaults: { short: true },
    render: (a, c) => `date_format(${sqlText(a.date, 'date', c)}, '${boolArg(a.short, 'short', c) ? '%a' : '%W'}')`,
  },
  day_of_month: { params: ['date'], render: (a, c) => `dayofmonth(${sqlText(a.date, 'date', c)})` },
  day_of_year: { params: ['date'], render: (a, c) => `dayofyear(${sqlText(a.date, 'date', c)})` },
  month_name: {
    params: ['date', 'short'],
    defaults: { short: true },
    render: (a, c) => `date_format(${sqlText(a.date, 'date', c)}, '${boolArg(a.short, 'short', c) ? '%b' : '%M'}')`,
  },
  week_start: { params: ['date', 'tz'], defaults: { date: null, tz: null }, render: (a, c) => weekStart(dateOr(a.date, tzArg(a.tz, c), c)) },
  week_end: {
    params: ['date', 'tz'],
    defaults: { date: null, tz: null },
    render: (a, c) => `cast(${dateAdd('day', '6', weekStart(dateOr(a.date, tzArg(a.tz, c), c)))} as date)`,
  },
  iso_week_start: {
    params: ['date', 'tz'],
    defaults: { date: null, tz: null },
    render: (a, c) => `cast(${dateTrunc('week', dateOr(a.date, tzArg(a.tz, c), c))} as date)`,
  },
  iso_week_end: {
    params: ['date', 'tz'],
    defaults: { date: null, tz: null },
    render: (a, c) => `cast(${dateAdd('day', '6', dateTrunc('week', dateOr(a.date, tzArg(a.tz, c), c)))} as date)`,
  },
  last_month_number: { params: ['tz'], defaults: { tz: null }, render: (a, c) => `month(${nMonthsFrom(-1)({ n: 1, tz: a.tz }, c)})` },
  next_month_number: { params: ['tz'], defaults: { tz: null }, render: (a, c) => `month(${nMonthsFrom(1)({ n: 1, tz: a.tz }, c)})` },
  last_month_name: {
    params: ['short', 'tz'],
    defaults: { short: true, tz: null },
    render: (a, c) => `date_format(${nMonthsFrom(-1)({ n: 1, tz: a.tz }, c)}, '${boolArg(a.short, 'short', c) ? '%b' : '%M'}')`,
  },
  next_month_name: {
    params: ['short', 'tz'],
    defaults: { short: true, tz: null },
    render: (a, c) => `date_format(${nMonthsFrom(1)({ n: 1, tz: a.tz }, c)}, '${boolArg(a.short, 'short', c) ? '%b' : '%M'}')`,
  },
  iso_week_of_year: { params: ['date'], render: (a, c) => `week(${sqlText(a.date, 'date', c)}, 3)` },
  week_of_year: { params: ['date'], render: (a, c) => `week(${sqlText(a.date, 'date', c)}, 0)` },
  date_part: {
    params: ['datepart', 'date'],
    render: (a, c) => `extract(${datepartArg(a.datepart, c)} from ${sqlText(a.date, 'date', c)})`,
  },
  from_unixtimestamp: {
    params: ['epochs', 'format'],
    defaults: { format: 'seconds' },
    // from '1970-01-01' rather than from_unixtime(), which answers in the session's time zone
    render: (a, c) => {
      const e = sqlText(a.epochs, 'epochs', c);
      const f = strArg(a.format, 'format', c);
      const scale: Record<string, string> = { seconds: `${e} * 1000000`, milliseconds: `${e} * 1000`, microseconds: e };
      if (!scale[f]) throw c.fail(`needs format "seconds", "milliseconds" or "microseconds", not "${f}".`);
      return `timestampadd(microsecond, ${scale[f]}, cast('1970-01-01 00:00:00' as datetime(6)))`;
    },
  },
  to_unixtimestamp: {
    params: ['timestamp'],
    render: (a, c) => `timestampdiff(second, cast('1970-01-01 00:00:00' as datetime), ${sqlText(a.timestamp, 'timestamp', c)})`,
  },
  convert_timezone: {
    params: ['column', 'target_tz', 'source_tz'],
    defaults: { target_tz: null, source_tz: 'UTC' },
    render: (a, c) => {
      const target = tzArg(a.target_tz, c);
      if (!target) throw c.fail('needs target_tz, as in target_tz="+02:00" or "Europe/Paris" (named zones need the server\'s time zone tables).');
      const source = tzArg(a.source_tz, c) ?? 'UTC';
      return `convert_tz(${sqlText(a.column, 'column', c)}, ${stringLiteral(source === 'UTC' ? '+00:00' : source)}, ${stringLiteral(target)})`;
    },
  },
  date_spine: {
    params: ['datepart', 'start_date', 'end_date'],
    render: (a, c) => dateSpine(datepartArg(a.datepart, c), sqlText(a.start_date, 'start_date', c), sqlText(a.end_date, 'end_date', c)),
  },
  get_date_dimension: {
    params: ['start_date', 'end_date'],
    render: (a, c) => {
      const base = dbtDate.get_base_dates!.render({ start_date: a.start_date, end_date: a.end_date, n_dateparts: null, datepart: 'day' }, c) as string;
      const d = 'd.date_day';
      const py = 'd.prior_year_over_year_date_day';
      const isoStart = (x: string) => `cast(${dateTrunc('week', x)} as date)`;
      const plus6 = (x: string) => `cast(${dateAdd('day', '6', x)} as date)`;
      const monthStart = (x: string) => `cast(${dateTrunc('month', x)} as date)`;
      const cols: Array<[string, string]> = [
        ['date_day', d],
        ['prior_date_day', `cast(${dateAdd('day', '-1', d)} as date)`],
        ['next_date_day', `cast(${dateAdd('day', '1', d)} as date)`],
        ['prior_year_date_day', 'd.prior_year_date_day'],
        ['prior_year_over_year_date_day', py],
        ['day_of_week', `dayofweek(${d})`],
        ['day_of_week_iso', `(weekday(${d}) + 1)`],
        ['day_of_week_name', `date_format(${d}, '%W')`],
        ['day_of_week_name_short', `date_format(${d}, '%a')`],
        ['day_of_month', `dayofmonth(${d})`],
        ['day_of_year', `dayofyear(${d})`],
        ['week_start_date', weekStart(d)],
        ['week_end_date', plus6(weekStart(d))],
        ['prior_year_week_start_date', weekStart(py)],
        ['prior_year_week_end_date', plus6(weekStart(py))],
        ['week_of_year', `week(${d}, 0)`],
        ['iso_week_start_date', isoStart(d)],
        ['iso_week_end_date', plus6(isoStart(d))],
        ['prior_year_iso_week_start_date', isoStart(py)],
        ['prior_year_iso_week_end_date', plus6(isoStart(py))],
        ['iso_week_of_year', `week(${d}, 3)`],
        ['prior_year_week_of_year', `week(${py}, 0)`],
        ['prior_year_iso_week_of_year', `week(${py}, 3)`],
        ['month_of_year', `month(${d})`],
        ['month_name', `date_format(${d}, '%M')`],
        ['month_name_short', `date_format(${d}, '%b')`],
        ['month_start_date', monthStart(d)],
        ['month_end_date', `last_day(${d})`],
        ['prior_year_month_start_date', monthStart('d.prior_year_date_day')],
        ['prior_year_month_end_date', 'last_day(d.prior_year_date_day)'],
        ['quarter_of_year', `quarter(${d})`],
        ['quarter_start_date', `cast(${dateTrunc('quarter', d)} as date)`],
        ['quarter_end_date', `cast(date_sub(${dateAdd('quarter', '1', dateTrunc('quarter', d))}, interval 1 day) as date)`],
        ['year_number', `year(${d})`],
        ['year_start_date', `cast(${dateTrunc('year', d)} as date)`],
        ['year_end_date', `cast(concat(year(${d}), '-12-31') as date)`],
      ];
      return [
        'with base_dates as (',
        base,
        '), dates_with_prior_year_dates as (',
        '    select',
        '        cast(d.date_day as date) as date_day,',
        `        cast(${dateAdd('year', '-1', 'd.date_day')} as date) as prior_year_date_day,`,
        `        cast(${dateAdd('day', '-364', 'd.date_day')} as date) as prior_year_over_year_date_day`,
        '    from base_dates d',
        ')',
        'select',
        cols.map(([name, expr]) => `    ${expr} as ${name}`).join(',\n'),
        'from dates_with_prior_year_dates d',
        'order by 1',
      ].join('\n');
    },
  },
  get_base_dates: {
    params: ['start_date', 'end_date', 'n_dateparts', 'datepart'],
    defaults: { start_date: null, end_date: null, n_dateparts: null, datepart: 'day' },
    render: (a, c) => {
      const part = datepartArg(a.datepart, c);
      let start: string;
      let end: string;
      if (a.start_date && a.end_date) {
        start = `cast(${stringLiteral(strArg(a.start_date, 'start_date', c))} as ${TYPES.timestamp})`;
        end = `cast(${stringLiteral(strArg(a.end_date, 'end_date', c))} as ${TYPES.timestamp})`;
      } else if (a.n_dateparts !== null && a.n_dateparts !== undefined) {
        start = dateAdd(part, String(-intArg(a.n_dateparts, 'n_dateparts', c)), today(undefined));
        end = nDaysFrom(1)({ n: 1, date: null, tz: null }, c);
      } else {
        throw c.fail('needs start_date and end_date (as in start_date="2024-01-01" end_date="2025-01-01"), or n_dateparts with datepart.');
      }
      return [
        'with date_spine as (',
        dateSpine(part, start, end),
        ')',
        `select cast(d.date_${part} as ${TYPES.timestamp}) as date_${part}`,
        'from date_spine d',
      ].join('\n');
    },
  },
};
