import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FtError } from '../util/errors.js';
import type { StateManifest } from './state.js';

/** The statuses `result:<status>` selects, as run_results.json spells them. */
export const RESULT_STATUSES = ['success', 'error', 'fail', 'warn', 'skipped', 'pass'];

// The folder each --state manifest was read from: its run_results.json is beside it.
const folders = new WeakMap<StateManifest, string>();
const results = new WeakMap<StateManifest, Map<string, string>>();

export function rememberStateDir(state: StateManifest, dir: string): StateManifest {
  folders.set(state, dir);
  return state;
}

/** Each node's status in the run_results.json beside the --state manifest. */
export function stateResults(state: StateManifest | undefined, selector: string): Map<string, string> {
  const dir = state && folders.get(state);
  if (!state || dir === undefined) throw new FtError(`selector "${selector}" needs --state <dir> holding the run_results.json of the run to look at (e.g. --state target/).`);
  let byId = results.get(state);
  if (!byId) {
    byId = readRunResults(dir, `selector "${selector}"`);
    results.set(state, byId);
  }
  return byId;
}

/** unique_id → status from <dir>/run_results.json; `who` names the asker in the error. */
export function readRunResults(dir: string, who: string): Map<string, string> {
  const file = join(dir, 'run_results.json');
  if (!existsSync(file)) throw new FtError(`${who}: no run_results.json in ${dir}. It is written by ft run, build, test and seed; run one first, or point --state at the target/ folder of one.`);
  let parsed: { results?: Array<{ unique_id?: unknown; status?: unknown }> };
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as typeof parsed;
  } catch (e) {
    throw new FtError(`${who}: run_results.json is not valid JSON (${(e as Error).message}); run the command again to rewrite it.`, 2, file);
  }
  if (!Array.isArray(parsed?.results)) throw new FtError(`${who}: run_results.json has no "results" list; run the command again to rewrite it.`, 2, file);
  const byId = new Map<string, string>();
  for (const r of parsed.results) if (typeof r?.unique_id === 'string' && typeof r.status === 'string') byId.set(r.unique_id, r.status);
  return byId;
}
