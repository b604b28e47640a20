import { literal } from '../adapters/mysql/mysql-quoting.js';
import { FtError } from '../util/errors.js';

/**
 * `{{literal value}}`: a value as a SQL literal, so text from outside the project — a var from
 * `--vars`, an env_var — reaches the server as data, never as SQL. `{{var "x"}}` renders as SQL
 * text, as in dbt (`select {{var "cols"}}` may hold columns); `{{literal (var "x")}}` renders
 * `'it''s'`. Strings are quoted and escaped, numbers and booleans written as such, null as NULL,
 * a list as its literals joined by commas (`in ({{literal (var "codes")}})`), an object as its
 * JSON text quoted.
 */
export function sqlLiteral(v: unknown): string {
  if (Array.isArray(v)) return v.length ? v.map(sqlLiteral).join(', ') : 'NULL';
  if (v !== null && typeof v === 'object') return literal(JSON.stringify(v));
  return literal(v);
}

/** The Handlebars helper (the options object Handlebars appends comes last). */
export function literalHelper(...all: unknown[]): string {
  const params = all.slice(0, -1);
  const options = all[all.length - 1] as { data?: { ft?: { file?: string } } } | undefined;
  if (params.length !== 1) {
    throw new FtError(`literal takes one value, as in {{literal (var "x")}}; it was given ${params.length}.`, 2, options?.data?.ft?.file);
  }
  return sqlLiteral(params[0]);
}
