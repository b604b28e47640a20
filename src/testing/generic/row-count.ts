import { argError, boolArg, columnExpr, has, numberArg, stringArg, stringListArg } from './helpers.js';
import type { GenericTestDefinition } from './types.js';

const T = 'row_count';

function parse(args: Record<string, unknown>) {
  if (!has(args, 'min_value') && !has(args, 'max_value')) {
    throw argError(T, 'give at least one of "min_value" and "max_value", e.g. `min_value: 1`.');
  }
  const min = numberArg(T, args, 'min_value', 'min_value: 1', null);
  const max = numberArg(T, args, 'max_value', 'max_value: 1000000', null);
  if (min !== null && max !== null && min > max) throw argError(T, `"min_value" (${min}) is greater than "max_value" (${max}).`);
  const groupBy = [
    ...stringListArg(T, args, 'group_by', 'group_by: [country]'),
    ...stringListArg(T, args, 'group_by_columns', 'group_by_columns: [country]'),
  ];
  return {
    min,
    max,
    strictly: boolArg(T, args, 'strictly', false),
    groupBy,
    rowCondition: stringArg(T, args, 'row_condition', 'row_condition: "status = \'placed\'"', null),
  };
}

/**
 * `row_count` (model-level), dbt_expectations' `expect_table_row_count_to_be_between`
 * (accepted as an alias with the same arguments): fails when COUNT(*) is outside
 * [min_value, max_value] (exclusive bounds with `strictly: true`). Returns one row with
 * the row_count when it fails. `row_condition` (raw SQL) filters rows first; `group_by`
 * checks each group's count — as in dbt_expectations, a group with no rows does not exist
 * and cannot fail. An empty table has row_count 0 and is judged.
 */
export const rowCount: GenericTestDefinition = {
  name: 'row_count',
  requiresColumn: false,
  requiredArgs: [],
  optionalArgs: ['min_value', 'max_value', 'strictly', 'group_by', 'group_by_columns', 'row_condition'],
  aliases: ['expect_table_row_count_to_be_between'],
  description: 'The number of rows is between `min_value` and `max_value`.',
  validate(args) {
    parse(args);
  },
  sql(ctx) {
    const { min, max, strictly, groupBy, rowCondition } = parse(ctx.args);
    const gb = groupBy.map((c) => columnExpr(ctx, c));
    const checks = ['1 = 1'];
    if (min !== null) checks.push(`row_count ${strictly ? '>' : '>='} ${min}`);
    if (max !== null) checks.push(`row_count ${strictly ? '<' : '<='} ${max}`);
    return [
      'WITH grouped AS (',
      `  SELECT ${gb.map((c) => `${c}, `).join('')}COUNT(*) AS row_count`,
      `  FROM ${ctx.model}`,
      rowCondition ? `  WHERE ${rowCondition}` : null,
      gb.length ? `  GROUP BY ${gb.join(', ')}` : null,
      ')',
      'SELECT *',
      'FROM grouped',
      `WHERE NOT (${checks.join(' AND ')})`,
    ]
      .filter((l) => l !== null)
      .join('\n');
  },
};
