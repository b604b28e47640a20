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

/** project.yml's vars (dbt's package-scoped form flattened) under --vars. */
export function resolveVars(config: ProjectConfig, cli: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config.vars)) {
    // dbt allows vars scoped by package: vars: {my_project: {x: 1}}
    if (k === config.name && v && typeof v === 'object' && !Array.isArray(v)) Object.assign(out, v);
    else out[k] = v;
  }
  return { ...out, ...cli };
}
