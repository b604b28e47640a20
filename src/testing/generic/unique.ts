import { testColumn } from './helpers.js';
import type { GenericTestDefinition } from './types.js';

/**
 * dbt core `unique`: one failing row per duplicated value (not per duplicated row), with
 * the value and how many rows hold it. NULLs are ignored, as in dbt (`where col is not
 * null`). Equality follows the column's collation (so on a `_ci` column 'a' and 'A' are
 * duplicates — the same rule a MySQL UNIQUE index applies).
 */
export const unique: GenericTestDefinition = {
  name: 'unique',
  requiresColumn: true,
  requiredArgs: [],
  optionalArgs: [],
  description: 'The column has no duplicate non-NULL values.',
  changedRows: (ctx) => [testColumn('unique', ctx)],
  sql(ctx) {
    const col = testColumn('unique', ctx);
    return [
      'SELECT',
      `  ${col} AS unique_field,`,
      '  COUNT(*) AS n_records',
      `FROM ${ctx.model}`,
      `WHERE ${col} IS NOT NULL`,
      `GROUP BY ${col}`,
      'HAVING COUNT(*) > 1',
    ].join('\n');
  },
};
