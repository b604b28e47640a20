import { crossDatabase, TYPES } from './cross-database.js';
import { dateSpine } from './date-spine.js';
import type { MacroCall, MacroFamily } from './macro.js';
import { boolArg, datepartArg, intArg, listArg, quoteIdent, sqlList, sqlText, stringLiteral, strArg } from './sql-args.js';

/**
 * dbt_utils' SQL generators that need nothing from the database (`dbt_utils.*`); those that
 * read it (star, union_relations, get_column_values…) are in dbt-utils-introspect.ts.
 */

/** What generate_surrogate_key writes for NULL, so NULL and '' give different keys (dbt_utils 1.0). */
export const SURROGATE_KEY_NULL = '_dbt_utils_surrogate_key_null_';

export function surrogateKey(fields: string[], call: MacroCall): string {
  const asEmpty = call.state?.lookupVar('surrogate_key_treat_nulls_as_empty_strings') === true;
  const placeholder = asEmpty ? "''" : `'${SURROGATE_KEY_NULL}'`;
  const parts = fields.flatMap((f, i) => [...(i ? ["'-'"] : []), `coalesce(cast(${f} as ${TYPES.string}), ${placeholder})`]);
  return `md5(cast(concat(${parts.join(', ')}) as ${TYPES.string}))`;
}

/** A value of a pivot list as SQL: numbers as they are, text quoted. */
function pivotValue(v: unknown): string {
  return typeof v === 'number' ? String(v) : stringLiteral(String(v));
}

function safeArith(op: string, min: number) {
  return (a: Record<string, unknown>, c: MacroCall) => {
    const fields = sqlList(a.field_list, 'field_list', c);
    if (fields.length < min) throw c.fail(`needs field_list as a list of at least ${min} fields, as in (array "a" "b").`);
    return fields.map((f) => `coalesce(${f}, 0)`).join(`\n    ${op} `);
  };
}

/** dbt_utils' query listing the tables and views whose schema and name match LIKE patterns. */
export function tablesByPatternSql(schemaPattern: string, tablePattern: string, exclude: string): string {
  return [
    'select distinct',
    '    table_schema as table_schema,',
    '    table_name as table_name,',
    "    case when table_type = 'VIEW' then 'view' else 'table' end as table_type",
    'from information_schema.tables',
    `where table_schema like ${stringLiteral(schemaPattern)}`,
    `and table_name like ${stringLiteral(tablePattern)}`,
    `and table_name not like ${stringLiteral(exclude)}`,
  ].join('\n');
}

