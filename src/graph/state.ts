import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Project } from '../project/project.js';
import { FtError } from '../util/errors.js';

/** The parts of another run's manifest.json that state comparison and --defer read. */
export interface StateManifest {
  nodes: Record<string, { checksum?: { checksum: string }; config?: Record<string, unknown>; relation_name?: string | null; resource_type?: string; schema?: string; contract?: { enforced?: boolean; checksum?: string | null } }>;
  sources?: Record<string, StateSource>;
  exposures?: Record<string, { checksum?: { checksum: string }; config?: Record<string, unknown> }>;
  unit_tests?: Record<string, { checksum?: { checksum: string }; config?: Record<string, unknown> }>;
}

/** A source as another run's manifest.json holds it. */
interface StateSource {
  checksum?: { checksum: string };
  relation_name?: string | null;
  schema?: string;
  identifier?: string;
  loaded_at_field?: string | null;
  freshness?: unknown;
  loader?: unknown;
  columns?: Record<string, { name?: string; data_type?: string | null }>;
}

export function loadStateManifest(dir: string): StateManifest {
  const file = join(dir, 'manifest.json');
  if (!existsSync(file)) throw new FtError(`--state ${dir}: no manifest.json there. Point --state at the target/ folder (or a copy) of the run to compare with.`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new FtError(`--state ${dir}: manifest.json is not valid JSON (${(e as Error).message}). Regenerate it with ft compile.`, 2, file);
  }
  // valid JSON but not a manifest (a list, null, no nodes): read as one, it failed with a TypeError
  const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (!isObject(parsed) || !isObject(parsed.nodes)) {
    throw new FtError(`--state ${dir}: manifest.json is not a manifest (no "nodes" object). Regenerate it with ft compile.`, 2, file);
  }
  return parsed as unknown as StateManifest;
}

/** The config parts that change what gets built (not tags or docs-only fields). */
function buildConfig(cfg: Record<string, unknown> | undefined): string {
  if (!cfg) return '';
  const { tags: _t, meta: _m, persist_docs: _p, ...rest } = cfg;
  return JSON.stringify(rest, Object.keys(rest).sort());
}

/**
 * The target database the state manifest was built for: the schema, in that manifest, of a
 * model or seed that lands in this run's target database (no custom schema).
 */
function stateDatabase(project: Project, state: StateManifest): string | undefined {
  for (const node of project.nodes.values()) {
    if ((node.resource_type === 'model' || node.resource_type === 'seed') && node.schema === project.target.database) {
      const old = state.nodes[node.unique_id]?.schema;
      if (old) return old;
    }
  }
  return undefined;
}

/**
 * What defines a source, without the target: its schema is usually derived from the target
 * database (`{{target.database}}_raw`), so prod's and CI's differ while the source is the same.
 */
function sourceFingerprint(s: StateSource, database: string | undefined): string {
  const schema = s.schema && database && (s.schema === database || s.schema.startsWith(`${database}_`)) ? `<target>${s.schema.slice(database.length)}` : s.schema;
  const columns = Object.values(s.columns ?? {}).map((c) => [c.name, c.data_type ?? null]);
  return JSON.stringify([schema, s.identifier, s.loaded_at_field ?? null, s.freshness ?? null, s.loader ?? null, columns]);
}

/** How a node compares with the state manifest: new there, or its raw SQL (body) or build config changed. */
export interface NodeChange {
  isNew: boolean;
  body: boolean;
  configs: boolean;
  /** an enforced contract's columns, types or constraints changed (dbt's state:modified.contract) */
  contract?: boolean;
}

/** Every node of the project compared with the state manifest, by unique id. */
export function compareWithState(project: Project, state: StateManifest): Map<string, NodeChange> {
  const out = new Map<string, NodeChange>();
  const oldDatabase = stateDatabase(project, state);
  for (const node of project.nodes.values()) {
    const old =
      node.resource_type === 'source'
        ? state.sources?.[node.unique_id]
        : node.resource_type === 'exposure'
          ? state.exposures?.[node.unique_id]
          : node.unit_test
            ? state.unit_tests?.[node.unique_id]
            : state.nodes[node.unique_id];
    if (!old) {
      out.set(node.unique_id, { isNew: true, body: false, configs: false });
      continue;
    }
    if (node.resource_type === 'source') {
      // the checksum includes the rendered schema, which differs between targets
      const body = old.checksum?.checksum !== node.checksum.checksum && sourceFingerprint(old, oldDatabase) !== sourceFingerprint(node as StateSource, project.target.database);
      out.set(node.unique_id, { isNew: false, body, configs: false });
      continue;
    }
    const was = (old as { contract?: { enforced?: boolean; checksum?: string | null } }).contract;
    out.set(node.unique_id, {
      isNew: false,
      body: old.checksum?.checksum !== node.checksum.checksum,
      configs: buildConfig((old as { config?: Record<string, unknown> }).config) !== buildConfig(node.config),
      contract: Boolean(was?.enforced || node.contract?.enforced) && (was?.checksum ?? null) !== (node.contract?.checksum ?? null),
    });
  }
  return out;
}

/** `state:<v>` as dbt reads it: new nodes count as modified in every modified.* sub-selector. */
export const STATE_SELECTORS: Record<string, (c: NodeChange) => boolean> = {
  new: (c) => c.isNew,
  old: (c) => !c.isNew,
  modified: (c) => c.isNew || c.body || c.configs || Boolean(c.contract),
  'modified.body': (c) => c.isNew || c.body,
  'modified.configs': (c) => c.isNew || c.configs,
  'modified.contract': (c) => c.isNew || Boolean(c.contract),
  unmodified: (c) => !c.isNew && !c.body && !c.configs && !c.contract,
};
