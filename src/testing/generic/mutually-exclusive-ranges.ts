import { boolArg, columnExpr, enumArg, stringArg, stringListArg } from './helpers.js';
import type { GenericTestDefinition } from './types.js';

const T = 'mutually_exclusive_ranges';
const GAPS = ['allowed', 'not_allowed', 'required'] as const;

function parse(args: Record<string, unknown>) {
  return {
    lower: stringArg(T, args, 'lower_bound_column', 'lower_bound_column: valid_from'),
    upper: stringArg(T, args, 'upper_bound_column', 'upper_bound_column: valid_to'),
    partitionBy: stringListArg(T, args, 'partition_by', 'partition_by: customer_id'),
    gaps: enumArg(T, args, 'gaps', GAPS, 'allowed'),
    zeroLength: boolArg(T, args, 'zero_length_range_allowed', false),
  };
}

/**
 * dbt_utils `mutually_exclusive_ranges` (model-level): within each partition, ranges
 * [lower_bound, upper_bound) ordered by lower bound must not overlap; with
 * `gaps: not_allowed` each range must end exactly where the next starts, with
 * `gaps: required` there must be a gap. Each range needs lower < upper (<= with
 * `zero_length_range_allowed: true`); a NULL bound fails (dbt_utils' coalesce(…, false)).
 * Bound columns may be expressions, e.g. `coalesce(valid_to, '2099-12-31')`; partition_by
 * may be a column, a comma-separated string (kept raw, as dbt_utils) or a list.
 */
export const mutuallyExclusiveRanges: GenericTestDefinition = {
  name: 'mutually_exclusive_ranges',
  requiresColumn: false,
  requiredArgs: ['lower_bound_column', 'upper_bound_column'],
  optionalArgs: ['partition_by', 'gaps', 'zero_length_range_allowed'],
  description: 'Ranges [lower_bound_column, upper_bound_column) do not overlap (per partition).',
  validate(args) {
    parse(args);
  },
  sql(ctx) {
    const p = parse(ctx.args);
    const lower = columnExpr(ctx, p.lower);
    const upper = columnExpr(ctx, p.upper);
    const parts = p.partitionBy.map((c) => columnExpr(ctx, c));
    const partition = parts.length ? `PARTITION BY ${parts.join(', ')} ` : '';
    const gapsOp = { not_allowed: '=', allowed: '<=', required: '<' }[p.gaps];
    const gapsWords = { not_allowed: 'equal_to', allowed: 'less_than_or_equal_to', required: 'less_than' }[p.gaps];
    const zeroOp = p.zeroLength ? '<=' : '<';
    const zeroWords = p.zeroLength ? 'less_than_or_equal_to' : 'less_than';
    const boundCheck = `lower_bound_${zeroWords}_upper_bound`;
    const nextCheck = `upper_bound_${gapsWords}_next_lower_bound`;
    const partitionSelect =
      parts.length === 1 ? `    ${parts[0]} AS partition_by_col,\n` : parts.map((c, i) => `    ${c} AS partition_by_col_${i + 1},\n`).join('');
    return [
      'WITH window_functions AS (',
      '  SELECT',
      `${partitionSelect}    ${lower} AS lower_bound,`,
      `    ${upper} AS upper_bound,`,
      `    LEAD(${lower}) OVER (${partition}ORDER BY ${lower}, ${upper}) AS next_lower_bound,`,
      `    ROW_NUMBER() OVER (${partition}ORDER BY ${lower} DESC, ${upper} DESC) = 1 AS is_last_record`,
      `  FROM ${ctx.model}`,
      '),',
      'calc AS (',
      '  SELECT *,',
      `    COALESCE(lower_bound ${zeroOp} upper_bound, FALSE) AS ${boundCheck},`,
      `    COALESCE(upper_bound ${gapsOp} next_lower_bound, is_last_record, FALSE) AS ${nextCheck}`,
      '  FROM window_functions',
      ')',
      'SELECT *',
      'FROM calc',
      `WHERE NOT (${boundCheck} AND ${nextCheck})`,
    ].join('\n');
  },
};
