import { columnExpr, stringArg, testColumn } from './helpers.js';
import { resolveArgRelation } from './relationships.js';
import type { GenericTestDefinition } from './types.js';

const T = 'cardinality_equality';

function parse(args: Record<string, unknown>) {
  return { to: stringArg(T, args, 'to', "to: ref('orders')"), field: stringArg(T, args, 'field', 'field: customer_id') };
}

/**
 * dbt_utils `cardinality_equality`: the column's values, each with its number of rows, are
 * the same in the model and in `to`.`field`. dbt_utils compares the two (value, count) sets
 * with EXCEPT both ways; NOT EXISTS with a NULL-safe `<=>` says the same on MySQL before 8.0.31,
 * which has no EXCEPT. One failing row per (value, count) found on one side only.
 */
export const cardinalityEquality: GenericTestDefinition = {
  name: T,
  requiresColumn: true,
  requiredArgs: ['to', 'field'],
  optionalArgs: [],
  description: 'The column has the same values, as many times each, as `to`.`field`.',
  validate(args) {
    parse(args);
  },
  sql(ctx) {
    const col = testColumn(T, ctx);
    const { to, field } = parse(ctx.args);
    const other = resolveArgRelation(T, 'to', ctx, to);
    const f = columnExpr(ctx, field);
    return [
      'WITH table_a AS (',
      `  SELECT ${col} AS value_field, COUNT(*) AS num_rows FROM ${ctx.model} GROUP BY ${col}`,
      '), table_b AS (',
      `  SELECT ${f} AS value_field, COUNT(*) AS num_rows FROM ${other} GROUP BY ${f}`,
      ')',
      'SELECT a.value_field, a.num_rows FROM table_a a',
      'WHERE NOT EXISTS (SELECT 1 FROM table_b b WHERE b.value_field <=> a.value_field AND b.num_rows = a.num_rows)',
      'UNION ALL',
      'SELECT b.value_field, b.num_rows FROM table_b b',
      'WHERE NOT EXISTS (SELECT 1 FROM table_a a WHERE a.value_field <=> b.value_field AND a.num_rows = b.num_rows)',
    ].join('\n');
  },
};
