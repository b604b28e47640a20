import type { Adapter } from '../adapters/adapter.js';
import type { StateManifest } from '../graph/state.js';
import type { Project } from '../project/project.js';

/**
 * --defer: a parent this run does not build, and that does not exist in the target,
 * resolves to its relation in the state manifest (e.g. production), as in dbt's slim CI.
 */
export async function resolveDeferred(project: Project, adapter: Adapter, state: StateManifest, runIds: Set<string>): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const candidates = [...project.nodes.values()].filter(
    (n) => (n.resource_type === 'model' || n.resource_type === 'seed') && !runIds.has(n.unique_id) && n.config.materialized !== 'ephemeral' && state.nodes[n.unique_id]?.relation_name,
  );
  if (!candidates.length) return out;
  const schemas = [...new Set(candidates.map((n) => n.schema))];
  const existing = new Set((await adapter.listRelations(schemas)).map((r) => `${r.schema}.${r.name}`));
  for (const n of candidates) {
    if (!existing.has(`${n.schema}.${n.alias}`)) out.set(n.unique_id, state.nodes[n.unique_id]!.relation_name!);
  }
  return out;
}
