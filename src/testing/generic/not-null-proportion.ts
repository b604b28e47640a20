import { argError, columnExpr, numberArg, stringListArg, testColumn } from './helpers.js';
import type { GenericTestDefinition } from './types.js';

function parse(args: Record<string, unknown>): { atLeast: number; atMost: number; groupBy: string[] } {
  const atLeast = numberArg('not_null_proportion', args, 'at_least', 'at_least: 0.95');
  const atMost = numberArg('not_null_proportion', args, 'at_most', 'at_most: 1', 1);
  if (atLeast < 0 || atLeast > 1 || atMost < 0 || atMost > 1) {
    throw argError('not_null_proportion', `"at_least" and "at_most" are proportions between 0 and 1, got at_least ${atLeast}, at_most ${atMost}.`);
  }
  if (atLeast > atMost) throw argError('not_null_proportion', `"at_least" (${atLeast}) is greater than "at_most" (${atMost}); no table can pass.`);
  return { atLeast, atMost, groupBy: stringListArg('not_null_proportion', args, 'group_by_columns', 'group_by_columns: [country]') };
}

/**
 * dbt_utils `not_null_proportion`: the share of non-NULL values lies in
 * [at_least, at_most] (at_most defaults to 1). Returns one row (with the proportion) when
 * it fails, or one row per failing group with `group_by_columns`.
 *
 * The division is done in DOUBLE (`+ 0E0`) so it is not rounded to MySQL's
 * div_precision_increment, and guarded with NULLIF: an empty table (or group) has no
 * proportion and passes, where dbt on Postgres would raise a division-by-zero error.
 */
export const notNullProportion: GenericTestDefinition = {
  name: 'not_null_proportion',
  requiresColumn: true,
  requiredArgs: ['at_least'],
  optionalArgs: ['at_most', 'group_by_columns'],
  description: 'The proportion of non-NULL values is between `at_least` and `at_most`.',
  validate(args) {
    parse(args);
  },
  sql(ctx) {
    const col = testColumn('not_null_proportion', ctx);
    const { atLeast, atMost, groupBy } = parse(ctx.args);
    const gb = groupBy.map((c) => columnExpr(ctx, c));
    const selectGb = gb.map((c) => `${c}, `).join('');
    return [
      'WITH validation AS (',
      '  SELECT',
      `    ${selectGb}(SUM(CASE WHEN ${col} IS NULL THEN 0 ELSE 1 END) + 0E0) / NULLIF(COUNT(*), 0) AS not_null_proportion`,
      `  FROM ${ctx.model}`,
      gb.length ? `  GROUP BY ${gb.join(', ')}` : null,
      ')',
      'SELECT *',
      'FROM validation',
      `WHERE not_null_proportion < ${atLeast} OR not_null_proportion > ${atMost}`,
    ]
      .filter((l) => l !== null)
      .join('\n');
  },
};
