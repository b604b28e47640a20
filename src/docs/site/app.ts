/**
 * The docs site in the browser: a hash router over the pages (overview, one page
 * per node, search, lineage, dashboard), a project tree and a search box. Data
 * comes from data.js and dashboard-data.js, loaded before this script, so the
 * site works opened from disk as well as served.
 */
import { renderDashboard } from './dashboard-view.js';
import { renderDeclaredDashboards } from './dashboards-view.js';
import { DEFAULT_CAP, mountLineage, nextTask } from './graph-view.js';
import { esc, linkHtml, markdown } from './markdown.js';
import { SearchIndex } from './search.js';
import { selectorFor, type SelGraph, type SelNode } from './selector.js';
import type { CodeChunk, DashboardData, DocColumn, DocNode, DocsData, DocsDetails } from './types.js';

interface Site {
  data: DocsData;
  dash: DashboardData | null;
  byId: Map<string, DocNode>;
  graph: SelGraph;
  /** built on first use: a big project's site should not pay for it at load */
  search(): SearchIndex;
  /** tests attached to each node */
  testsOf: Map<string, DocNode[]>;
  /** descriptions, columns, stats, results (details.json) have arrived */
  detailsLoaded: boolean;
  /** starts loading them if not yet; settles when they are in (or could not be loaded) */
  details(): Promise<void>;
  /** settles when the dashboard data is in (site.dash) */
  dashboard(): Promise<void>;
}

declare global {
  interface Window {
    __FT_DOCS__?: DocsData;
    __FT_DETAILS__?: DocsDetails;
    __FT_DASHBOARD__?: DashboardData;
    __ftSite?: Site;
    __ftReady?: number;
    __ftCodeChunk?: (index: number, json: string) => void;
  }
}

const TYPE_ORDER = ['model', 'seed', 'snapshot', 'source', 'exposure', 'test'];
/** the most nodes the explorer draws, however asked */
const MAX_CAP = 3000;

/** Restores the packed form of data.json (indices → ids, configs by index, default column fields). */
export function unpackDocsData(data: DocsData): DocsData {
  return runSteps(unpackSteps(data));
}

function* unpackSteps(data: DocsData): Generator<void, DocsData, void> {
  if (data.configs) for (const n of data.nodes) if (n.cfg !== undefined) n.config = data.configs[n.cfg] ?? {};
  const packed = data.packed;
  const ids = data.nodes.map((n) => n.id);
  const id = (r: unknown): string => (typeof r === 'number' ? (ids[r] ?? String(r)) : String(r));
  let k = 0;
  for (const n of data.nodes) {
    if (packed) {
      n.parents = n.parents.map(id);
      n.children = n.children.map(id);
    }
    // what details.json brings, until it has come
    n.description ??= '';
    n.columns ??= [];
    n.meta ??= {};
    n.config ??= {};
    n.materialized ??= null;
    n.schema ??= null;
    n.alias ??= null;
    n.relation ??= null;
    if (packed) unpackColumns(n, id);
    if (++k % STEP_NODES === 0) yield;
  }
  data.packed = false;
  return data;
}

/** Index references in a node's columns and test → ids; left-out column fields → their defaults. */
function unpackColumns(n: DocNode, id: (r: unknown) => string): void {
  if (n.test?.attached !== undefined && n.test.attached !== null) n.test.attached = id(n.test.attached);
  for (const c of n.columns) {
    c.type ??= null;
    c.description ??= '';
    c.tests = (c.tests ?? []).map(id);
    c.documented ??= false;
    c.in_relation ??= null;
    if (Array.isArray(c.lineage)) for (const l of c.lineage) if (l.node !== null) l.node = id(l.node);
  }
}

/** Merges details.json into the nodes (same order), in steps. */
function* mergeDetailsSteps(site: Site, d: DocsDetails): Generator<void, void, void> {
  const nodes = site.data.nodes;
  const ids = nodes.map((n) => n.id);
  const id = (r: unknown): string => (typeof r === 'number' ? (ids[r] ?? String(r)) : String(r));
  for (let i = 0; i < nodes.length; i++) {
    const extra = d.details[i];
    if (!extra) continue;
    Object.assign(nodes[i]!, extra);
    unpackColumns(nodes[i]!, id);
    if ((i + 1) % STEP_NODES === 0) yield;
  }
}

/** Nodes handled between two hand-backs to the browser while the site is built. */
const STEP_NODES = 1500;

function runSteps<T>(gen: Generator<void, T, void>): T {
  for (;;) {
    const r = gen.next();
    if (r.done) return r.value;
  }
}

async function runStepsAsync<T>(gen: Generator<void, T, void>): Promise<T> {
  for (;;) {
    const r = gen.next();
    if (r.done) return r.value;
    await nextTask();
  }
}

