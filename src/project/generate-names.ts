import type Handlebars from 'handlebars';
import type { RenderState } from '../template/render-context.js';
import { FtError } from '../util/errors.js';
import type { Node, ResolvedTarget } from './types.js';

/**
 * Where a model, seed or snapshot is built, as dbt decides it: the project may override
 * `generate_schema_name` and `generate_alias_name` with a macro — a partial
 * (macros/generate_schema_name.sql, seeing `custom_schema_name`/`custom_alias_name`, `node` and
 * `target`) or a JS helper (macros/*.js exporting generate_schema_name(custom, node, target)).
 * Without one: `<target database>_<custom>` (or the target database) and the custom alias (or
 * the node's name). MySQL has no database above the schema, so there is no generate_database_name.
 */

type Env = typeof Handlebars;
type Fn = (...args: unknown[]) => unknown;

/** What a macro sees of the node, as dbt's node object. */
function nodeView(node: Node): Record<string, unknown> {
  return {
    name: node.name,
    unique_id: node.unique_id,
    resource_type: node.resource_type,
    package_name: node.package_name,
    fqn: node.fqn,
    path: node.path,
    original_file_path: node.original_file_path,
    config: node.config,
    tags: node.tags,
  };
}

function targetView(t: ResolvedTarget): Record<string, unknown> {
  return { name: t.targetName, database: t.database, schema: t.database, type: t.type, profile_name: t.profileName };
}

const compiled = new WeakMap<Env, Map<string, HandlebarsTemplateDelegate>>();

/** The project's override of a naming macro (partial or helper), called for a node; undefined when there is none. */
function override(env: Env, macro: 'generate_schema_name' | 'generate_alias_name', custom: string | undefined, node: Node, target: ResolvedTarget, vars: Record<string, unknown>): string | undefined {
  const helper = (env.helpers as Record<string, Fn | undefined>)[macro];
  const partial = (env.partials as Record<string, unknown>)[macro];
  if (!helper && partial === undefined) return undefined;
  const where = helper ? `the ${macro} helper (macros/*.js)` : `macros/${macro}.sql`;
  // helpers the macro calls (var, env_var …) read the render state, as in a model
  const st = {
    node,
    file: `macros/${macro}.sql`,
    isIncremental: false,
    lookupVar: (name: string) => vars[name],
    resolveRef: () => {
      throw new FtError(`${macro} cannot ref a model: it decides where models are built.`, 2, `macros/${macro}.sql`);
    },
    resolveSource: () => {
      throw new FtError(`${macro} cannot read a source: it decides where models are built.`, 2, `macros/${macro}.sql`);
    },
    watermark: () => 'NULL',
  } satisfies RenderState;
  let out: unknown;
  try {
    if (helper) {
      out = helper(custom ?? null, nodeView(node), targetView(target), { hash: {}, data: { ft: st }, name: macro });
    } else {
      let byName = compiled.get(env);
      if (!byName) compiled.set(env, (byName = new Map()));
      let tpl = byName.get(macro);
      if (!tpl) {
        tpl = typeof partial === 'string' ? env.compile(partial, { noEscape: true }) : (partial as HandlebarsTemplateDelegate);
        byName.set(macro, tpl);
      }
      const arg = macro === 'generate_schema_name' ? 'custom_schema_name' : 'custom_alias_name';
      out = tpl({ [arg]: custom ?? null, node: nodeView(node), target: targetView(target) }, { data: { ft: st } });
    }
  } catch (e) {
    if (e instanceof FtError) throw e;
    throw new FtError(`${where} failed for ${node.unique_id}: ${(e as Error).message.split('\n')[0]}.`, 2, helper ? undefined : `macros/${macro}.sql`);
  }
  const name = String(out ?? '').trim();
  if (!name) throw new FtError(`${where} gave an empty name for ${node.unique_id}. Make it return a ${macro === 'generate_schema_name' ? 'schema' : 'table'} name for every node.`, 2, helper ? undefined : `macros/${macro}.sql`);
  return name;
}

/** The schema (MySQL database) a node is built in. */
export function generateSchemaName(custom: string | undefined, node: Node, target: ResolvedTarget, env: Env, vars: Record<string, unknown>): string {
  return override(env, 'generate_schema_name', custom, node, target, vars) ?? (custom ? `${target.database}_${custom}` : target.database);
}

/** The table or view name a node is built as. */
export function generateAliasName(custom: string | undefined, node: Node, target: ResolvedTarget, env: Env, vars: Record<string, unknown>): string {
  return override(env, 'generate_alias_name', custom, node, target, vars) ?? custom ?? node.name;
}
