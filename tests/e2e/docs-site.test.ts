/**
 * The docs site in a real headless browser (Debian's Chromium via playwright-core):
 * a fixture project is built on MariaDB, documented with `ft docs generate`, served
 * with `ft docs serve --live`, and used as a person would.
 */
import { spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type mysql from 'mysql2/promise';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, dropSchemas, uniquePrefix } from '../helpers/db.js';
import { launchBrowser } from './browser.js';
import { startDocsServe } from './docs-serve-process.js';

const ROOT = resolve(import.meta.dirname, '../..');
const FT = join(ROOT, 'bin', 'ft.js');
const FIXTURE = join(import.meta.dirname, 'fixtures', 'flash');
const prefix = uniquePrefix('docs');
const env = { ...process.env, FT_DATABASE: prefix, NO_COLOR: '1' };

let dir: string;
let server: ChildProcessWithoutNullStreams;
let url: string;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let db: mysql.Connection;

function ft(args: string[], extraEnv: Record<string, string> = {}): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [FT, ...args], { env: { ...env, ...extraEnv }, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** A page that fails the test on any console error or uncaught exception, and on requests leaving the server. */
async function openPage(): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith(url) && !u.startsWith('data:') && !u.startsWith('file:')) problems.push(`external request: ${u}`);
  });
  return { page, problems };
}

