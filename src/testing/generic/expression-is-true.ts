import { stringArg } from './helpers.js';
import type { GenericTestDefinition } from './types.js';

/**
 * dbt_utils `expression_is_true`. Model-level: rows where `NOT (<expression>)`.
 * Column-level: the quoted column is prefixed, `NOT (<col> <expression>)`, so
 * `expression: ">= 0"` on column amount checks `amount >= 0`.
 *
 * NULLs as in dbt: `NOT (NULL)` is NULL, so a row whose expression is NULL does not fail
 * (add `coalesce(...)` to the expression, or a not_null test, to catch them).
 */
export const expressionIsTrue: GenericTestDefinition = {
  name: 'expression_is_true',
  requiresColumn: false,
  requiredArgs: ['expression'],
  optionalArgs: [],
  description: 'The SQL expression is true for every row (NULL counts as passing).',
  changedRows: 'row',
  validate(args) {
    stringArg('expression_is_true', args, 'expression', 'expression: "amount >= 0"');
  },
  sql(ctx) {
    const expression = stringArg('expression_is_true', ctx.args, 'expression', 'expression: "amount >= 0"');
    const condition = ctx.columnName ? `${ctx.quote(ctx.columnName)} ${expression}` : expression;
    return `SELECT *\nFROM ${ctx.model}\nWHERE NOT (${condition})`;
  },
};
