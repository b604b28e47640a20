import { withIndirectTests, type IndirectSelection } from '../graph/indirect-selection.js';
import { keepsResourceType, RESOURCE_TYPE_NAMES, resourceTypeOf, resourceTypeSet } from '../graph/resource-types.js';
import { excludedNodes, indirectSelectionOf, selectNodes, unmatchedMessage } from '../graph/selector.js';
import { FtError } from '../util/errors.js';
import { semanticListing } from '../metrics/list-semantic.js';
import { openProject, selectSpecs, splitSelectors, type GlobalFlags } from './context.js';

export interface LsFlags extends GlobalFlags {
  select?: string[];
  exclude?: string[];
  resourceType?: string[];
  excludeResourceType?: string[];
  indirectSelection?: IndirectSelection;
  output?: string;
}

/** ft ls: the nodes a selector picks, as names, paths or JSON. */
export async function lsCommand(flags: LsFlags): Promise<number> {
  const output = flags.output ?? 'name';
  if (!['name', 'path', 'json', 'selector'].includes(output)) throw new FtError(`--output must be name, path, json or selector, not "${output}".`);
  const { project, graph, out, state } = await openProject(flags);
  const select = selectSpecs(flags, project);
  const exclude = splitSelectors(flags.exclude);
  const mode = indirectSelectionOf(project, select, flags.indirectSelection);
  let ids = selectNodes(project, graph, { select, exclude, state, indirectSelection: mode, unmatched: (c) => out.warn(unmatchedMessage(c)) });
  // as dbt's ls: the tests of selected nodes are listed with them (indirect selection, eager by default)
  if (select?.length) ids = withIndirectTests(project, graph, ids, excludedNodes(project, graph, exclude, state, mode), mode);
  const only = resourceTypeSet(flags.resourceType);
  const without = resourceTypeSet(flags.excludeResourceType, '--exclude-resource-type');
  const types = only || without ? new Set(RESOURCE_TYPE_NAMES.filter((t) => (!only || only.has(t)) && !without?.has(t))) : null;
  const lines: string[] = [];
  for (const id of [...ids].sort()) {
    const n = project.nodes.get(id)!;
    const type = resourceTypeOf(n);
    if (!keepsResourceType(n, only, without)) continue;
    if (output === 'name') lines.push(n.resource_type === 'source' ? `${n.source_name}.${n.name}` : n.name);
    else if (output === 'path') lines.push(n.original_file_path);
    else if (output === 'selector') lines.push(n.fqn.join('.'));
    else lines.push(JSON.stringify({ unique_id: n.unique_id, name: n.name, resource_type: type, original_file_path: n.original_file_path, config: { materialized: n.config.materialized, tags: n.tags }, depends_on: n.depends_on }));
  }
  lines.push(...semanticListing(project, types, select, output));
  process.stdout.write(lines.length ? `${lines.join('\n')}\n` : '');
  if (!lines.length) out.warn('the selection matched no nodes.');
  return 0;
}
