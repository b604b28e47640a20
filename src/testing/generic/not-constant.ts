import { columnExpr, stringListArg, testColumn } from './helpers.js';
import type { GenericTestDefinition } from './types.js';

/**
 * dbt_utils `not_constant`: fails (one row, or one row per group with
 * `group_by_columns`) when the column has exactly one distinct non-NULL value. As in
 * dbt_utils, an empty table or an all-NULL column (zero distinct values) passes.
 */
export const notConstant: GenericTestDefinition = {
  name: 'not_constant',
  requiresColumn: true,
  requiredArgs: [],
  optionalArgs: ['group_by_columns'],
  description: 'The column has more than one distinct value.',
  validate(args) {
    stringListArg('not_constant', args, 'group_by_columns', 'group_by_columns: [country]');
  },
  sql(ctx) {
    const col = testColumn('not_constant', ctx);
    const gb = stringListArg('not_constant', ctx.args, 'group_by_columns', 'group_by_columns: [country]').map((c) => columnExpr(ctx, c));
    return [
      'SELECT',
      `  ${gb.map((c) => `${c}, `).join('')}COUNT(DISTINCT ${col}) AS filler_column`,
      `FROM ${ctx.model}`,
      gb.length ? `GROUP BY ${gb.join(', ')}` : null,
      `HAVING COUNT(DISTINCT ${col}) = 1`,
    ]
      .filter((l) => l !== null)
      .join('\n');
  },
};
