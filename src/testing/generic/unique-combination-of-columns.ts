import { boolArg, columnExpr, stringListArg } from './helpers.js';
import type { GenericTestDefinition } from './types.js';

const EXAMPLE = 'combination_of_columns: [order_id, line_number]';

function parse(args: Record<string, unknown>): { columns: string[]; quoteColumns: boolean } {
  return {
    columns: stringListArg('unique_combination_of_columns', args, 'combination_of_columns', EXAMPLE, { required: true }),
    quoteColumns: boolArg('unique_combination_of_columns', args, 'quote_columns', false),
  };
}

/**
 * dbt_utils `unique_combination_of_columns` (model-level): one failing row per
 * combination of values held by more than one row. GROUP BY treats NULLs as equal, so two
 * rows (1, NULL) and (1, NULL) are duplicates, as in dbt_utils.
 *
 * `quote_columns: false` (default) inserts names raw in dbt_utils; here a plain identifier
 * is quoted anyway (same meaning, safe for reserved words) and anything else is kept as an
 * expression. `quote_columns: true` quotes every entry.
 */
export const uniqueCombinationOfColumns: GenericTestDefinition = {
  name: 'unique_combination_of_columns',
  requiresColumn: false,
  requiredArgs: ['combination_of_columns'],
  optionalArgs: ['quote_columns'],
  description: 'No two rows share the same combination of `combination_of_columns`.',
  changedRows: (ctx) => {
    const { columns, quoteColumns } = parse(ctx.args);
    return columns.map((c) => columnExpr(ctx, c, quoteColumns));
  },
  validate(args) {
    parse(args);
  },
  sql(ctx) {
    const { columns, quoteColumns } = parse(ctx.args);
    const csv = columns.map((c) => columnExpr(ctx, c, quoteColumns)).join(', ');
    return [
      'WITH validation_errors AS (',
      `  SELECT ${csv}`,
      `  FROM ${ctx.model}`,
      `  GROUP BY ${csv}`,
      '  HAVING COUNT(*) > 1',
      ')',
      'SELECT *',
      'FROM validation_errors',
    ].join('\n');
  },
};
