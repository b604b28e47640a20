import type { Graph } from '../graph/build-graph.js';
import { topoSort } from '../graph/build-graph.js';
import type { Project } from '../project/project.js';
import type { Node } from '../project/types.js';
import { CompileCache } from '../template/compile-cache.js';
import { Compiler, type CompileOptions } from '../template/compiler.js';
import { compileTest } from '../testing/compile-test.js';
import { lintNode } from './lint-node.js';

/**
 * The MySQL-trap warnings of what an invocation (run, test, build) will execute, before any of
 * it runs: the SQL of its models and tests, of the ephemeral models inlined into them, and for
 * an incremental model both renderings (is_incremental false and true). A node that cannot be
 * rendered yet — one that reads the database while compiling, or one whose render fails (its
 * execution reports why) — is returned in `later`: it is linted when it renders, before it runs.
 */
export function lintInvocation(project: Project, graph: Graph, ids: Set<string>, compiler: Compiler, opts: CompileOptions = {}): { warnings: string[]; later: Set<string> } {
  const nodes: Node[] = [];
  const seen = new Set<string>();
  const add = (n: Node): void => {
    if (seen.has(n.unique_id)) return;
    seen.add(n.unique_id);
    nodes.push(n);
  };
  for (const id of topoSort(graph, ids)) {
    const node = project.nodes.get(id)!;
    if (node.resource_type !== 'model' && node.resource_type !== 'test') continue;
    if (node.unit_test) continue; // its model is linted as the model
    if (node.resource_type === 'model' || !node.test_metadata) for (const e of compiler.ephemeralParents(node)) add(e);
    add(node);
  }
  let incremental: Compiler | undefined;
  const out = new Set<string>();
  const later = new Set<string>();
  const lint = (c: Compiler, node: Node): void => {
    let sql: string;
    try {
      sql = node.test_metadata ? compileTest(project, c, node) : c.compile(node);
    } catch {
      later.add(node.unique_id);
      return;
    }
    for (const m of lintNode(node, sql, node.test_metadata ? [] : c.ephemeralParents(node))) out.add(m);
  };
  for (const node of nodes) {
    lint(compiler, node);
    if (node.resource_type === 'model' && node.config.materialized === 'incremental') {
      incremental ??= new Compiler(project, new CompileCache(project.root, false), { ...opts, isIncremental: () => true });
      lint(incremental, node);
    }
  }
  return { warnings: [...out], later };
}
