import { buildGraph, type Graph } from '../graph/build-graph.js';
import { defaultSelection } from '../graph/selector.js';
import { loadStateManifest, type StateManifest } from '../graph/state.js';
import { rememberStateDir } from '../graph/state-results.js';
import { loadProject } from '../project/load-project.js';
import { parseVarsFlag } from '../project/vars.js';
import type { KnownStamps } from '../project/parse-cache.js';
import type { Project } from '../project/project.js';
import { FtError } from '../util/errors.js';
import { createOutput, type Output } from './output.js';
import type { GlobalFlags } from '../global-flags.js';

export type { GlobalFlags } from '../global-flags.js';

export interface CommandContext {
  project: Project;
  graph: Graph;
  out: Output;
  state?: StateManifest;
}

export async function openProject(flags: GlobalFlags, out = createOutput({ logFormat: flags.logFormat }), stamps?: KnownStamps): Promise<CommandContext> {
  const project = await loadProject({
    stamps,
    projectDir: flags.projectDir ?? process.cwd(),
    profilesDir: flags.profilesDir,
    target: flags.target,
    vars: parseVarsFlag(flags.vars),
    partialParse: flags.partialParse !== false,
    warn: (m) => out.warn(m),
  });
  const graph = buildGraph(project);
  const state = flags.state ? rememberStateDir(loadStateManifest(flags.state), flags.state) : undefined;
  return { project, graph, out, state };
}

/**
 * What --select (or --selector, as `selector:<name>`) asks for — the two together are an
 * error, as in dbt — or, given neither, the selectors.yml entry marked `default: true`.
 */
export function selectSpecs(flags: { select?: string[] | string; selector?: string; exclude?: string[] | string }, project: Project): string[] | undefined {
  // as dbt: the default selector stands in only when neither --select nor --exclude is given
  if (flags.selector === undefined) return splitSelectors(flags.select) ?? (splitSelectors(flags.exclude)?.length ? undefined : defaultSelection(project));
  if (splitSelectors(flags.select)?.length) throw new FtError(`--selector and --select cannot be used together: put the selection in selectors.yml, or write --select selector:${flags.selector} …`);
  return [`selector:${flags.selector}`];
}

export function splitSelectors(v: string[] | string | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  return (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(/\s+/)).filter(Boolean);
}
