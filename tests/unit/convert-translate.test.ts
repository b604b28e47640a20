import { describe, expect, it } from 'vitest';
import { createHandlebarsEnv } from '../../src/template/handlebars-lib.js';
import { registerLogicHelpers } from '../../src/template/logic-helpers.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { findMacros, translateTemplate, type TemplateKind } from '../../src/convert/translate-template.js';
import type { MacroSig } from '../../src/convert/translate-expr.js';
import { translateYaml } from '../../src/convert/yaml-jinja.js';

/** Jinja → ft Handlebars, one construct at a time (the fixture projects cover them together). */
const MACROS = new Map<string, MacroSig>([
  ['cents', { name: 'cents', params: [{ name: 'col' }, { name: 'scale', dflt: { t: 'lit', v: 2 } }] }],
]);

function convert(src: string, kind: TemplateKind = 'model') {
  const r = translateTemplate(src, { file: 'models/x.sql', kind, macros: MACROS, projectName: 'proj' });
  return { text: r.main?.text ?? '', blocks: r.blocks, leftovers: r.leftovers };
}
const hb = (src: string) => {
  const r = convert(src);
  expect(r.leftovers, JSON.stringify(r.leftovers)).toEqual([]);
  return r.text;
};
const leftover = (src: string) => convert(src).leftovers.map((l) => l.construct);

/** Renders converted text with the logic helpers (no ft project needed for these). */
function render(text: string, ctx: Record<string, unknown> = {}): string {
  const env = createHandlebarsEnv();
  registerLogicHelpers(env);
  return env.compile(text, { noEscape: true })(ctx);
}

