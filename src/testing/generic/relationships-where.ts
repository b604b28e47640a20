import { columnExpr, stringArg, testColumn } from './helpers.js';
import { resolveArgRelation } from './relationships.js';
import type { GenericTestDefinition } from './types.js';

const T = 'relationships_where';

function parse(args: Record<string, unknown>) {
  return {
    to: stringArg(T, args, 'to', "to: ref('customers')"),
    field: stringArg(T, args, 'field', 'field: customer_id'),
    fromCondition: stringArg(T, args, 'from_condition', 'from_condition: "created_at > \'2024-01-01\'"', '1=1'),
    toCondition: stringArg(T, args, 'to_condition', 'to_condition: "is_active = 1"', '1=1'),
  };
}

/**
 * dbt_utils `relationships_where`: `relationships` restricted to child rows matching
 * `from_condition` and parent rows matching `to_condition` (both default `1=1`, raw SQL).
 * One failing row per orphaned child row; NULLs are skipped on both sides, as in dbt_utils.
 */
export const relationshipsWhere: GenericTestDefinition = {
  name: 'relationships_where',
  requiresColumn: true,
  requiredArgs: ['to', 'field'],
  optionalArgs: ['from_condition', 'to_condition'],
  description: 'Referential integrity between filtered child and parent rows.',
  changedRows: 'row',
  validate(args) {
    parse(args);
  },
  sql(ctx) {
    const col = testColumn(T, ctx);
    const { to, field, fromCondition, toCondition } = parse(ctx.args);
    const parent = resolveArgRelation(T, 'to', ctx, to);
    const f = columnExpr(ctx, field);
    return [
      'WITH left_table AS (',
      `  SELECT ${col} AS id`,
      `  FROM ${ctx.model}`,
      `  WHERE ${col} IS NOT NULL`,
      `    AND (${fromCondition})`,
      '),',
      'right_table AS (',
      `  SELECT ${f} AS id`,
      `  FROM ${parent}`,
      `  WHERE ${f} IS NOT NULL`,
      `    AND (${toCondition})`,
      '),',
      'exceptions AS (',
      '  SELECT left_table.id, right_table.id AS right_id',
      '  FROM left_table',
      '  LEFT JOIN right_table ON left_table.id = right_table.id',
      '  WHERE right_table.id IS NULL',
      ')',
      'SELECT *',
      'FROM exceptions',
    ].join('\n');
  },
};
