import type { MacroFamily } from './macro.js';
import { sqlText, stringLiteral, strArg } from './sql-args.js';

/**
 * dbt_utils' web macros: parts of a URL held in a column. Like dbt_utils, they cut text and
 * do not validate URLs.
 */

/** The URL without its scheme (`https://`, `android-app://`). */
const afterScheme = (f: string) => `substring_index(${f}, '://', -1)`;

export const dbtUtilsWeb: MacroFamily = {
  get_url_host: {
    params: ['field'],
    render: (a, c) => `substring_index(substring_index(${afterScheme(sqlText(a.field, 'field', c))}, '/', 1), '?', 1)`,
  },
  get_url_path: {
    params: ['field'],
    render: (a, c) => {
      const rest = afterScheme(sqlText(a.field, 'field', c));
      // after the host's '/', up to the query string; '' when there is no path
      return `case when locate('/', ${rest}) = 0 then '' else substring_index(substr(${rest}, locate('/', ${rest}) + 1), '?', 1) end`;
    },
  },
  get_url_parameter: {
    params: ['field', 'url_parameter'],
    render: (a, c) => {
      const f = sqlText(a.field, 'field', c);
      const key = stringLiteral(`${strArg(a.url_parameter, 'url_parameter', c)}=`);
      // NULL when the parameter is absent or empty, as dbt_utils' nullif(…, '')
      return `case when locate(${key}, ${f}) > 0 then nullif(substring_index(substring_index(${f}, ${key}, -1), '&', 1), '') end`;
    },
  },
};
