import { describe, expect, it } from 'vitest';
import { rawColumnNames } from '../../src/convert/column-name-raw.js';

// dbt hands a generic test its column bare; ft's column_name is quoted. Where a converted test
// uses it as text, the bare column_name_raw is what dbt meant (dbt-expectations' type-list test
// compared '`COUNTRY`' and matched nothing).
describe('ft convert: column_name used as text in a generic test', () => {
  it('in a SQL string, a quoted name or glued to a name: column_name_raw; as a column: column_name', () => {
    expect(rawColumnNames("where relation_column = '{{column_name}}' and {{column_name}} > 0")).toBe("where relation_column = '{{column_name_raw}}' and {{column_name}} > 0");
    expect(rawColumnNames('select avg({{column_name}}) as {{column_name}}_average, `x_{{column_name}}`')).toBe('select avg({{column_name}}) as {{column_name_raw}}_average, `x_{{column_name_raw}}`');
    expect(rawColumnNames(`select "{{column_name}}" as n, 'it''s' as s, {{column_name}}`)).toBe(`select "{{column_name_raw}}" as n, 'it''s' as s, {{column_name}}`);
    // quotes inside another template tag are not SQL's
    expect(rawColumnNames(`{{#if (eq x "a'b")}}{{column_name}}{{/if}}`)).toBe(`{{#if (eq x "a'b")}}{{column_name}}{{/if}}`);
    expect(rawColumnNames('no column here')).toBe('no column here');
  });
});
