import { argError, boolArg, testColumn } from './helpers.js';
import type { GenericTestContext, GenericTestDefinition } from './types.js';

const T = 'not_accepted_values';

function parse(args: Record<string, unknown>): { values: unknown[]; quote: boolean } {
  const values = args.values;
  if (!Array.isArray(values) || values.length === 0) {
    throw argError(T, 'argument "values" must be a non-empty list of the values the column must not hold, e.g. `values: [cancelled, test]`.');
  }
  for (const v of values) {
    if (v !== null && typeof v === 'object') throw argError(T, 'argument "values" must be a list of plain values (strings, numbers, booleans).');
  }
  return { values, quote: boolArg(T, args, 'quote', true) };
}

/**
 * dbt_utils `not_accepted_values`: one failing row per distinct value of the column that is
 * in `values`. `quote: false` inserts the values as raw SQL. NULLs never fail (`NULL IN (…)`
 * is not true), as in dbt_utils.
 */
export const notAcceptedValues: GenericTestDefinition = {
  name: T,
  requiresColumn: true,
  requiredArgs: ['values'],
  optionalArgs: ['quote'],
  description: 'No value of the column is one of `values`.',
  changedRows: 'row',
  validate(args) {
    parse(args);
  },
  sql(ctx: GenericTestContext) {
    const col = testColumn(T, ctx);
    const { values, quote } = parse(ctx.args);
    const list = values.map((v) => (v === null ? 'NULL' : quote ? ctx.literal(typeof v === 'number' ? String(v) : v) : String(v))).join(', ');
    return [
      'WITH all_values AS (',
      `  SELECT DISTINCT ${col} AS value_field`,
      `  FROM ${ctx.model}`,
      ')',
      'SELECT value_field',
      'FROM all_values',
      `WHERE value_field IN (${list})`,
    ].join('\n');
  },
};
