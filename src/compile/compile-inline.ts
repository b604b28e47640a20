import { sourceNode, type Project } from '../project/project.js';
import { CompileCache } from '../template/compile-cache.js';
import { Compiler, type CompileOptions } from '../template/compiler.js';
import { CORE_HELPERS } from '../template/environment.js';
import { checkTemplateNames } from '../template/helper-messages.js';
import { analyseTemplate, parseTemplate } from '../template/template-analysis.js';
import { FtError } from '../util/errors.js';
import { didYouMean } from '../util/suggest.js';
import { operationNode } from './operation-node.js';

/** Where messages about `ft compile --inline` point. */
const INLINE = '--inline';

/**
 * `ft compile --inline "<template>"`, as dbt's: the SQL of a template typed on the command
 * line, rendered in the project (refs, sources, vars, macros; ephemeral parents as CTEs).
 */
export function compileInline(project: Project, text: string, opts: CompileOptions = {}): string {
  const analysis = analyseTemplate(parseTemplate(text, INLINE), INLINE);
  // the names a model file's are checked against: an unknown one would print nothing
  checkTemplateNames(analysis, INLINE, new Set([...CORE_HELPERS, ...project.helpers.keys()]), project.partials);
  const byName = new Map<string, string>();
  for (const n of project.nodes.values()) if (n.resource_type === 'model' || n.resource_type === 'seed' || n.resource_type === 'snapshot') byName.set(n.name, n.unique_id);
  const deps = new Set<string>();
  for (const r of analysis.refs) {
    const id = byName.get(r.value);
    if (!id) throw new FtError(`ref "${r.value}" matches no model or seed.${didYouMean(r.value, byName.keys())}`, 2, INLINE);
    deps.add(id);
  }
  for (const { value: [s, t] } of analysis.sources) {
    const n = sourceNode(project, s, t);
    if (!n) throw new FtError(`source "${s}.${t}" is not declared in the project's schema YAML.`, 2, INLINE);
    deps.add(n.unique_id);
  }
  const node = operationNode(project, 'inline_query', `sql_operation.${project.config.name}.inline_query`, INLINE, [...deps]);
  node.raw_code = text;
  // nothing to reuse or keep: a cache that is never read or saved
  return new Compiler(project, new CompileCache(project.root, false), opts).compile(node);
}
