import type { Project } from '../project/project.js';

/**
 * persist_docs on a view: MySQL and MariaDB keep no comment on a view or its columns, so the
 * descriptions cannot reach the server. One warning per such view, with where to put them.
 */
export function viewDocsWarnings(project: Project, ids: Iterable<string>): string[] {
  const out: string[] = [];
  for (const id of ids) {
    const n = project.nodes.get(id);
    if (n?.resource_type !== 'model' || n.config.materialized !== 'view') continue;
    const pd = n.config.persist_docs ?? {};
    const described = (pd.relation && n.description) || (pd.columns && Object.values(n.columns).some((c) => c.description));
    if (!described) continue;
    const at = n.declared_at ? `${n.declared_at.file}:${n.declared_at.line}: ` : `${n.original_file_path}: `;
    out.push(`${at}persist_docs on view ${n.name}: MySQL and MariaDB keep no comments on views, so its descriptions stay in the docs site only. Materialize it as a table to have them on the server.`);
  }
  return out;
}
