import { argError, boolArg, testColumn } from './helpers.js';
import type { GenericTestContext, GenericTestDefinition } from './types.js';

function parse(args: Record<string, unknown>): { values: unknown[]; quote: boolean } {
  const values = args.values;
  if (values === undefined || values === null) {
    throw argError('accepted_values', 'missing required argument "values". Add the list of allowed values, e.g. `values: [placed, shipped, completed]`.');
  }
  if (!Array.isArray(values)) {
    throw argError('accepted_values', 'argument "values" must be a list, e.g. `values: [placed, shipped, completed]`.');
  }
  if (values.length === 0) throw argError('accepted_values', 'argument "values" is an empty list; list at least one allowed value.');
  for (const v of values) {
    if (v !== null && typeof v === 'object') throw argError('accepted_values', 'argument "values" must be a list of plain values (strings, numbers, booleans).');
  }
  return { values, quote: boolArg('accepted_values', args, 'quote', true) };
}

/**
 * dbt core `accepted_values`: groups by the column and returns one failing row per
 * distinct value that is not in the list, with its row count (value_field, n_records).
 *
 * NULLs: exactly as dbt — the filter is `value_field NOT IN (...)`, and `NULL NOT IN (...)`
 * is NULL, not true, so NULL values never fail this test (combine it with not_null to
 * forbid them). A NULL inside `values` would make every `NOT IN` NULL and the test pass
 * vacuously, as in dbt.
 *
 * `quote: true` (default) turns each value into a string literal (dbt writes `'value'`;
 * MySQL compares '1' with a numeric column numerically); `quote: false` inserts the values
 * as raw SQL (numbers, expressions). Comparison follows the column's collation
 * (case-insensitive on `_ci` collations).
 */
export const acceptedValues: GenericTestDefinition = {
  name: 'accepted_values',
  requiresColumn: true,
  requiredArgs: ['values'],
  optionalArgs: ['quote'],
  description: 'Every non-NULL value of the column is one of `values`.',
  changedRows: 'row',
  validate(args) {
    parse(args);
  },
  sql(ctx: GenericTestContext) {
    const col = testColumn('accepted_values', ctx);
    const { values, quote } = parse(ctx.args);
    const list = values
      .map((v) => {
        if (v === null) return 'NULL';
        if (!quote) return String(v);
        // booleans stay booleans (dbt's 'True' casts to true on Postgres; on MySQL TRUE = 1 does the same)
        return ctx.literal(typeof v === 'number' ? String(v) : v);
      })
      .join(', ');
    return [
      'WITH all_values AS (',
      '  SELECT',
      `    ${col} AS value_field,`,
      '    COUNT(*) AS n_records',
      `  FROM ${ctx.model}`,
      `  GROUP BY ${col}`,
      ')',
      'SELECT *',
      'FROM all_values',
      `WHERE value_field NOT IN (${list})`,
    ].join('\n');
  },
};
