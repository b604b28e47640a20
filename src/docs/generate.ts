/**
 * `ft docs generate`: compiles the project, reads the catalog and the gold-layer
 * dashboard data from the database (when reachable), and writes target/catalog.json
 * and a static site into target/docs/ that works offline and from file://.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Adapter } from '../adapters/adapter.js';
import { createAdapter } from '../adapters/mysql/mysql-adapter.js';
import { buildManifest, writeManifestAfter } from '../artifacts/manifest.js';
import type { CommandContext } from '../cli/context.js';
import { newCompiler } from '../compile/compile-nodes.js';
import { compileNodesReading, ownIntrospector } from '../compile/compile-reading.js';
import { FtError } from '../util/errors.js';
import { FileBatchWriter } from '../artifacts/file-batch-writer.js';
import { writeFileAtomic } from '../artifacts/write-json.js';
import { clientBundle } from './bundle.js';
import { buildCatalog, readRelations, writeCatalog, type RelationInfo } from './catalog.js';
import { readDashboard } from './dashboard-data.js';
import { legacyPanelWarnings } from '../dashboards/legacy-panels.js';
import { buildDocsData, readRunResults, type LineageStats } from './site-data.js';
import { SITE_CSS, SITE_CSS_FILE, SITE_JS_FILE, siteHtml } from './site-html.js';
import type { CodeChunk, DashboardData, DocNode, DocsData, DocsDetails } from './site/types.js';

export interface GenerateResult {
  dir: string;
  catalogFile: string | null;
  database: boolean;
  nodes: number;
  lineage: LineageStats;
  warnings: string[];
}

export function docsDir(ctx: Pick<CommandContext, 'project'>): string {
  return join(resolve(ctx.project.root, ctx.project.config.targetPath), 'docs');
}

/** Connects, or returns the reason the database cannot be used. */
export async function connectForDocs(ctx: Pick<CommandContext, 'project'>): Promise<{ adapter: Adapter } | { error: string }> {
  const adapter = createAdapter(ctx.project.target, 1);
  try {
    await adapter.server();
    return { adapter };
  } catch (e) {
    await adapter.close().catch(() => undefined);
    return { error: String((e as { format?: () => string }).format?.() ?? (e as Error).message ?? e) };
  }
}

export async function generateDocs(ctx: CommandContext): Promise<GenerateResult> {
  const { project, graph, out } = ctx;
  const warnings: string[] = [];
  const warn = (m: string): void => {
    warnings.push(m);
    out.warn(m);
  };

  // Compiled SQL for every model and test (also refreshes target/manifest.json).
  const { compiler, cache } = newCompiler(project, { introspector: ownIntrospector(project.target) });
  const writer = new FileBatchWriter();
  try {
    await compileNodesReading(project, graph, new Set(project.nodes.keys()), compiler, cache, writer, undefined, warn);
  } catch (e) {
    // models that read the database cannot be compiled without it: the site goes without their SQL
    if (!(e instanceof FtError)) throw e;
    warn(`${e.format()}\nThe docs are generated without their compiled SQL.`);
  } finally {
    await compiler.introspector?.close();
  }
  await writeManifestAfter(project, buildManifest(project, graph), writer.close());
  cache.save();

  for (const w of legacyPanelWarnings(project)) warn(w);
  let relations: Map<string, RelationInfo> | null = null;
  let dashboard: DashboardData;
  let catalogFile: string | null = null;
  const conn = await connectForDocs(ctx);
  if ('error' in conn) {
    const msg = `the database is not reachable (${conn.error}); the docs site is generated without the catalog (types, row counts, sizes) and without dashboard data.`;
    warn(msg);
    dashboard = await readDashboard(project, null, null, `The database was not reachable when the docs were generated: ${conn.error}`);
  } else {
    try {
      relations = await readRelations(conn.adapter, project);
      catalogFile = writeCatalog(project, buildCatalog(project, relations));
      dashboard = await readDashboard(project, conn.adapter, relations);
    } finally {
      await conn.adapter.close();
    }
  }

  const runResults = readRunResults(project, warn);
  const cacheFile = join(resolve(project.root, project.config.targetPath), 'column_lineage_cache.json');
  const { data, lineage } = buildDocsData({ project, graph, relations, runResults, warnings, cacheFile });
  const dir = docsDir(ctx);
  await writeSite(dir, data, dashboard);
  return { dir, catalogFile, database: relations !== null, nodes: data.nodes.length, lineage, warnings };
}

export const CODE_CHUNK_SIZE = 100;

/**
 * The data as the site stores it: SQL moved out to code/<n>.js chunks the browser
 * loads when a page needs them, and each distinct config stored once. This keeps
 * what a big project's site parses at load small.
 */
/** What data.json keeps of each node: what the lineage graph and the selector need. */
const CORE_KEYS = new Set(['id', 'name', 'type', 'package', 'path', 'fqn', 'tags', 'cfg', 'source_name', 'parents', 'children', 'code_chunk', 'test_name']);

