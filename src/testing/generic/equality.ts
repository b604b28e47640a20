import { argError, columnExpr, stringArg, stringListArg } from './helpers.js';
import { resolveArgRelation } from './relationships.js';
import type { GenericTestDefinition } from './types.js';

const T = 'equality';

function parse(args: Record<string, unknown>) {
  const compareColumns = stringListArg(T, args, 'compare_columns', 'compare_columns: [id, amount]');
  const excludeColumns = stringListArg(T, args, 'exclude_columns', 'exclude_columns: [loaded_at]');
  if (excludeColumns.length) {
    throw argError(T, 'exclude_columns needs the model\'s column list, which ft does not read for this test: list the columns to compare instead, e.g. `compare_columns: [id, amount]`.');
  }
  return { compareModel: stringArg(T, args, 'compare_model', "compare_model: ref('orders_expected')"), compareColumns };
}

/**
 * dbt_utils `equality` (model-level): the model and `compare_model` hold the same rows, as sets
 * (dbt_utils compares with EXCEPT both ways, so duplicates do not count). With
 * `compare_columns`, those columns are compared with NOT EXISTS and a NULL-safe `<=>`, which
 * every MySQL 8.0 runs; without, whole rows are compared with EXCEPT (MySQL 8.0.31+, MariaDB
 * 10.3+). One failing row per row found on one side only, with `which_diff` naming the side.
 */
export const equality: GenericTestDefinition = {
  name: T,
  requiresColumn: false,
  requiredArgs: ['compare_model'],
  optionalArgs: ['compare_columns', 'exclude_columns'],
  description: 'The model holds the same rows as `compare_model`.',
  validate(args) {
    parse(args);
  },
  sql(ctx) {
    const { compareModel, compareColumns } = parse(ctx.args);
    const other = resolveArgRelation(T, 'compare_model', ctx, compareModel);
    if (!compareColumns.length) {
      return [
        `(SELECT 'a_minus_b' AS which_diff, a.* FROM ((SELECT * FROM ${ctx.model}) EXCEPT (SELECT * FROM ${other})) a)`,
        'UNION ALL',
        `(SELECT 'b_minus_a' AS which_diff, b.* FROM ((SELECT * FROM ${other}) EXCEPT (SELECT * FROM ${ctx.model})) b)`,
      ].join('\n');
    }
    // ctx.model may be a derived table with its alias (a `where` config): wrapped before aliasing it
    const cols = compareColumns.map((c) => columnExpr(ctx, c));
    const same = (x: string, y: string) => cols.map((c) => `${y}.${c} <=> ${x}.${c}`).join(' AND ');
    const list = (x: string) => cols.map((c) => `${x}.${c}`).join(', ');
    return [
      `SELECT DISTINCT 'a_minus_b' AS which_diff, ${list('a')} FROM (SELECT * FROM ${ctx.model}) a`,
      `WHERE NOT EXISTS (SELECT 1 FROM ${other} b WHERE ${same('a', 'b')})`,
      'UNION ALL',
      `SELECT DISTINCT 'b_minus_a' AS which_diff, ${list('b')} FROM ${other} b`,
      `WHERE NOT EXISTS (SELECT 1 FROM (SELECT * FROM ${ctx.model}) a WHERE ${same('b', 'a')})`,
    ].join('\n');
  },
};
