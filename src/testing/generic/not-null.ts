import { testColumn } from './helpers.js';
import type { GenericTestDefinition } from './types.js';

/**
 * dbt core `not_null`: every row whose column IS NULL is a failure (one failing row per
 * NULL row). Selects `*` so stored failures keep the whole row, as dbt does with
 * store_failures.
 */
export const notNull: GenericTestDefinition = {
  name: 'not_null',
  requiresColumn: true,
  requiredArgs: [],
  optionalArgs: [],
  description: 'The column has no NULL values.',
  changedRows: 'row',
  sql(ctx) {
    const col = testColumn('not_null', ctx);
    return `SELECT *\nFROM ${ctx.model}\nWHERE ${col} IS NULL`;
  },
};
