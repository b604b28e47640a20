import type Handlebars from 'handlebars';
import { createHandlebarsEnv } from './handlebars-lib.js';
import { literalHelper } from './literal-helper.js';
import { LOGIC_HELPER_NAMES, registerLogicHelpers } from './logic-helpers.js';
import { readEnv } from '../util/env-reads.js';
import { FtError } from '../util/errors.js';
import type { RenderState } from './render-context.js';
import { INTROSPECTION_HELPERS, registerIntrospectionHelpers } from './introspection-helpers.js';
import { LIBRARY_HELPER_NAMES, libraryHelpers } from './library/library-helpers.js';
import { NAMING_MACROS, registerNamingMacros } from './naming-macros.js';

export type HelperFn = (...args: unknown[]) => unknown;

/** Helpers every ft template can call (besides Handlebars' if/unless/each/with/lookup). */
export const CORE_HELPERS = ['ref', 'source', 'var', 'env_var', 'config', 'is_incremental', 'doc', 'watermark', 'literal', ...INTROSPECTION_HELPERS, ...LIBRARY_HELPER_NAMES, ...LOGIC_HELPER_NAMES, ...NAMING_MACROS];

function state(options: unknown): RenderState {
  const st = (options as { data?: { ft?: RenderState } })?.data?.ft;
  if (!st) throw new FtError('a template helper ran outside of a model render.');
  return st;
}

/** Positional arguments of a helper call (Handlebars appends its options object last). */
function args(all: unknown[]): { params: unknown[]; options: unknown } {
  return { params: all.slice(0, -1), options: all[all.length - 1] };
}

export function envVar(name: string, dflt: unknown, file: string): string {
  const v = readEnv(name);
  if (v !== undefined) return v;
  if (dflt !== undefined) return String(dflt);
  throw new FtError(`environment variable ${name} is not set and has no default. Export it or pass a default: {{env_var "${name}" "value"}}.`, 2, file);
}

/**
 * One Handlebars environment per project: ft's helpers, the project's macros as partials
 * and its JS helpers. No HTML escaping: templates produce SQL.
 */
export function createEnvironment(partials: Map<string, string>, jsHelpers: Map<string, HelperFn>): typeof Handlebars {
  const hb = createHandlebarsEnv();
  registerLogicHelpers(hb); // first: a library or project helper of the same name wins
  hb.registerHelper('ref', (...all: unknown[]) => {
    const { params, options } = args(all);
    return state(options).resolveRef(String(params[params.length - 1]));
  });
  hb.registerHelper('source', (...all: unknown[]) => {
    const { params, options } = args(all);
    return state(options).resolveSource(String(params[0]), String(params[1]));
  });
  hb.registerHelper('var', (...all: unknown[]) => {
    const { params, options } = args(all);
    const name = String(params[0]);
    const v = state(options).lookupVar(name);
    if (v !== undefined) return v;
    if (params.length > 1) return params[1];
    throw new FtError(`required var "${name}" is not defined. Set it under \`vars:\` in project.yml, pass --vars '{${name}: …}', or give a default: {{var "${name}" default}}.`, 2, state(options).file);
  });
  hb.registerHelper('env_var', (...all: unknown[]) => {
    const { params, options } = args(all);
    return envVar(String(params[0]), params[1], state(options).file);
  });
  hb.registerHelper('config', () => '');
  hb.registerHelper('is_incremental', (...all: unknown[]) => state(all[all.length - 1]).isIncremental);
  hb.registerHelper('watermark', (...all: unknown[]) => {
    const { params, options } = args(all);
    return state(options).watermark(String(params[0]));
  });
  hb.registerHelper('literal', literalHelper);
  registerIntrospectionHelpers(hb);
  registerNamingMacros(hb);
  // dbt's macros by their dbt names (dbt.*, dbt_utils.*, dbt_date.*); the project's own helpers below win
  for (const [name, fn] of libraryHelpers()) hb.registerHelper(name, fn as Handlebars.HelperDelegate);
  for (const [name, body] of partials) hb.registerPartial(name, body);
  for (const [name, fn] of jsHelpers) hb.registerHelper(name, fn as Handlebars.HelperDelegate);
  return hb;
}