export function buildSite(data: DocsData, dash: DashboardData | null): Site {
  return runSteps(buildSiteSteps(data, dash, true));
}

/** Builds the site's indexes in steps, so a big project's site never blocks the page for long. */
function* buildSiteSteps(data: DocsData, dash: DashboardData | null, detailsLoaded: boolean): Generator<void, Site, void> {
  yield* unpackSteps(data);
  const byId = new Map<string, DocNode>();
  const nodes = new Map<string, SelNode>();
  const parents = new Map<string, string[]>();
  const children = new Map<string, string[]>();
  const testsOf = new Map<string, DocNode[]>();
  let k = 0;
  for (const n of data.nodes) {
    byId.set(n.id, n);
    // a DocNode has every field the selector reads: no copy
    if (n.type === 'test') n.test_name ??= n.test?.name;
    nodes.set(n.id, n as SelNode);
    parents.set(n.id, n.parents);
    children.set(n.id, n.children);
    if (n.type === 'test') {
      for (const p of n.parents) {
        const list = testsOf.get(p) ?? [];
        list.push(n);
        testsOf.set(p, list);
      }
    }
    if (++k % STEP_NODES === 0) yield;
  }
  let index: SearchIndex | null = null;
  const search = (): SearchIndex =>
    (index ??= new SearchIndex(
      data.nodes.map((n) => ({ id: n.id, name: n.type === 'source' && n.source_name ? `${n.source_name}.${n.name}` : n.name, type: n.type, description: n.description, path: n.path, tags: n.tags, columns: n.columns })),
    ));
  // when not loaded yet, boot() merges details.json and replaces `details`
  return { data, dash, byId, graph: { nodes, parents, children }, search, testsOf, detailsLoaded, details: () => Promise.resolve(), dashboard: () => Promise.resolve() };
}

export function nodeHref(id: string): string {
  return `#/node/${encodeURIComponent(id)}`;
}

function displayName(n: DocNode): string {
  return n.type === 'source' && n.source_name ? `${n.source_name}.${n.name}` : n.name;
}

