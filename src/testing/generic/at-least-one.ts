import { columnExpr, stringListArg, testColumn } from './helpers.js';
import type { GenericTestDefinition } from './types.js';

const T = 'at_least_one';

/**
 * dbt_utils `at_least_one`: the column holds at least one non-NULL value (in each group with
 * `group_by_columns`). Fails with one row (per group) counting 0 values; an empty table
 * fails too, as in dbt_utils.
 */
export const atLeastOne: GenericTestDefinition = {
  name: T,
  requiresColumn: true,
  requiredArgs: [],
  optionalArgs: ['group_by_columns'],
  description: 'The column has at least one non-NULL value.',
  validate(args) {
    stringListArg(T, args, 'group_by_columns', 'group_by_columns: [country]');
  },
  sql(ctx) {
    const col = testColumn(T, ctx);
    const gb = stringListArg(T, ctx.args, 'group_by_columns', 'group_by_columns: [country]').map((c) => columnExpr(ctx, c));
    return [
      'SELECT',
      `  ${gb.map((c) => `${c}, `).join('')}COUNT(${col}) AS filler_column`,
      `FROM ${ctx.model}`,
      gb.length ? `GROUP BY ${gb.join(', ')}` : null,
      `HAVING COUNT(${col}) = 0`,
    ]
      .filter((l) => l !== null)
      .join('\n');
  },
};
