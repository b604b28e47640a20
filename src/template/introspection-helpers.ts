import type Handlebars from 'handlebars';
import { relationName } from '../project/relation-names.js';
import { FtError } from '../util/errors.js';
import { IntrospectedRelation, type IntrospectedColumn, type QueryRow, type ReadScope, type ReadSite } from './introspector.js';
import type { RenderState } from './render-context.js';

/**
 * Reading the database while a template renders, for templates and for other helpers.
 *
 * In templates (dbt's names):
 *   {{#each (get_columns_in_relation (ref "orders"))}}{{name}} {{data_type}}{{/each}}
 *   {{#if (get_relation (ref "orders"))}}…{{/if}}   also (get_relation "schema" "table"), load_relation
 *   {{#each (run_query "select distinct status from " (ref "orders"))}}{{status}}{{/each}}
 *   {{#run_query "select …"}}{{status}}{{else}}no rows{{/run_query}}
 *
 * From a JS helper (pass the Handlebars options object the helper received last):
 *   columnsOf(relation, options): IntrospectedColumn[]  (name, column, data_type, dtype, ordinal, nullable, quoted)
 *   relationExists(relation, options): boolean
 *   getRelation(relation, options): IntrospectedRelation | null
 *   queryRows(sql, options): rows as objects
 * `relation` is what {{ref}}/{{source}}/{{this}}/get_relation give, an object with schema and
 * identifier (or name), or "schema.table". Each call is cached for the invocation; while the
 * answer is not read yet it returns an empty list / null and the render is done again once it
 * is (see introspector.ts), so a helper must not act on the database itself.
 */

/** Names of the template helpers here, for the helper check of the loader. */
export const INTROSPECTION_HELPERS = ['get_columns_in_relation', 'get_relation', 'load_relation', 'run_query'];

interface HelperOptions {
  name?: string;
  hash?: Record<string, unknown>;
  data?: { ft?: RenderState };
  loc?: { start?: { line?: number } };
  fn?: (ctx: unknown, o?: unknown) => string;
  inverse?: (ctx: unknown) => string;
}

function stateOf(options: unknown, helper: string): RenderState {
  const st = (options as HelperOptions | undefined)?.data?.ft;
  if (!st) throw new FtError(`${helper} was called outside of a model render; pass it the Handlebars options object your helper received (its last argument).`);
  return st;
}

function siteOf(st: RenderState, options: unknown, helper: string, what: string): ReadSite {
  return { file: st.file, line: (options as HelperOptions | undefined)?.loc?.start?.line, helper, what };
}

function scopeOf(st: RenderState): ReadScope {
  if (!st.reads) st.reads = { introspector: undefined, count: 0, misses: [] };
  return st.reads;
}

const unquote = (s: string): string => s.slice(1, -1).replace(/``/g, '`');

