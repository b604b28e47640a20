import { FtError } from '../util/errors.js';
import type { ProjectConfig } from './types.js';
import { yamlLibrary } from './yaml-file.js';

/** Parses the --vars flag: YAML or JSON. */
export function parseVarsFlag(text: string | undefined): Record<string, unknown> {
  if (!text) return {};
  let v: unknown;
  try {
    v = yamlLibrary().parse(text);
  } catch (e) {
    throw new FtError(`--vars is not valid YAML or JSON (${(e as Error).message.split('\n')[0]}). Pass a mapping, e.g. --vars '{start_date: 2026-11-01, limit: 10}'.`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw new FtError(`--vars must be a mapping, e.g. --vars '{start_date: 2026-11-01}', not ${JSON.stringify(text)}.`);
  }
  return v as Record<string, unknown>;
}

/**
 * project.yml's vars under --vars, in dbt's order: --vars, then the project's package-scoped
 * block (`vars: {my_project: {x: 1}}`), then the global ones — whatever order the file has.
 */
export function resolveVars(config: ProjectConfig, cli: Record<string, unknown>): Record<string, unknown> {
  const global: Record<string, unknown> = {};
  let scoped: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config.vars)) {
    if (k === config.name && v && typeof v === 'object' && !Array.isArray(v)) scoped = v as Record<string, unknown>;
    else global[k] = v;
  }
  return { ...global, ...scoped, ...cli };
}
