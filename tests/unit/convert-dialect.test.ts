import { describe, expect, it } from 'vitest';
import { fixDialect, mysqlCastType } from '../../src/convert/sql-dialect.js';

const fix = (sql: string) => fixDialect(sql).text;
const flags = (sql: string) => fixDialect(sql).flags.map((f) => [f.line, f.construct]);

describe('ft convert: SQL that MySQL reads differently', () => {
  it('--comment gets its space; a comment in a string or a -- followed by a space is left alone', () => {
    expect(fix('select 1 --one\n----------  ids\nselect \'--x\' -- ok')).toBe("select 1 -- one\n-- --------  ids\nselect '--x' -- ok");
  });

  it('|| becomes concat() over plain operands: names, literals, calls, template tags, parentheses', () => {
    expect(fix("select a || ' ' || b.c as n")).toBe("select concat(a, ' ', b.c) as n");
    expect(fix('select upper(x) || {{ref "t"}}.col || (y + 1) from t')).toBe('select concat(upper(x), {{ref "t"}}.col, (y + 1)) from t');
    expect(fix("select 'a'\n  || b")).toBe("select concat('a',\nb)");
    // operands whose extent is unclear are flagged, not rewritten
    const r = fixDialect('select x + a || b');
    expect(r.text).toBe('select x + a || b');
    expect(r.flags.map((f) => f.construct)).toEqual(['pipe concat ||']);
  });

  it('x::type becomes cast(x as type) with MySQL types; what has no safe type is flagged', () => {
    expect(fix('select id::int, amt::numeric(10, 2), d::date, t::timestamp, s::varchar(20), f::float8, n::text from t')).toBe(
      'select cast(id as signed), cast(amt as decimal(10,2)), cast(d as date), cast(t as datetime), cast(s as char(20)), cast(f as double), cast(n as char) from t',
    );
    expect(fix('select sum(x)::bigint, (a / b)::double precision, {{ref "t"}}.c::date')).toBe('select cast(sum(x) as signed), cast((a / b) as double), cast({{ref "t"}}.c as date)');
    expect(fix("select x::date::text")).toBe('select cast(cast(x as date) as char)');
    expect(flags('select a::boolean,\n b::timestamptz,\n c::numeric')).toEqual([
      [1, 'cast ::'],
      [2, 'cast ::'],
      [3, 'cast ::'],
    ]);
    expect(mysqlCastType('character varying(5)').to).toBe('char(5)');
  });

  it('flags FULL OUTER JOIN, ILIKE, QUALIFY, quoted intervals, double-quoted names and functions with no MySQL twin, at their lines', () => {
    const sql = [
      'select "Name", date_trunc(\'day\', d), listagg(x, \',\'), datediff(\'day\', a, b), datediff(a, b)',
      'from a full outer join b on a.id = b.id',
      "where n ilike 'x%' and d > now() - interval '1 day'",
      'qualify row_number() over () = 1',
    ].join('\n');
    expect(flags(sql)).toEqual([
      [1, 'double quotes'],
      [1, 'function date_trunc()'],
      [1, 'function listagg()'],
      [1, 'function datediff()'],
      [2, 'full outer join'],
      [3, 'ilike'],
      [3, "interval '…'"],
      [4, 'qualify'],
    ]);
  });

  it('nothing inside a template tag, string or comment is touched', () => {
    const sql = `select {{dbt.concat (array "a" "b")}}, '||', 'x::int' /* a || b */ -- c::int\nfrom t`;
    expect(fixDialect(sql)).toEqual({ text: sql, flags: [] });
  });

  it('is idempotent: fixed SQL is fixed again to itself', () => {
    const once = fix("select a::int || '-' || b --x\nfrom t");
    expect(once).toBe("select concat(cast(a as signed), '-', b) -- x\nfrom t");
    expect(fix(once)).toBe(once);
  });

  it('Jinja left as written (a leftover) is not SQL: its double quotes are not flagged', () => {
    const r = fixDialect(`select 1 {% set cols = columns | map(attribute="name") | list %}{# "x" #} from t where x = "a"`);
    expect(r.flags.map((f) => f.text)).toEqual(['"a"']);
  });
});
