/**
 * Turns the compiled project, the catalog, the last run results and column
 * lineage into the data the docs site runs on (site/types.ts DocsData).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Graph } from '../graph/build-graph.js';
import type { Project } from '../project/project.js';
import type { Node } from '../project/types.js';
import { hasDashboard } from '../dashboards/legacy-panels.js';
import { FT_VERSION } from '../version.js';
import { nodeRelation, relationKey, type RelationInfo } from './catalog.js';
import { LineageCache } from './lineage-cache.js';
import type { DocColumn, DocLineageRef, DocNode, DocRunResult, DocsData } from './site/types.js';

export interface RunResultsFile {
  metadata?: { generated_at?: string; invocation_id?: string };
  results?: Array<{ unique_id: string; status: string; message?: string | null; failures?: number | null; execution_time?: number | null; timing?: Array<{ completed_at?: string }> }>;
}

/** target/run_results.json, or null when there is none (or it cannot be read: a warning). */
export function readRunResults(project: Project, warn: (m: string) => void): RunResultsFile | null {
  const file = join(resolve(project.root, project.config.targetPath), 'run_results.json');
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as RunResultsFile;
  } catch (e) {
    warn(`cannot read ${file} (${(e as Error).message.split('\n')[0]}); test results show "not run yet".`);
    return null;
  }
}

/** The overview: an `overview` (or dbt's `__overview__`) doc block, else the project's README.md. */
export function overviewText(project: Project): { markdown: string; source: string } {
  for (const name of ['overview', '__overview__']) {
    const block = project.docs.get(name);
    if (block !== undefined) return { markdown: block, source: `the "${name}" doc block` };
  }
  const readme = join(project.root, 'README.md');
  if (existsSync(readme)) return { markdown: readFileSync(readme, 'utf8'), source: 'README.md' };
  return { markdown: '', source: 'nothing (add an {{#docs "overview"}} block or a README.md)' };
}

export interface LineageStats {
  models: number;
  unknownColumns: number;
  resolvedColumns: number;
  parseErrors: number;
}

export interface SiteDataInputs {
  project: Project;
  graph: Graph;
  /** relations read from the database; null when it was not reachable */
  relations: Map<string, RelationInfo> | null;
  runResults: RunResultsFile | null;
  warnings: string[];
  /** where column lineage results are cached between runs (none: no cache) */
  cacheFile?: string;
}

