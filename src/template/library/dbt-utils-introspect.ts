import { castTarget } from '../../adapters/mysql/mysql-cast-type.js';
import { columnsOf, getRelation, queryRows, relationParts } from '../introspection-helpers.js';
import { IntrospectedRelation, type IntrospectedColumn } from '../introspector.js';
import type { MacroCall, MacroFamily } from './macro.js';
import { boolArg, datepartArg, intArg, listArg, nameList, quoteIdent, sqlText, stringLiteral, strArg } from './sql-args.js';
import { dateDiff, TYPES } from './cross-database.js';
import { tablesByPatternSql } from './dbt-utils-sql.js';

/**
 * dbt_utils' macros that read the database while compiling: a relation's columns (star,
 * union_relations, unpivot, nullcheck_table, get_filtered_columns_in_relation) or a query's rows
 * (get_column_values, get_relations_by_pattern, get_single_value). They read through the
 * introspection helpers (introspection-helpers.ts): once per relation or query per invocation,
 * the render done again once the answer is in.
 */

function columns(relation: unknown, call: MacroCall): IntrospectedColumn[] {
  return columnsOf(relation, call.options, call.name);
}

/** The relation's columns minus those named in `except` (compared without case, as dbt_utils does). */
function filteredColumns(relation: unknown, except: string[], call: MacroCall): IntrospectedColumn[] {
  const drop = new Set(except.map((e) => e.toLowerCase()));
  return columns(relation, call).filter((c) => !drop.has(c.name.toLowerCase()));
}

/** Whether this render is still waiting for answers (the introspection helpers count what they could not answer). */
function waiting(call: MacroCall): boolean {
  return (call.state?.reads?.misses.length ?? 0) > 0;
}

/** A relation as SQL: the quoted `schema`.`name` of a ref/source/relation object, or the text given. */
function relationSql(v: unknown, call: MacroCall): string {
  if (v instanceof IntrospectedRelation) return String(v);
  if (v !== null && typeof v === 'object' && call.state) {
    const { schema, name } = relationParts(v, call.state, call.name, call.line);
    return `${quoteIdent(schema)}.${quoteIdent(name)}`;
  }
  return sqlText(v, 'relation', call);
}

/** A column type as a CAST target (CAST takes neither varchar nor int): char for what it does not know. */
function castType(dataType: string): string {
  return castTarget(dataType) ?? TYPES.string;
}