export function humanBytes(b: number | null | undefined): string {
  if (b === null || b === undefined) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = b;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i ? v.toFixed(1) : v} ${units[i]}`;
}

function statusBadge(n: DocNode): string {
  if (!n.result) return '<span class="status none" title="not in run_results.json">not run yet</span>';
  const s = n.result.status;
  const cls = s === 'pass' || s === 'success' ? 'ok' : s === 'warn' ? 'warn' : s === 'skipped' ? 'none' : 'bad';
  const extra = n.result.failures ? ` (${n.result.failures})` : '';
  return `<span class="status ${cls}" title="${esc(n.result.message ?? '')}">${esc(s)}${extra}</span>`;
}

class App {
  private lineage: { destroy(): void } | null = null;
  private dashWaited = false;
  private readonly main: HTMLElement;
  private searchTimer = 0;

  constructor(private readonly site: Site, private readonly root: HTMLElement) {
    const p = site.data.project;
    root.innerHTML = `
      <header class="top">
        <a class="brand" href="#/overview">${esc(p.name)} <span>docs</span></a>
        <div class="searchbox">
          <input id="search" type="search" placeholder="Search models, columns, descriptions…" autocomplete="off" aria-label="search" data-testid="search-input">
          <div class="search-pop" hidden></div>
        </div>
        <nav>
          <a href="#/overview" data-nav="overview">Overview</a>
          <a href="#/lineage" data-nav="lineage" data-testid="nav-lineage">Lineage</a>
          ${p.dashboard === false ? '' : '<a href="#/dashboard" data-nav="dashboard" data-testid="nav-dashboard">Dashboard</a>'}
        </nav>
      </header>
      <div class="layout">
        <aside class="tree" id="tree"></aside>
        <main id="main" tabindex="-1"></main>
      </div>`;
    this.main = root.querySelector('#main') as HTMLElement;
    // the tree is not needed for the first page: drawn in a task of its own
    void nextTask().then(() => this.renderTree(root.querySelector('#tree') as HTMLElement));
    this.wireSearch(root.querySelector('#search') as HTMLInputElement, root.querySelector('.search-pop') as HTMLElement);
    window.addEventListener('hashchange', () => this.route());
    this.route();
  }

  link = (id: string, label?: string): string => {
    const n = this.site.byId.get(id);
    if (!n) return `<span class="muted">${esc(label ?? id)}</span>`;
    return `<a class="nlink t-${esc(n.type)}" href="${nodeHref(id)}" data-id="${esc(id)}">${esc(label ?? displayName(n))}</a>`;
  };

  route(): void {
    const [rawPath, query] = splitOnce(location.hash.replace(/^#\/?/, ''), '?');
    const path = safeDecode(rawPath);
    const params = parseQuery(query);
    this.lineage?.destroy();
    this.lineage = null;
    const [section, ...rest] = path.split('/');
    // every page but the lineage explorer and the dashboard shows documentation: wait for it
    if (!this.site.detailsLoaded && section !== 'lineage' && section !== 'dashboard') {
      this.main.innerHTML = '<p class="muted" data-testid="loading">Loading the documentation…</p>';
      const hash = location.hash;
      void this.site.details().then(() => {
        if (location.hash === hash) this.route();
      });
      return;
    }
    const rawId = rest.join('/');
    for (const a of this.root.querySelectorAll('nav a')) a.classList.toggle('active', (a as HTMLElement).dataset.nav === (section || 'overview'));
    switch (section) {
      case 'node':
        this.nodePage(rawId);
        break;
      case 'lineage':
        this.lineagePage(params.get('select') ?? '*', Number(params.get('cap') ?? DEFAULT_CAP));
        break;
      case 'search':
        this.searchPage(params.get('q') ?? '');
        break;
      case 'dashboard':
        this.dashboardPage();
        break;
      default:
        this.overviewPage();
    }
    this.main.scrollTop = 0;
    window.scrollTo(0, 0);
  }

  // ---- tree ---------------------------------------------------------------

  private renderTree(host: HTMLElement): void {
    const groups = new Map<string, DocNode[]>();
    for (const n of this.site.data.nodes) {
      const list = groups.get(n.type) ?? [];
      list.push(n);
      groups.set(n.type, list);
    }
    const parts: string[] = [];
    for (const type of TYPE_ORDER) {
      const list = groups.get(type);
      if (!list?.length) continue;
      parts.push(`<details class="tree-type" data-type="${type}"${type === 'model' || type === 'source' ? ' open' : ''}><summary>${esc(plural(type))} <span class="count">${list.length}</span></summary><div class="tree-body" data-type="${type}"></div></details>`);
    }
    host.innerHTML = parts.join('');
    const fill = (d: HTMLDetailsElement): void => {
      const body = d.querySelector(':scope > .tree-body, :scope > .tree-folder-body') as HTMLElement | null;
      if (!body || body.dataset.filled) return;
      body.dataset.filled = '1';
      if (body.classList.contains('tree-body')) body.innerHTML = this.treeLevel(groups.get(body.dataset.type!) ?? [], body.dataset.type!, '');
      else {
        const type = body.dataset.type!;
        const prefix = body.dataset.prefix!;
        body.innerHTML = this.treeLevel(groups.get(type) ?? [], type, prefix);
      }
    };
    host.addEventListener('toggle', (e) => {
      const d = e.target as HTMLDetailsElement;
      if (d.open) fill(d);
    }, true);
    for (const d of host.querySelectorAll('details[open]')) fill(d as HTMLDetailsElement);
  }

  /** One level of the tree: sub-folders (filled when opened) then the nodes directly in it. */
  private treeLevel(nodes: DocNode[], type: string, prefix: string): string {
    const folderOf = (n: DocNode): string[] => {
      if (type === 'source') return [n.source_name ?? ''];
      if (type === 'test' || type === 'exposure') return [];
      // fqn is [project, folders…, name]
      return n.fqn.slice(1, -1);
    };
    const depth = prefix ? prefix.split('/').length : 0;
    const folders = new Map<string, number>();
    const here: DocNode[] = [];
    for (const n of nodes) {
      const f = folderOf(n);
      if (f.slice(0, depth).join('/') !== prefix) continue;
      if (f.length > depth) {
        const key = f.slice(0, depth + 1).join('/');
        folders.set(key, (folders.get(key) ?? 0) + 1);
      } else here.push(n);
    }
    const out: string[] = [];
    for (const [key, count] of [...folders].sort((a, b) => a[0].localeCompare(b[0]))) {
      out.push(`<details class="tree-folder"><summary>${esc(key.split('/').pop())} <span class="count">${count}</span></summary><div class="tree-folder-body" data-type="${esc(type)}" data-prefix="${esc(key)}"></div></details>`);
    }
    here.sort((a, b) => a.name.localeCompare(b.name));
    for (const n of here) out.push(`<a class="tree-leaf" href="${nodeHref(n.id)}" data-id="${esc(n.id)}" title="${esc(n.id)}">${esc(n.name)}</a>`);
    return out.join('');
  }

  // ---- search ---------------------------------------------------------------

  private wireSearch(input: HTMLInputElement, pop: HTMLElement): void {
    const show = (): void => {
      const q = input.value.trim();
      if (!q) {
        pop.hidden = true;
        return;
      }
      if (!this.site.detailsLoaded) {
        pop.innerHTML = '<div class="muted pad">loading…</div>';
        pop.hidden = false;
        void this.site.details().then(show);
        return;
      }
      const hits = this.site.search().search(q, 12);
      pop.innerHTML = hits.length
        ? hits.map((h) => this.hitHtml(h.id, h.field, h.snippet)).join('') + `<a class="search-all" href="#/search?q=${encodeURIComponent(q)}">all results for “${esc(q)}”</a>`
        : '<div class="muted pad">no matches</div>';
      pop.hidden = false;
    };
    input.addEventListener('input', () => {
      clearTimeout(this.searchTimer);
      this.searchTimer = window.setTimeout(show, 80);
    });
    input.addEventListener('focus', show);
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        e.preventDefault();
        pop.hidden = true;
        location.hash = `#/search?q=${encodeURIComponent(input.value.trim())}`;
      } else if (e.key === 'Escape') pop.hidden = true;
    });
    document.addEventListener('click', (e) => {
      if (!(e.target as Element).closest('.searchbox')) pop.hidden = true;
      else if ((e.target as Element).closest('.search-pop a')) pop.hidden = true;
    });
  }

  private hitHtml(id: string, field: string, snippet: string): string {
    const n = this.site.byId.get(id)!;
    const where = field === 'name' ? '' : field.startsWith('column:') ? `column <code>${esc(field.slice(7))}</code>` : esc(field);
    return `<a class="hit" href="${nodeHref(id)}" data-testid="search-result" data-id="${esc(id)}"><span class="badge t-${esc(n.type)}">${esc(n.type)}</span> <strong>${esc(displayName(n))}</strong>${where ? ` <span class="muted small">· ${where}</span>` : ''}${snippet ? `<div class="small muted">${esc(snippet)}</div>` : ''}</a>`;
  }

  private searchPage(q: string): void {
    const hits = this.site.search().search(q, 200);
    (this.root.querySelector('#search') as HTMLInputElement).value = q;
    this.main.innerHTML = `<h1>Search: “${esc(q)}”</h1><p class="muted">${hits.length === 200 ? 'first 200' : hits.length} result${hits.length === 1 ? '' : 's'}</p><div class="hits">${hits.map((h) => this.hitHtml(h.id, h.field, h.snippet)).join('')}</div>`;
  }

  // ---- pages ---------------------------------------------------------------

  private overviewPage(): void {
    const d = this.site.data;
    const counts = new Map<string, number>();
    for (const n of d.nodes) counts.set(n.type, (counts.get(n.type) ?? 0) + 1);
    const results = d.nodes.filter((n) => n.result);
    const byStatus = new Map<string, number>();
    for (const n of results) byStatus.set(n.result!.status, (byStatus.get(n.result!.status) ?? 0) + 1);
    const warn = d.project.warnings.map((w) => `<div class="notice">${esc(w)}</div>`).join('');
    this.main.innerHTML = `
      ${warn}
      <div class="overview md-body" data-testid="overview">${d.overview.markdown ? markdown(d.overview.markdown) : `<h1>${esc(d.project.name)}</h1>`}</div>
      <section class="panel"><h2>Project</h2><table class="kv">
        <tr><th>Nodes</th><td>${TYPE_ORDER.filter((t) => counts.get(t)).map((t) => `${counts.get(t)} ${plural(t, counts.get(t)!)}`).join(', ')}</td></tr>
        <tr><th>Target</th><td>${esc(d.project.target)} (database <code>${esc(d.project.database)}</code>)</td></tr>
        <tr><th>Catalog</th><td>${d.project.catalog ? 'read from the database' : '<span class="muted">not available (the database was not reachable)</span>'}</td></tr>
        <tr><th>Last run</th><td>${d.project.run_results ? `${esc(d.project.run_results.generated_at)} — ${[...byStatus].map(([s, c]) => `${c} ${esc(s)}`).join(', ')}` : '<span class="muted">not run yet (no run_results.json)</span>'}</td></tr>
        <tr><th>Generated</th><td>${esc(d.project.generated_at)} by ft ${esc(d.project.ft_version)}</td></tr>
      </table>
      <p class="small muted">Overview from ${esc(d.overview.source)}.</p></section>`;
  }

  private lineagePage(selector: string, capParam: number): void {
    const cap = Number.isFinite(capParam) && capParam >= 1 ? Math.min(Math.floor(capParam), MAX_CAP) : DEFAULT_CAP;
    const total = [...this.site.graph.nodes.values()].filter((n) => n.type !== 'test').length;
    this.main.innerHTML = `<h1>Lineage</h1><p class="muted small">${total} nodes in the project. Type a selector as on the command line: <code>+name</code>, <code>name+</code>, <code>2+name</code>, <code>@name</code>, <code>tag:x</code>, <code>path:models/gold</code>, <code>resource_type:seed</code>; space = union, comma = intersection. At most ${cap} nodes are drawn${cap < MAX_CAP ? ` (<a href="#/lineage?select=${encodeURIComponent(selector)}&cap=${Math.min(MAX_CAP, cap * 4)}" data-testid="more-nodes">draw up to ${Math.min(MAX_CAP, cap * 4)}</a>)` : ''}.</p><div id="lineage-host" data-testid="lineage"></div>`;
    const more = this.main.querySelector('[data-testid=more-nodes]') as HTMLAnchorElement | null;
    this.lineage = mountLineage(this.main.querySelector('#lineage-host') as HTMLElement, {
      graph: this.site.graph,
      selector,
      cap,
      navigate: (id) => (location.hash = nodeHref(id)),
      onApply: (text) => {
        history.replaceState(null, '', `#/lineage?select=${encodeURIComponent(text)}${cap !== DEFAULT_CAP ? `&cap=${cap}` : ''}`);
        if (more) more.href = `#/lineage?select=${encodeURIComponent(text)}&cap=${Math.min(MAX_CAP, cap * 4)}`;
      },
      height: Math.max(420, window.innerHeight - 230),
    });
  }

  private dashboardPage(): void {
    if (!this.site.dash && !this.dashWaited) {
      this.dashWaited = true;
      this.main.innerHTML = '<p class="muted" data-testid="loading">Loading the dashboard data…</p>';
      const hash = location.hash;
      void this.site.dashboard().then(() => {
        if (location.hash === hash) this.route();
      });
      return;
    }
    if (!this.site.dash) {
      this.main.innerHTML = '<h1>Dashboard</h1><div class="notice">No dashboard data (dashboard-data.js is missing). Run <code>ft docs generate</code>.</div>';
      return;
    }
    this.main.innerHTML = `<div class="dashboard" data-testid="dashboard">${renderDashboard(this.site.dash, this.link, renderDeclaredDashboards(this.site.dash, this.link))}</div>`;
  }

  /** Called when fresh dashboard data arrives from `ft docs serve --refresh`. */
  updateDashboard(d: DashboardData): void {
    this.site.dash = d;
    if (location.hash.startsWith('#/dashboard')) {
      const y = window.scrollY;
      this.dashboardPage();
      window.scrollTo(0, y);
    }
  }

  private nodePage(id: string): void {
    const n = this.site.byId.get(id);
    if (!n) {
      this.main.innerHTML = `<h1>Not found</h1><p>No node <code>${esc(id)}</code> in this project.</p>`;
      return;
    }
    const parts: string[] = [];
    const tags = n.tags.map((t) => `<span class="tag">${esc(t)}</span>`).join('');
    parts.push(
      `<div class="crumbs muted">${esc(n.type)} · ${esc(n.path)}</div><h1 data-testid="node-title">${esc(displayName(n))} <span class="badge t-${esc(n.type)}">${esc(n.type)}</span>${n.materialized && n.type === 'model' ? ` <span class="badge">${esc(n.materialized)}</span>` : ''} ${tags}</h1>`,
    );
    parts.push(`<div class="md-body desc">${n.description ? markdown(n.description) : '<p class="muted">No description.</p>'}</div>`);
    parts.push(this.detailsTable(n));
    if (n.type !== 'test') {
      parts.push(`<section class="panel"><h2>Lineage <a class="small" href="#/lineage?select=${encodeURIComponent(`+${selectorFor(this.site.graph.nodes.get(n.id)!)}+`)}">open in the lineage explorer</a></h2><div id="node-lineage" data-testid="node-lineage"></div></section>`);
    }
    if (n.type !== 'test' && n.type !== 'exposure') parts.push(this.columnsSection(n));
    if (n.type !== 'test' && n.type !== 'exposure') parts.push(this.testsSection(n));
    parts.push(this.relativesSection(n));
    const hasCode = n.raw_code !== undefined || n.compiled_code !== undefined || n.code_chunk !== undefined;
    if (hasCode) parts.push('<section class="panel code-tabs" id="code-host"><h2>Code</h2><p class="muted">loading…</p></section>');
    parts.push(`<section class="panel"><h2>Config</h2><pre class="code"><code>${esc(JSON.stringify(n.config, null, 2))}</code></pre></section>`);
    this.main.innerHTML = parts.join('');
    if (hasCode) {
      const shown = location.hash;
      loadCode(this.site, n).then(
        () => {
          const host = this.main.querySelector('#code-host');
          if (!host || location.hash !== shown) return;
          host.outerHTML = this.codeSection(n);
          this.wireCode();
        },
        () => {
          const host = this.main.querySelector('#code-host p');
          if (host) host.textContent = 'The SQL of this node could not be loaded (code/ is missing next to index.html).';
        },
      );
    }
    const host = this.main.querySelector('#node-lineage') as HTMLElement | null;
    if (host) {
      this.lineage = mountLineage(host, {
        graph: this.site.graph,
        selector: `1+${selectorFor(this.site.graph.nodes.get(n.id)!)}+1`,
        navigate: (to) => (location.hash = nodeHref(to)),
        height: 300,
      });
    }
  }

  private detailsTable(n: DocNode): string {
    const rows: Array<[string, string]> = [];
    if (n.relation) rows.push(['Relation', `<code>${esc(n.relation)}</code>`]);
    if (n.type === 'model') rows.push(['Materialized', esc(n.materialized ?? '')]);
    if (n.type === 'source') rows.push(['Source', esc(n.source_name ?? '')]);
    if (n.test) {
      rows.push(['Test', `${esc(n.test.namespace ? `${n.test.namespace}.` : '')}${esc(n.test.name)} (generic)`]);
      if (n.test.attached) rows.push(['Tests', this.link(n.test.attached)]);
      if (n.test.column) rows.push(['Column', `<code>${esc(n.test.column)}</code>`]);
      const kw = Object.entries(n.test.kwargs).filter(([k]) => k !== 'model' && k !== 'column_name');
      if (kw.length) rows.push(['Arguments', `<code>${esc(JSON.stringify(Object.fromEntries(kw)))}</code>`]);
      rows.push(['Severity', esc(String(n.config.severity ?? 'error'))]);
    } else if (n.type === 'test') rows.push(['Test', 'singular (SQL file)']);
    if (n.exposure) {
      rows.push(['Type', esc(n.exposure.type ?? '')]);
      if (n.exposure.owner) rows.push(['Owner', esc(Object.values(n.exposure.owner).filter(Boolean).join(' · '))]);
      if (n.exposure.maturity) rows.push(['Maturity', esc(n.exposure.maturity)]);
      if (n.exposure.url) rows.push(['URL', linkHtml(n.exposure.url, esc(n.exposure.url), ' rel="noopener noreferrer"')]);
      if (n.exposure.type === 'dashboard' && this.site.data.project.dashboard !== false) rows.push(['In these docs', '<a href="#/dashboard">the Dashboard page</a> draws the dashboards the project declares']);
    }
    if (n.stats) {
      rows.push(['Rows', n.stats.relation_type === 'view' ? '<span class="muted">view</span>' : n.stats.rows === null ? '—' : `${n.stats.rows.toLocaleString('en-US')}${n.stats.rows_exact ? '' : ' <span class="muted small">(estimate)</span>'}`]);
      rows.push(['Size', n.stats.relation_type === 'view' ? '—' : humanBytes(n.stats.bytes)]);
      rows.push(['Last built', esc(n.stats.updated ?? '—')]);
    } else if (n.relation && (n.type === 'model' || n.type === 'seed' || n.type === 'source')) {
      rows.push(['Rows', `<span class="muted">${this.site.data.project.catalog ? 'not built yet' : 'no catalog'}</span>`]);
    }
    if (n.type !== 'source' && n.type !== 'exposure') {
      rows.push(['Last run', `${statusBadge(n)}${n.result?.completed_at ? ` <span class="muted small">${esc(n.result.completed_at)}</span>` : ''}${n.result?.message ? ` <span class="small">${esc(n.result.message)}</span>` : ''}`]);
    }
    if (n.tags.length) rows.push(['Tags', n.tags.map((t) => `<a class="tag" href="#/lineage?select=${encodeURIComponent(`tag:${t}`)}">${esc(t)}</a>`).join(' ')]);
    rows.push(['Defined in', `<code>${esc(n.declared_at ? `${n.declared_at.file}:${n.declared_at.line}` : n.path)}</code>`]);
    rows.push(['Unique id', `<code>${esc(n.id)}</code>`]);
    return `<section class="panel"><h2>Details</h2><table class="kv" data-testid="details">${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${v}</td></tr>`).join('')}</table></section>`;
  }

  private columnsSection(n: DocNode): string {
    if (!n.columns.length) return `<section class="panel"><h2>Columns</h2><p class="muted">No columns documented${this.site.data.project.catalog ? ' and none in the catalog' : ''}.</p></section>`;
    const showLineage = n.type === 'model';
    const rows = n.columns.map((c) => {
      const tests = c.tests
        .map((tid) => this.site.byId.get(tid))
        .filter((t): t is DocNode => Boolean(t))
        .map((t) => `<span class="ctest">${this.link(t.id, t.test?.name ?? t.name)} ${statusBadge(t)}</span>`)
        .join(' ');
      return `<tr data-column="${esc(c.name)}"><td><code>${esc(c.name)}</code>${c.documented ? '' : ' <span class="muted small" title="in the database, not in the YAML">undocumented</span>'}${c.in_relation === false ? ' <span class="status warn" title="declared in the YAML, missing from the built relation">not in the relation</span>' : ''}</td><td>${esc(c.type ?? '')}</td><td class="md-body">${c.description ? markdown(c.description) : ''}</td><td>${tests}</td>${showLineage ? `<td class="col-lineage">${this.lineageCell(c)}</td>` : ''}</tr>`;
    });
    const note = n.lineage_error ? `<p class="small muted">Column lineage unknown: ${esc(n.lineage_error)}</p>` : '';
    return `<section class="panel"><h2>Columns</h2>${note}<div class="scroll-x"><table class="grid columns" data-testid="columns"><thead><tr><th>Column</th><th>Type</th><th>Description</th><th>Tests</th>${showLineage ? '<th>Upstream columns</th>' : ''}</tr></thead><tbody>${rows.join('')}</tbody></table></div></section>`;
  }

  private lineageCell(c: DocColumn): string {
    if (c.lineage === undefined) return '<span class="muted">—</span>';
    if (c.lineage === 'unknown') return '<span class="muted" data-lineage="unknown">unknown</span>';
    if (!c.lineage.length) return '<span class="muted" data-lineage="none">computed (no source column)</span>';
    return c.lineage
      .map((r) => (r.node ? `${this.link(r.node)}.<code>${esc(r.column)}</code>` : `<code>${esc(r.relation ?? '?')}.${esc(r.column)}</code>`))
      .join('<br>');
  }

  private testsSection(n: DocNode): string {
    const tests = this.site.testsOf.get(n.id) ?? [];
    if (!tests.length) return `<section class="panel"><h2>Tests</h2><p class="muted">No tests.</p></section>`;
    const rows = tests
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((t) => `<tr><td>${this.link(t.id, t.name)}</td><td>${t.test?.column ? `<code>${esc(t.test.column)}</code>` : ''}</td><td>${statusBadge(t)}</td></tr>`);
    return `<section class="panel"><h2>Tests</h2><table class="grid" data-testid="tests"><thead><tr><th>Test</th><th>Column</th><th>Last result</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
  }

  private relativesSection(n: DocNode): string {
    const list = (ids: string[]): string => {
      const shown = ids.filter((id) => this.site.byId.get(id)?.type !== 'test');
      if (!shown.length) return '<p class="muted">none</p>';
      return `<ul class="rel">${shown.map((id) => `<li>${this.link(id)} <span class="muted small">${esc(this.site.byId.get(id)?.type ?? '')}</span></li>`).join('')}</ul>`;
    };
    return `<section class="panel two"><div><h2>Depends on</h2><div data-testid="parents">${list(n.parents)}</div></div><div><h2>Referenced by</h2><div data-testid="children">${list(n.children)}</div></div></section>`;
  }

  private codeSection(n: DocNode): string {
    const tabs: Array<[string, string]> = [];
    if (n.raw_code !== undefined) tabs.push(['Source', n.raw_code]);
    if (n.compiled_code !== undefined) tabs.push(['Compiled', n.compiled_code]);
    return `<section class="panel code-tabs"><h2>Code</h2><div class="tabs">${tabs.map(([t], i) => `<button type="button" class="tab${i === 0 ? ' active' : ''}" data-tab="${i}">${t}</button>`).join('')}<button type="button" class="copy">copy</button></div>${tabs
      .map(([t, code], i) => `<pre class="code" data-pane="${i}" data-testid="code-${t.toLowerCase()}"${i ? ' hidden' : ''}><code>${esc(code)}</code></pre>`)
      .join('')}</section>`;
  }

  private wireCode(): void {
    const sec = this.main.querySelector('.code-tabs');
    if (!sec) return;
    sec.addEventListener('click', (e) => {
      const b = (e.target as Element).closest('button') as HTMLButtonElement | null;
      if (!b) return;
      if (b.classList.contains('copy')) {
        const pane = sec.querySelector('pre:not([hidden])');
        void navigator.clipboard?.writeText(pane?.textContent ?? '').then(
          () => (b.textContent = 'copied'),
          () => (b.textContent = 'copy failed'),
        );
        return;
      }
      for (const t of sec.querySelectorAll('.tab')) t.classList.toggle('active', t === b);
      for (const p of sec.querySelectorAll('pre')) (p as HTMLElement).hidden = (p as HTMLElement).dataset.pane !== b.dataset.tab;
    });
  }
}

