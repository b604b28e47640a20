import { sqlDialect, type SqlDialect } from '../../adapters/mysql/mysql-sql-dialect.js';
import { FtError } from '../../util/errors.js';
import type { RenderState } from '../render-context.js';

/** A Handlebars helper (as environment.ts registers them). */
export type HelperFn = (...args: unknown[]) => unknown;

/** What a library macro sees of the render calling it. */
export interface MacroCall {
  /** `dbt.date_trunc` */
  name: string;
  file: string | undefined;
  line: number | undefined;
  dialect: SqlDialect;
  /** the render's state (ref resolution, vars); undefined when called outside a model render */
  state: RenderState | undefined;
  /** the Handlebars options of the call, for the introspection helpers (introspection-helpers.ts) */
  options: unknown;
  /** an error naming the macro, the file and the line */
  fail(message: string): FtError;
}

/**
 * One of dbt's macros: its parameters in dbt's order (so positional arguments and `name=`
 * hash arguments both work, as in Jinja), the defaults of the optional ones, and what it renders.
 */
export interface MacroDef {
  params: string[];
  defaults?: Record<string, unknown>;
  render(args: Record<string, unknown>, call: MacroCall): unknown;
}

export type MacroFamily = Record<string, MacroDef>;

interface HelperOptions {
  hash?: Record<string, unknown>;
  data?: { ft?: RenderState; root?: { target?: { type?: string } } };
  loc?: { start?: { line?: number } };
}

/** Binds a Handlebars call's positional and hash arguments to the macro's parameters, as Jinja would. */
export function bindArgs(name: string, def: MacroDef, positional: unknown[], hash: Record<string, unknown>, fail: (m: string) => FtError): Record<string, unknown> {
  // the signature, for messages only
  const usage = () => `${name}(${def.params.map((p) => (def.defaults && p in def.defaults ? `${p}=…` : p)).join(', ')})`;
  const params = def.params;
  if (positional.length > params.length) throw fail(`takes at most ${params.length} argument${params.length === 1 ? '' : 's'} (${usage()}); it was given ${positional.length}.`);
  const out: Record<string, unknown> = def.defaults ? { ...def.defaults } : {};
  for (let i = 0; i < positional.length; i++) out[params[i]!] = positional[i];
  for (const k in hash) {
    const at = params.indexOf(k);
    if (at < 0) throw fail(`has no argument "${k}"; it takes ${usage()}.`);
    if (at < positional.length) throw fail(`got "${k}" twice, by position and by name.`);
    out[k] = hash[k];
  }
  for (let i = positional.length; i < params.length; i++) {
    const p = params[i]!;
    if (out[p] === undefined && !(def.defaults && p in def.defaults)) throw fail(`needs its argument "${p}": ${usage()}.`);
  }
  return out;
}

/** A Handlebars helper running a library macro. */
export function macroHelper(name: string, def: MacroDef): HelperFn {
  return (...all: unknown[]) => {
    const options = (all[all.length - 1] ?? {}) as HelperOptions;
    const state = options.data?.ft;
    const line = options.loc?.start?.line;
    const fail = (m: string): FtError => new FtError(`${name} ${m}`, 2, state?.file, line);
    const call: MacroCall = { name, file: state?.file, line, dialect: sqlDialect(options.data?.root?.target?.type), state, options, fail };
    return def.render(bindArgs(name, def, all.slice(0, -1), options.hash ?? {}, fail), call);
  };
}
