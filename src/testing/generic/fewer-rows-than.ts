import { stringArg, stringListArg } from './helpers.js';
import { resolveArgRelation } from './relationships.js';
import { countsCte } from './compare-counts.js';
import type { GenericTestDefinition } from './types.js';

const T = 'fewer_rows_than';

function parse(args: Record<string, unknown>) {
  return {
    compareModel: stringArg(T, args, 'compare_model', "compare_model: ref('stg_orders')"),
    groupBy: stringListArg(T, args, 'group_by_columns', 'group_by_columns: [country]'),
  };
}

/**
 * dbt_utils `fewer_rows_than` (model-level): the model has strictly fewer rows than
 * `compare_model` (equal counts fail too). Returns one row per failing comparison with
 * row_count_delta (the excess, or 1 when equal); dbt reports `sum(row_count_delta)` as the
 * failure count (failCalc). As in dbt_utils, a group present on only one side passes.
 */
export const fewerRowsThan: GenericTestDefinition = {
  name: 'fewer_rows_than',
  requiresColumn: false,
  requiredArgs: ['compare_model'],
  optionalArgs: ['group_by_columns'],
  failCalc: 'SUM(COALESCE(row_count_delta, 0))',
  description: 'The model has fewer rows than `compare_model`.',
  validate(args) {
    parse(args);
  },
  sql(ctx) {
    const { compareModel, groupBy } = parse(ctx.args);
    const compare = resolveArgRelation(T, 'compare_model', ctx, compareModel);
    return [
      'WITH',
      countsCte(ctx, compare, groupBy, { a: 'count_our_model', b: 'count_comparison_model' }, false) + ',',
      'final AS (',
      '  SELECT counts.*,',
      '    CASE',
      '      WHEN count_our_model > count_comparison_model THEN count_our_model - count_comparison_model',
      '      WHEN count_our_model = count_comparison_model THEN 1',
      '      ELSE 0',
      '    END AS row_count_delta',
      '  FROM counts',
      ')',
      'SELECT *',
      'FROM final',
      'WHERE row_count_delta > 0',
    ].join('\n');
  },
};
