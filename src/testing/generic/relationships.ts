import { argError, columnExpr, stringArg, testColumn } from './helpers.js';
import type { GenericTestContext, GenericTestDefinition } from './types.js';

function parse(args: Record<string, unknown>): { to: string; field: string } {
  return {
    to: stringArg('relationships', args, 'to', "to: ref('customers')"),
    field: stringArg('relationships', args, 'field', 'field: customer_id'),
  };
}

/**
 * Resolves a relation argument (`to`, `compare_model`). The resolver's own error (it knows
 * the project's models and the declaring file) is passed through unchanged; only an
 * empty value is reported here.
 */
export function resolveArgRelation(test: string, key: string, ctx: GenericTestContext, ref: string): string {
  if (ref.trim() === '') throw argError(test, `argument "${key}" is empty; name a model, e.g. \`${key}: ref('customers')\`.`);
  return ctx.resolveRelation(ref);
}

/**
 * dbt core `relationships`: every non-NULL value of the column exists in `to`.`field`.
 * One failing row per child row (not per distinct value) whose value has no parent, as
 * dbt's `child LEFT JOIN parent … WHERE parent.to_field IS NULL`. NULL child values are
 * skipped (`where from_field is not null`).
 */
export const relationships: GenericTestDefinition = {
  name: 'relationships',
  requiresColumn: true,
  requiredArgs: ['to', 'field'],
  optionalArgs: [],
  description: 'Every non-NULL value of the column exists in `to`.`field` (referential integrity).',
  changedRows: 'row',
  validate(args) {
    parse(args);
  },
  sql(ctx) {
    const col = testColumn('relationships', ctx);
    const { to, field } = parse(ctx.args);
    const parent = resolveArgRelation('relationships', 'to', ctx, to);
    return [
      'WITH child AS (',
      `  SELECT ${col} AS from_field`,
      `  FROM ${ctx.model}`,
      `  WHERE ${col} IS NOT NULL`,
      '),',
      'parent AS (',
      `  SELECT ${columnExpr(ctx, field)} AS to_field`,
      `  FROM ${parent}`,
      ')',
      'SELECT child.from_field',
      'FROM child',
      'LEFT JOIN parent ON child.from_field = parent.to_field',
      'WHERE parent.to_field IS NULL',
    ].join('\n');
  },
};
