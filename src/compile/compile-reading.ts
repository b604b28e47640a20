import type { FileBatchWriter } from '../artifacts/file-batch-writer.js';
import type { Graph } from '../graph/build-graph.js';
import type { Project } from '../project/project.js';
import type { Node, ResolvedTarget } from '../project/types.js';
import type { CompileCache } from '../template/compile-cache.js';
import type { Compiler } from '../template/compiler.js';
import { Introspector, withReads, type ReadSite } from '../template/introspector.js';
import { FtError } from '../util/errors.js';
import { compileNodes } from './compile-nodes.js';

/**
 * Compiling models that read the database (get_columns_in_relation, get_relation, run_query
 * and the helpers built on them): see template/introspector.ts for the rounds.
 */

/** An introspector that opens its own connection to the target on first use (ft compile, docs generate). */
export function ownIntrospector(target: ResolvedTarget): Introspector {
  // the driver is loaded only when a model asks: a compile that reads nothing does without it
  return new Introspector(async () => (await import('../adapters/mysql/mysql-adapter.js')).createAdapter(target, 1));
}

/** Rounds of reads a compile makes at most (a template may ask for more once it sees answers). */
const MAX_ROUNDS = 8;

/**
 * compileNodes, reading the database for the nodes that ask: every node is rendered once,
 * what all of them asked for is read at once (one statement for all relations), and those
 * nodes are rendered again. An unreachable server fails with the list of nodes that need it.
 * Notes (a column list of a relation that does not exist) go to `warn`.
 */
export async function compileNodesReading(
  project: Project,
  graph: Graph,
  ids: Set<string>,
  compiler: Compiler,
  cache: CompileCache,
  writer: FileBatchWriter,
  warn?: (msg: string) => void,
  note: (msg: string) => void = warn ?? (() => undefined),
): Promise<number> {
  const pending = new Map<string, ReadSite[]>();
  let count = compileNodes(project, graph, ids, compiler, cache, writer, warn, pending);
  const introspector = compiler.introspector;
  for (let round = 0; pending.size; round++) {
    if (!introspector || round >= MAX_ROUNDS) throw pendingError(project, pending, introspector ? `they still ask for more after ${MAX_ROUNDS} rounds of reads` : undefined);
    try {
      await introspector.fetch();
    } catch (e) {
      throw needsServer(project, pending, e);
    }
    const again = new Set(pending.keys());
    pending.clear();
    count += compileNodes(project, graph, again, compiler, cache, writer, warn, pending);
  }
  for (const n of introspector?.notes ?? []) note(n);
  return count;
}

/** A node's SQL as the runner builds it: read what it asks of the database (after its parents are built), then render. */
export function compileReading(compiler: Compiler, node: Node): Promise<string> {
  return withReads(compiler.introspector, () => compiler.compile(node));
}

function sitesText(project: Project, pending: Map<string, ReadSite[]>): string {
  const lines: string[] = [];
  for (const [id, sites] of pending) {
    const seen = new Set<string>();
    for (const s of sites) {
      const text = `  ${s.file}${s.line ? `:${s.line}` : ''}: ${s.helper} ${s.what}`;
      if (seen.has(text)) continue;
      seen.add(text);
      lines.push(text);
    }
    if (!sites.length) lines.push(`  ${project.nodes.get(id)?.original_file_path ?? id}`);
  }
  return lines.join('\n');
}

/** The server could not be read: which nodes need it, where they ask, and why it failed. */
function needsServer(project: Project, pending: Map<string, ReadSite[]>, e: unknown): FtError {
  // a query that failed on the server points at its own file and line already
  if (e instanceof FtError && e.file) return e;
  const why = e instanceof FtError ? e.message : (e as Error).message ?? String(e);
  const n = pending.size;
  return new FtError(
    `${n} node${n === 1 ? '' : 's'} read${n === 1 ? 's' : ''} the database while compiling, and it could not be read: ${why}\n${sitesText(project, pending)}\n` +
      `Start the server (or fix the target in profiles.yml) and compile again; ft parse and ft ls do not need it.`,
    2,
  );
}

function pendingError(project: Project, pending: Map<string, ReadSite[]>, why = 'this command does not read the database'): FtError {
  return new FtError(`these nodes read the database while compiling, and ${why}:\n${sitesText(project, pending)}`, 2);
}
