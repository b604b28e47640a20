import type { Project } from '../project/project.js';
import type { Node } from '../project/types.js';

/**
 * A table rebuilt while a table with a foreign key into it is not: ft builds the new table
 * aside and swaps it in by RENAME, and MySQL moves the child's key with the old table, so the
 * key points at nothing until the child is built again. One warning per such pair, with the fix.
 * (An incremental model's run writes into its table: only a table model is swapped.)
 */
export function foreignKeyWarnings(project: Project, ids: ReadonlySet<string>): string[] {
  const rebuilt = new Map<string, Node>();
  for (const id of ids) {
    const n = project.nodes.get(id);
    if (n?.resource_type === 'model' && n.relation_name && n.config.materialized === 'table') rebuilt.set(n.relation_name, n);
  }
  if (!rebuilt.size) return [];
  const out: string[] = [];
  for (const child of project.nodes.values()) {
    if (ids.has(child.unique_id) || !child.contract?.enforced) continue;
    for (const c of [...(child.constraints ?? []), ...Object.values(child.columns).flatMap((col) => col.constraints ?? [])]) {
      const parent = c.type === 'foreign_key' && c.to ? rebuilt.get(c.to) : undefined;
      if (parent) out.push(`${child.name} has a foreign key to ${parent.name}, which this run rebuilds without it: the key will point at the replaced table until ${child.name} is built again. Select ${parent.name}+ to rebuild both.`);
    }
  }
  return out;
}