function plural(type: string, n = 2): string {
  if (n === 1) return type;
  return type === 'seed' ? 'seeds' : type === 'source' ? 'sources' : type === 'test' ? 'tests' : type === 'exposure' ? 'exposures' : type === 'snapshot' ? 'snapshots' : 'models';
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** key=value pairs of the hash's query; unlike URLSearchParams, a typed `+` stays a `+` (selectors use it). */
export function parseQuery(q: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of q.split('&')) {
    if (!part) continue;
    const [k, v] = splitOnce(part, '=');
    out.set(safeDecode(k), safeDecode(v));
  }
  return out;
}

function splitOnce(s: string, sep: string): [string, string] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, ''] : [s.slice(0, i), s.slice(i + 1)];
}

function loadScript(src: string): Promise<void> {
  return new Promise((ok, fail) => {
    const el = document.createElement('script');
    el.src = src;
    el.onload = () => ok();
    el.onerror = () => fail(new Error(`cannot load ${src}`));
    document.head.appendChild(el);
  });
}

async function fetchJson<T>(url: string): Promise<T> {
  const r = await fetch(url, { cache: 'no-store' });
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return (await r.json()) as T;
}

const served = (): boolean => location.protocol === 'http:' || location.protocol === 'https:';

/** A served site fetches the JSON (fastest to parse); one opened from disk loads the same data as scripts. */
interface Loaded {
  data: DocsData;
  /** the dashboard data, on its way */
  dash: Promise<DashboardData | null>;
  /** details.json: requested on the first call */
  details: () => Promise<DocsDetails | null>;
}

