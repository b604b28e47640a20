import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readRunResults } from '../graph/state-results.js';
import { loadProjectConfig } from '../project/project-config.js';
import type { RunKind } from '../runner/invocation.js';
import { FtError } from '../util/errors.js';
import type { GlobalFlags } from './context.js';
import { createOutput } from './output.js';
import { flagsFromArgs } from './retry-flags.js';
import { runCommand } from './run.js';

const RETRIED = new Set(['error', 'fail', 'skipped']);
const KINDS: RunKind[] = ['run', 'seed', 'test', 'build', 'snapshot'];

/**
 * ft retry (dbt's): the last run_results.json's command again, with its flags, on the nodes that
 * errored, failed or were skipped — a fixed model and the children it had skipped.
 */
export async function retryCommand(flags: GlobalFlags): Promise<number> {
  const out = createOutput({ logFormat: flags.logFormat });
  const root = resolve(flags.projectDir ?? process.cwd());
  const target = resolve(root, loadProjectConfig(root, (m) => out.warn(m)).targetPath);
  const who = 'ft retry';
  const statuses = readRunResults(target, who);
  const file = join(target, 'run_results.json');
  const args = (existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { args?: Record<string, unknown> }).args : undefined) ?? {};
  const kind = KINDS.find((k) => k === args.command);
  if (!kind) throw new FtError(`${who}: run_results.json does not say which command ran (args.command is ${JSON.stringify(args.command ?? null)}); ft retry repeats ft run, build, test, seed or snapshot: run one of them first.`, 2, file);
  const only = new Set([...statuses].filter(([, s]) => RETRIED.has(s)).map(([id]) => id));
  if (!only.size) {
    out.info(`Nothing to retry: the last ft ${kind} had no errors, failures or skipped nodes.`);
    return 0;
  }
  const previous = flagsFromArgs(args);
  out.info(`Retrying ${only.size} node${only.size === 1 ? '' : 's'} of the last ft ${kind} (errors, failures and the nodes they skipped).`);
  // this command line's own settings win over the recorded ones (another --target, say)
  const given = Object.fromEntries(Object.entries(flags).filter(([, v]) => v !== undefined));
  return runCommand(kind, { ...previous, ...given }, only);
}
