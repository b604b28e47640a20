/**
 * Shared helpers of the flagship pipeline's integration tests (tests/integration/pipeline-*.test.ts):
 * a private copy of the project per test (so target/ is not shared), the ft CLI run as a child
 * process against a private database prefix (FT_DATABASE), table dumps, and an independent
 * computation of the KPIs from the event files (classifyLine, not the SQL).
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCatalog } from '../../src/generator/catalog.js';
import { classifyLine, readEventLines } from '../../src/generator/classify.js';
import { connect } from '../helpers/db.js';

export const REPO = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const FT_BIN = join(REPO, 'bin', 'ft.js');

/** Copies what makes the project (not target/, not the engine) into a fresh temporary folder. */
export function projectCopy(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `ft-pipeline-${label}-`));
  for (const p of ['project.yml', 'profiles.yml', 'models', 'macros', 'seeds', 'tests/data']) {
    cpSync(join(REPO, p), join(dir, p), { recursive: true });
  }
  mkdirSync(join(dir, 'landing', 'events'), { recursive: true });
  return dir;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export interface FtResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `ft <args> --project-dir <dir>` with FT_DATABASE=<database>. */
export function ft(dir: string, database: string, args: string[], timeoutMs = 600_000): Promise<FtResult> {
  return new Promise((res) => {
    execFile(
      process.execPath,
      [FT_BIN, ...args, '--project-dir', dir],
      { cwd: dir, env: { ...process.env, FT_DATABASE: database, FT_PASSWORD: process.env.FT_TEST_PASSWORD ?? '' }, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 99) : 0;
        res({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

/** `ft …` that must succeed; the failure message carries ft's output. */
export async function ftOk(dir: string, database: string, args: string[]): Promise<FtResult> {
  const r = await ft(dir, database, args);
  if (r.code !== 0) throw new Error(`ft ${args.join(' ')} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** Names of the tests that failed (their query returned rows) in an ft test/build output. */
export function failedTests(out: string): string[] {
  return [...out.matchAll(/\d+ of \d+ FAIL\S* (?:\d+ )?([A-Za-z0-9_]+)/g)].map((m) => m[1]!);
}

/** Names of the nodes that errored (their SQL could not run) in an ft test/build output: not a FAIL. */
export function erroredTests(out: string): string[] {
  return [...out.matchAll(/\d+ of \d+ ERROR\S* (?:\d+ )?([A-Za-z0-9_]+)/g)].map((m) => m[1]!);
}

/** Every row of every table and view in the given schemas, ordered, as JSON lines per relation. */
export async function dumpSchemas(schemas: string[]): Promise<Map<string, string[]>> {
  const conn = await connect();
  const out = new Map<string, string[]>();
  try {
    for (const schema of schemas) {
      const [tables] = await conn.query('SELECT table_name AS t FROM information_schema.tables WHERE table_schema = ? ORDER BY table_name', [schema]);
      for (const { t } of tables as Array<{ t: string }>) {
        const [cols] = await conn.query('SELECT column_name AS c FROM information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position', [schema, t]);
        const names = (cols as Array<{ c: string }>).map((c) => `\`${c.c}\``);
        const [rows] = await conn.query(`SELECT ${names.join(', ')} FROM \`${schema}\`.\`${t}\` ORDER BY ${names.map((_n, i) => i + 1).join(', ')}`);
        out.set(`${schema.replace(/^.*_(silver|gold)$/, '$1')}.${t}`, (rows as unknown[]).map((r) => JSON.stringify(r)));
      }
    }
  } finally {
    await conn.end();
  }
  return out;
}

/**
 * Copies every schema of a database prefix (`<from>` and `<from>_*`) to `<to>` and `<to>_*`:
 * tables with their rows and indexes, views re-pointed at the copies. A test that changes a
 * shared, already built pipeline works on a copy, so the tests that read the original never
 * see its change (and any test can run alone or in any order).
 */
export async function cloneDatabase(from: string, to: string): Promise<void> {
  const conn = await connect();
  const q = (s: string): string => `\`${s.replace(/`/g, '``')}\``;
  try {
    const [schemas] = await conn.query('SELECT schema_name AS s FROM information_schema.schemata WHERE schema_name = ? OR schema_name LIKE ?', [from, `${from.replace(/[\\_%]/g, '\\$&')}\\_%`]);
    const views: string[] = [];
    for (const { s } of schemas as Array<{ s: string }>) {
      const target = to + s.slice(from.length);
      await conn.query(`CREATE DATABASE ${q(target)}`);
      const [rels] = await conn.query('SELECT table_name AS t, table_type AS k FROM information_schema.tables WHERE table_schema = ? ORDER BY table_name', [s]);
      for (const { t, k } of rels as Array<{ t: string; k: string }>) {
        if (k === 'VIEW') {
          const [[row]] = (await conn.query(`SHOW CREATE VIEW ${q(s)}.${q(t)}`)) as unknown as [Array<Record<string, string>>];
          views.push(row!['Create View']!.split(from).join(to).replace(/ DEFINER=\S+/, ''));
        } else {
          await conn.query(`CREATE TABLE ${q(target)}.${q(t)} LIKE ${q(s)}.${q(t)}`);
          await conn.query(`INSERT INTO ${q(target)}.${q(t)} SELECT * FROM ${q(s)}.${q(t)}`);
        }
      }
    }
    // a view may read another view: create them in whatever order their parents allow
    for (let pending = views; pending.length; ) {
      const failed: string[] = [];
      let lastError: unknown;
      for (const ddl of pending) await conn.query(ddl).catch((e: unknown) => (failed.push(ddl), (lastError = e)));
      if (failed.length === pending.length) throw lastError;
      pending = failed;
    }
  } finally {
    await conn.end();
  }
}

export async function query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
  const conn = await connect();
  try {
    const [rows] = await conn.query(sql, params);
    return rows as T[];
  } finally {
    await conn.end();
  }
}

