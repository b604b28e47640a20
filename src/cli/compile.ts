import { writeManifest } from '../artifacts/manifest.js';
import { selectNodes } from '../graph/selector.js';
import { compileNodes, newCompiler } from '../runner/compile-nodes.js';
import { openProject, splitSelectors, type GlobalFlags } from './context.js';

export interface CompileFlags extends GlobalFlags {
  select?: string[];
  exclude?: string[];
}

/** ft compile: renders models and tests to target/compiled and writes target/manifest.json. */
export async function compileCommand(flags: CompileFlags): Promise<number> {
  const started = performance.now();
  const { project, graph, out, state } = await openProject(flags);
  const ids = selectNodes(project, graph, { select: splitSelectors(flags.select), exclude: splitSelectors(flags.exclude), state });
  const { compiler, cache } = newCompiler(project);
  const count = compileNodes(project, graph, ids, compiler, cache);
  const file = writeManifest(project, graph);
  out.info(`Compiled ${count} nodes in ${((performance.now() - started) / 1000).toFixed(2)}s; manifest at ${file}`);
  return 0;
}

/** ft parse: loads the project and writes the manifest without rendering SQL. */
export async function parseCommand(flags: GlobalFlags): Promise<number> {
  const started = performance.now();
  const { project, graph, out } = await openProject(flags);
  const file = writeManifest(project, graph);
  const counts = new Map<string, number>();
  for (const n of project.nodes.values()) counts.set(n.resource_type, (counts.get(n.resource_type) ?? 0) + 1);
  out.info(`Parsed ${[...counts].map(([k, v]) => `${v} ${k}${v === 1 ? '' : 's'}`).join(', ')} in ${((performance.now() - started) / 1000).toFixed(2)}s; manifest at ${file}`);
  return 0;
}
