import { withIndirectTests, type IndirectSelection } from '../graph/indirect-selection.js';
import { keepsResourceType, RESOURCE_TYPE_NAMES, resourceTypeOf, resourceTypeSet } from '../graph/resource-types.js';
import { indirectSelectionOf, selection, unmatchedMessage } from '../graph/selector.js';
import { FtError } from '../util/errors.js';
import { didYouMean } from '../util/suggest.js';
import { semanticListing } from '../metrics/list-semantic.js';
import { openProject, selectSpecs, splitSelectors, type GlobalFlags } from './context.js';

export interface LsFlags extends GlobalFlags {
  select?: string[];
  exclude?: string[];
  resourceType?: string[];
  excludeResourceType?: string[];
  indirectSelection?: IndirectSelection;
  output?: string;
  /** --output json: only these keys of each node (dbt's --output-keys) */
  outputKeys?: string[];
}

/** What --output json prints of a node by default, and what --output-keys may pick from. */
const JSON_KEYS = ['unique_id', 'name', 'resource_type', 'original_file_path', 'config', 'depends_on'];
const MORE_JSON_KEYS = ['package_name', 'path', 'fqn', 'alias', 'schema', 'tags', 'description', 'meta', 'relation_name'];

/** ft ls: the nodes a selector picks, as names, paths or JSON. */
export async function lsCommand(flags: LsFlags): Promise<number> {
  const output = flags.output ?? 'name';
  const keys = flags.outputKeys?.flatMap((k) => k.split(/[\s,]+/)).filter(Boolean);
  if (keys?.length) {
    const known = [...JSON_KEYS, ...MORE_JSON_KEYS];
    const bad = keys.find((k) => !known.includes(k));
    if (bad) throw new FtError(`--output-keys "${bad}" is not a key ft lists.${didYouMean(bad, known)} Use ${known.join(', ')}.`);
    if (output !== 'json') throw new FtError('--output-keys picks the keys of --output json; add --output json.');
  }
  if (!['name', 'path', 'json', 'selector'].includes(output)) throw new FtError(`--output must be name, path, json or selector, not "${output}".`);
  const { project, graph, out, state } = await openProject(flags);
  const select = selectSpecs(flags, project);
  const exclude = splitSelectors(flags.exclude);
  const mode = indirectSelectionOf(project, select, flags.indirectSelection);
  const chosen = selection(project, graph, { select, exclude, state, indirectSelection: mode, unmatched: (c) => out.warn(unmatchedMessage(c)) });
  // as dbt's ls: the tests of selected nodes are listed with them (indirect selection, eager by default)
  const ids = select?.length ? withIndirectTests(project, graph, chosen.selected, chosen.excluded, mode) : chosen.selected;
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
    else {
      const all: Record<string, unknown> = { unique_id: n.unique_id, name: n.name, resource_type: type, original_file_path: n.original_file_path, config: { materialized: n.config.materialized, tags: n.tags }, depends_on: n.depends_on };
      if (keys?.length) {
        Object.assign(all, { package_name: n.package_name, path: n.path, fqn: n.fqn, alias: n.alias, schema: n.schema, tags: n.tags, description: n.description, meta: n.meta, relation_name: n.relation_name ?? null });
        lines.push(JSON.stringify(Object.fromEntries(keys.map((k) => [k, all[k]]))));
      } else lines.push(JSON.stringify(all));
    }
  }
  lines.push(...semanticListing(project, types, select, output));
  process.stdout.write(lines.length ? `${lines.join('\n')}\n` : '');
  if (!lines.length) out.warn('the selection matched no nodes.');
  return 0;
}