function fetchOrScript<T>(json: string, script: string, global: () => T | undefined): Promise<T | null> {
  const have = global();
  if (have) return Promise.resolve(have);
  const viaScript = (): Promise<T | null> => loadScript(script).then(() => global() ?? null, () => null);
  return served() ? fetchJson<T>(json).catch(viaScript) : viaScript();
}

/** Resolves as soon as the graph data is in; the dashboard data and the documentation follow. */
async function loadData(): Promise<Loaded> {
  const dash = fetchOrScript<DashboardData>('dashboard.json', 'dashboard-data.js', () => window.__FT_DASHBOARD__);
  const data = await fetchOrScript<DocsData>('data.json', 'data.js', () => window.__FT_DOCS__);
  if (!data) throw new Error('data.js is missing or empty');
  let details: Promise<DocsDetails | null> | null = null;
  return { data, dash, details: () => (details ??= fetchOrScript<DocsDetails>('details.json', 'details.js', () => window.__FT_DETAILS__)) };
}

const codeChunks = new Map<number, Promise<void>>();

/** Loads the code/<n>.js chunk holding a node's SQL (once per chunk). */
function loadCode(site: Site, n: DocNode): Promise<void> {
  if (n.code_chunk === undefined || n.raw_code !== undefined || n.compiled_code !== undefined) return Promise.resolve();
  window.__ftCodeChunk ??= (_index: number, json: string) => {
    const chunk = JSON.parse(json) as CodeChunk;
    for (const [id, [raw, compiled]] of Object.entries(chunk)) {
      const node = site.byId.get(id);
      if (!node) continue;
      if (raw !== null) node.raw_code = raw;
      if (compiled !== null) node.compiled_code = compiled;
    }
  };
  let p = codeChunks.get(n.code_chunk);
  if (!p) {
    p = loadScript(`code/${n.code_chunk}.js`);
    p.catch(() => codeChunks.delete(n.code_chunk!));
    codeChunks.set(n.code_chunk, p);
  }
  return p;
}

