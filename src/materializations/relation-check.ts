import type { Adapter } from '../adapters/adapter.js';
import type { Project } from '../project/project.js';
import type { Node } from '../project/types.js';
import { FtError } from '../util/errors.js';

/** Nodes that become a relation of their own: models (but ephemeral ones), seeds and snapshots. */
function buildsRelation(n: Node): boolean {
  return (n.resource_type === 'model' && n.config.materialized !== 'ephemeral') || n.resource_type === 'seed' || n.resource_type === 'snapshot';
}

/**
 * Database and table names the server would refuse (too long, characters it does not take),
 * checked for every node a command is about to build, before any DDL runs: one error naming each
 * node's file and what to change, exit 2.
 */
export function checkRelationNames(project: Project, adapter: Adapter, ids: Iterable<string>): void {
  const problems: Array<{ file: string; text: string }> = [];
  for (const id of ids) {
    const n = project.nodes.get(id);
    if (!n || !buildsRelation(n)) continue;
    const kind = n.resource_type === 'seed' || n.resource_type === 'snapshot' ? n.resource_type : 'model';
    const db = adapter.identifierProblem(n.schema, 'database');
    if (db) {
      const custom = n.config.schema ? ` (the target database "${project.target.database}" and the custom schema "${n.config.schema}")` : '';
      problems.push({ file: n.original_file_path, text: `${kind} ${n.name}: ${db}${custom}. Use a shorter custom schema or target database.` });
    }
    const rel = adapter.identifierProblem(n.alias, 'relation');
    if (rel) {
      const fix = n.config.alias ? 'Change its alias' : 'Rename the file or set a shorter alias ({{config alias="…"}})';
      problems.push({ file: n.original_file_path, text: `${kind} ${n.name}: ${rel}. ${fix}.` });
    }
  }
  if (!problems.length) return;
  if (problems.length === 1) throw new FtError(problems[0]!.text, 2, problems[0]!.file);
  throw new FtError(`${problems.length} names the server would refuse; nothing was built:\n${problems.map((p) => `  ${p.file}: ${p.text}`).join('\n')}`, 2);
}
