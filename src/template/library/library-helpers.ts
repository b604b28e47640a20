import { crossDatabase } from './cross-database.js';
import { dbtDate } from './dbt-date.js';
import { dbtUtilsIntrospect } from './dbt-utils-introspect.js';
import { dbtUtilsSql } from './dbt-utils-sql.js';
import { dbtUtilsWeb } from './dbt-utils-web.js';
import { macroHelper, type HelperFn, type MacroFamily } from './macro.js';

/**
 * ft's built-in library of dbt's macros, by their dbt names: `dbt.*` (cross-database macros),
 * `dbt_utils.*`, `dbt_date.*`. Their list arguments are written `(array "a" "b")`
 * (logic-helpers.ts). A project's own macros/*.js may define the same names: its helpers win.
 */
const FAMILIES: Array<[string, MacroFamily]> = [
  // dbt-core carries date_spine too (since 1.6)
  ['dbt', { ...crossDatabase, date_spine: dbtUtilsSql.date_spine! }],
  // dbt_utils before 1.0 carried the cross-database macros too (dbt_utils.datediff …): older packages still call them so
  ['dbt_utils', { ...crossDatabase, ...dbtUtilsSql, ...dbtUtilsIntrospect, ...dbtUtilsWeb }],
  ['dbt_date', dbtDate],
];

let built: Map<string, HelperFn> | undefined;

/** Every library helper by its full name. */
export function libraryHelpers(): Map<string, HelperFn> {
  if (built) return built;
  built = new Map<string, HelperFn>();
  for (const [ns, family] of FAMILIES) for (const [name, def] of Object.entries(family)) built.set(`${ns}.${name}`, macroHelper(`${ns}.${name}`, def));
  return built;
}

/** The names the helper check knows. */
export const LIBRARY_HELPER_NAMES: string[] = [...libraryHelpers().keys()];
