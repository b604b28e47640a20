import { invoke, type RunKind } from '../runner/invocation.js';
import { FtError, isFtError } from '../util/errors.js';
import { openProject, selectSpecs, splitSelectors, type GlobalFlags } from './context.js';
import { createOutput } from './output.js';
import { recordedFlags } from './retry-flags.js';

export interface RunFlags extends GlobalFlags {
  select?: string[];
  exclude?: string[];
  fullRefresh?: boolean;
  threads?: string;
  failFast?: boolean;
  warnError?: boolean;
  storeFailures?: boolean;
  junitXml?: string;
  defer?: boolean;
  lockWait?: string;
}

function positiveInt(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new FtError(`${flag} must be a whole number, not "${v}".`);
  return n;
}

/** ft run / seed / test / build share one path: select, lock, schedule, report. */
export async function runCommand(kind: RunKind, flags: RunFlags, only?: Set<string>): Promise<number> {
  try {
    return await runInvocation(kind, flags, only);
  } catch (e) {
    // --log-format json: a user error (bad profile, unreachable server…) is one JSON line too
    if (flags.logFormat === 'json' && isFtError(e)) {
      createOutput({ logFormat: 'json' }).error(e.format());
      return e.exitCode;
    }
    throw e;
  }
}

async function runInvocation(kind: RunKind, flags: RunFlags, only?: Set<string>): Promise<number> {
  if (flags.defer && !flags.state) throw new FtError('--defer needs --state <dir> with the manifest.json of the run to defer to.');
  const threads = positiveInt(flags.threads, '--threads');
  if (threads === 0) throw new FtError('--threads must be at least 1.');
  const ctx = await openProject(flags);
  return invoke(ctx, {
    kind,
    select: selectSpecs(flags, ctx.project),
    exclude: splitSelectors(flags.exclude),
    fullRefresh: flags.fullRefresh,
    threads,
    failFast: flags.failFast,
    warnError: flags.warnError,
    storeFailures: flags.storeFailures,
    junitXml: flags.junitXml,
    defer: flags.defer,
    lockWait: positiveInt(flags.lockWait, '--lock-wait'),
    only,
    args: recordedFlags(flags),
  });
}
