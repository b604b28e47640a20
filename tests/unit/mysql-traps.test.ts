import { describe, expect, it } from 'vitest';
import { findTraps, closingParen } from '../../src/lint/mysql-traps.js';
import { lintIgnore, lintNode } from '../../src/lint/lint-node.js';
import type { Node } from '../../src/project/types.js';
import type { FtError } from '../../src/util/errors.js';

// SQL ported from other databases that MySQL/MariaDB read differently: each construct is
// flagged where the server's lexer would see it, never inside a string, a `quoted` identifier
// or a comment; warnings name the source file's line.

const rules = (sql: string): string[] => findTraps(sql).map((t) => t.rule);

describe('findTraps: each construct', () => {
  it('flags `--` not followed by whitespace, once per run of dashes (jaffle-shop `----------  ids`)', () => {
    expect(findTraps('select\n  ----------  ids\n  id as customer_id\nfrom t')).toEqual([{ rule: 'double_dash', offset: 9, text: '----------  ids' }]);
    expect(rules('select 1 --x\n')).toEqual(['double_dash']);
    expect(rules('select a--b from t')).toEqual(['double_dash']);
    // two separate lines, two findings
    expect(rules('--a\nselect 1\n--b\n')).toEqual(['double_dash', 'double_dash']);
  });

  it('flags ||, ::type, FULL [OUTER] JOIN, ILIKE and "double-quoted" names', () => {
    expect(findTraps("select a || b from t")).toEqual([{ rule: 'pipe_concat', offset: 9, text: '||' }]);
    expect(findTraps('select x::date from t')).toEqual([{ rule: 'cast_operator', offset: 8, text: '::date' }]);
    expect(findTraps('select * from a FULL OUTER JOIN b on a.id = b.id')).toEqual([{ rule: 'full_outer_join', offset: 16, text: 'FULL OUTER JOIN' }]);
    expect(rules('select * from a full join b on 1')).toEqual(['full_outer_join']);
    expect(rules('select * from a full /* c */\n outer -- x\n join b')).toEqual(['full_outer_join']);
    expect(rules("select * from t where name ILike 'a%'")).toEqual(['ilike']);
    expect(findTraps('select "col" from t')).toEqual([{ rule: 'double_quotes', offset: 7, text: '"col"' }]);
  });
});

describe('findTraps: what is not a trap', () => {
  it('nothing inside strings, backtick identifiers or comments', () => {
    const clean = [
      "select 'a||b', 'x::int', 'full join', 'ilike', '--x', '\"q\"' from t",
      "select 'it''s || x', 'a\\' || b' from t",
      'select `a||b`, `x::y`, `full join`, `--x`, `a``--b` from t',
      'select 1 -- ok || :: "q" ilike full join --x\n',
      'select 1 # x::int || "q" --y\n',
      'select 1 /* a || b :: c "d" --e full join */ from t',
      'select 1 --\tx\n',
      'select 1 --',
      'select 1 --\nfrom t',
      "select a - -b, a-b, @x := 1, j->'$.a' from t",
      'select fuller join_me, ilikes, full_name from t join u on t.id = u.id',
      'select * from a left join b on a.id = b.id',
    ];
    for (const sql of clean) expect(rules(sql), sql).toEqual([]);
  });

  it('a comment after the dashes of a flagged run is still a comment: `---- x ||` flags only the dashes', () => {
    expect(rules('select 1\n---- x || y\n')).toEqual(['double_dash']);
  });

  it('closingParen reads as the lexer does', () => {
    const sql = "x AS (select ')' , `)` -- )\n , 1) rest";
    expect(sql.slice(closingParen(sql, 5))).toBe(' rest');
  });
});

/** A model node as the loader makes it, enough for lintNode. */
function model(raw: string, config: Record<string, unknown> = {}, name = 'm'): Node {
  return {
    unique_id: `model.p.${name}`,
    name,
    resource_type: 'model',
    original_file_path: `models/${name}.sql`,
    raw_code: raw,
    config: { enabled: true, materialized: 'view', tags: [], meta: {}, pre_hook: [], post_hook: [], persist_docs: {}, ...config },
  } as unknown as Node;
}

