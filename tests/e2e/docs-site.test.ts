/**
 * The docs site in a real headless browser (Debian's Chromium via playwright-core):
 * a fixture project is built on MariaDB, documented with `ft docs generate`, served
 * with `ft docs serve --refresh`, and used as a person would.
 */
import { spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
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

/** Starts `ft docs serve --refresh 1s` on the fixture project; resolves once it serves. */
async function startServer(): Promise<{ server: ChildProcessWithoutNullStreams; exit: Promise<number | null>; url: string }> {
  const { server, url } = await startDocsServe(dir, env, ['--refresh', '1s']);
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

  it('shows the four KPIs of the latest day as kpi_daily has them, and the other panels', async () => {
    const { page, problems } = await openPage();
    await page.goto(`${url}#/dashboard`);
    await page.waitForSelector('[data-testid=dashboard]');
    const [rows] = await db.query(`SELECT * FROM \`${prefix}_gold\`.kpi_daily ORDER BY day IS NULL, day`);
    const all = rows as Array<Record<string, unknown>>;
    const days = all.filter((r) => r.day !== null);
    const latest = days[days.length - 1]!;
    const overall = all.find((r) => r.day === null)!;
    const expected: Record<string, string> = {
      conversion_rate: `${(Number(latest.conversion_rate) * 100).toFixed(2)}%`,
      cart_abandonment_rate: `${(Number(latest.cart_abandonment_rate) * 100).toFixed(2)}%`,
      average_order_value: `$${Number(latest.average_order_value).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`,
      demand_pressure_index: Number(latest.demand_pressure_index).toFixed(2),
    };
    for (const [col, shown] of Object.entries(expected)) {
      const tile = page.locator(`[data-testid=kpi-${col}]`);
      expect(Number(await tile.getAttribute('data-value'))).toBeCloseTo(Number(latest[col]), 6);
      expect(Number(await tile.getAttribute('data-overall'))).toBeCloseTo(Number(overall[col]), 6);
      expect(await tile.locator('.tile-value').textContent()).toBe(shown);
      expect(await tile.locator('.tile-delta').textContent()).toContain('day over day');
    }
    expect(await page.locator('[data-testid=panel-products] path.line').count()).toBe(5);
    expect(await page.locator('[data-testid=panel-categories] g.bar').count()).toBe(3);
    expect(await page.locator('[data-testid=panel-heatmap] rect.cell').count()).toBeGreaterThan(10);
    const [alerts] = await db.query(`SELECT COUNT(*) AS n FROM \`${prefix}_gold\`.demand_alerts`);
    expect(await page.locator('[data-testid=panel-anomalies] tbody tr').count()).toBe(Number((alerts as Array<{ n: number }>)[0]!.n));
    expect(await page.textContent('[data-testid=dashboard]')).toContain('Flash-sale KPI dashboard');
    expect(problems).toEqual([]);
    await page.close();
  });

  it('serve --refresh shows fresh gold data without a reload', async () => {
    const { page, problems } = await openPage();
    await page.goto(`${url}#/dashboard`);
    await page.waitForSelector('[data-testid=kpi-conversion_rate]');
    // the built tables are shared by every test: the changed value is put back whatever happens
    const latestDay = `(SELECT MAX(day) FROM (SELECT day FROM \`${prefix}_gold\`.kpi_daily) d)`;
    const [before] = await db.query(`SELECT conversion_rate AS c FROM \`${prefix}_gold\`.kpi_daily WHERE day = ${latestDay}`);
    const original = (before as Array<{ c: unknown }>)[0]!.c;
    expect(Number(original)).not.toBe(0.5);
    try {
      await db.query(`UPDATE \`${prefix}_gold\`.kpi_daily SET conversion_rate = 0.5 WHERE day = ${latestDay}`);
      await page.waitForFunction(() => document.querySelector('[data-testid=kpi-conversion_rate] .tile-value')?.textContent === '50.00%', undefined, { timeout: 15_000 });
      expect(problems).toEqual([]);
    } finally {
      await db.query(`UPDATE \`${prefix}_gold\`.kpi_daily SET conversion_rate = ? WHERE day = ${latestDay}`, [original]);
      // the server refreshes its data every second: until it has served the original value again, a test
      // run after this one (tests shuffle) would read the changed value from a page it opens
      await page.waitForFunction((v) => Math.abs(Number(document.querySelector('[data-testid=kpi-conversion_rate]')?.getAttribute('data-value')) - v) < 1e-9, Number(original), { timeout: 15_000 });
      await page.close();
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
      expect(await page.textContent('[data-testid=dashboard]')).toContain('KPIs: not built yet');
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