/** Starts the site: loads the data, renders, and polls fresh dashboard data when served with --refresh. */
export async function boot(): Promise<void> {
  const root = document.getElementById('app');
  if (!root) return;
  let loaded: Loaded;
  try {
    loaded = await loadData();
  } catch (e) {
    root.innerHTML = `<p class="boot-message">The docs data could not be loaded (${esc((e as Error).message)}). Run <code>ft docs generate</code> again.</p>`;
    return;
  }
  performance.mark('ft:data-loaded');
  await nextTask();
  const site = await runStepsAsync(buildSiteSteps(loaded.data, null, false));
  let merged: Promise<void> | null = null;
  site.details = () =>
    (merged ??= loaded.details().then(async (d) => {
      if (d) await runStepsAsync(mergeDetailsSteps(site, d));
      site.detailsLoaded = true;
      performance.mark('ft:details-loaded');
    }));
  const dashIn = loaded.dash.then((d) => {
    site.dash ??= d;
  });
  site.dashboard = () => dashIn;
  // The documentation is requested now, unless the first page is the lineage explorer or the
  // dashboard: then once the graph is drawn, so its parsing does not hold the drawing up.
  if (/^#\/?(lineage|dashboard)/.test(location.hash)) {
    const later = (): void => void site.details();
    document.addEventListener('ft:lineage-drawn', later, { once: true });
    setTimeout(later, 3000);
  } else void site.details();
  performance.mark('ft:site-built');
  window.__ftSite = site;
  await nextTask();
  const app = new App(site, root);
  performance.mark('ft:rendered');
  window.__ftReady = performance.now();
  document.documentElement.dataset.ready = '1';
  await dashIn;
  // live: the server reads the panels again as each build lands; asking every second shows them within one
  const every = site.dash?.live ? 1 : site.dash?.refresh_seconds;
  if (every && served()) {
    window.setInterval(() => {
      fetchJson<DashboardData>('dashboard.json')
        .then((d) => app.updateDashboard(d))
        .catch(() => undefined);
    }, every * 1000);
  }
}

if (typeof window !== 'undefined' && typeof document !== 'undefined') void boot();
