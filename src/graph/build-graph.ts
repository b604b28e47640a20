import { Graph as GraphlibGraph } from '@dagrejs/graphlib';
import type { Project } from '../project/project.js';
import { FtError } from '../util/errors.js';
import { DepGraph } from './dep-graph.js';

export type Graph = DepGraph;

/** What cycle search needs of a graph: ours, or graphlib's. */
type Successors = Pick<GraphlibGraph, 'nodes'> & { successors(id: string): readonly string[] | undefined | void };

/** The DAG of all nodes, edges parent → child from ref/source/test attachments. */
export function buildGraph(project: Project): Graph {
  const g = new DepGraph();
  for (const id of project.nodes.keys()) g.setNode(id);
  for (const node of project.nodes.values()) {
    for (const dep of node.depends_on.nodes) if (project.nodes.has(dep)) g.setEdge(dep, node.unique_id);
  }
  // A topological order that misses nodes means a cycle; only then is the path searched for.
  if (topoSort(g).length < project.nodes.size) reportCycle(project, g);
  return g;
}

/** Throws the error naming a cycle, found with graphlib (the error path needs no speed). */
function reportCycle(project: Project, dag: DepGraph): void {
  const g = new GraphlibGraph({ directed: true });
  for (const id of dag.nodes()) g.setNode(id);
  for (const id of dag.nodes()) for (const c of dag.successors(id)!) g.setEdge(id, c);
  const cycle = findCycle(g);
  if (cycle) {
    const names = cycle.map((id) => project.nodes.get(id)?.name ?? id);
    // Point at the ref that closes the loop: the first node's ref to the node before it.
    const first = project.nodes.get(cycle[0]!);
    const closing = project.nodes.get(cycle[cycle.length - 2]!);
    const line = first && closing ? project.analyses.get(first.unique_id)?.refs.find((r) => r.value === closing.name)?.line : undefined;
    throw new FtError(
      `dependency cycle: ${names.join(' -> ')}. A model cannot depend on itself through its refs; remove one of these refs${closing && first ? ` (e.g. {{ref "${closing.name}"}} in ${first.name})` : ''}.`,
      2,
      first?.original_file_path,
      line,
    );
  }
}

/** One cycle as a closed path (a -> b -> a), or null; iterative DFS so deep chains don't overflow. */
export function findCycle(g: Successors): string[] | null {
  const state = new Map<string, 1 | 2>();
  for (const start of g.nodes().sort()) {
    if (state.has(start)) continue;
    const stack: Array<{ id: string; next: string[] }> = [{ id: start, next: [...(g.successors(start) ?? [])].sort() }];
    state.set(start, 1);
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const child = top.next.shift();
      if (child === undefined) {
        state.set(top.id, 2);
        stack.pop();
        continue;
      }
      const s = state.get(child);
      if (s === 1) {
        const path = stack.map((f) => f.id);
        return [...path.slice(path.indexOf(child)), child];
      }
      if (s === undefined) {
        state.set(child, 1);
        stack.push({ id: child, next: [...(g.successors(child) ?? [])].sort() });
      }
    }
  }
  return null;
}

/** Nodes in dependency order (parents first), ties broken by id for stable output. */
export function topoSort(g: Graph, subset?: Set<string>): string[] {
  // The whole graph is sorted at build time (the cycle check) and again by most commands.
  const whole = !subset || (subset.size === g.size && [...subset].every((id) => g.hasNode(id)));
  if (whole && g.wholeOrder) return [...g.wholeOrder];
  // a subset counts only the edges inside it; the whole graph counts every edge, unfiltered
  const inSet = whole ? undefined : subset;
  const ids = inSet ? [...inSet] : g.nodes();
  const indeg = new Map<string, number>();
  for (const id of ids) {
    const preds = g.predecessors(id) ?? [];
    let n = preds.length;
    if (inSet) {
      n = 0;
      for (const p of preds) if (inSet.has(p)) n++;
    }
    indeg.set(id, n);
  }
  const ready = ids.filter((id: string) => indeg.get(id) === 0).sort();
  const out: string[] = [];
  for (let head = 0; head < ready.length; head++) {
    const id = ready[head]!;
    out.push(id);
    // the graph's lists are shared: sorted copies (most have one entry or none: as they are)
    const kids = g.successors(id) ?? [];
    for (const c of kids.length > 1 ? [...kids].sort() : kids) {
      if (inSet && !inSet.has(c)) continue;
      const d = indeg.get(c)! - 1;
      indeg.set(c, d);
      if (d === 0) ready.push(c);
    }
  }
  if (whole) g.wholeOrder = [...out];
  return out;
}
