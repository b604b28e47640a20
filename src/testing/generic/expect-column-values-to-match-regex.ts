import { argError, boolArg, stringArg, sqlString, testColumn } from './helpers.js';
import type { GenericTestDefinition } from './types.js';

const T = 'expect_column_values_to_match_regex';

function parse(args: Record<string, unknown>) {
  const regex = stringArg(T, args, 'regex', 'regex: "^[A-Z]{2}[0-9]+$"');
  const flags = stringArg(T, args, 'flags', 'flags: i', '') ?? '';
  const bad = [...flags].filter((f) => !'icmsx'.includes(f));
  if (bad.length) throw argError(T, `argument "flags" supports i, c, m, s and x on MySQL/MariaDB; remove ${bad.map((b) => `"${b}"`).join(', ')}.`);
  return {
    regex,
    isRaw: boolArg(T, args, 'is_raw', false),
    flags,
    rowCondition: stringArg(T, args, 'row_condition', 'row_condition: "id is not null"', null),
  };
}

/**
 * dbt_expectations `expect_column_values_to_match_regex`: rows whose column does not
 * match `regex` (a search, not a full match: anchor with ^…$). NULLs pass, as in
 * dbt_expectations (`not(NULL = true)` is NULL). `row_condition` (raw SQL) filters first.
 *
 * Escaping, as dbt_expectations: by default the regex is the body of a SQL string literal
 * (`'<regex>'`), so a backslash is written the way the server's string syntax wants it —
 * in MySQL `\\d` for `\d`. With `is_raw: true` the regex is taken literally and escaped for
 * you (`\d` is `\d`). Single quotes are doubled in both modes so the SQL stays well-formed.
 *
 * Matching uses MySQL's REGEXP (ICU on MySQL 8, PCRE on MariaDB) and is made
 * case-sensitive with an inline `(?-i)` — what dbt users get on Postgres/Snowflake —
 * instead of following a `_ci` collation; `flags: i` makes it case-insensitive; m, s, x
 * become inline flags, c is case-sensitive (the default).
 */
export const expectColumnValuesToMatchRegex: GenericTestDefinition = {
  name: 'expect_column_values_to_match_regex',
  requiresColumn: true,
  requiredArgs: ['regex'],
  optionalArgs: ['is_raw', 'flags', 'row_condition'],
  description: 'Every non-NULL value of the column matches `regex`.',
  changedRows: 'row',
  validate(args) {
    parse(args);
  },
  sql(ctx) {
    const col = testColumn(T, ctx);
    const { regex, isRaw, flags, rowCondition } = parse(ctx.args);
    const on = [...new Set([...flags].filter((f) => 'imsx'.includes(f)))].join('');
    const off = flags.includes('i') ? '' : 'i';
    const prefix = `(?${on}${off ? `-${off}` : ''})`;
    const pattern = isRaw ? sqlString(prefix + regex) : `'${prefix}${regex.replace(/'/g, "''")}'`;
    return [
      'WITH grouped_expression AS (',
      `  SELECT *, (${col} REGEXP ${pattern}) AS ft_regex_match`,
      `  FROM ${ctx.model}`,
      rowCondition ? `  WHERE ${rowCondition}` : null,
      ')',
      'SELECT *',
      'FROM grouped_expression',
      'WHERE NOT (ft_regex_match = TRUE)',
    ]
      .filter((l) => l !== null)
      .join('\n');
  },
};
