import { argError, boolArg, columnExpr, datepartArg, numberArg, stringArg, stringListArg, dateAdd } from './helpers.js';
import type { GenericTestDefinition } from './types.js';

const T = 'recency';

function parse(args: Record<string, unknown>, column: string | undefined) {
  const field = column !== undefined && args.field === undefined ? column : stringArg(T, args, 'field', 'field: created_at');
  const datepart = datepartArg(T, args, 'datepart', true)!;
  const interval = numberArg(T, args, 'interval', 'interval: 1');
  if (!Number.isInteger(interval)) throw argError(T, `argument "interval" must be a whole number of ${datepart}s, got ${interval}.`);
  return {
    field,
    datepart,
    interval,
    ignoreTimeComponent: boolArg(T, args, 'ignore_time_component', false),
    groupBy: stringListArg(T, args, 'group_by_columns', 'group_by_columns: [store_id]'),
  };
}

/**
 * dbt_utils `recency` (model-level with `field`; also accepted on a column, which is then
 * the field): fails when the newest `field` is older than now − `interval` `datepart`.
 * One failing row (or one per group with `group_by_columns`) with most_recent and threshold.
 *
 * "now" is the server's CURRENT_TIMESTAMP in the session time zone (dbt-mysql's
 * current_timestamp()); store `field` in that zone. As in dbt_utils, an empty table has no
 * most_recent (NULL) and passes — pair it with a row-count test if that matters.
 */
export const recency: GenericTestDefinition = {
  name: 'recency',
  requiresColumn: false,
  requiredArgs: ['datepart', 'interval'],
  optionalArgs: ['field', 'ignore_time_component', 'group_by_columns'],
  description: 'The newest `field` is no older than `interval` `datepart`s.',
  validate(args, hasColumn) {
    parse(args, hasColumn ? '' : undefined);
  },
  sql(ctx) {
    const { field, datepart, interval, ignoreTimeComponent, groupBy } = parse(ctx.args, ctx.columnName);
    const f = ctx.columnName !== undefined && field === ctx.columnName ? ctx.quote(field) : columnExpr(ctx, field);
    const gb = groupBy.map((c) => columnExpr(ctx, c));
    const selectGb = gb.map((c) => `${c}, `).join('');
    const threshold = `CAST(${dateAdd(datepart, -interval, 'CURRENT_TIMESTAMP')} AS ${ignoreTimeComponent ? 'DATE' : 'DATETIME'})`;
    const mostRecent = ignoreTimeComponent ? `CAST(MAX(${f}) AS DATE)` : `MAX(${f})`;
    return [
      'WITH recency AS (',
      `  SELECT ${selectGb}${mostRecent} AS most_recent`,
      `  FROM ${ctx.model}`,
      gb.length ? `  GROUP BY ${gb.join(', ')}` : null,
      ')',
      `SELECT ${selectGb}most_recent, ${threshold} AS threshold`,
      'FROM recency',
      `WHERE most_recent < ${threshold}`,
    ]
      .filter((l) => l !== null)
      .join('\n');
  },
};
