import { argError, columnExpr, datepartArg, dateAdd, numberArg, slugify, stringListArg, testColumn } from './helpers.js';
import type { GenericTestDefinition } from './types.js';

const T = 'sequential_values';

function parse(args: Record<string, unknown>) {
  const interval = numberArg(T, args, 'interval', 'interval: 1', 1);
  const datepart = datepartArg(T, args, 'datepart', false);
  if (datepart && !Number.isInteger(interval)) throw argError(T, `with "datepart", "interval" must be a whole number, got ${interval}.`);
  return { interval, datepart, groupBy: stringListArg(T, args, 'group_by_columns', 'group_by_columns: [store_id]') };
}

/**
 * dbt_utils `sequential_values`: ordered by the column (within each group of
 * `group_by_columns`), each value equals the previous one plus `interval` (default 1), or
 * previous + `interval` `datepart`s for dates. One failing row per value that breaks the
 * sequence (duplicates fail too), with the previous value in `previous_<column>`. The
 * first row, and rows next to a NULL, pass (their comparison is NULL), as in dbt_utils.
 */
export const sequentialValues: GenericTestDefinition = {
  name: 'sequential_values',
  requiresColumn: true,
  requiredArgs: [],
  optionalArgs: ['interval', 'datepart', 'group_by_columns'],
  description: 'Ordered values of the column increase by exactly `interval`.',
  validate(args) {
    parse(args);
  },
  sql(ctx) {
    const col = testColumn(T, ctx);
    const { interval, datepart, groupBy } = parse(ctx.args);
    const prev = ctx.quote(`previous_${slugify(ctx.columnName!)}`);
    const gb = groupBy.map((c) => columnExpr(ctx, c));
    const partition = gb.length ? `PARTITION BY ${gb.join(', ')} ` : '';
    const condition = datepart
      ? `NOT (CAST(${col} AS DATETIME) = CAST(${dateAdd(datepart, interval, prev)} AS DATETIME))`
      : `NOT (${col} = ${prev} + ${interval})`;
    return [
      'WITH windowed AS (',
      '  SELECT',
      `    ${gb.map((c) => `${c}, `).join('')}${col},`,
      `    LAG(${col}) OVER (${partition}ORDER BY ${col}) AS ${prev}`,
      `  FROM ${ctx.model}`,
      ')',
      'SELECT *',
      'FROM windowed',
      `WHERE ${condition}`,
    ].join('\n');
  },
};