export const dbtUtilsIntrospect: MacroFamily = {
  star: {
    params: ['from', 'relation_alias', 'except', 'prefix', 'suffix', 'quote_identifiers'],
    defaults: { relation_alias: false, except: [], prefix: '', suffix: '', quote_identifiers: true },
    render: (a, c) => {
      const cols = filteredColumns(a.from, nameList(a.except, 'except', c), c);
      // dbt_utils gives `*` when it finds no column (nothing to read yet)
      if (!cols.length) return '*';
      const alias = a.relation_alias ? `${strArg(a.relation_alias, 'relation_alias', c)}.` : '';
      const prefix = strArg(a.prefix, 'prefix', c);
      const suffix = strArg(a.suffix, 'suffix', c);
      const quote = boolArg(a.quote_identifiers, 'quote_identifiers', c);
      const q = (s: string) => (quote ? quoteIdent(s) : s);
      return cols.map((col) => `${alias}${q(col.name)}${prefix || suffix ? ` as ${q(`${prefix}${col.name}${suffix}`)}` : ''}`).join(',\n  ');
    },
  },
  get_filtered_columns_in_relation: {
    params: ['from', 'except'],
    defaults: { except: [] },
    render: (a, c) => filteredColumns(a.from, nameList(a.except, 'except', c), c).map((col) => col.name),
  },
  get_column_values: {
    params: ['table', 'column', 'where', 'order_by', 'max_records', 'default'],
    defaults: { where: null, order_by: 'count(*) desc', max_records: null, default: null },
    render: (a, c) => {
      const rel = getRelation(a.table, c.options, c.name);
      if (!rel) {
        if (waiting(c)) return [];
        if (a.default !== null && a.default !== undefined) return listArg(a.default, 'default', c);
        throw c.fail(`reads ${relationSql(a.table, c)}, which does not exist (yet), and has no default. Build it first, or give default=(array …).`);
      }
      const col = sqlText(a.column, 'column', c);
      const sql = [
        `select ${col} as value`,
        `from ${String(rel)}`,
        a.where ? `where ${sqlText(a.where, 'where', c)}` : null,
        `group by ${col}`,
        `order by ${sqlText(a.order_by, 'order_by', c)}`,
        a.max_records !== null && a.max_records !== undefined ? `limit ${intArg(a.max_records, 'max_records', c)}` : null,
      ]
        .filter((l) => l !== null)
        .join('\n');
      return queryRows(sql, c.options, c.name).map((r) => r.value);
    },
  },
  get_relations_by_pattern: {
    params: ['schema_pattern', 'table_pattern', 'exclude', 'database'],
    defaults: { exclude: '', database: null },
    render: (a, c) => {
      const sql = `${tablesByPatternSql(strArg(a.schema_pattern, 'schema_pattern', c), strArg(a.table_pattern, 'table_pattern', c), strArg(a.exclude, 'exclude', c))}\norder by table_schema, table_name`;
      return queryRows(sql, c.options, c.name).map((r) => new IntrospectedRelation(String(r.table_schema), String(r.table_name), r.table_type === 'view' ? 'view' : 'table'));
    },
  },
  get_single_value: {
    params: ['query', 'default'],
    defaults: { default: null },
    render: (a, c) => {
      const rows = queryRows(sqlText(a.query, 'query', c), c.options, c.name);
      const first = rows[0] ? Object.values(rows[0])[0] : undefined;
      return first === undefined || first === null ? a.default : first;
    },
  },
  get_intervals_between: {
    params: ['start_date', 'end_date', 'datepart'],
    // dbt_utils asks the server; so does this (its answer is a number the template can use)
    render: (a, c) => {
      const sql = `select ${dateDiff(sqlText(a.start_date, 'start_date', c), sqlText(a.end_date, 'end_date', c), datepartArg(a.datepart, c))} as n`;
      const n = queryRows(sql, c.options, c.name)[0]?.n;
      return n === undefined || n === null ? 0 : Number(n);
    },
  },
  get_query_results_as_dict: {
    params: ['query'],
    // each column's values in row order, by column name (dbt_utils' agate table as a dict)
    render: (a, c) => {
      const out: Record<string, unknown[]> = {};
      for (const row of queryRows(sqlText(a.query, 'query', c), c.options, c.name)) for (const [k, v] of Object.entries(row)) (out[k] ??= []).push(v);
      return out;
    },
  },
  union_relations: {
    params: ['relations', 'column_override', 'include', 'exclude', 'source_column_name', 'where'],
    defaults: { column_override: null, include: [], exclude: [], source_column_name: '_dbt_source_relation', where: null },
    render: (a, c) => {
      const relations = listArg(a.relations, 'relations', c, false);
      const include = nameList(a.include, 'include', c).map((s) => s.toLowerCase());
      const exclude = nameList(a.exclude, 'exclude', c).map((s) => s.toLowerCase());
      if (include.length && exclude.length) throw c.fail('takes include or exclude, not both.');
      const override = (a.column_override ?? {}) as Record<string, unknown>;
      // every column of every relation, in order of first appearance, with its first type
      const all = new Map<string, { name: string; type: string }>();
      const perRelation = relations.map((r) => {
        const cols = new Map(columns(r, c).map((col) => [col.name.toLowerCase(), col]));
        for (const [k, col] of cols) {
          if ((include.length && !include.includes(k)) || exclude.includes(k)) continue;
          const type = typeof override[col.name] === 'string' ? (override[col.name] as string) : castType(col.data_type);
          const seen = all.get(k);
          if (!seen) all.set(k, { name: col.name, type });
          // text takes the widest length met, as dbt_utils does, so no relation's values are cut
          else if (/^char\(\d+\)$/.test(seen.type) && /^char\(\d+\)$/.test(type) && Number(type.slice(5, -1)) > Number(seen.type.slice(5, -1))) seen.type = type;
        }
        return { sql: relationSql(r, c), cols };
      });
      if (!all.size) return waiting(c) ? 'select 1 as waiting_for_columns' : (() => { throw c.fail('found no columns in the relations given: check that they exist (build them first).'); })();
      const source = strArg(a.source_column_name, 'source_column_name', c);
      const where = a.where ? `\nwhere ${sqlText(a.where, 'where', c)}` : '';
      return perRelation
        .map(({ sql, cols }) => {
          const select = [...all.entries()].map(([k, { name, type }]) => `cast(${cols.has(k) ? quoteIdent(cols.get(k)!.name) : 'null'} as ${type}) as ${quoteIdent(name)}`);
          if (source) select.unshift(`cast(${stringLiteral(sql)} as char) as ${quoteIdent(source)}`);
          return `(\n  select\n    ${select.join(',\n    ')}\n  from ${sql}${where}\n)`;
        })
        .join('\n\nunion all\n\n');
    },
  },
  unpivot: {
    params: ['relation', 'cast_to', 'exclude', 'remove', 'field_name', 'value_name', 'quote_identifiers'],
    defaults: { cast_to: 'varchar', exclude: [], remove: [], field_name: 'field_name', value_name: 'value', quote_identifiers: true },
    render: (a, c) => {
      const exclude = nameList(a.exclude, 'exclude', c);
      const remove = nameList(a.remove, 'remove', c);
      const quote = boolArg(a.quote_identifiers, 'quote_identifiers', c);
      const q = (s: string) => (quote ? quoteIdent(s) : s);
      const cols = filteredColumns(a.relation, [...exclude, ...remove], c);
      const rel = relationSql(a.relation, c);
      const castTo = castType(strArg(a.cast_to, 'cast_to', c));
      if (!cols.length) return waiting(c) ? 'select 1 as waiting_for_columns' : (() => { throw c.fail(`found no columns to unpivot in ${rel}: check that it exists (build it first).`); })();
      return cols
        .map((col) =>
          [
            'select',
            ...exclude.map((e) => `  ${q(e)},`),
            `  cast(${stringLiteral(col.name)} as char) as ${q(strArg(a.field_name, 'field_name', c))},`,
            `  cast(${q(col.name)} as ${castTo}) as ${q(strArg(a.value_name, 'value_name', c))}`,
            `from ${rel}`,
          ].join('\n'),
        )
        .join('\nunion all\n');
    },
  },
  nullcheck_table: {
    params: ['relation'],
    render: (a, c) => {
      const cols = columns(a.relation, c);
      if (!cols.length) return `select * from ${relationSql(a.relation, c)}`;
      // only text can hold '': comparing a number or a date with '' warns, which strict mode makes an error
      const text = (col: IntrospectedColumn) => /char|text|enum|set/.test(col.dtype);
      const list = cols.map((col) => (text(col) ? `nullif(${quoteIdent(col.name)}, '') as ${quoteIdent(col.name)}` : quoteIdent(col.name)));
      return `select ${list.join(',\n  ')}\nfrom ${relationSql(a.relation, c)}`;
    },
  },
};
