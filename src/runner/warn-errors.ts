import { yamlLibrary } from '../project/yaml-file.js';
import { FtError } from '../util/errors.js';

/** The warnings of a run that --warn-error or --warn-error-options can make errors. */
export type WarningKind = 'no_nodes' | 'mysql_trap' | 'test_warn';

/** dbt's event names (and codes) for the warnings ft has; its other warnings do not occur in ft. */
const DBT_NAMES: Record<string, WarningKind> = { NoNodesForSelectionCriteria: 'no_nodes', W003: 'no_nodes' };
const ALL: WarningKind[] = ['no_nodes', 'mysql_trap', 'test_warn'];

export interface WarnErrors {
  /** these kinds stop the run, or fail the test, instead of warning */
  error: ReadonlySet<WarningKind>;
  /** these kinds are not printed at all (dbt's silence) */
  silence: ReadonlySet<WarningKind>;
}

/** --warn-error: every warning an error. */
export const EVERY_WARNING_AN_ERROR: WarnErrors = { error: new Set(ALL), silence: new Set() };

/**
 * dbt's --warn-error-options, as YAML or JSON: `error` (or `include`): "all", "*" or a list of
 * warning names; `warn` (or `exclude`): names kept as warnings; `silence`: names not shown.
 * Names ft has no such warning for are accepted (they never occur); a misspelled key is an error.
 */
export function parseWarnErrorOptions(text: string): WarnErrors {
  let v: unknown;
  try {
    v = yamlLibrary().parse(text);
  } catch (e) {
    throw new FtError(`--warn-error-options is not valid YAML or JSON (${(e as Error).message.split('\n')[0]}). Write e.g. '{"error": "all", "warn": ["NoNodesForSelectionCriteria"]}'.`);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new FtError(`--warn-error-options must be a mapping, e.g. '{"error": "all"}', not ${JSON.stringify(text)}.`);
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!['error', 'include', 'warn', 'exclude', 'silence'].includes(k)) throw new FtError(`--warn-error-options has no key "${k}": use error (or include), warn (or exclude) and silence.`);
  }
  const kinds = (key: string, value: unknown, allowAll: boolean): Set<WarningKind> => {
    if (value === undefined || value === null) return new Set();
    if (allowAll && (value === 'all' || value === '*')) return new Set(ALL);
    if (!Array.isArray(value) || value.some((x) => typeof x !== 'string')) throw new FtError(`--warn-error-options: ${key} must be ${allowAll ? '"all", "*" or ' : ''}a list of warning names.`);
    return new Set(value.flatMap((n) => (DBT_NAMES[n as string] ? [DBT_NAMES[n as string]!] : [])));
  };
  const error = kinds('error', o.error ?? o.include, true);
  const warn = kinds('warn', o.warn ?? o.exclude, false);
  const silence = kinds('silence', o.silence, false);
  for (const k of [...warn, ...silence]) error.delete(k);
  return { error, silence };
}