export const dbtUtilsSql: MacroFamily = {
  generate_surrogate_key: {
    params: ['field_list'],
    render: (a, c) => surrogateKey(sqlList(a.field_list, 'field_list', c, false), c),
  },
  surrogate_key: {
    params: ['field_list'],
    defaults: { field_list: null },
    render: (_a, c) => {
      throw c.fail(
        'was replaced by dbt_utils.generate_surrogate_key (dbt_utils 1.0), which keys NULL and \'\' apart. Write {{dbt_utils.generate_surrogate_key (array "a" "b")}}; to keep the old keys, set the var surrogate_key_treat_nulls_as_empty_strings: true in project.yml.',
      );
    },
  },
  date_spine: {
    params: ['datepart', 'start_date', 'end_date'],
    render: (a, c) => dateSpine(datepartArg(a.datepart, c), sqlText(a.start_date, 'start_date', c), sqlText(a.end_date, 'end_date', c)),
  },
  generate_series: crossDatabase.generate_series!,
  pivot: {
    params: ['column', 'values', 'alias', 'agg', 'cmp', 'prefix', 'suffix', 'then_value', 'else_value', 'quote_identifiers', 'distinct'],
    defaults: { alias: true, agg: 'sum', cmp: '=', prefix: '', suffix: '', then_value: 1, else_value: 0, quote_identifiers: true, distinct: false },
    render: (a, c) => {
      const col = sqlText(a.column, 'column', c);
      // empty renders nothing, as in dbt (and while get_column_values' answer is not read yet)
      const values = listArg(a.values, 'values', c);
      const agg = strArg(a.agg, 'agg', c);
      const cmp = strArg(a.cmp, 'cmp', c);
      const prefix = strArg(a.prefix, 'prefix', c);
      const suffix = strArg(a.suffix, 'suffix', c);
      const thenV = sqlText(a.then_value, 'then_value', c);
      const elseV = sqlText(a.else_value, 'else_value', c);
      const alias = boolArg(a.alias, 'alias', c);
      const quote = boolArg(a.quote_identifiers, 'quote_identifiers', c);
      const distinct = boolArg(a.distinct, 'distinct', c) ? 'distinct ' : '';
      return values
        .map((v) => {
          const name = `${prefix}${String(v)}${suffix}`;
          const as = alias ? ` as ${quote ? quoteIdent(name) : name}` : '';
          return `${agg}(${distinct}case when ${col} ${cmp} ${pivotValue(v)} then ${thenV} else ${elseV} end)${as}`;
        })
        .join(',\n  ');
    },
  },
  deduplicate: {
    params: ['relation', 'partition_by', 'order_by'],
    render: (a, c) => {
      const rel = sqlText(a.relation, 'relation', c);
      return [
        'with row_numbered as (',
        '    select _inner.*,',
        `        row_number() over (partition by ${sqlText(a.partition_by, 'partition_by', c)} order by ${sqlText(a.order_by, 'order_by', c)}) as rn`,
        `    from ${rel} as _inner`,
        ')',
        'select distinct data.*',
        `from ${rel} as data`,
        'natural join row_numbered',
        'where row_numbered.rn = 1',
      ].join('\n');
    },
  },
  group_by: {
    params: ['n'],
    render: (a, c) => {
      const n = intArg(a.n, 'n', c);
      if (n < 1) throw c.fail(`needs n of at least 1, not ${n}.`);
      return `group by ${Array.from({ length: n }, (_, i) => i + 1).join(',')}`;
    },
  },
  safe_add: { params: ['field_list'], render: safeArith('+', 1) },
  safe_subtract: { params: ['field_list'], render: safeArith('-', 2) },
  safe_divide: {
    params: ['numerator', 'denominator'],
    render: (a, c) => `( ${sqlText(a.numerator, 'numerator', c)} ) / nullif( ( ${sqlText(a.denominator, 'denominator', c)} ), 0)`,
  },
  width_bucket: {
    params: ['expr', 'min_value', 'max_value', 'num_buckets'],
    render: (a, c) => {
      const e = sqlText(a.expr, 'expr', c);
      const min = sqlText(a.min_value, 'min_value', c);
      const max = sqlText(a.max_value, 'max_value', c);
      const n = sqlText(a.num_buckets, 'num_buckets', c);
      const bin = `(((${max}) - (${min})) / (${n}))`;
      // a value exactly on a bucket's edge goes to the bucket above it, as in dbt_utils
      return [
        '(',
        `    case when mod(cast(${e} as ${TYPES.numeric}), cast(${bin} as ${TYPES.numeric})) = 0 then 1 else 0 end`,
        `    + least(ceil(((${e}) - (${min})) / ${bin}), (${n}) + 1)`,
        ')',
      ].join('\n');
    },
  },
  haversine_distance: {
    params: ['lat1', 'lon1', 'lat2', 'lon2', 'unit'],
    defaults: { unit: 'mi' },
    render: (a, c) => {
      const unit = strArg(a.unit, 'unit', c);
      if (unit !== 'mi' && unit !== 'km') throw c.fail(`needs unit "mi" or "km", not "${unit}".`);
      const [lat1, lon1, lat2, lon2] = (['lat1', 'lon1', 'lat2', 'lon2'] as const).map((k) => sqlText(a[k], k, c));
      const rate = unit === 'km' ? ' * 1.60934' : '';
      return `2 * 3961 * asin(sqrt(power(sin(radians((${lat2} - ${lat1}) / 2)), 2) + cos(radians(${lat1})) * cos(radians(${lat2})) * power(sin(radians((${lon2} - ${lon1}) / 2)), 2)))${rate}`;
    },
  },
  slugify: {
    params: ['string'],
    // dbt_utils' rule: lower case, runs of spaces and dashes to '_', other characters dropped, a leading digit prefixed with '_'
    render: (a, c) => {
      const s = strArg(a.string, 'string', c).toLowerCase().replace(/[ -]+/g, '_').replace(/[^a-z0-9_]+/g, '');
      return /^[0-9]/.test(s) ? `_${s}` : s;
    },
  },
  get_tables_by_pattern_sql: {
    params: ['schema_pattern', 'table_pattern', 'exclude', 'database'],
    defaults: { exclude: '', database: null },
    render: (a, c) => tablesByPatternSql(strArg(a.schema_pattern, 'schema_pattern', c), strArg(a.table_pattern, 'table_pattern', c), strArg(a.exclude, 'exclude', c)),
  },
  get_tables_by_prefix_sql: {
    params: ['schema', 'prefix', 'exclude', 'database'],
    defaults: { exclude: '', database: null },
    render: (a, c) => tablesByPatternSql(strArg(a.schema, 'schema', c), `${strArg(a.prefix, 'prefix', c)}%`, strArg(a.exclude, 'exclude', c)),
  },
  nullcheck: {
    params: ['cols'],
    render: (a, c) =>
      listArg(a.cols, 'cols', c, false)
        .map((col) => {
          const name = typeof col === 'string' ? col : (col as { name?: string; column?: string })?.column ?? (col as { name?: string })?.name;
          if (typeof name !== 'string') throw c.fail('needs cols as a list of column names or columns.');
          const q = /^`.*`$/.test(name) ? name : quoteIdent(name);
          return `nullif(${q}, '') as ${q}`;
        })
        .join(',\n  '),
  },
};

