import { boolArg, testColumn } from './helpers.js';
import type { GenericTestDefinition } from './types.js';

/**
 * dbt_utils `not_empty_string`: rows whose column is the empty string ('' — or only
 * spaces when `trim_whitespace: true`, the default). NULLs pass, as in dbt_utils.
 *
 * MySQL note: with PAD SPACE collations (MariaDB's defaults, MySQL's pre-8.0 ones)
 * `'  ' = ''` is TRUE, which would ignore `trim_whitespace: false`; the test therefore
 * compares CHAR_LENGTH(...) = 0, which means the same thing on every collation. TRIM
 * removes spaces only (like dbt's `trim()` on Postgres), not tabs or newlines.
 */
export const notEmptyString: GenericTestDefinition = {
  name: 'not_empty_string',
  requiresColumn: true,
  requiredArgs: [],
  optionalArgs: ['trim_whitespace'],
  description: 'The column holds no empty strings (whitespace-only counts as empty by default).',
  changedRows: 'row',
  validate(args) {
    boolArg('not_empty_string', args, 'trim_whitespace', true);
  },
  sql(ctx) {
    const col = testColumn('not_empty_string', ctx);
    const trim = boolArg('not_empty_string', ctx.args, 'trim_whitespace', true);
    const value = trim ? `TRIM(${col})` : col;
    return `SELECT *\nFROM ${ctx.model}\nWHERE CHAR_LENGTH(${value}) = 0`;
  },
};
