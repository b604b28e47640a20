import type { Project } from '../project/project.js';

/**
 * persist_docs on a view: MySQL and MariaDB keep no comment on a view or its columns, so the
 * descriptions cannot reach the server. One warning per such view, with where to put them.
 */
export function viewDocsWarnings(project: Project, ids: Iterable<string>): string[] {
  const views: string[] = [];
  for (const id of ids) {
    const n = project.nodes.get(id);
    if (n?.resource_type !== 'model' || n.config.materialized !== 'view') continue;
    const pd = n.config.persist_docs ?? {};
    const described = (pd.relation && n.description) || (pd.columns && Object.values(n.columns).some((c) => c.description));
    if (described) views.push(`${n.name} (${n.declared_at ? `${n.declared_at.file}:${n.declared_at.line}` : n.original_file_path})`);
  }
  if (!views.length) return [];
  // one warning for all of them: a folder's +persist_docs reaches every view under it
  return [
    `persist_docs on ${views.length === 1 ? 'view' : 'views'} ${views.join(', ')}: MySQL and MariaDB keep no comments on views, so ${views.length === 1 ? 'its' : 'their'} descriptions stay in the docs site only. Materialize as a table to have them on the server, or set persist_docs: {relation: false} on the view.`,
  ];
}
