import { matchSelectors, selectNodes, unmatchedMessage, withAttachedTests } from '../graph/selector.js';
import type { ResourceType } from '../project/types.js';
import { FtError } from '../util/errors.js';
import { didYouMean } from '../util/suggest.js';
import { semanticListing } from '../metrics/list-semantic.js';
import { SEMANTIC_RESOURCE_TYPES } from '../metrics/semantic-selection.js';
import { openProject, selectSpecs, splitSelectors, type GlobalFlags } from './context.js';

export interface LsFlags extends GlobalFlags {
  select?: string[];
  exclude?: string[];
  resourceType?: string[];
  output?: string;
}

// every resource type ft lists (a Record, so a type added to ResourceType must be added here)
const RESOURCE_TYPES: Record<ResourceType, true> = { model: true, seed: true, source: true, test: true, exposure: true, snapshot: true };

/** --resource-type values checked, as dbt does: a misspelled one is an error, not an empty list. */
function resourceTypes(given: string[] | undefined): Set<string> | null {
  if (!given?.length || given.includes('all')) return null;
  const known = [...Object.keys(RESOURCE_TYPES), 'unit_test', ...SEMANTIC_RESOURCE_TYPES];
  for (const t of given) {
    if (!known.includes(t)) throw new FtError(`--resource-type "${t}" is not a resource type.${didYouMean(t, known)} Use ${known.join(', ')} or all.`);
  }
  return new Set(given);
}

/** ft ls: the nodes a selector picks, as names, paths or JSON. */
export async function lsCommand(flags: LsFlags): Promise<number> {
  const output = flags.output ?? 'name';
  if (!['name', 'path', 'json', 'selector'].includes(output)) throw new FtError(`--output must be name, path, json or selector, not "${output}".`);
  const { project, graph, out, state } = await openProject(flags);
  const select = selectSpecs(flags, project);
  const exclude = splitSelectors(flags.exclude);
  let ids = selectNodes(project, graph, { select, exclude, state, unmatched: (c) => out.warn(unmatchedMessage(c)) });
  // as dbt's ls: the tests of selected nodes are listed with them (eager indirect selection)
  if (select?.length) ids = withAttachedTests(project, ids, exclude?.length ? matchSelectors(project, graph, exclude, state) : undefined);
  const types = resourceTypes(flags.resourceType);
  const lines: string[] = [];
  for (const id of [...ids].sort()) {
    const n = project.nodes.get(id)!;
    // a unit test is a test node that dbt lists as resource type unit_test
    const type = n.unit_test ? 'unit_test' : n.resource_type;
    if (types && !types.has(type)) continue;
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
