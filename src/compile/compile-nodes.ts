import { resolve } from 'node:path';
import { writeCompiled } from '../artifacts/compiled-files.js';
import type { FileBatchWriter } from '../artifacts/file-batch-writer.js';
import type { Project } from '../project/project.js';
import type { Node } from '../project/types.js';
import { CompileCache } from '../template/compile-cache.js';
import { Compiler, type CompileOptions } from '../template/compiler.js';
import { compileTest } from '../testing/compile-test.js';
import { lintNode } from '../lint/lint-node.js';
import { sha256 } from '../util/hash.js';
import { topoSort, type Graph } from '../graph/build-graph.js';
import { IntrospectionPending, type ReadSite } from '../template/introspector.js';

export function newCompiler(project: Project, opts: CompileOptions = {}): { compiler: Compiler; cache: CompileCache } {
  const cache = new CompileCache(resolve(project.root, project.config.targetPath));
  return { compiler: new Compiler(project, cache, opts), cache };
}

export function isCompilable(node: Node): boolean {
  // a unit test's SQL exists only as it runs (its fixtures' types come from the server)
  return node.resource_type === 'model' || (node.resource_type === 'test' && !node.unit_test) || node.resource_type === 'snapshot';
}

/**
 * Compiles the given nodes (models and tests) in graph order and queues their target/compiled
 * files on `writer`: they are on disk once the caller has closed it. The caller saves `cache`
 * only then: the cache vouches that a file on disk holds its SQL (a compile killed while the
 * files were written must not leave a half file the next compile trusts). With `warn`, the MySQL
 * traps in each node's SQL are given to it (lint/lint-node.ts). With `pending`, a node whose render
 * asks the database for what is not read yet is put there (with what it asked) instead of
 * failing: compile-reading.ts reads it all at once and compiles those nodes again.
 */
export function compileNodes(project: Project, graph: Graph, ids: Set<string>, compiler: Compiler, cache: CompileCache, writer: FileBatchWriter, warn?: (msg: string) => void, pending?: Map<string, ReadSite[]>): number {
  let count = 0;
  for (const id of topoSort(graph, ids)) {
    const node = project.nodes.get(id)!;
    if (!isCompilable(node)) continue;
    let sql: string;
    let fresh: boolean;
    try {
      if (node.test_metadata) {
        // Generic tests are cheap to generate; the cache only tells whether the file must be rewritten.
        sql = compileTest(project, compiler, node);
        const key = sha256(sql);
        fresh = cache.get(id, key) === undefined;
        if (fresh) cache.set(id, key, '');
      } else {
        sql = compiler.compile(node);
        fresh = compiler.fresh.has(id);
      }
    } catch (e) {
      if (!pending || !(e instanceof IntrospectionPending)) throw e;
      pending.set(id, e.sites);
      continue;
    }
    node.compiled_code = sql;
    if (warn) for (const m of lintNode(node, sql, node.test_metadata ? [] : compiler.ephemeralParents(node))) warn(m);
    writeCompiled(project, node, sql, fresh, cache, writer);
    count++;
  }
  return count;
}