// ---------------------------------------------------------------- independent KPI computation

export interface DayKpis {
  events: number;
  views: number;
  add_to_carts: number;
  remove_from_carts: number;
  purchases: number;
  units_sold: number;
  revenue_cents: number;
  sessions: number;
  cart_sessions: number;
  abandoned_cart_sessions: number;
  conversion_rate: number | null;
  cart_abandonment_rate: number | null;
  average_order_value: number | null;
  demand_pressure_index: number | null;
}

/**
 * The four KPIs per UTC day and overall ('overall'), straight from the event files in the
 * order they were loaded: each line classified with classifyLine (the producer's contract),
 * the first valid copy of an event_id kept, then counted in plain TypeScript.
 */
export function expectedKpis(filesInLoadOrder: string[]): Map<string, DayKpis> {
  const catalog = new Set(readCatalog(join(REPO, 'seeds', 'products.csv')).map((p) => p.productId));
  const seen = new Set<string>();
  const days = new Map<string, DayKpis>();
  const sessions = new Map<string, { first: string; cart: boolean; purchase: boolean }>();
  const blank = (): DayKpis => ({
    events: 0, views: 0, add_to_carts: 0, remove_from_carts: 0, purchases: 0, units_sold: 0, revenue_cents: 0,
    sessions: 0, cart_sessions: 0, abandoned_cart_sessions: 0,
    conversion_rate: null, cart_abandonment_rate: null, average_order_value: null, demand_pressure_index: null,
  });
  const dayOf = (key: string): DayKpis => {
    let d = days.get(key);
    if (!d) days.set(key, (d = blank()));
    return d;
  };
  for (const line of readEventLines(filesInLoadOrder, 'ndjson')) {
    const c = classifyLine(line, 'ndjson', catalog);
    if (c.kind !== 'valid') continue;
    const e = c.event!;
    if (seen.has(e.event_id)) continue;
    seen.add(e.event_id);
    for (const d of [dayOf(e.event_ts.slice(0, 10)), dayOf('overall')]) {
      d.events++;
      if (e.event_type === 'view') d.views++;
      else if (e.event_type === 'add_to_cart') d.add_to_carts++;
      else if (e.event_type === 'remove_from_cart') d.remove_from_carts++;
      else {
        d.purchases++;
        d.units_sold += e.quantity;
        d.revenue_cents += Math.round(e.price * 100) * e.quantity;
      }
    }
    const s = sessions.get(e.session_id) ?? { first: e.event_ts, cart: false, purchase: false };
    if (e.event_ts < s.first) s.first = e.event_ts;
    if (e.event_type === 'add_to_cart') s.cart = true;
    if (e.event_type === 'purchase') s.purchase = true;
    sessions.set(e.session_id, s);
  }
  for (const s of sessions.values()) {
    for (const d of [dayOf(s.first.slice(0, 10)), dayOf('overall')]) {
      d.sessions++;
      if (s.cart) d.cart_sessions++;
      if (s.cart && !s.purchase) d.abandoned_cart_sessions++;
    }
  }
  for (const d of days.values()) {
    d.conversion_rate = d.views ? d.purchases / d.views : null;
    d.cart_abandonment_rate = d.cart_sessions ? d.abandoned_cart_sessions / d.cart_sessions : null;
    d.average_order_value = d.purchases ? d.revenue_cents / 100 / d.purchases : null;
    d.demand_pressure_index = d.units_sold ? d.events / d.units_sold : null;
  }
  return days;
}

/** Writes NDJSON lines to a file (with a trailing newline). */
export function writeLines(path: string, lines: string[]): void {
  writeFileSync(path, lines.length ? `${lines.join('\n')}\n` : '');
}

export function readLines(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}
