import { join, resolve } from 'node:path';
import type { Adapter, RelationType } from '../adapters/adapter.js';
import { metadata } from '../artifacts/manifest.js';
import { writeJsonAtomic } from '../artifacts/write-json.js';
import type { Project } from '../project/project.js';
import type { Node } from '../project/types.js';

export const CATALOG_SCHEMA = 'https://ft.dev/schemas/catalog/v1.json';

export interface CatalogColumn {
  type: string;
  index: number;
  name: string;
  comment: string | null;
}

export interface CatalogStat {
  id: string;
  label: string;
  value: string | number | boolean | null;
  include: boolean;
  description: string;
}

/** One relation in dbt's catalog.json shape. */
export interface CatalogTable {
  metadata: { type: string; schema: string; name: string; database: null; comment: string | null; owner: null };
  columns: Record<string, CatalogColumn>;
  stats: Record<string, CatalogStat>;
  unique_id: string;
}

export interface Catalog {
  metadata: Record<string, unknown>;
  nodes: Record<string, CatalogTable>;
  sources: Record<string, CatalogTable>;
  errors: string[] | null;
}

/** What the server has: every relation of the project's schemas, keyed by lower-cased `schema.name`. */
export interface RelationInfo {
  schema: string;
  name: string;
  type: RelationType;
  rows: number | null;
  rowsExact: boolean;
  bytes: number | null;
  updated: string | null;
  comment: string;
  columns: CatalogColumn[];
}

export const relationKey = (schema: string, name: string): string => `${schema}.${name}`.toLowerCase();

/** The database relation a node is built as or read from; null for ephemeral models, tests and exposures. */
export function nodeRelation(node: Node): { schema: string; name: string } | null {
  if (node.resource_type === 'source') return { schema: node.schema, name: node.identifier ?? node.name };
  if (node.resource_type === 'seed' || node.resource_type === 'snapshot' || (node.resource_type === 'model' && node.config.materialized !== 'ephemeral')) {
    return node.relation_name ? { schema: node.schema, name: node.alias } : null;
  }
  return null;
}

export interface ReadCatalogOptions {
  /** exact COUNT(*) for tables, within this many milliseconds in total (0 = estimates only) */
  exactCountBudgetMs?: number;
  /** tables above this estimated size keep the estimate */
  exactCountMaxRows?: number;
}

/** Reads relations, columns and sizes of the project's schemas from information_schema. */
export async function readRelations(adapter: Adapter, project: Project, opts: ReadCatalogOptions = {}): Promise<Map<string, RelationInfo>> {
  const schemas = new Set<string>();
  for (const n of project.nodes.values()) {
    const r = nodeRelation(n);
    if (r) schemas.add(r.schema);
  }
  const list = [...schemas].sort();
  const out = new Map<string, RelationInfo>();
  if (!list.length) return out;
  const relations = await adapter.listRelations(list);
  for (const r of relations) out.set(relationKey(r.schema, r.name), { ...r, rowsExact: false, columns: [] });
  const rows = await adapter.withSession((s) =>
    s.query<{ s: string; t: string; c: string; ty: string; p: number | string; cm: string | null }>(
      `SELECT table_schema AS s, table_name AS t, column_name AS c, column_type AS ty, ordinal_position AS p, column_comment AS cm
         FROM information_schema.columns WHERE table_schema IN (${list.map(() => '?').join(', ')})
        ORDER BY table_schema, table_name, ordinal_position`,
      list,
    ),
  );
  for (const r of rows) {
    const rel = out.get(relationKey(String(r.s), String(r.t)));
    if (rel) rel.columns.push({ name: String(r.c), type: String(r.ty), index: Number(r.p), comment: r.cm ? String(r.cm) : null });
  }
  // information_schema's row count is an InnoDB estimate; count small tables exactly while time allows.
  const budget = opts.exactCountBudgetMs ?? 5000;
  const maxRows = opts.exactCountMaxRows ?? 2_000_000;
  const started = Date.now();
  const wanted = new Set<string>();
  for (const n of project.nodes.values()) {
    const r = nodeRelation(n);
    if (r) wanted.add(relationKey(r.schema, r.name));
  }
  if (budget > 0) {
    await adapter.withSession(async (s) => {
      for (const key of [...wanted].sort()) {
        const rel = out.get(key);
        if (!rel || rel.type !== 'table' || (rel.rows ?? 0) > maxRows) continue;
        if (Date.now() - started > budget) break;
        try {
          const [row] = await s.query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${adapter.relation(rel.schema, rel.name)}`);
          rel.rows = Number(row?.n ?? 0);
          rel.rowsExact = true;
        } catch {
          // keep the estimate
        }
      }
    });
  }
  return out;
}

function catalogTable(id: string, rel: RelationInfo): CatalogTable {
  const columns: Record<string, CatalogColumn> = {};
  for (const c of rel.columns) columns[c.name] = c;
  const stats: Record<string, CatalogStat> = {
    has_stats: { id: 'has_stats', label: 'Has Stats?', value: true, include: false, description: 'Indicates whether there are statistics for this table' },
  };
  if (rel.type === 'table') {
    stats.row_count = {
      id: 'row_count',
      label: 'Row Count',
      value: rel.rows,
      include: true,
      description: rel.rowsExact ? 'Number of rows (COUNT(*))' : 'Approximate number of rows (information_schema.tables.table_rows)',
    };
    stats.bytes = { id: 'bytes', label: 'Approximate Size', value: rel.bytes, include: true, description: 'Data and index length in bytes' };
  }
  stats.last_modified = { id: 'last_modified', label: 'Last Modified', value: rel.updated, include: true, description: 'When the relation was last created or changed' };
  return {
    metadata: { type: rel.type === 'view' ? 'VIEW' : 'BASE TABLE', schema: rel.schema, name: rel.name, database: null, comment: rel.comment || null, owner: null },
    columns,
    stats,
    unique_id: id,
  };
}

/** catalog.json in dbt's shape: built nodes and sources by unique id, with columns and stats. */
export function buildCatalog(project: Project, relations: Map<string, RelationInfo>): Catalog {
  const nodes: Record<string, CatalogTable> = {};
  const sources: Record<string, CatalogTable> = {};
  for (const n of [...project.nodes.values()].sort((a, b) => a.unique_id.localeCompare(b.unique_id))) {
    const r = nodeRelation(n);
    const rel = r ? relations.get(relationKey(r.schema, r.name)) : undefined;
    if (!rel) continue;
    (n.resource_type === 'source' ? sources : nodes)[n.unique_id] = catalogTable(n.unique_id, rel);
  }
  return { metadata: metadata(project, CATALOG_SCHEMA), nodes, sources, errors: null };
}

export function writeCatalog(project: Project, catalog: Catalog): string {
  const file = join(resolve(project.root, project.config.targetPath), 'catalog.json');
  writeJsonAtomic(file, catalog);
  return file;
}
