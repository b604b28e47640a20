import { argError, boolArg, has, rawValue, testColumn } from './helpers.js';
import type { GenericTestDefinition } from './types.js';

function parse(args: Record<string, unknown>): { min: string | null; max: string | null; inclusive: boolean } {
  if (!has(args, 'min_value') && !has(args, 'max_value')) {
    throw argError('accepted_range', 'give at least one of "min_value" and "max_value", e.g. `min_value: 0`.');
  }
  return {
    min: has(args, 'min_value') ? rawValue('accepted_range', 'min_value', args.min_value) : null,
    max: has(args, 'max_value') ? rawValue('accepted_range', 'max_value', args.max_value) : null,
    inclusive: boolArg('accepted_range', args, 'inclusive', true),
  };
}

/**
 * dbt_utils `accepted_range`: rows where the column is below `min_value` or above
 * `max_value` (bounds included unless `inclusive: false`). Bounds are numbers or raw SQL
 * (`"'2024-01-01'"`, `"current_date"`), as in dbt_utils. NULL values pass
 * (`NOT NULL >= 0` is NULL), as in dbt_utils.
 */
export const acceptedRange: GenericTestDefinition = {
  name: 'accepted_range',
  requiresColumn: true,
  requiredArgs: [],
  optionalArgs: ['min_value', 'max_value', 'inclusive'],
  description: 'Every non-NULL value of the column lies between `min_value` and `max_value`.',
  changedRows: 'row',
  validate(args) {
    parse(args);
  },
  sql(ctx) {
    const col = testColumn('accepted_range', ctx);
    const { min, max, inclusive } = parse(ctx.args);
    const eq = inclusive ? '=' : '';
    const conditions = ['1 = 2'];
    if (min !== null) conditions.push(`NOT (${col} >${eq} ${min})`);
    if (max !== null) conditions.push(`NOT (${col} <${eq} ${max})`);
    return `SELECT *\nFROM ${ctx.model}\nWHERE ${conditions.join('\n   OR ')}`;
  },
};
