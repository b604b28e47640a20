import type { Project } from '../project/project.js';
import type { Graph } from './build-graph.js';

/**
 * dbt's indirect selection: which tests a selection brings in besides those it names.
 * eager — a test of any selected node; cautious — a test all of whose nodes are selected;
 * buildable — a test whose nodes are each selected, upstream of the selection or a source;
 * empty — none. A test is brought in only by a node it reads being selected (dbt's successors).
 */
export const INDIRECT_SELECTION_MODES = ['eager', 'cautious', 'buildable', 'empty'] as const;
export type IndirectSelection = (typeof INDIRECT_SELECTION_MODES)[number];

export const isIndirectSelection = (v: unknown): v is IndirectSelection => (INDIRECT_SELECTION_MODES as readonly unknown[]).includes(v);

/** The selection with the tests its mode brings in; a test matched by --exclude stays out. */
export function withIndirectTests(project: Project, graph: Graph, selected: Set<string>, excluded: Set<string> | undefined, mode: IndirectSelection = 'eager'): Set<string> {
  const out = new Set(selected);
  if (mode === 'empty') return out;
  const upstream = mode === 'buildable' ? ancestors(graph, selected) : undefined;
  const brought = (d: string): boolean => selected.has(d) || Boolean(upstream && (upstream.has(d) || project.nodes.get(d)?.resource_type === 'source'));
  for (const node of project.nodes.values()) {
    if (node.resource_type !== 'test' || out.has(node.unique_id) || excluded?.has(node.unique_id)) continue;
    const reads = node.depends_on.nodes;
    if (!reads.length) continue;
    if (mode === 'eager' ? reads.some((d) => selected.has(d)) : reads.every(brought) && reads.some((d) => selected.has(d))) out.add(node.unique_id);
  }
  return out;
}

/** Every node upstream of the selection (not the selection itself). */
function ancestors(graph: Graph, selected: Set<string>): Set<string> {
  const out = new Set<string>();
  const stack = [...selected].flatMap((id) => graph.predecessors(id) ?? []);
  while (stack.length) {
    const p = stack.pop()!;
    if (out.has(p) || selected.has(p)) continue;
    out.add(p);
    stack.push(...(graph.predecessors(p) ?? []));
  }
  return out;
}