/** A relation argument as schema and name. */
export function relationParts(v: unknown, st: RenderState, helper: string, line?: number): { schema: string; name: string } {
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const name = typeof o.identifier === 'string' ? o.identifier : typeof o.name === 'string' ? o.name : undefined;
    if (typeof o.schema === 'string' && name !== undefined) return { schema: o.schema, name };
  }
  if (typeof v === 'string') {
    const s = v.trim();
    const quoted = /^(`(?:[^`]|``)+`)\.(`(?:[^`]|``)+`)$/.exec(s);
    if (quoted) return { schema: unquote(quoted[1]!), name: unquote(quoted[2]!) };
    const plain = /^([^.`\s]+)\.([^.`\s]+)$/.exec(s);
    if (plain) return { schema: plain[1]!, name: plain[2]! };
    const cte = /^`__ft_cte__((?:[^`]|``)+)`$/.exec(s);
    if (cte) {
      throw new FtError(`${helper}: ${unquote(`\`${cte[1]!}\``)} is an ephemeral model, which has no relation in the database to read. Read its parents instead, or make it a view.`, 2, st.file, line);
    }
  }
  const shown = v === undefined ? 'nothing' : typeof v === 'string' ? `"${v}"` : JSON.stringify(v) ?? String(v);
  throw new FtError(`${helper} needs a relation — (ref "model"), (source "src" "table"), this, or "schema.table" — and was given ${shown}.`, 2, st.file, line);
}

/** A relation's columns in order; empty when it does not exist (with a note) or is not read yet. */
export function columnsOf(relation: unknown, options: unknown, helper = 'get_columns_in_relation'): IntrospectedColumn[] {
  const st = stateOf(options, helper);
  const line = (options as HelperOptions | undefined)?.loc?.start?.line;
  const { schema, name } = relationParts(relation, st, helper, line);
  const d = describe(st, options, helper, schema, name);
  if (d === null) scopeOf(st).introspector?.noteMissing(siteOf(st, options, helper, relationName(schema, name)));
  return d ? d.columns : [];
}

/** The relation if it exists (prints as its quoted name), else null — also while it is not read yet. */
export function getRelation(relation: unknown, options: unknown, helper = 'get_relation'): IntrospectedRelation | null {
  const st = stateOf(options, helper);
  const line = (options as HelperOptions | undefined)?.loc?.start?.line;
  const { schema, name } = relationParts(relation, st, helper, line);
  return describe(st, options, helper, schema, name)?.relation ?? null;
}

export function relationExists(relation: unknown, options: unknown, helper = 'get_relation'): boolean {
  return getRelation(relation, options, helper) !== null;
}

/** A query's rows (column names as keys; dates as text); empty while not run yet. */
export function queryRows(sql: string, options: unknown, helper = 'run_query'): QueryRow[] {
  const st = stateOf(options, helper);
  const scope = scopeOf(st);
  scope.count++;
  const site = siteOf(st, options, helper, `query: ${sql.trim().replace(/\s+/g, ' ').slice(0, 80)}`);
  const rows = scope.introspector?.rows(sql, site);
  if (rows) return rows;
  scope.misses.push(site);
  return [];
}

function describe(st: RenderState, options: unknown, helper: string, schema: string, name: string) {
  const scope = scopeOf(st);
  scope.count++;
  const d = scope.introspector?.describe(schema, name);
  if (d !== undefined) return d;
  scope.misses.push(siteOf(st, options, helper, relationName(schema, name)));
  return undefined;
}

/** Positional arguments of a helper call (Handlebars appends its options object last). */
function split(all: unknown[]): { params: unknown[]; options: HelperOptions } {
  return { params: all.slice(0, -1), options: all[all.length - 1] as HelperOptions };
}

/** get_relation's arguments: a relation, or (schema, identifier), or (database, schema, identifier), or the same as hash keys. */
function relationArg(params: unknown[], options: HelperOptions): unknown {
  const h = options.hash ?? {};
  if (params.length === 0 && h.identifier !== undefined) return { schema: String(h.schema ?? h.database ?? ''), identifier: String(h.identifier) };
  if (params.length === 2) return { schema: String(params[0]), identifier: String(params[1]) };
  // MySQL has no level above the schema: dbt's database argument names the schema too
  if (params.length === 3) return { schema: String(params[1]), identifier: String(params[2]) };
  return params[0];
}

export function registerIntrospectionHelpers(hb: typeof Handlebars): void {
  hb.registerHelper('get_columns_in_relation', (...all: unknown[]) => {
    const { params, options } = split(all);
    return columnsOf(params[0], options, 'get_columns_in_relation');
  });
  for (const name of ['get_relation', 'load_relation']) {
    hb.registerHelper(name, (...all: unknown[]) => {
      const { params, options } = split(all);
      return getRelation(relationArg(params, options), options, name);
    });
  }
  hb.registerHelper('run_query', function (this: unknown, ...all: unknown[]) {
    const { params, options } = split(all);
    // the SQL may come in pieces: (run_query "select … from " (ref "orders") " where …")
    const sql = params.map((p) => String(p ?? '')).join('');
    if (!sql.trim()) throw new FtError('run_query needs the SQL to run: (run_query "select …").', 2, options.data?.ft?.file, options.loc?.start?.line);
    const rows = queryRows(sql, options, 'run_query');
    if (!options.fn) return rows;
    // block form: the block once per row, {{else}} when there is none
    if (!rows.length) return options.inverse ? options.inverse(this) : '';
    return rows.map((r, i) => options.fn!(r, { data: { ...options.data, index: i, first: i === 0, last: i === rows.length - 1 } })).join('');
  });
}