/** Starts `ft docs serve --live` on the fixture project; resolves once it serves. */
async function startServer(): Promise<{ server: ChildProcessWithoutNullStreams; exit: Promise<number | null>; url: string }> {
  const { server, url } = await startDocsServe(dir, env, ['--live']);
  const exit = new Promise<number | null>((ok) => (server.exitCode !== null ? ok(server.exitCode) : server.on('exit', (code) => ok(code))));
  return { server, exit, url };
}

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'docs.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does).');
  dir = mkdtempSync(join(tmpdir(), 'ft-docs-e2e-'));
  cpSync(FIXTURE, dir, { recursive: true });
  const build = ft(['build', '--project-dir', dir]);
  expect(build.code, build.out).toBe(0);
  const gen = ft(['docs', 'generate', '--project-dir', dir]);
  expect(gen.code, gen.out).toBe(0);
  expect(gen.out).toMatch(/catalog at/);

  ({ server, url } = await startServer());
  browser = await launchBrowser();
  db = await connect();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  if (server && server.exitCode === null) server.kill('SIGTERM');
  await db?.end();
  await dropSchemas(prefix);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('ft docs site in a browser', () => {
  it('loads from the local server with no console errors and shows the overview doc block', async () => {
    const { page, problems } = await openPage();
    await page.goto(url);
    await page.waitForSelector('[data-testid=overview]');
    expect(await page.textContent('[data-testid=overview]')).toContain('Flash-sale analytics (browser test project)');
    expect(await page.textContent('main')).toContain('read from the database');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('searches for a model and opens its page with columns, types, tests and SQL', async () => {
    const { page, problems } = await openPage();
    await page.goto(url);
    await page.fill('[data-testid=search-input]', 'kpi_da');
    await page.click('[data-testid=search-result][data-id="model.flash_e2e.kpi_daily"]');
    await page.waitForSelector('[data-testid=node-title]');
    expect(await page.textContent('[data-testid=node-title]')).toContain('kpi_daily');
    expect(page.url()).toContain('#/node/model.flash_e2e.kpi_daily');
    const conv = page.locator('[data-testid=columns] tr[data-column=conversion_rate]');
    expect(await conv.textContent()).toContain('decimal');
    expect(await conv.textContent()).toContain('Purchase events / view events of the day.');
    expect(await page.locator('[data-testid=columns] tr[data-column=kpi_key]').textContent()).toMatch(/unique\s*pass/);
    expect(await page.textContent('[data-testid=details]')).toMatch(/Rows\s*4/);
    expect(await page.textContent('[data-testid=code-source]')).toContain('{{ref "valid_events"}}');
    expect(await page.locator('[data-testid=code-compiled]').textContent()).toContain(`\`${prefix}_silver\`.\`valid_events\``);
    // search by column description reaches the model too
    await page.fill('[data-testid=search-input]', 'view events of the day');
    await page.waitForSelector('[data-testid=search-result][data-id="model.flash_e2e.kpi_daily"]');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('shows 1+node+1 lineage on a page and clicking a parent opens it', async () => {
    const { page, problems } = await openPage();
    await page.goto(`${url}#/node/model.flash_e2e.kpi_daily`);
    await page.waitForSelector('[data-testid=node-lineage][data-state=ready]');
    expect(await page.inputValue('[data-testid=node-lineage] input.selector')).toBe('1+kpi_daily+1');
    const names = await page.$$eval('[data-testid=node-lineage] g.gnode', (gs) => gs.map((g) => (g as SVGGElement).dataset.name).sort());
    expect(names).toEqual(['kpi_daily', 'kpi_dashboard', 'sessions', 'valid_events']);
    await page.click('[data-testid=node-lineage] g.gnode[data-name=sessions]');
    await page.waitForFunction(() => location.hash.includes('model.flash_e2e.sessions'));
    await page.waitForSelector('[data-testid=node-title]');
    expect(await page.textContent('[data-testid=node-title]')).toContain('sessions');
    expect(await page.textContent('[data-testid=children]')).toContain('kpi_daily');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('selects in the lineage explorer with the CLI syntax', async () => {
    const { page, problems } = await openPage();
    await page.goto(`${url}#/lineage`);
    const host = '[data-testid=lineage]';
    await page.waitForSelector(`${host}[data-state=ready]`);
    const drawn = () => page.$$eval(`${host} g.gnode`, (gs) => gs.map((g) => (g as SVGGElement).dataset.name).sort());
    expect((await drawn()).length).toBe(11);
    const apply = async (text: string) => {
      await page.fill(`${host} input.selector`, text);
      await page.press(`${host} input.selector`, 'Enter');
      await page.waitForFunction((h) => document.querySelector(h)?.getAttribute('data-state') !== 'busy', host);
    };
    await apply('+kpi_daily');
    expect(await drawn()).toEqual(['events', 'kpi_daily', 'products', 'sessions', 'valid_events']);
    await apply('tag:gold,+demand_alerts');
    expect(await drawn()).toEqual(['demand_alerts', 'product_performance_hourly']);
    await apply('resource_type:seed exposure:kpi_dashboard');
    expect(await drawn()).toEqual(['events', 'kpi_dashboard', 'products']);
    await apply('2+category_performance_daily');
    expect(await drawn()).toEqual(['category_performance_daily', 'product_performance_hourly', 'valid_events']);
    await apply('nope:x');
    expect(await page.textContent(`${host} [data-testid=lineage-status]`)).toMatch(/unknown selector method/);
    await apply('@valid_events');
    expect((await drawn()).length).toBe(10);
    await page.click(`${host} g.gnode[data-name=products]`);
    await page.waitForFunction(() => location.hash.includes('seed.flash_e2e.products'));
    // a selection larger than what is drawn says so; the nodes nearest the named one are kept
    await page.goto(`${url}#/lineage?select=${encodeURIComponent('+kpi_dashboard+')}&cap=4`);
    await page.waitForSelector(`${host}[data-state=ready]`);
    expect(await page.textContent(`${host} [data-testid=lineage-status]`)).toBe('showing 4 of 10 nodes — refine the selection to see the rest');
    expect(await drawn()).toContain('kpi_dashboard');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('shows column lineage, and "unknown" where the SQL cannot be read', async () => {
    const { page, problems } = await openPage();
    await page.goto(`${url}#/node/model.flash_e2e.kpi_daily`);
    const conv = page.locator('[data-testid=columns] tr[data-column=conversion_rate] td.col-lineage');
    // purchases / views, both sum(event_type = …) over valid_events
    expect(await conv.textContent()).toBe('valid_events.event_type');
    const cart = page.locator('[data-testid=columns] tr[data-column=cart_abandonment_rate] td.col-lineage');
    expect(await cart.textContent()).toBe('sessions.is_abandoned_cartsessions.has_add_to_cart');
    await page.goto(`${url}#/node/model.flash_e2e.category_performance_daily`);
    expect(await page.locator('[data-testid=columns] tr[data-column=revenue] td.col-lineage').textContent()).toBe('product_performance_hourly.revenue');
    await page.goto(`${url}#/node/model.flash_e2e.legacy_extract`);
    expect(await page.locator('[data-testid=columns] tr[data-column=short_name] td.col-lineage').textContent()).toBe('unknown');
    expect(problems).toEqual([]);
    await page.close();
  });

  it("draws the dashboards: section: KPI tiles with the metrics' values and their change, a time series, bars, a heat map, a table, each with its freshness", async () => {
    const { page, problems } = await openPage();
    await page.goto(`${url}#/dashboard`);
    await page.waitForSelector('[data-testid=declared-dashboard][data-name=flash_sale]');
    expect(await page.locator('[data-testid=nav-dashboard]').count()).toBe(1);
    // the metrics, computed by hand from the silver models' sums, per day and overall
    const sums = async (group: boolean): Promise<Array<Record<string, unknown>>> => {
      const [ev] = await db.query(
        `SELECT ${group ? "date_format(event_date, '%Y-%m-%d')" : "'all'"} AS d, sum(event_type = 'purchase') AS purchases, sum(event_type = 'view') AS views,
                sum(revenue) AS revenue, count(*) AS events, sum(units_sold) AS units FROM \`${prefix}_silver\`.valid_events${group ? ' GROUP BY event_date ORDER BY event_date' : ''}`,
      );
      const [se] = await db.query(
        `SELECT ${group ? "date_format(session_date, '%Y-%m-%d')" : "'all'"} AS d, sum(is_abandoned_cart) AS abandoned, sum(has_add_to_cart) AS carts FROM \`${prefix}_silver\`.sessions${group ? ' GROUP BY session_date' : ''}`,
      );
      const s = new Map((se as Array<Record<string, unknown>>).map((r) => [r.d, r]));
      return (ev as Array<Record<string, unknown>>).map((r) => ({
        d: r.d,
        conversion_rate: Number(r.purchases) / Number(r.views),
        average_order_value: Number(r.revenue) / Number(r.purchases),
        demand_pressure_index: Number(r.events) / Number(r.units),
        cart_abandonment_rate: Number(s.get(r.d)!.abandoned) / Number(s.get(r.d)!.carts),
      }));
    };
    const days = await sums(true);
    const latest = days[days.length - 1]!;
    const previous = days[days.length - 2]!;
    const overall = (await sums(false))[0]!;
    const shown: Record<string, (v: number) => string> = {
      conversion_rate: (v) => `${(v * 100).toFixed(2)}%`,
      cart_abandonment_rate: (v) => `${(v * 100).toFixed(2)}%`,
      average_order_value: (v) => `$${v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`,
      demand_pressure_index: (v) => v.toFixed(2),
    };
    for (const [metric, text] of Object.entries(shown)) {
      const tile = page.locator(`[data-testid=kpi-${metric}]`);
      expect(await tile.getAttribute('data-day')).toBe(latest.d);
      expect(Number(await tile.getAttribute('data-value'))).toBeCloseTo(Number(latest[metric]), 9);
      expect(Number(await tile.getAttribute('data-previous'))).toBeCloseTo(Number(previous[metric]), 9);
      expect(Number(await tile.getAttribute('data-overall'))).toBeCloseTo(Number(overall[metric]), 9);
      expect(await tile.locator('.tile-value').textContent()).toBe(text(Number(latest[metric])));
      expect(await tile.locator('.tile-delta').textContent()).toContain('vs previous day');
    }
    // a rate going the declared better way is good news, the other way bad
    const up = Number(latest.conversion_rate) > Number(previous.conversion_rate);
    expect(await page.locator('[data-testid=kpi-conversion_rate] .tile-delta').getAttribute('class')).toContain(up ? 'good' : 'bad');

    const panel = (kind: string, n = 0) => page.locator(`[data-testid=dash-panel][data-kind=${kind}]`).nth(n);
    expect(await panel('time_series', 0).locator('path.line').count()).toBe(1);
    expect(await panel('time_series', 1).locator('path.line').count()).toBe(5);
    expect(await panel('bars').locator('g.bar').count()).toBe(3);
    const [cells] = await db.query(`SELECT COUNT(*) AS n FROM \`${prefix}_gold\`.hourly_sales_pattern`);
    expect(await panel('heatmap').locator('rect.cell').count()).toBe(Number((cells as Array<{ n: number }>)[0]!.n));
    const [alerts] = await db.query(`SELECT COUNT(*) AS n, date_format(MAX(event_hour), '%Y-%m-%d %H:%i:%s') AS newest FROM \`${prefix}_gold\`.demand_alerts`);
    const a = (alerts as Array<{ n: number; newest: string }>)[0]!;
    expect(await panel('table').locator('tbody tr').count()).toBe(Number(a.n));
    expect(await panel('table').locator('thead th').allTextContents()).toEqual(['event_hour', 'product_name', 'anomaly_type', 'demand', 'z_score']);
    // each panel says when its rows were read and the newest time they show
    expect(await page.locator('[data-testid=panel-freshness]').count()).toBe(6);
    for (const f of await page.locator('[data-testid=panel-freshness]').all()) expect(Number.isNaN(Date.parse((await f.getAttribute('data-read-at'))!))).toBe(false);
    expect(await panel('table').locator('[data-testid=panel-freshness]').getAttribute('data-newest')).toBe(a.newest);
    expect(await panel('kpi_tiles').locator('[data-testid=panel-freshness]').getAttribute('data-newest')).toBe(latest.d);
    expect(await page.textContent('[data-testid=dashboard]')).toContain('Flash-sale KPI dashboard');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('serve --live redraws a panel as a build lands, with its freshness, without a reload', async () => {
    const { page, problems } = await openPage();
    await page.goto(`${url}#/dashboard`);
    await page.waitForSelector('[data-testid=dash-panel][data-kind=bars] g.bar');
    // a page reload would lose this
    await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
    const bars = page.locator('[data-testid=dash-panel][data-kind=bars]');
    const readBefore = await bars.locator('[data-testid=panel-freshness]').getAttribute('data-read-at');
    // the built tables are shared by every test: the changed value is put back whatever happens
    const table = `\`${prefix}_gold\`.category_performance_daily`;
    const [cats] = await db.query(`SELECT category FROM ${table} GROUP BY category ORDER BY SUM(revenue) LIMIT 1`);
    const category = (cats as Array<{ category: string }>)[0]!.category;
    // a build landing rewrites run_results.json: the server reads the panels again (else only every 30s)
    // each landing moves its mtime a further minute ahead: always a change, no chance involved
    let landings = 0;
    const landed = (): void => {
      const f = join(dir, 'target', 'run_results.json');
      const t = new Date(Date.now() + ++landings * 60_000);
      utimesSync(f, t, t);
    };
    try {
      await db.query(`UPDATE ${table} SET revenue = revenue + 1000000 WHERE category = ?`, [category]);
      landed();
      // the smallest category becomes the first bar, its value shown in dollars
      await page.waitForFunction((c) => document.querySelector('[data-testid=dash-panel][data-kind=bars] g.bar .bar-label')?.textContent === c, category, { timeout: 15_000 });
      const [sum] = await db.query(`SELECT SUM(revenue) AS v FROM ${table} WHERE category = ?`, [category]);
      const v = Number((sum as Array<{ v: unknown }>)[0]!.v);
      expect(await bars.locator('g.bar .bar-value').first().textContent()).toBe(`$${(v / 1e6).toFixed(1)}M`);
      expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
      expect(Date.parse((await bars.locator('[data-testid=panel-freshness]').getAttribute('data-read-at'))!)).toBeGreaterThan(Date.parse(readBefore!));
      expect(problems).toEqual([]);
    } finally {
      await db.query(`UPDATE ${table} SET revenue = revenue - 1000000 WHERE category = ?`, [category]);
      landed();
      // until the server has served the original values again, a test run after this one (tests shuffle) would read the changed one
      await page.waitForFunction((c) => document.querySelector('[data-testid=dash-panel][data-kind=bars] g.bar .bar-label')?.textContent !== c, category, { timeout: 15_000 });
      await page.close();
    }
  });

  it('a project that declares no dashboard has no Dashboard tab', async () => {
    const other = mkdtempSync(join(tmpdir(), 'ft-docs-e2e-plain-'));
    try {
      cpSync(join(FIXTURE, 'profiles.yml'), join(other, 'profiles.yml'));
      writeFileSync(join(other, 'project.yml'), 'name: plain\nversion: "1.0.0"\nprofile: flash_e2e\nmodel-paths: ["models"]\n');
      mkdirSync(join(other, 'models'));
      writeFileSync(join(other, 'models', 'orders.sql'), 'select 1 as order_id, 2.5 as revenue\n');
      writeFileSync(join(other, 'models', 'schema.yml'), 'version: 2\nmodels:\n  - name: orders\n    description: Orders.\n');
      const gen = ft(['docs', 'generate', '--project-dir', other], { FT_DATABASE: `${prefix}_plain` });
      expect(gen.code, gen.out).toBe(0);
      const { page, problems } = await openPage();
      await page.goto(`${pathToFileURL(join(other, 'target', 'docs', 'index.html')).href}#/overview`);
      await page.waitForSelector('nav [data-nav=lineage]');
      expect(await page.locator('[data-testid=nav-dashboard]').count()).toBe(0);
      expect(await page.locator('nav a').allTextContents()).toEqual(['Overview', 'Lineage']);
      expect(problems).toEqual([]);
      await page.close();
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('opens from disk (file://) and says "not run yet" / "not built yet" before any build', async () => {
    const fresh = mkdtempSync(join(tmpdir(), 'ft-docs-e2e-nb-'));
    try {
      cpSync(FIXTURE, fresh, { recursive: true });
      const gen = ft(['docs', 'generate', '--project-dir', fresh], { FT_DATABASE: `${prefix}_nb` });
      expect(gen.code, gen.out).toBe(0);
      const { page, problems } = await openPage();
      const index = pathToFileURL(join(fresh, 'target', 'docs', 'index.html')).href;
      await page.goto(`${index}#/node/model.flash_e2e.kpi_daily`);
      await page.waitForSelector('[data-testid=node-title]');
      expect(await page.textContent('[data-testid=details]')).toContain('not run yet');
      expect(await page.locator('[data-testid=columns] tr[data-column=kpi_key]').textContent()).toContain('not run yet');
      await page.goto(`${index}#/dashboard`);
      await page.waitForSelector('[data-testid=dashboard]');
      expect(await page.textContent('[data-testid=dashboard]')).toContain('Key indicators: not built yet');
      expect(await page.locator('[data-testid=dash-panel][data-status=missing]').count()).toBe(6);
      expect(problems).toEqual([]);
      await page.close();
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });

  it('ft docs serve stops cleanly on Ctrl-C (exit 0)', async () => {
    // its own server: the one the other tests use keeps serving
    const own = await startServer();
    try {
      const res = await fetch(own.url);
      expect(res.status).toBe(200);
      own.server.kill('SIGINT');
      const code = await Promise.race([own.exit, new Promise<string>((ok) => setTimeout(() => ok('timeout'), 10_000))]);
      expect(code).toBe(0);
    } finally {
      if (own.server.exitCode === null) own.server.kill('SIGKILL');
    }
  });
});
