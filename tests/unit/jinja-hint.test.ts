import { describe, expect, it } from 'vitest';
import { jinjaHint } from '../../src/template/jinja-hint.js';

describe('jinjaHint: the Handlebars for Jinja left in a template', () => {
  it('converts calls, with their literal, keyword and nested arguments', () => {
    const cases: Array<[string, string]> = [
      ["{{ ref('orders') }}", '{{ref "orders"}}'],
      ['{{ source("raw", "events") }}', '{{source "raw" "events"}}'],
      ["{{ config(materialized='incremental', unique_key='id') }}", '{{config materialized="incremental" unique_key="id"}}'],
      ["{{ var('days', 7) }}", '{{var "days" 7}}'],
      ["{{- dbt_utils.star(ref('x')) -}}", '{{dbt_utils.star (ref "x")}}'],
      ['{{ is_incremental() }}', '{{#if (is_incremental)}} … {{/if}}'],
      ['{{ f(some_name) }}', '{{f …}}, its arguments separated by spaces'],
    ];
    for (const [jinja, handlebars] of cases) expect(jinjaHint(`select 1\nfrom x\n${jinja}`)).toEqual({ line: 3, hint: `"${jinja}" is Jinja; ft templates are Handlebars: write ${handlebars}` });
  });

  it('names the first construct, statements included, with what to use instead', () => {
    expect(jinjaHint("select 1\n{% if is_incremental() %} where 1 {% endif %}\n{{ ref('a') }}")).toEqual({
      line: 2,
      hint: '"{% if is_incremental() %}" is a Jinja statement; ft templates are Handlebars: use {{#if …}} … {{else}} … {{/if}} (is_incremental() becomes {{#if (is_incremental)}})',
    });
    expect(jinjaHint('{%- for c in cols -%}{{ c }}{% endfor %}')?.hint).toContain('use {{#each …}} … {{/each}}');
    expect(jinjaHint('{% call statement() %}x{% endcall %}')?.hint).toContain('use {{#if}}, {{#each}}, partials or helpers');
  });

  it('finds nothing in Handlebars', () => {
    expect(jinjaHint('select * from {{ref "a"}} {{#if (is_incremental)}}where 1{{/if}} {{var "x" 1}}')).toBeUndefined();
  });
});
