import type { IndirectSelection } from '../graph/indirect-selection.js';
import { resourceTypeSet } from '../graph/resource-types.js';
import { indirectSelectionOf } from '../graph/selector.js';
import { invoke, type RunKind } from '../runner/invocation.js';
import { parseWarnErrorOptions } from '../runner/warn-errors.js';
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
  warnErrorOptions?: string;
  storeFailures?: boolean;
  junitXml?: string;
  defer?: boolean;
  lockWait?: string;
  indirectSelection?: IndirectSelection;
  resourceType?: string[];
  excludeResourceType?: string[];
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
  const resourceTypes = resourceTypeSet(flags.resourceType);
  const excludeResourceTypes = resourceTypeSet(flags.excludeResourceType, '--exclude-resource-type');
  const ctx = await openProject(flags);
  const select = selectSpecs(flags, ctx.project);
  return invoke(ctx, {
    kind,
    select,
    exclude: splitSelectors(flags.exclude),
    indirectSelection: indirectSelectionOf(ctx.project, select, flags.indirectSelection),
    resourceTypes,
    excludeResourceTypes,
    fullRefresh: flags.fullRefresh,
    threads,
    failFast: flags.failFast,
    warnError: flags.warnError,
    warnErrors: flags.warnErrorOptions !== undefined ? parseWarnErrorOptions(flags.warnErrorOptions) : undefined,
    storeFailures: flags.storeFailures,
    junitXml: flags.junitXml,
    defer: flags.defer,
    lockWait: positiveInt(flags.lockWait, '--lock-wait'),
    only,
    args: recordedFlags(flags),
  });
}
