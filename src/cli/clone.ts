import { createAdapter } from '../adapters/mysql/mysql-adapter.js';
import { selectNodes, unmatchedMessage } from '../graph/selector.js';
import { FtError } from '../util/errors.js';
import { openProject, selectSpecs, splitSelectors, type GlobalFlags } from './context.js';
import { paint } from './output.js';
import { timestamp } from '../runner/reporter.js';

export interface CloneFlags extends GlobalFlags {
  select?: string[];
  exclude?: string[];
  fullRefresh?: boolean;
}

const CLONED = new Set(['model', 'seed', 'snapshot']);

/**
 * ft clone --state <dir> (dbt's clone): creates in this target each selected model, seed and
 * snapshot of the state manifest as a view selecting from the state's relation — MySQL has no
 * zero-copy table clone — so a CI target starts from production's relations. A relation already
 * in the target is left as it is, unless --full-refresh.
 */
export async function cloneCommand(flags: CloneFlags): Promise<number> {
  if (!flags.state) throw new FtError('ft clone needs --state <dir> with the manifest.json of the run whose relations to clone (e.g. --state prod-manifest/).');
  const { project, graph, out, state } = await openProject(flags);
  const ids = selectNodes(project, graph, { select: selectSpecs(flags, project), exclude: splitSelectors(flags.exclude), state, unmatched: (c) => out.warn(unmatchedMessage(c)) });
  const nodes = [...ids]
    .sort()
    .map((id) => project.nodes.get(id)!)
    .filter((n) => CLONED.has(n.resource_type) && n.config.materialized !== 'ephemeral');
  const adapter = createAdapter(project.target, 1);
  let failed = 0;
  let done = 0;
  try {
    out.info(`Cloning ${nodes.length} relation${nodes.length === 1 ? '' : 's'} from the state manifest\n`);
    for (const node of nodes) {
      done++;
      const target = adapter.relation(node.schema, node.alias);
      const from = state!.nodes[node.unique_id]?.relation_name;
      const line = (status: string, what: string): void => out.info(`${timestamp()}  ${done} of ${nodes.length} ${status} ${what}`);
      if (!from) {
        line(paint(out, 'yellow', 'SKIP'), `${node.name}: not built in the state manifest`);
        continue;
      }
      if (from === target) {
        line(paint(out, 'yellow', 'SKIP'), `${node.name}: the state's relation is this one (${target})`);
        continue;
      }
      try {
        const existing = await adapter.relationType(node.schema, node.alias);
        if (existing && !flags.fullRefresh) {
          line('OK', `${node.name}: ${target} already exists as a ${existing}, kept (--full-refresh replaces it)`);
          continue;
        }
        await adapter.ensureSchema(node.schema);
        await adapter.withSession(async (s) => {
          if (existing === 'table') await s.execute(adapter.ddl.dropRelation(target, 'table'));
          await s.execute(adapter.ddl.createOrReplaceView(target, `select * from ${from}`));
        });
        line(paint(out, 'green', 'OK'), `cloned ${node.name}: view ${target} of ${from}`);
      } catch (e) {
        failed++;
        line(paint(out, 'red', 'ERROR'), `cloning ${node.name} from ${from}: ${(e as Error).message}`);
      }
    }
  } finally {
    await adapter.close();
  }
  out.info(`\nDone. ${failed ? `${failed} of ${nodes.length} could not be cloned` : `${nodes.length} cloned or kept`}.`);
  return failed ? 1 : 0;
}