describe('lintNode: lines of the source file', () => {
  it('reports the source line, not the compiled one, across a config line and standalone blocks', () => {
    const raw = ['{{config materialized="table"}}', '{{#if (is_incremental)}}', 'select 1', '{{else}}', 'select 2', '{{/if}}', 'as a,', '  x::int as b', 'from t'].join('\n');
    // what Handlebars renders (is_incremental false): the blocks' lines are gone
    const sql = ['', 'select 2', 'as a,', '  x::int as b', 'from t'].join('\n');
    const [w] = lintNode(model(raw), sql);
    expect(w).toMatch(/^models\/m\.sql:8: MySQL trap: `::int` is not a cast/);
    expect(w).toContain('cast(x as type)');
  });

  it('a trap in a macro’s output is reported on the line that calls the macro', () => {
    const raw = 'select\n  id,\n  {{> concat_name}} as name\nfrom t\n';
    const sql = 'select\n  id,\n  first || last as name\nfrom t\n';
    expect(lintNode(model(raw), sql)).toEqual([expect.stringMatching(/^models\/m\.sql:3: MySQL trap: `\|\|` .* \(in the output of \{\{> concat_name\}\}\)/)]);
  });

  it('an ephemeral parent’s SQL put in front as a CTE is not reported again on its child', () => {
    const parent = model('select a || b as c from t', { materialized: 'ephemeral' }, 'eph');
    const raw = 'select c\nfrom {{ref "eph"}}\nwhere c ilike "x"';
    const sql = 'WITH `__ft_cte__eph` AS (\nselect a || b as c from t\n)\nselect c\nfrom `__ft_cte__eph`\nwhere c ilike "x"';
    const found = lintNode(model(raw), sql, [parent]);
    expect(found.map((w) => w.split(' MySQL trap: ')[0])).toEqual(['models/m.sql:3:', 'models/m.sql:3:']);
    expect(found.join('\n')).not.toContain('||');
  });

  it('lint_ignore turns rules off: a list, one name, JSON text from inline config, or all; an unknown name is an error naming the file', () => {
    const raw = 'select a || b, "c" from t';
    expect(lintNode(model(raw), raw)).toHaveLength(2);
    expect(lintNode(model(raw, { lint_ignore: ['pipe_concat'] }), raw)).toEqual([expect.stringContaining('double_quotes')]);
    expect(lintNode(model(raw, { lint_ignore: 'double_quotes' }), raw)).toEqual([expect.stringContaining('pipe_concat')]);
    expect(lintNode(model(raw, { lint_ignore: 'pipe_concat, double_quotes' }), raw)).toEqual([]);
    expect(lintNode(model(raw, { lint_ignore: 'all' }), raw)).toEqual([]);
    let err: FtError | undefined;
    try {
      lintIgnore(model(raw, { lint_ignore: ['double-dash'] }));
    } catch (e) {
      err = e as FtError;
    }
    expect(err?.format()).toMatch(/^models\/m\.sql: lint_ignore of model m names no lint rule: "double-dash"\. The rules: double_dash/);
    expect(err?.exitCode).toBe(2);
  });

  it('a generic test is reported where it is declared in YAML', () => {
    const test = { ...model('', {}, 't'), raw_code: undefined, resource_type: 'test', name: 'expression_is_true_m', test_metadata: { name: 'expression_is_true', kwargs: {}, namespace: null }, declared_at: { file: 'models/schema.yml', line: 12 } } as unknown as Node;
    expect(lintNode(test, "select * from m where not (a || b = 'x')")).toEqual([expect.stringMatching(/^models\/schema\.yml:12: test expression_is_true_m: MySQL trap: `\|\|`/)]);
  });
});
