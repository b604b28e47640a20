import type { MacroCall, MacroFamily } from './macro.js';
import { datepartArg, intArg, sqlList, sqlText, stringLiteral, strArg, type Datepart } from './sql-args.js';

/**
 * dbt's cross-database macros (`dbt.*`), rendering SQL that MySQL 8.0+ and MariaDB 10.6+ both
 * run. Where a macro has no single MySQL twin, the rendering follows dbt's documented meaning;
 * docs/dbt-macros.md lists each with what it renders.
 */

/** DATE_FORMAT patterns that truncate a datetime to the start of a part. */
const TRUNC_FORMAT: Partial<Record<Datepart, string>> = {
  year: '%Y-01-01',
  month: '%Y-%m-01',
  day: '%Y-%m-%d',
  hour: '%Y-%m-%d %H:00:00',
  minute: '%Y-%m-%d %H:%i:00',
  second: '%Y-%m-%d %H:%i:%s',
};

/** The start of the datepart `d` falls in, as a DATETIME (weeks start on Monday, as in dbt's date_trunc). */
export function dateTrunc(datepart: Datepart, d: string): string {
  const fmt = TRUNC_FORMAT[datepart];
  if (fmt) return `cast(date_format(${d}, '${fmt}') as datetime)`;
  if (datepart === 'week') return `cast(date_sub(cast(${d} as date), interval weekday(${d}) day) as datetime)`;
  if (datepart === 'quarter') return `cast(date_add(makedate(year(${d}), 1), interval quarter(${d}) - 1 quarter) as datetime)`;
  // microsecond: nothing to cut
  return `cast(${d} as datetime(6))`;
}

export function dateAdd(datepart: Datepart, interval: string, d: string): string {
  return `date_add(${d}, interval (${interval}) ${datepart})`;
}

/** Whole datepart boundaries crossed from a to b (dbt's datediff: 23:00 → 01:00 the next day is 1 day). */
export function dateDiff(a: string, b: string, datepart: Datepart): string {
  if (datepart === 'day') return `datediff(${b}, ${a})`;
  if (datepart === 'microsecond') return `timestampdiff(microsecond, ${a}, ${b})`;
  return `timestampdiff(${datepart}, ${dateTrunc(datepart, a)}, ${dateTrunc(datepart, b)})`;
}

export function currentTimestamp(): string {
  return 'current_timestamp()';
}

/** The type names dbt's type_* macros give, as MySQL's CAST accepts them (both servers). */
export const TYPES = {
  string: 'char',
  timestamp: 'datetime',
  int: 'signed',
  bigint: 'signed',
  float: 'double',
  numeric: 'decimal(28,6)',
  boolean: 'signed',
} as const;

const INTEGER_TYPE = /^(signed|unsigned|int|integer|bigint|smallint|tinyint|signed integer|unsigned integer)$/i;
const DECIMAL_TYPE = /^(decimal|numeric|double|float|real)\b/i;
const DATE_TYPE = /^(date|datetime|timestamp)(\(\d\))?$/i;
/** YYYY-MM-DD[ hh:mm[:ss[.ffffff]]] with months, days, hours, minutes and seconds in range */
const DATE_SHAPE = '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])( ([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9]([.][0-9]{1,6})?)?)?$';

/**
 * cast(x as type) that gives NULL, not an error, for text that is no number or no date: MySQL's
 * CAST turns 'abc' into 0 (and '2024-02-30' into NULL) with a warning, and a strict-mode
 * CREATE TABLE … AS turns the warning into an error. Other types are cast as they are.
 */
function safeCast(field: string, type: string): string {
  const t = type.trim();
  if (INTEGER_TYPE.test(t)) return `case when trim(${field}) regexp '^[-+]?[0-9]+$' then cast(${field} as ${/^unsigned/i.test(t) ? 'unsigned' : 'signed'}) end`;
  if (DECIMAL_TYPE.test(t)) return `case when trim(${field}) regexp '^[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?$' then cast(${field} as ${t}) end`;
  if (DATE_TYPE.test(t)) {
    // the shape first, then the day against the month's last (nested CASEs: the inner one only runs on the right shape)
    const text = `trim(${field})`;
    return `case when ${text} regexp '${DATE_SHAPE}' then case when cast(substr(${text}, 9, 2) as unsigned) <= dayofmonth(last_day(cast(concat(left(${text}, 7), '-01') as date))) then cast(${field} as ${t}) end end`;
  }
  return `cast(${field} as ${t})`;
}

