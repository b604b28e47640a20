// The model's SQL as a unit test runs it: rendered by the project's own compiler over a copy of
// the node map in which each given input (and `this`) is a CTE of fixture rows, with the test's
// vars, env_vars and macro overrides. Nothing of the project is changed, and no real relation
// the model reads is left in the SQL.
import type { Project } from '../../project/project.js';
import { quoteIdent } from '../../project/relation-names.js';
import type { Node } from '../../project/types.js';
import { CompileCache } from '../../template/compile-cache.js';
import { Compiler, injectCtes, type RenderProject } from '../../template/compiler.js';
import { createEnvironment, type HelperFn } from '../../template/environment.js';
import { sha256 } from '../../util/hash.js';
import { CONTEXT_OVERRIDES, type UnitTestDefinition } from './unit-test-spec.js';

/** The CTE name a given input is read through. */
export const fixtureCte = (index: number, isThis: boolean): string => quoteIdent(isThis ? '__ft_unit_this' : `__ft_unit_given_${index}`);

/** Runs `fn` with these environment variables set (a render is synchronous: nothing else runs meanwhile). */
function withEnv<T>(vars: Record<string, string>, fn: () => T): T {
  const before = new Map(Object.keys(vars).map((k) => [k, process.env[k]]));
  Object.assign(process.env, vars);
  try {
    return fn();
  } finally {
    for (const [k, v] of before) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/**
 * The SQL of the unit test: the model rendered with its inputs replaced, preceded by a CTE for
 * each input holding `fixtures[i]` (a SELECT of the given rows).
 */
export function renderUnitTest(project: Project, def: UnitTestDefinition, fixtures: string[]): string {
  const model = project.nodes.get(def.model_id)!;
  const nodes = new Map(project.nodes);
  let self: Node = model;
  def.given.forEach((g, i) => {
    const id = def.input_ids[i]!;
    const relation = fixtureCte(i, g.input.kind === 'this');
    if (g.input.kind === 'this') {
      self = { ...self, relation_name: relation };
      return;
    }
    const node = nodes.get(id)!;
    // a given ephemeral model is read from its rows, not inlined
    const config = node.resource_type === 'model' && node.config.materialized === 'ephemeral' ? { ...node.config, materialized: 'table' } : node.config;
    nodes.set(id, { ...node, relation_name: relation, config });
  });
  nodes.set(self.unique_id, self);
  const { macros } = def.overrides;
  let env = project.env;
  // invocation_id and run_started_at are values of the context, not macros: given to every render
  const context = Object.fromEntries(CONTEXT_OVERRIDES.filter((m) => m in macros).map((m) => [m, macros[m]]));
  const overridden = Object.keys(macros).filter((m) => m !== 'is_incremental' && !(CONTEXT_OVERRIDES as readonly string[]).includes(m));
  if (overridden.length) {
    const partials = new Map(project.partials);
    const helpers = new Map<string, HelperFn>(project.helpers);
    for (const name of overridden) {
      const value = macros[name];
      if (partials.has(name)) partials.set(name, value === null || value === undefined ? '' : String(value));
      // a project helper, or one of ft's library (dbt_utils.star …): the project's helpers win over the library
      else helpers.set(name, () => value);
    }
    env = createEnvironment(partials, helpers);
  }
  const renderProject: RenderProject = {
    nodes,
    config: project.config,
    env,
    vars: { ...project.vars, ...def.overrides.vars },
    target: project.target,
    globalKey: sha256(`unit\u0000${project.globalKey}\u0000${JSON.stringify(def.overrides)}`),
    helpersReadEnv: project.helpersReadEnv,
  };
  const incremental = macros.is_incremental === true || macros.is_incremental === 'true';
  const compiler = new Compiler(renderProject, new CompileCache(project.root, false), { isIncremental: (n) => n.unique_id === model.unique_id && incremental, context });
  const sql = withEnv(def.overrides.env_vars, () => compiler.compile(self));
  const ctes = def.given.map((g, i) => [fixtureCte(i, g.input.kind === 'this'), fixtures[i]!] as [string, string]);
  return injectCtes(sql.trim().replace(/;\s*$/, ''), ctes);
}
