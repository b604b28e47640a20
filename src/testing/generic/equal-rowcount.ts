import { stringArg, stringListArg } from './helpers.js';
import { resolveArgRelation } from './relationships.js';
import { countsCte } from './compare-counts.js';
import type { GenericTestDefinition } from './types.js';

const T = 'equal_rowcount';

function parse(args: Record<string, unknown>) {
  return {
    compareModel: stringArg(T, args, 'compare_model', "compare_model: ref('orders_snapshot')"),
    groupBy: stringListArg(T, args, 'group_by_columns', 'group_by_columns: [country]'),
  };
}

/**
 * dbt_utils `equal_rowcount` (model-level): the model and `compare_model` have the same
 * number of rows (per group with `group_by_columns`; a group missing on one side counts
 * 0 rows there, as dbt_utils' coalesce does). Returns one row (count_a, count_b,
 * diff_count) per mismatch; dbt reports `sum(diff_count)` as the failure count (failCalc).
 */
export const equalRowcount: GenericTestDefinition = {
  name: 'equal_rowcount',
  requiresColumn: false,
  requiredArgs: ['compare_model'],
  optionalArgs: ['group_by_columns'],
  failCalc: 'SUM(COALESCE(diff_count, 0))',
  description: 'The model has as many rows as `compare_model`.',
  validate(args) {
    parse(args);
  },
  sql(ctx) {
    const { compareModel, groupBy } = parse(ctx.args);
    const compare = resolveArgRelation(T, 'compare_model', ctx, compareModel);
    return [
      'WITH',
      countsCte(ctx, compare, groupBy, { a: 'count_a', b: 'count_b' }, true) + ',',
      'final AS (',
      '  SELECT counts.*,',
      '    ABS(COALESCE(count_a, 0) - COALESCE(count_b, 0)) AS diff_count',
      '  FROM counts',
      ')',
      'SELECT *',
      'FROM final',
      'WHERE diff_count > 0',
    ].join('\n');
  },
};