export function buildDocsData(inp: SiteDataInputs): { data: DocsData; lineage: LineageStats } {
  const { project, graph, relations, runResults } = inp;
  const results = new Map<string, DocRunResult>();
  for (const r of runResults?.results ?? []) {
    results.set(r.unique_id, {
      status: r.status,
      message: r.message ?? null,
      failures: r.failures ?? null,
      completed_at: r.timing?.[r.timing.length - 1]?.completed_at ?? null,
      execution_time: r.execution_time ?? null,
    });
  }

  // relation → node, for naming lineage parents; tests by (node, column)
  const byRelation = new Map<string, string>();
  for (const n of project.nodes.values()) {
    const r = nodeRelation(n);
    if (r) byRelation.set(relationKey(r.schema, r.name), n.unique_id);
  }
  const columnTests = new Map<string, string[]>();
  for (const n of project.nodes.values()) {
    if (n.resource_type !== 'test' || !n.attached_node || !n.column_name) continue;
    const key = `${n.attached_node}\u0000${n.column_name.toLowerCase()}`;
    columnTests.set(key, [...(columnTests.get(key) ?? []), n.unique_id]);
  }
  const lookup = ({ db, table }: { db: string | null; table: string }): string[] | undefined => {
    if (!relations) return undefined;
    const rel = relations.get(relationKey(db ?? project.target.database, table));
    return rel ? rel.columns.map((c) => c.name) : undefined;
  };
  const stats: LineageStats = { models: 0, unknownColumns: 0, resolvedColumns: 0, parseErrors: 0 };
  const cache = new LineageCache(inp.cacheFile ?? null);

  const nodes: DocNode[] = [];
  for (const n of [...project.nodes.values()].sort((a, b) => a.unique_id.localeCompare(b.unique_id))) {
    const r = nodeRelation(n);
    const rel = r && relations ? relations.get(relationKey(r.schema, r.name)) : undefined;
    const doc: DocNode = {
      id: n.unique_id,
      name: n.name,
      type: n.resource_type,
      package: n.package_name,
      path: n.original_file_path,
      fqn: n.fqn,
      tags: n.tags,
      description: n.description ?? '',
      config: n.config as Record<string, unknown>,
      materialized: n.resource_type === 'model' || n.resource_type === 'seed' || n.resource_type === 'snapshot' ? n.config.materialized : null,
      schema: r?.schema ?? null,
      alias: r?.name ?? null,
      relation: n.relation_name,
      parents: [...(graph.predecessors(n.unique_id) ?? [])].sort(),
      children: [...(graph.successors(n.unique_id) ?? [])].sort(),
      columns: [],
      meta: n.meta,
      declared_at: n.declared_at,
    };
    if (n.source_name) doc.source_name = n.source_name;
    if (n.raw_code !== undefined) doc.raw_code = n.raw_code;
    if (n.compiled_code !== undefined) doc.compiled_code = n.compiled_code;
    if (rel) doc.stats = { relation_type: rel.type, rows: rel.type === 'view' ? null : rel.rows, rows_exact: rel.rowsExact, bytes: rel.bytes, updated: rel.updated };
    const res = results.get(n.unique_id);
    if (res) doc.result = res;
    if (n.test_metadata) {
      doc.test = {
        name: n.test_metadata.name,
        kwargs: n.test_metadata.kwargs,
        column: n.column_name ?? null,
        attached: n.attached_node ?? null,
        namespace: n.test_metadata.namespace,
      };
    }
    if (n.resource_type === 'exposure') {
      doc.exposure = {
        type: n.type ?? null,
        owner: (n.owner as Record<string, unknown> | undefined) ?? null,
        maturity: n.maturity ?? null,
        url: n.url ?? null,
        label: n.label ?? null,
      };
    }
    if (n.resource_type !== 'test' && n.resource_type !== 'exposure') doc.columns = columnsOf(n, rel, columnTests);
    if (n.resource_type === 'model' && n.compiled_code) {
      stats.models++;
      const lineage = cache.get(
        n.compiled_code,
        doc.columns.map((c) => ({ name: c.name, inRelation: c.in_relation === true })),
        lookup,
      );
      if (lineage.error) {
        stats.parseErrors++;
        doc.lineage_error = lineage.error;
      }
      if (!doc.columns.length && lineage.outputs) {
        doc.columns = lineage.outputs.map((name) => ({ name, type: null, description: '', tests: [], documented: false, in_relation: null }));
      }
      for (const c of doc.columns) {
        const l = lineage.columns[c.name] ?? 'unknown';
        if (l === 'unknown') {
          c.lineage = 'unknown';
          stats.unknownColumns++;
        } else {
          c.lineage = l.map((ref): DocLineageRef => {
            const dot = ref.relation.indexOf('.');
            const key = dot < 0 ? relationKey(project.target.database, ref.relation) : relationKey(ref.relation.slice(0, dot), ref.relation.slice(dot + 1));
            const node = byRelation.get(key) ?? null;
            return node ? { node, column: ref.column } : { node, relation: ref.relation, column: ref.column };
          });
          stats.resolvedColumns++;
        }
      }
    }
    nodes.push(doc);
  }

  const data: DocsData = {
    project: {
      name: project.config.name,
      generated_at: new Date().toISOString(),
      target: project.target.targetName,
      database: project.target.database,
      ft_version: FT_VERSION,
      catalog: relations !== null,
      run_results: runResults ? { generated_at: runResults.metadata?.generated_at ?? '', invocation_id: runResults.metadata?.invocation_id ?? null } : null,
      warnings: inp.warnings,
      dashboard: hasDashboard(project),
    },
    overview: overviewText(project),
    nodes,
  };
  cache.save();
  return { data, lineage: stats };
}

/** Catalog columns in table order with their YAML docs, then YAML columns the relation does not have. */
function columnsOf(n: Node, rel: RelationInfo | undefined, columnTests: Map<string, string[]>): DocColumn[] {
  const yaml = new Map(Object.values(n.columns).map((c) => [c.name.toLowerCase(), c]));
  const tests = (name: string): string[] => columnTests.get(`${n.unique_id}\u0000${name.toLowerCase()}`) ?? [];
  const out: DocColumn[] = [];
  const seen = new Set<string>();
  for (const c of rel?.columns ?? []) {
    const y = yaml.get(c.name.toLowerCase());
    seen.add(c.name.toLowerCase());
    out.push({ name: c.name, type: c.type, description: y?.description ?? '', tests: tests(c.name), documented: Boolean(y), in_relation: true });
  }
  for (const c of Object.values(n.columns)) {
    if (seen.has(c.name.toLowerCase())) continue;
    out.push({ name: c.name, type: c.data_type ?? null, description: c.description ?? '', tests: tests(c.name), documented: true, in_relation: rel ? false : null });
  }
  return out;
}
