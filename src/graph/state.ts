import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Project } from '../project/project.js';
import { FtError } from '../util/errors.js';

/** The parts of another run's manifest.json that state comparison and --defer read. */
export interface StateManifest {
  nodes: Record<string, { checksum?: { checksum: string }; config?: Record<string, unknown>; relation_name?: string | null; resource_type?: string }>;
  sources?: Record<string, { checksum?: { checksum: string }; relation_name?: string | null }>;
}

export function loadStateManifest(dir: string): StateManifest {
  const file = join(dir, 'manifest.json');
  if (!existsSync(file)) throw new FtError(`--state ${dir}: no manifest.json there. Point --state at the target/ folder (or a copy) of the run to compare with.`);
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as StateManifest;
  } catch (e) {
    throw new FtError(`--state ${dir}: manifest.json is not valid JSON (${(e as Error).message}). Regenerate it with ft compile.`, 2, file);
  }
}

/** The config parts that change what gets built (not tags or docs-only fields). */
function buildConfig(cfg: Record<string, unknown> | undefined): string {
  if (!cfg) return '';
  const { tags: _t, meta: _m, persist_docs: _p, ...rest } = cfg;
  return JSON.stringify(rest, Object.keys(rest).sort());
}

/** Nodes that are new or whose raw SQL (checksum) or config differ from the state manifest. */
export function modifiedNodes(project: Project, state: StateManifest): Set<string> {
  const out = new Set<string>();
  for (const node of project.nodes.values()) {
    const old = node.resource_type === 'source' ? state.sources?.[node.unique_id] : state.nodes[node.unique_id];
    if (!old) {
      out.add(node.unique_id);
      continue;
    }
    if (old.checksum?.checksum !== node.checksum.checksum) out.add(node.unique_id);
    else if (node.resource_type !== 'source' && buildConfig((old as { config?: Record<string, unknown> }).config) !== buildConfig(node.config)) out.add(node.unique_id);
  }
  return out;
}
