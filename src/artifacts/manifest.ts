import { join, resolve } from 'node:path';
import type { Project } from '../project/project.js';
import type { Node } from '../project/types.js';
import type { Graph } from '../graph/build-graph.js';
import { FT_VERSION } from '../version.js';
import { invocationId } from '../util/invocation-id.js';
import { stageManifest, type NodeOffsets } from './manifest-file.js';
import { semanticManifest } from '../metrics/manifest-entries.js';
import type { StagedFile } from './write-json.js';
import { unitTestManifestEntry } from '../testing/unit/unit-test-manifest.js';

export const MANIFEST_SCHEMA = 'https://ft.dev/schemas/manifest/v1.json';

export function metadata(project: Project, schema: string): Record<string, unknown> {
  return {
    dbt_schema_version: schema,
    ft_version: FT_VERSION,
    generated_at: new Date().toISOString(),
    invocation_id: invocationId,
    project_name: project.config.name,
    adapter_type: 'mysql',
    target_name: project.target.targetName,
  };
}

/** target/manifest.json, in dbt's shape (nodes by unique id, sources, exposures, parent/child maps). */
export function buildManifest(project: Project, graph: Graph): Record<string, unknown> {
  const nodes: Record<string, Node> = {};
  const sources: Record<string, Node> = {};
  const exposures: Record<string, Node> = {};
  const unitTests: Record<string, unknown> = {};
  for (const n of project.nodes.values()) {
    if (n.resource_type === 'source') sources[n.unique_id] = n;
    else if (n.resource_type === 'exposure') exposures[n.unique_id] = n;
    else if (n.unit_test) unitTests[n.unique_id] = unitTestManifestEntry(n);
    else nodes[n.unique_id] = n;
  }
  const parentMap: Record<string, string[]> = {};
  const childMap: Record<string, string[]> = {};
  // the graph's lists are shared: sorted copies (most have one entry or none: plain copies)
  const sorted = (list: readonly string[] | undefined): string[] => (!list ? [] : list.length < 2 ? list.slice() : [...list].sort());
  for (const id of project.nodes.keys()) {
    parentMap[id] = sorted(graph.predecessors(id));
    childMap[id] = sorted(graph.successors(id));
  }
  // semantic models, metrics and saved queries: not graph nodes, but in the lineage maps as dbt has them
  const semantic = semanticManifest(project);
  for (const [id, parents] of Object.entries(semantic.parents)) {
    parentMap[id] = parents;
    childMap[id] ??= [];
    for (const parent of parents) (childMap[parent] ??= []).push(id);
  }
  const macros: Record<string, unknown> = {};
  for (const [name, body] of project.partials) {
    macros[`macro.${project.config.name}.${name}`] = { name, unique_id: `macro.${project.config.name}.${name}`, resource_type: 'macro', macro_sql: body, package_name: project.config.name };
  }
  for (const name of project.helpers.keys()) {
    macros[`macro.${project.config.name}.${name}`] = { name, unique_id: `macro.${project.config.name}.${name}`, resource_type: 'macro', language: 'javascript', package_name: project.config.name };
  }
  const docs: Record<string, unknown> = {};
  for (const [name, block] of project.docs) docs[`doc.${project.config.name}.${name}`] = { name, block_contents: block };
  return {
    $schema: MANIFEST_SCHEMA,
    metadata: metadata(project, MANIFEST_SCHEMA),
    nodes,
    sources,
    exposures,
    unit_tests: unitTests,
    macros,
    docs,
    semantic_models: semantic.semantic_models,
    metrics: semantic.metrics,
    saved_queries: semantic.saved_queries,
    parent_map: parentMap,
    child_map: childMap,
    vars: project.vars,
  };
}

/** target/manifest.json of a project. */
export const manifestPath = (project: Project): string => join(resolve(project.root, project.config.targetPath), 'manifest.json');

/**
 * Writes target/manifest.json under a temporary name (in place once committed), with the byte
 * range of each node other than a test (the nodes a later compile may read or replace alone).
 */
function stageManifestFile(project: Project, manifest: Record<string, unknown>): { staged: StagedFile; offsets: NodeOffsets } {
  return stageManifest(manifestPath(project), manifest, (node) => node.resource_type !== 'test');
}

/** Writes target/manifest.json. */
export function writeManifest(project: Project, graph: Graph): string {
  const { staged } = stageManifestFile(project, buildManifest(project, graph));
  staged.commit();
  return staged.file;
}

/**
 * Writes target/manifest.json while `pending` (the compiled files, on another thread) is
 * written, and puts it in place only once that is done: a manifest never names SQL files
 * that are not there yet. With each node's byte range (stageManifest).
 */
export async function writeManifestAfter(project: Project, manifest: Record<string, unknown>, pending: Promise<unknown>): Promise<{ file: string; offsets: NodeOffsets }> {
  let stagedManifest: ReturnType<typeof stageManifestFile>;
  try {
    stagedManifest = stageManifestFile(project, manifest);
  } catch (e) {
    // the compiled files' failure, if they failed too, came first (and must not be left
    // as a rejection nobody handles: that ended the process with a stack trace)
    await pending;
    throw e;
  }
  const { staged, offsets } = stagedManifest;
  try {
    await pending;
  } catch (e) {
    staged.discard();
    throw e;
  }
  staged.commit();
  return { file: staged.file, offsets };
}