describe('ft convert: expressions', () => {
  it('ref and source, with one and two arguments; a version is kept as a leftover note', () => {
    expect(hb(`select * from {{ ref('orders') }}`)).toBe('select * from {{ref "orders"}}');
    expect(hb(`{{ ref("pkg", "orders") }}`)).toBe('{{ref "pkg" "orders"}}');
    expect(hb(`{{ source('raw', 'events') }}`)).toBe('{{source "raw" "events"}}');
    const v = convert(`{{ ref('orders', v=2) }}`);
    expect(v.text).toBe('{{ref "orders"}}');
    expect(v.leftovers.map((l) => l.construct)).toEqual(['ref version']);
  });

  it('var and env_var with defaults, this, target.*', () => {
    expect(hb(`{{ var('x') }} {{ var('y', 10) }} {{ env_var('HOME_DIR', '/tmp') }}`)).toBe('{{var "x"}} {{var "y" 10}} {{env_var "HOME_DIR" "/tmp"}}');
    expect(hb(`{{ this }} {{ this.name }} {{ this.schema }} {{ target.name }} {{ target.schema }}`)).toBe('{{this}} {{this.name}} {{this.schema}} {{target.name}} {{target.schema}}');
    expect(leftover(`{{ this.database }}`)).toEqual(['this.database']);
  });

  it('config with literals, lists, dicts, var values and hooks holding Jinja', () => {
    expect(hb(`{{ config(materialized='table', tags=['a', 'b'], meta={'owner': 'x'}, enabled=var('on', true), post_hook="grant select on {{ this }} to r") }}`)).toBe(
      `{{config materialized="table" tags='["a","b"]' meta='{"owner":"x"}' enabled=(var "on" true) post_hook="grant select on {{this}} to r"}}`,
    );
  });

  it("config with one dict, as dbt also takes it (mattermost's 84 models): its keys become key=value", () => {
    expect(hb(`{{ config({"materialized": "table", "unique_key": ['id'], "post-hook": "analyze table {{ this }}",}) }}`)).toBe(
      `{{config materialized="table" unique_key='["id"]' post_hook="analyze table {{this}}"}}`,
    );
    expect(leftover(`{{ config({x ~ 'y': 1}) }}`)).toEqual(['config()']);
  });

  it('a {% set %} in an {% if %} of a macro, read after it, is reported (it was dropped, and the loop over it rendered nothing)', () => {
    const r = convert(`{% test t(model, column_list, quote_columns=False) %}\n{% if not quote_columns %}\n  {%- set columns = column_list %}\n{% else %}\n  {%- set columns = [] %}\n{% endif %}\nselect {% for c in columns %}{{ c }}{% endfor %} from {{ model }}\n{% endtest %}`, 'macro-file');
    expect(r.leftovers.map((l) => [l.line, l.construct, l.text])).toEqual([[7, 'conditional set', '{% for c in columns %}']]);
    // over an argument of the same name too
    expect(convert(`{% macro m(col) %}{% if var('up') %}{% set col = col | upper %}{% endif %}{{ col }}{% endmacro %}`, 'macro-file').leftovers.map((l) => l.construct)).toEqual(['conditional set']);
  });

  it("dbt's log() and print() become Handlebars' log (they were dropped without a word)", () => {
    expect(hb(`{{ log("hello " ~ var('x'), info=True) }}select 1`)).toBe('{{log (cat "hello " (var "x"))}}select 1');
    expect(hb(`{{ print('done') }}`)).toBe('{{log "done"}}');
  });

  it('config values from a {% set %} are literals too', () => {
    expect(hb(`{% set keys = ['a', 'b'] %}{% set m = 'table' %}{{ config(materialized=m, unique_key=keys) }}`)).toBe(`{{config materialized="table" unique_key='["a","b"]'}}`);
  });

  it('is_incremental and if/elif/else with and, or, not, comparisons, is none, in', () => {
    expect(hb(`{% if is_incremental() %}a{% endif %}`)).toBe('{{#if (is_incremental)}}a{{/if}}');
    expect(hb(`{% if a == 1 and not b %}x{% elif c != 2 or d is none %}y{% elif e is not none and f < 1 and g >= 2 %}z{% else %}w{% endif %}`)).toBe(
      '{{#if (and (eq a 1) (not b))}}x{{else if (or (ne c 2) (eq d null))}}y{{else if (and (not (eq e null)) (lt f 1) (ge g 2))}}z{{else}}w{{/if}}',
    );
    expect(hb(`{% if 'x' in var('l') and 'y' not in ['a'] %}1{% endif %}`)).toBe('{{#if (and (in "x" (var "l")) (not (in "y" (array "a"))))}}1{{/if}}');
  });

  it('the helpers behind the conditions read as Jinja does', () => {
    const t = hb(`{% if a == 1 and not b %}x{% elif c is none or 'q' in l %}y{% else %}z{% endif %}`);
    expect(render(t, { a: 1, b: false })).toBe('x');
    expect(render(t, { a: 1, b: [], c: null })).toBe('x'); // an empty list is false
    expect(render(t, { a: 2, c: undefined })).toBe('y');
    expect(render(t, { a: 2, c: 1, l: ['q'] })).toBe('y');
    expect(render(t, { a: 2, c: 1, l: 'abc' })).toBe('z');
  });

  it('for over a literal list, a set list, dict items and relation columns, with loop.first/last and for-else', () => {
    // the item is `this` and the key `@key` (no block params: ft's fast parser reads the loop)
    expect(hb(`{% for m in ['a', 'b'] %}{{ m }}{% if not loop.last %},{% endif %}{% endfor %}`)).toBe('{{#each (array "a" "b")}}{{this}}{{#if (not @last)}},{{/if}}{{/each}}');
    const set = hb(`{% set ms = ['a', 'b'] %}{% for m in ms %}{{ m }}{% endfor %}`);
    expect(set).toBe('{{#each (array "a" "b")}}{{this}}{{/each}}');
    expect(render(set)).toBe('ab');
    const items = hb(`{% for k, v in {'a': 1, 'b': 2}.items() %}{{ k }}={{ v }}{% if loop.first %}!{% endif %}{% endfor %}`);
    expect(items).toBe('{{#each (dict "a" 1 "b" 2)}}{{@key}}={{this}}{{#if @first}}!{{/if}}{{/each}}');
    expect(render(items)).toBe('a=1!b=2');
    expect(hb(`{% for c in adapter.get_columns_in_relation(ref('x')) %}{{ c.name }}{% else %}none{% endfor %}`)).toBe('{{#each (get_columns_in_relation (ref "x"))}}{{this.name}}{{else}}none{{/each}}');
    // an outer loop's item from an inner loop: ../this, ../name
    const nested = hb(`{% for t in tables %}{% for c in t.cols %}{{ t.name }}.{{ c }}{{ t }} {% endfor %}{% endfor %}`);
    expect(nested).toBe('{{#each tables}}{{#each this.cols}}{{../name}}.{{this}}{{../this}} {{/each}}{{/each}}');
    expect(render(nested, { tables: [{ name: 'o', cols: ['id', 'at'] }] })).toBe('o.id[object Object] o.at[object Object] ');
    expect(leftover(`{% for k, v in d.items() %}{% for x in v %}{{ k }}{% endfor %}{% endfor %}`)).toEqual(['loop key']);
    expect(leftover(`{% for i in range(3) %}{{ i }}{% endfor %}`)).toEqual(['range()']);
    expect(leftover(`{% for m in l %}{{ loop.index }}{% endfor %}`)).toEqual(['loop variable']);
  });

  it('set of literals, lists and dicts is inlined where used; a block set where printed', () => {
    expect(hb(`{% set p = 'shop' %}{% set d = {'k': 'v'} %}{{ p }}-{{ d.k }}-{{ d['k'] }}`)).toBe('shop-v-v');
    expect(hb(`{% set w %}where 1 = 1{% endset %}select 1 {{ w }}`)).toBe('select 1 where 1 = 1');
    // a block of plain text is a string value too; one holding tags can only be printed
    expect(hb(`{% set w %}a{% endset %}{{ w ~ 'b' }}`)).toBe('{{cat "a" "b"}}');
    expect(leftover(`{% set w %}{{ ref('x') }}{% endset %}{{ w ~ 'b' }}`)).toEqual(['set block']);
    expect(leftover(`{% if a %}{% set x = 1 %}{% endif %}{{ x }}`)).toEqual(['conditional set']);
    // a set over a macro argument that reads the argument
    const r = convert(`{% macro m(cols) %}{% set cols = cols if cols is not none else ['id'] %}{{ cols | join(', ') }}{% endmacro %}`, 'macro-file');
    expect(r.leftovers).toEqual([]);
    expect(r.blocks[0]!.out.text).toBe('{{join (iif (not (eq cols null)) cols (array "id")) ", "}}');
    expect(render(r.blocks[0]!.out.text, { cols: ['a', 'b'] })).toBe('a, b');
    expect(render(r.blocks[0]!.out.text, {})).toBe('id');
  });

  it('~ and the filters lower, upper, join, default, trim, replace', () => {
    const t = hb(`{{ 'a' ~ x ~ 1 }} {{ x | lower }} {{ x | upper }} {{ l | join(', ') }} {{ y | default('d') }} {{ x | trim }} {{ x | replace('A', 'b') }}`);
    expect(t).toBe('{{cat "a" x 1}} {{lower x}} {{upper x}} {{join l ", "}} {{default y "d"}} {{trim x}} {{replace x "A" "b"}}');
    expect(render(t, { x: ' Ab ', l: ['p', 'q'] })).toBe('a Ab 1  ab   AB  p, q d Ab  bb ');
    expect(leftover(`{{ l | first }}`)).toEqual(['filter |first']);
    const t2 = hb(`{{ l | length }} {{ 'a' if l | length > 1 else 'b' }} {{ 'c' if not l }}`);
    expect(t2).toBe('{{length l}} {{iif (gt (length l) 1) "a" "b"}} {{iif (not l) "c"}}');
    expect(render(t2, { l: ['x', 'y'] })).toBe('2 a ');
  });

  it('macro definitions become partials with their defaults; calls pass arguments by name', () => {
    const r = convert(`{% macro cents(col, scale=2) -%}\nround({{ col }} / 100, {{ scale }})\n{%- endmacro %}`, 'macro-file');
    expect(r.leftovers).toEqual([]);
    expect(r.blocks.map((b) => [b.kind, b.name, b.out.text])).toEqual([['macro', 'cents', 'round({{col}} / 100, {{default scale 2}})']]);
    expect(hb(`{{ cents('amount') }} {{ cents('fee', scale=4) }} {{ proj.cents(col='tax') }}`)).toBe('{{> cents col="amount"}} {{> cents col="fee" scale=4}} {{> cents col="tax"}}');
    // where a value is needed, the macro's text comes from the macro helper
    const v = hb(`{{ dbt.date_trunc('month', cents('amount')) }} {{ cents('fee', scale=4) ~ ' as fee' }}`);
    expect(v).toBe('{{dbt.date_trunc "month" (macro "cents" col="amount")}} {{cat (macro "cents" col="fee" scale=4) " as fee"}}');
    const env = createHandlebarsEnv();
    registerLogicHelpers(env);
    env.registerPartial('cents', '\n  round({{col}} / 100, {{default scale 2}})\n');
    expect(env.compile('{{cat (macro "cents" col="fee" scale=4) " as fee"}} {{macro "cents" col="a"}}', { noEscape: true })({})).toBe('round(fee / 100, 4) as fee round(a / 100, 2)');
    expect(() => env.compile('{{macro "nope"}}')({})).toThrow(/there is no macro nope/);
  });

  it('inside a loop, a macro argument is read from the context outside the loop', () => {
    const r = convert(`{% macro m(cols, sep=',') %}{% for c in cols %}{{ c }}{{ sep }}{% endfor %}{% endmacro %}`, 'macro-file');
    expect(r.blocks[0]!.out.text).toBe('{{#each cols}}{{this}}{{default ../sep ","}}{{/each}}');
    expect(render(r.blocks[0]!.out.text, { cols: ['a', 'b'] })).toBe('a,b,');
  });

  it('a macro dispatched by database calls its mysql__ or default__ version; arithmetic on literals is done', () => {
    const macros = new Map<string, MacroSig>([['default__r', { name: 'default__r', params: [{ name: 'c' }, { name: 'd' }] }]]);
    const r = translateTemplate(`{{ return(adapter.dispatch('r')(column_name, 2)) }} {{ x(n=365*10, m=7 // 2) }}`, { file: 'm.sql', kind: 'partial', macros, projectName: 'p' });
    expect(r.leftovers).toEqual([]);
    expect(r.main!.text).toBe('{{> default__r c=column_name d=2}} {{x n=3650 m=3}}');
    macros.set('mysql__r', { name: 'mysql__r', params: [{ name: 'c' }, { name: 'd' }] });
    expect(translateTemplate(`{{ adapter.dispatch('r')(a, 1) }}`, { file: 'm.sql', kind: 'partial', macros, projectName: 'p' }).main!.text).toBe('{{> mysql__r c=a d=1}}');
  });

  it('a macro that only returns a value becomes a JS helper, called where a value is needed', async () => {
    const src = `{% macro band(amount, high=100) %}\n  {{ return('high' if amount > high else ('none' if amount is none else 'low')) }}\n{% endmacro %}`;
    const { macros } = findMacros(src, 'macros/band.sql');
    expect(macros.map((m) => [m.name, Boolean(m.js)])).toEqual([['band', true]]);
    const sigs = new Map(macros.map((m) => [m.name, m]));
    const r = translateTemplate(src, { file: 'macros/band.sql', kind: 'macro-file', macros: sigs, projectName: 'p' });
    expect(r.leftovers).toEqual([]);
    expect(r.blocks.map((b) => [b.kind, b.name])).toEqual([['js', 'band']]);
    const dir = mkdtempSync(join(tmpdir(), 'ft-convert-js-'));
    try {
      writeFileSync(join(dir, 'band.mjs'), r.blocks[0]!.out.text);
      const { band } = (await import(pathToFileURL(join(dir, 'band.mjs')).href)) as { band: (...a: unknown[]) => unknown };
      expect([band(150, {}), band(50, {}), band(null, {}), band(150, { hash: { high: 200 } })]).toEqual(['high', 'low', 'none', 'low']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const call = translateTemplate(`{% if band(x) == 'high' %}{{ band(x, high=5) }}{% endif %}`, { file: 'm.sql', kind: 'model', macros: sigs, projectName: 'p' });
    expect(call.main!.text).toBe('{{#if (eq (band x) "high")}}{{band x high=5}}{{/if}}');
  });

  it('generic tests become test_<name> partials', () => {
    const r = convert(`{% test is_even(model, column_name) %}\nselect * from {{ model }} where {{ column_name }} % 2 = 1\n{% endtest %}`, 'macro-file');
    expect(r.blocks.map((b) => [b.kind, b.name, b.out.text])).toEqual([['test', 'test_is_even', 'select * from {{model}} where {{column_name}} % 2 = 1']]);
  });

  it('namespaced macro calls keep their namespace; bare cross-database macros get dbt.', () => {
    expect(hb(`{{ dbt_utils.star(from=ref('x'), except=['a', 'b']) }}`)).toBe('{{dbt_utils.star from=(ref "x") except=(array "a" "b")}}');
    expect(hb(`{{ dbt.date_trunc('day', 'created_at') }} {{ dateadd('day', 1, 'd') }}`)).toBe('{{dbt.date_trunc "day" "created_at"}} {{dbt.dateadd "day" 1 "d"}}');
  });

  it('whitespace control is dropped without gluing tokens; comments and raw are kept', () => {
    const t = hb(`select{%- if a -%} x {%- endif -%}from t`);
    expect(t).toBe('select{{#if a}} x {{/if}}from t');
    expect(render(t, { a: true })).toBe('select x from t'); // where Jinja would print selectxfrom t
    expect(hb(`select a{{- ' ' -}}b`)).toBe('select a b');
    expect(hb(`{# a note #}select 1`)).toBe('{{!-- a note --}}select 1');
    expect(hb(`{% raw %}{{ not_jinja }}{% endraw %}`)).toBe('\\{{ not_jinja }}');
    expect(render(hb(`{% raw %}{{ not_jinja }}{% endraw %}`))).toBe('{{ not_jinja }}');
  });

  it('docs blocks take ft form; their text is kept', () => {
    const r = convert(`{% docs orders %}\nThe {{ orders }} table.\n{% enddocs %}`, 'docs');
    expect(r.text).toBe('{{#docs "orders"}}\nThe {{ orders }} table.\n{{/docs}}');
  });

  it('snapshot blocks move to a file of their own', () => {
    const r = convert(`{% snapshot s %}\n{{ config(unique_key='id', strategy='check', check_cols='all') }}\nselect 1\n{% endsnapshot %}`, 'snapshot-file');
    expect(r.blocks.map((b) => [b.kind, b.name, b.out.text])).toEqual([['snapshot', 's', '{{config unique_key="id" strategy="check" check_cols="all"}}\nselect 1']]);
  });

  it('what has no Handlebars form is kept as written and reported at its line', () => {
    const r = convert(`select 1\n{% call statement('x') %}\nselect 2\n{% endcall %}\n{{ a + 1 }}\n{% do run(x) %}`);
    expect(r.leftovers.map((l) => [l.line, l.construct])).toEqual([
      [2, '{% call %}'],
      [5, 'arithmetic'],
      [6, '{% do %}'],
    ]);
    expect(r.text).toContain("{% call statement('x') %}");
    expect(r.text).toContain('{% endcall %}');
  });

  it('ft Handlebars already there is left as it is', () => {
    const t = '{{config materialized="table"}}\n{{#each (array "a") as |m|}}{{m}}{{#if (not @last)}},{{/if}}{{/each}}\n{{> cents col="x"}} {{ref "y"}} {{var "z" 1}} {{!-- c --}}';
    expect(hb(t)).toBe(t);
  });

  it("SQL in YAML values (a test's expression, where, a freshness filter) is checked as a model's SQL is, at its line; the YAML is kept", () => {
    const y = [
      'models:',
      '  - name: m',
      '    data_tests:',
      '      - dbt_utils.expression_is_true:',
      "          expression: date_trunc('month', start_date) = start_date",
      `      - dbt_utils.expression_is_true: {expression: "a || b = 'x'", config: {where: "d::date > '2020-01-01'"}}`,
      "      - not_null: {config: {where: \"status <> 'done'\"}}",
      '    columns:',
      '      - name: id   # expression: listagg(x) in a comment',
      '',
    ].join('\n');
    const r = translateYaml(y, 'models/s.yml', new Map(), 'p');
    expect(r.text).toBe(y);
    expect(r.leftovers.map((l) => [l.line, l.construct, l.why])).toEqual([
      [5, 'function date_trunc()', 'no MySQL function of this meaning: {{dbt.date_trunc "day" "col"}}, or date_format / date()'],
      [6, 'SQL in YAML', "MySQL reads this differently: write concat(a, b) = 'x'"],
      [6, 'SQL in YAML', "MySQL reads this differently: write cast(d as date) > '2020-01-01'"],
    ]);
  });

  it('Jinja in YAML values: Handlebars strings take the quote the YAML value leaves free', () => {
    const y = `models:\n  - name: a\n    description: "{{ doc('a') }}"\n    config:\n      enabled: "{{ var('on', true) }}"\n  - name: b\n    description: '{{ doc("b") }}'\n`;
    const r = translateYaml(y, 'm.yml', MACROS, 'proj');
    expect(r.leftovers).toEqual([]);
    expect(r.text).toBe(`models:\n  - name: a\n    description: "{{doc 'a'}}"\n    config:\n      enabled: "{{var 'on' true}}"\n  - name: b\n    description: '{{doc "b"}}'\n`);
    expect(translateYaml('a: "{% if x %}1{% endif %}"\n', 'm.yml', MACROS, 'proj').leftovers.map((l) => [l.line, l.construct])).toEqual([[1, 'jinja statement in YAML']]);
  });
});
