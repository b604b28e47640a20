import { join, resolve } from 'node:path';
import { createAdapter } from '../adapters/mysql/mysql-adapter.js';
import { metadata } from '../artifacts/manifest.js';
import { writeJsonAtomic } from '../artifacts/write-json.js';
import { selectNodes, unmatchedMessage } from '../graph/selector.js';
import { checkFreshness, freshnessCriteria, type FreshnessResult } from '../testing/source-freshness.js';
import { openProject, selectSpecs, splitSelectors, type GlobalFlags } from './context.js';
import { paint } from './output.js';

export interface FreshnessFlags extends GlobalFlags {
  select?: string[];
  exclude?: string[];
  output?: string;
}

/** ft source freshness: checks loaded_at_field against warn_after/error_after; writes target/sources.json. */
export async function sourceFreshnessCommand(flags: FreshnessFlags): Promise<number> {
  const started = Date.now();
  const { project, graph, out, state } = await openProject(flags);
  const ids = selectNodes(project, graph, { select: selectSpecs(flags, project), exclude: splitSelectors(flags.exclude), state, unmatched: (c) => out.warn(unmatchedMessage(c)) });
  const sources = [...ids].map((id) => project.nodes.get(id)!).filter((n) => n.resource_type === 'source');
  const checks = sources.map((n) => [n, freshnessCriteria(n)] as const).filter(([, c]) => c !== null);
  const adapter = createAdapter(project.target, Math.min(4, project.target.threads));
  const results: FreshnessResult[] = [];
  try {
    await adapter.server();
    let i = 0;
    for (const [node, criteria] of checks) {
      const r = await checkFreshness(adapter, node, criteria!);
      results.push(r);
      i++;
      const label = r.status === 'pass' ? paint(out, 'green', 'PASS') : r.status === 'warn' ? paint(out, 'yellow', 'WARN') : paint(out, 'red', r.status === 'error' ? 'ERROR STALE' : 'ERROR');
      out.event('freshness', { ...r });
      if (!out.json) out.info(`${i} of ${checks.length} ${label} freshness of ${node.source_name}.${node.name}: ${r.message}`);
    }
  } finally {
    await adapter.close();
  }
  const file = flags.output ?? join(resolve(project.root, project.config.targetPath), 'sources.json');
  writeJsonAtomic(file, { metadata: metadata(project, 'https://ft.dev/schemas/sources/v1.json'), results, elapsed_time: (Date.now() - started) / 1000 });
  if (!checks.length) out.warn('no selected source has a freshness rule (freshness: {warn_after: …} with loaded_at_field).');
  const bad = results.filter((r) => r.status === 'error' || r.status === 'runtime error').length;
  if (!out.json) out.info(`\nDone. PASS=${results.filter((r) => r.status === 'pass').length} WARN=${results.filter((r) => r.status === 'warn').length} ERROR=${bad}; results in ${file}`);
  return bad ? 1 : 0;
}
