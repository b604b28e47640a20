import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { Project } from '../project/project.js';
import type { Node } from '../project/types.js';
import type { Graph } from '../graph/build-graph.js';
import { FT_VERSION } from '../version.js';
import type { FileBatchWriter } from './file-batch-writer.js';
import { writeJsonAtomic } from './write-json.js';

export const MANIFEST_SCHEMA = 'https://ft.dev/schemas/manifest/v1.json';

export const invocationId = randomUUID();

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
  for (const n of project.nodes.values()) {
    if (n.resource_type === 'source') sources[n.unique_id] = n;
    else if (n.resource_type === 'exposure') exposures[n.unique_id] = n;
    else nodes[n.unique_id] = n;
  }
  const parentMap: Record<string, string[]> = {};
  const childMap: Record<string, string[]> = {};
  for (const id of project.nodes.keys()) {
    parentMap[id] = [...(graph.predecessors(id) ?? [])].sort();
    childMap[id] = [...(graph.successors(id) ?? [])].sort();
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
    macros,
    docs,
    parent_map: parentMap,
    child_map: childMap,
    vars: project.vars,
  };
}

/** Writes target/manifest.json, through `writer` when given (on disk once it is closed). */
export function writeManifest(project: Project, graph: Graph, manifest = buildManifest(project, graph), writer?: FileBatchWriter): string {
  const file = join(resolve(project.root, project.config.targetPath), 'manifest.json');
  if (writer) writer.write(file, JSON.stringify(manifest), true);
  else writeJsonAtomic(file, manifest);
  return file;
}