export function packSite(data: DocsData): { data: DocsData; details: DocsDetails; chunks: CodeChunk[] } {
  const chunks: CodeChunk[] = [];
  const configs: Array<Record<string, unknown>> = [];
  const configIndex = new Map<string, number>();
  let current: CodeChunk = {};
  let inCurrent = 0;
  const index = new Map(data.nodes.map((n, i) => [n.id, i]));
  const nodes = data.nodes.map((n) => {
    const { raw_code, compiled_code, config, ...rest } = n;
    const out: DocNode = { ...rest, config: {} };
    const key = JSON.stringify(config);
    let ix = configIndex.get(key);
    if (ix === undefined) {
      ix = configs.push(config) - 1;
      configIndex.set(key, ix);
    }
    out.cfg = ix;
    delete (out as Partial<DocNode>).config;
    // node references as indices into nodes; empty column fields left out
    const ref = (id: string): string | number => index.get(id) ?? id;
    const o = out as unknown as Record<string, unknown>;
    o.parents = n.parents.map(ref);
    o.children = n.children.map(ref);
    if (n.test?.attached) (o.test as Record<string, unknown>) = { ...n.test, attached: ref(n.test.attached) };
    o.columns = n.columns.map((c) => {
      const pc: Record<string, unknown> = { name: c.name };
      if (c.type !== null) pc.type = c.type;
      if (c.description) pc.description = c.description;
      if (c.tests.length) pc.tests = c.tests.map(ref);
      if (c.documented) pc.documented = true;
      if (c.in_relation !== null) pc.in_relation = c.in_relation;
      if (c.lineage !== undefined) pc.lineage = c.lineage === 'unknown' ? 'unknown' : c.lineage.map((l) => (l.node !== null ? { node: ref(l.node), column: l.column } : l));
      return pc;
    });
    if (raw_code !== undefined || compiled_code !== undefined) {
      current[n.id] = [raw_code ?? null, compiled_code ?? null];
      out.code_chunk = chunks.length;
      if (++inCurrent === CODE_CHUNK_SIZE) {
        chunks.push(current);
        current = {};
        inCurrent = 0;
      }
    }
    if (n.test) out.test_name = n.test.name;
    return out;
  });
  if (inCurrent) chunks.push(current);
  // split: the graph's part in data.json, the rest in details.json
  const core: DocNode[] = [];
  const details: Array<Partial<DocNode>> = [];
  for (const n of nodes) {
    const c: Record<string, unknown> = {};
    const d: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(n)) (CORE_KEYS.has(k) ? c : d)[k] = v;
    core.push(c as unknown as DocNode);
    details.push(d as Partial<DocNode>);
  }
  return { data: { ...data, nodes: core, configs, packed: true }, details: { details }, chunks };
}

/**
 * Writes the site: index.html (the page), site.css and app.js (its styles and code); the graph (data) and the
 * nodes' documentation (details), each twice — .json for a served site (fetched,
 * fastest to parse) and .js for one opened from disk, where browsers allow scripts but
 * not fetch; the code chunks and the dashboard data.
 */
export async function writeSite(dir: string, data: DocsData, dashboard: DashboardData): Promise<void> {
  const packed = packSite(data);
  rmSync(join(dir, 'code'), { recursive: true, force: true });
  mkdirSync(join(dir, 'code'), { recursive: true });
  packed.chunks.forEach((chunk, i) => writeAtomic(join(dir, 'code', `${i}.js`), `window.__ftCodeChunk(${i}, ${JSON.stringify(JSON.stringify(chunk))});\n`));
  const json = JSON.stringify(packed.data);
  writeAtomic(join(dir, 'data.json'), json);
  writeAtomic(join(dir, 'data.js'), `window.__FT_DOCS__ = JSON.parse(${JSON.stringify(json)});\n`);
  const details = JSON.stringify(packed.details);
  writeAtomic(join(dir, 'details.json'), details);
  writeAtomic(join(dir, 'details.js'), `window.__FT_DETAILS__ = JSON.parse(${JSON.stringify(details)});\n`);
  writeDashboard(dir, dashboard);
  writeAtomic(join(dir, SITE_CSS_FILE), SITE_CSS);
  writeAtomic(join(dir, SITE_JS_FILE), await clientBundle());
  // last: a page never loads before its stylesheet and code are in place
  writeAtomic(join(dir, 'index.html'), siteHtml(data.project.name));
}

export function writeDashboard(dir: string, dashboard: DashboardData): void {
  mkdirSync(dir, { recursive: true });
  writeAtomic(join(dir, 'dashboard-data.js'), dataScript('__FT_DASHBOARD__', dashboard));
  writeAtomic(join(dir, 'dashboard.json'), JSON.stringify(dashboard));
}

/** A classic script assigning the data to a global: JSON.parse of a string literal parses fastest. */
export function dataScript(global: string, value: unknown): string {
  return `window.${global} = JSON.parse(${JSON.stringify(JSON.stringify(value))});\n`;
}

/** Through a temporary file and a rename; a failure names the file and why (a full disk…). */
function writeAtomic(file: string, text: string): void {
  writeFileAtomic(file, text);
}
