import { isIndirectSelection, type IndirectSelection } from '../graph/indirect-selection.js';

/**
 * The flags of ft run/seed/test/build that run_results.json keeps in its `args` (beside the
 * command, selection, threads and target the invocation writes), so `ft retry` repeats them.
 */
export interface RecordableFlags {
  vars?: string;
  state?: string;
  defer?: boolean;
  failFast?: boolean;
  warnError?: boolean;
  warnErrorOptions?: string;
  storeFailures?: boolean;
  junitXml?: string;
  lockWait?: string;
  fullRefresh?: boolean;
  indirectSelection?: IndirectSelection;
  resourceType?: string[];
  excludeResourceType?: string[];
}

/** run_results.json's args (dbt's snake_case names) from the command's flags. */
export function recordedFlags(flags: RecordableFlags): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  if (flags.vars !== undefined) args.vars = flags.vars;
  if (flags.state !== undefined) args.state = flags.state;
  if (flags.defer) args.defer = true;
  if (flags.failFast) args.fail_fast = true;
  if (flags.warnError) args.warn_error = true;
  if (flags.warnErrorOptions !== undefined) args.warn_error_options = flags.warnErrorOptions;
  if (flags.storeFailures) args.store_failures = true;
  if (flags.junitXml !== undefined) args.junit_xml = flags.junitXml;
  if (flags.lockWait !== undefined) args.lock_wait = flags.lockWait;
  if (flags.indirectSelection !== undefined) args.indirect_selection = flags.indirectSelection;
  if (flags.resourceType?.length) args.resource_types = flags.resourceType;
  if (flags.excludeResourceType?.length) args.exclude_resource_types = flags.excludeResourceType;
  return args;
}

/** The command's flags back from run_results.json's args. */
export function flagsFromArgs(args: Record<string, unknown>): RecordableFlags & { select?: string[]; exclude?: string[]; threads?: string; target?: string } {
  const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
  const list = (v: unknown): string[] | undefined => (Array.isArray(v) && v.length ? v.map(String) : undefined);
  return {
    select: list(args.select),
    exclude: list(args.exclude),
    threads: typeof args.threads === 'number' ? String(args.threads) : undefined,
    target: str(args.target),
    fullRefresh: args.full_refresh === true,
    vars: str(args.vars),
    state: str(args.state),
    defer: args.defer === true,
    failFast: args.fail_fast === true,
    warnError: args.warn_error === true,
    warnErrorOptions: str(args.warn_error_options),
    storeFailures: args.store_failures === true,
    junitXml: str(args.junit_xml),
    lockWait: str(args.lock_wait),
    indirectSelection: isIndirectSelection(args.indirect_selection) ? args.indirect_selection : undefined,
    resourceType: list(args.resource_types),
    excludeResourceType: list(args.exclude_resource_types),
  };
}
