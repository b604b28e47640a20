import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { loadProject } from '../../src/project/load-project.js';
import { FtError } from '../../src/util/errors.js';
import type { DashboardData, DocsData, DocsDetails } from '../../src/docs/site/types.js';
import { unpackDocsData } from '../../src/docs/site/app.js';

const FIXTURE = resolve(import.meta.dirname, '../e2e/fixtures/flash');
let dir: string;
const saved = { port: process.env.FT_PORT, db: process.env.FT_DATABASE };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ft-docs-gen-'));
  cpSync(FIXTURE, dir, { recursive: true });
  // nothing listens on port 1: the database is unreachable
  process.env.FT_PORT = '1';
  process.env.FT_DATABASE = 'ft_docs_unit';
});

afterAll(() => {
  if (saved.port === undefined) delete process.env.FT_PORT;
  else process.env.FT_PORT = saved.port;
  if (saved.db === undefined) delete process.env.FT_DATABASE;
  else process.env.FT_DATABASE = saved.db;
  rmSync(dir, { recursive: true, force: true });
});

function loadData<T>(file: string, global: string): T {
  const window: Record<string, unknown> = {};
  runInNewContext(readFileSync(file, 'utf8'), { window, JSON });
  return window[global] as T;
}

describe('ft docs generate without a database', () => {
  it('writes the site without catalog and dashboard data, warns, and exits 0', async () => {
    const errors: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
      errors.push(String(s));
      return true;
    });
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    let code: number;
    try {
      code = await main(['docs', 'generate', '--project-dir', dir]);
    } finally {
      spy.mockRestore();
      out.mockRestore();
    }
    expect(code).toBe(0);
    expect(errors.join('')).toMatch(/warning: the database is not reachable .*generated without the catalog/);
    const docs = join(dir, 'target', 'docs');
    for (const f of ['index.html', 'data.js', 'data.json', 'details.js', 'details.json', 'dashboard-data.js', 'dashboard.json']) expect(existsSync(join(docs, f))).toBe(true);
    expect(existsSync(join(dir, 'target', 'catalog.json'))).toBe(false);
    expect(existsSync(join(dir, 'target', 'manifest.json'))).toBe(true);

    const html = readFileSync(join(docs, 'index.html'), 'utf8');
    expect(html).not.toMatch(/<script[^>]+src="https?:/);
    expect(html).not.toMatch(/<link[^>]+href="https?:/);
    // a Content-Security-Policy the page can live under: nothing inline, its code and styles in files beside it
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(html).toContain('<script src="app.js"></script>');
    expect(html).toContain('<link rel="stylesheet" href="site.css">');
    expect(html).not.toMatch(/<script>|<style|\sstyle=|\son\w+=/i);
    expect(readFileSync(join(docs, 'app.js'), 'utf8')).toContain('__ft_m');
    expect(readFileSync(join(docs, 'site.css'), 'utf8')).toContain('.legend-item i.c0');

    // the browser's view: the graph (data.js) with the details (details.js) merged in
    const raw = loadData<DocsData>(join(docs, 'data.js'), '__FT_DOCS__');
    // data.js holds what the graph needs; descriptions and columns come in details.js
    expect(Object.keys(raw.nodes[0]!)).not.toContain('columns');
    expect(Object.keys(raw.nodes[0]!)).not.toContain('description');
    const data = unpackDocsData(raw);
    const details = loadData<DocsDetails>(join(docs, 'details.js'), '__FT_DETAILS__');
    data.nodes.forEach((n, i) => Object.assign(n, details.details[i]));
    const ids = data.nodes.map((n) => n.id);
    for (const n of data.nodes) for (const c of n.columns) c.tests = (c.tests ?? []).map((t) => (typeof t === 'number' ? ids[t]! : t));
    expect(data.project.catalog).toBe(false);
    expect(data.project.run_results).toBeNull();
    expect(data.overview.source).toMatch(/overview/);
    const kpi = data.nodes.find((n) => n.name === 'kpi_daily')!;
    // SQL lives in code chunks, loaded when a page opens
    expect(kpi.compiled_code).toBeUndefined();
    const chunks: Record<number, Record<string, [string | null, string | null]>> = {};
    runInNewContext(readFileSync(join(docs, 'code', `${kpi.code_chunk}.js`), 'utf8'), { window: { __ftCodeChunk: (i: number, json: string) => (chunks[i] = JSON.parse(json)) }, JSON });
    expect(chunks[kpi.code_chunk!]![kpi.id]![1]).toContain('`ft_docs_unit_silver`.`valid_events`');
    expect(data.configs![kpi.cfg!]!.materialized).toBe('table');
    expect(kpi.result).toBeUndefined();
    expect(kpi.columns.find((c) => c.name === 'conversion_rate')!.description).toBe('Purchase events / view events of the day.');
    // without the catalog, columns of a single-table query still resolve; the others say unknown
    const legacy = data.nodes.find((n) => n.name === 'legacy_extract')!;
    expect(legacy.lineage_error).toMatch(/cannot parse/);

    const dash = loadData<DashboardData>(join(docs, 'dashboard-data.js'), '__FT_DASHBOARD__');
    expect(dash.database).toBe(false);
    // the fixture's dashboards: section, each panel read from nothing
    const panels = dash.dashboards!.flatMap((d) => d.panels);
    expect(panels.map((p) => p.kind)).toEqual(['kpi_tiles', 'time_series', 'time_series', 'bars', 'heatmap', 'table']);
    expect(new Set(panels.map((p) => p.status))).toEqual(new Set(['unavailable']));
    expect(panels[3]!.models).toEqual(['model.flash_e2e.category_performance_daily']);
    expect(data.project.dashboard).toBe(true);
    expect(dash.exposures.map((e) => e.name)).toEqual(['kpi_dashboard']);
  });
});

describe('doc blocks', () => {
  it('a doc block referenced but not defined is an error naming the YAML line', async () => {
    const bad = mkdtempSync(join(tmpdir(), 'ft-docs-bad-'));
    try {
      cpSync(FIXTURE, bad, { recursive: true });
      const yml = join(bad, 'models', 'schema.yml');
      writeFileSync(yml, readFileSync(yml, 'utf8').replace('{{doc "conversion_rate"}}', '{{doc "conversion_rat"}}'));
      // the error names the column's entry (`- name: conversion_rate`), the line just above its description
      const lines = readFileSync(yml, 'utf8').split('\n');
      const line = lines.findIndex((l) => /^\s*- name: conversion_rate\s*$/.test(l)) + 1;
      expect(lines[line]).toContain('{{doc "conversion_rat"}}');
      const err = await loadProject({ projectDir: bad, partialParse: false }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(FtError);
      const e = err as FtError;
      expect(e.file).toBe('models/schema.yml');
      expect(e.format()).toMatch(/doc block "conversion_rat" is referenced but not defined/);
      expect(e.format()).toMatch(/conversion_rate/); // did you mean
      expect(line).toBeGreaterThan(1);
      expect(e.line).toBe(line);
    } finally {
      rmSync(bad, { recursive: true, force: true });
    }
  });
});