/** dbt's generate_series: 1 … upper_bound as `generated_number`, from cross-joined powers of two. */
export function generateSeries(upper: number): string {
  const n = powersOfTwo(upper);
  const joins = Array.from({ length: n }, (_, i) => (i === 0 ? 'p as p0' : `cross join p as p${i}`)).join('\n    ');
  const sum = Array.from({ length: n }, (_, i) => `p${i}.generated_number * ${2 ** i}`).join('\n    + ');
  return [
    'with p as (',
    '    select 0 as generated_number union all select 1',
    '), unioned as (',
    '    select',
    `    ${sum}`,
    '    + 1 as generated_number',
    '    from',
    `    ${joins}`,
    ')',
    'select *',
    'from unioned',
    `where generated_number <= ${upper}`,
    'order by generated_number',
  ].join('\n');
}

/** How many powers of two cover upper_bound (dbt's get_powers_of_two): at least 1. */
export function powersOfTwo(upper: number): number {
  if (upper <= 1) return 1;
  return Math.ceil(Math.log2(upper));
}

export const crossDatabase: MacroFamily = {
  date_trunc: { params: ['datepart', 'date'], render: (a, c) => dateTrunc(datepartArg(a.datepart, c), sqlText(a.date, 'date', c)) },
  dateadd: {
    params: ['datepart', 'interval', 'from_date_or_timestamp'],
    render: (a, c) => dateAdd(datepartArg(a.datepart, c), sqlText(a.interval, 'interval', c), sqlText(a.from_date_or_timestamp, 'from_date_or_timestamp', c)),
  },
  datediff: {
    params: ['first_date', 'second_date', 'datepart'],
    render: (a, c) => dateDiff(sqlText(a.first_date, 'first_date', c), sqlText(a.second_date, 'second_date', c), datepartArg(a.datepart, c)),
  },
  last_day: {
    params: ['date', 'datepart'],
    render: (a, c) => {
      const part = datepartArg(a.datepart, c, ['week', 'month', 'quarter', 'year']);
      const d = sqlText(a.date, 'date', c);
      if (part === 'month') return `last_day(${d})`;
      return `cast(date_sub(${dateAdd(part, '1', dateTrunc(part, d))}, interval 1 day) as date)`;
    },
  },
  cast: { params: ['field', 'type'], render: (a, c) => `cast(${sqlText(a.field, 'field', c)} as ${sqlText(a.type, 'type', c)})` },
  safe_cast: { params: ['field', 'type'], render: (a, c) => safeCast(sqlText(a.field, 'field', c), sqlText(a.type, 'type', c)) },
  cast_bool_to_text: {
    params: ['field'],
    render: (a, c) => {
      const f = sqlText(a.field, 'field', c);
      return `case when (${f}) then 'true' when not (${f}) then 'false' end`;
    },
  },
  concat: { params: ['fields'], render: (a, c) => `concat(${sqlList(a.fields, 'fields', c, false).join(', ')})` },
  hash: { params: ['field'], render: (a, c) => `md5(cast(${sqlText(a.field, 'field', c)} as char))` },
  split_part: {
    params: ['string_text', 'delimiter_text', 'part_number'],
    render: (a, c) => {
      const s = sqlText(a.string_text, 'string_text', c);
      const d = sqlText(a.delimiter_text, 'delimiter_text', c);
      const n = intArg(a.part_number, 'part_number', c);
      if (n === 0) throw c.fail('part_number counts from 1 (or from -1 at the end), not 0.');
      // parts beyond the last are '' as in dbt's split_part, not the last part again
      const parts = `(char_length(${s}) - char_length(replace(${s}, ${d}, ''))) div char_length(${d}) + 1`;
      const pick = n > 0 ? `substring_index(substring_index(${s}, ${d}, ${n}), ${d}, -1)` : `substring_index(substring_index(${s}, ${d}, ${n}), ${d}, 1)`;
      return `case when ${Math.abs(n)} > ${parts} then '' else ${pick} end`;
    },
  },
  replace: {
    params: ['field', 'old_chars', 'new_chars'],
    render: (a, c) => `replace(${sqlText(a.field, 'field', c)}, ${sqlText(a.old_chars, 'old_chars', c)}, ${sqlText(a.new_chars, 'new_chars', c)})`,
  },
  position: { params: ['substring_text', 'string_text'], render: (a, c) => `locate(${sqlText(a.substring_text, 'substring_text', c)}, ${sqlText(a.string_text, 'string_text', c)})` },
  length: { params: ['expression'], render: (a, c) => `char_length(${sqlText(a.expression, 'expression', c)})` },
  right: { params: ['string_text', 'length_expression'], render: (a, c) => `right(${sqlText(a.string_text, 'string_text', c)}, ${sqlText(a.length_expression, 'length_expression', c)})` },
  listagg: {
    params: ['measure', 'delimiter_text', 'order_by_clause', 'limit_num'],
    defaults: { delimiter_text: "','", order_by_clause: null, limit_num: null },
    render: (a, c) => {
      const m = sqlText(a.measure, 'measure', c);
      const d = sqlText(a.delimiter_text, 'delimiter_text', c);
      const order = a.order_by_clause ? ` ${sqlText(a.order_by_clause, 'order_by_clause', c)}` : '';
      if (a.limit_num === null || a.limit_num === undefined) return `group_concat(${m}${order} separator ${d})`;
      const limit = intArg(a.limit_num, 'limit_num', c);
      if (c.dialect.groupConcatLimit) return `group_concat(${m}${order} separator ${d} limit ${limit})`;
      // MySQL has no LIMIT in GROUP_CONCAT: keep the first n items of the joined text
      return `substring_index(group_concat(${m}${order} separator ${d}), ${d}, ${limit})`;
    },
  },
  any_value: { params: ['expression'], render: (a, c) => `min(${sqlText(a.expression, 'expression', c)})` },
  bool_or: { params: ['expression'], render: (a, c) => `max(case when (${sqlText(a.expression, 'expression', c)}) then 1 else 0 end) = 1` },
  escape_single_quotes: { params: ['expression'], render: (a, c) => strArg(a.expression, 'expression', c).replace(/'/g, "''") },
  string_literal: { params: ['value'], render: (a, c) => stringLiteral(strArg(a.value, 'value', c)) },
  type_string: { params: [], render: () => TYPES.string },
  type_timestamp: { params: [], render: () => TYPES.timestamp },
  type_int: { params: [], render: () => TYPES.int },
  type_bigint: { params: [], render: () => TYPES.bigint },
  type_float: { params: [], render: () => TYPES.float },
  type_numeric: { params: [], render: () => TYPES.numeric },
  type_boolean: { params: [], render: () => TYPES.boolean },
  current_timestamp: { params: [], render: currentTimestamp },
  current_timestamp_backcompat: { params: [], render: currentTimestamp },
  current_timestamp_in_utc_backcompat: { params: [], render: () => 'utc_timestamp()' },
  except: { params: [], render: () => 'except' },
  intersect: { params: [], render: () => 'intersect' },
  array_construct: {
    params: ['inputs', 'data_type'],
    defaults: { inputs: [], data_type: null },
    render: (a, c) => `json_array(${sqlList(a.inputs, 'inputs', c).join(', ')})`,
  },
  array_append: { params: ['array', 'new_element'], render: (a, c) => `json_array_append(${sqlText(a.array, 'array', c)}, '$', ${sqlText(a.new_element, 'new_element', c)})` },
  array_concat: { params: ['array_1', 'array_2'], render: (a, c) => `json_merge_preserve(${sqlText(a.array_1, 'array_1', c)}, ${sqlText(a.array_2, 'array_2', c)})` },
  date: {
    params: ['year', 'month', 'day'],
    render: (a, c) => {
      const [y, m, d] = [intArg(a.year, 'year', c), intArg(a.month, 'month', c), intArg(a.day, 'day', c)];
      const pad = (n: number, w: number) => String(n).padStart(w, '0');
      return `cast('${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}' as date)`;
    },
  },
  equals: { params: ['expr1', 'expr2'], render: (a, c) => `(${sqlText(a.expr1, 'expr1', c)} <=> ${sqlText(a.expr2, 'expr2', c)})` },
  get_powers_of_two: { params: ['upper_bound'], render: (a, c) => powersOfTwo(intArg(a.upper_bound, 'upper_bound', c)) },
  generate_series: { params: ['upper_bound'], render: (a, c) => generateSeries(positive(intArg(a.upper_bound, 'upper_bound', c), c)) },
};

function positive(n: number, c: MacroCall): number {
  if (n < 1) throw c.fail(`needs upper_bound of at least 1, not ${n}.`);
  return n;
}
