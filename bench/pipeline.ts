/**
 * `npm run bench:pipeline` — the flagship pipeline's incremental build against a full refresh
 * of the same data, at two bronze table sizes (default 1,250,000 and 10,000,000 events).
 *
 * For each size:
 *   1. bronze: the producer's base stream (BENCH_BASE_EVENTS = 78,125 events over 8 days, with
 *      dirt) loaded by `ft stream-load --once`, then doubled with INSERT … SELECT until the size
 *      is reached — each copy with fresh event and session ids, shifted back in time by the span
 *      so far (so bronze holds size / 9,766 days of ~9,766 events a day, like the original
 *      system's 10K daily events), and later batch ids; the loader's checkpoint is told about
 *      the copied batches so its next batch id follows them;
 *   2. `ft build --full-refresh` (the initial build; timed, not compared);
 *   3. BENCH_NEW_EVENTS (10,000) new events produced for the day after (some late, ≤ 6 h, the
 *      producer's own) plus 50 very late events for 5 days months back, loaded by
 *      `ft stream-load --once`;
 *   4. `ft build` — the incremental build (models and every test);
 *   5. `ft build --full-refresh` of the same data — the baseline.
 * Ratio = (4) / (5), target ≤ 5%; and (4) should stay flat from the small size to the large one.
 * Per-node times come from target/run_results.json (models vs tests).
 *
 * Env: BENCH_SIZES (comma list, each BENCH_BASE_EVENTS × a power of 2), BENCH_NEW_EVENTS,
 * BENCH_BASE_EVENTS, BENCH_KEEP=1 keeps the databases; FT_BENCH_HOST/PORT/USER/PASSWORD.
 * Results: printed, and the `## pipeline` section of bench/RESULTS.md.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { produce } from '../src/generator/produce.js';
import { BENCH_DB } from './bench-db.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(repo, 'bench', 'out', 'pipeline');
const PROJECT = join(OUT, 'project');
const DB = BENCH_DB;
const DATABASE = 'ftbench_pipeline';
const BASE_EVENTS = Number(process.env.BENCH_BASE_EVENTS ?? 78_125);
const BASE_DAYS = 8;
const SIZES = (process.env.BENCH_SIZES ?? '1250000,10000000').split(',').map((s) => Number(s.trim()));
const NEW_EVENTS = Number(process.env.BENCH_NEW_EVENTS ?? 10_000);
const DAY = 86_400_000;
const END = Date.parse('2026-11-24T00:00:00Z');
const BASE_START = END - BASE_DAYS * DAY;
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const secs = (ms: number): string => (ms / 1000).toFixed(1);

for (const s of SIZES) {
  const k = Math.log2(s / BASE_EVENTS);
  if (!Number.isInteger(k) || k < 0) throw new Error(`BENCH_SIZES: ${s} is not BENCH_BASE_EVENTS (${BASE_EVENTS}) × a power of 2`);
}

function log(msg: string): void {
  process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

interface FtRun {
  ms: number;
  code: number;
  out: string;
}

function ft(args: string[]): Promise<FtRun> {
  const t0 = performance.now();
  return new Promise((res) => {
    execFile(
      process.execPath,
      [join(repo, 'bin', 'ft.js'), ...args, '--project-dir', PROJECT],
      { cwd: PROJECT, env: { ...process.env, FT_DATABASE: DATABASE, FT_PASSWORD: DB.password }, maxBuffer: 256 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 99) : 0;
        res({ ms: performance.now() - t0, code, out: `${stdout}${stderr}` });
      },
    );
  });
}

async function ftOk(args: string[]): Promise<FtRun> {
  const r = await ft(args);
  if (r.code !== 0) throw new Error(`ft ${args.join(' ')} exited ${r.code}:\n${r.out.split('\n').slice(-30).join('\n')}`);
  return r;
}

/** Seconds spent in models and in tests (sums over nodes; with 4 threads they overlap). */
function nodeTimes(): { models: number; tests: number; slowest: string[] } {
  const path = join(PROJECT, 'target', 'run_results.json');
  const rr = JSON.parse(readFileSync(path, 'utf8')) as { results: Array<{ unique_id: string; execution_time: number }> };
  let models = 0;
  let tests = 0;
  for (const r of rr.results) {
    if (r.unique_id.startsWith('test.')) tests += r.execution_time;
    else if (r.unique_id.startsWith('model.')) models += r.execution_time;
  }
  const slowest = [...rr.results].sort((a, b) => b.execution_time - a.execution_time).slice(0, 5).map((r) => `${r.unique_id.split('.').pop()} ${r.execution_time.toFixed(1)}s`);
  return { models, tests, slowest };
}

async function connect(): Promise<mysql.Connection> {
  return mysql.createConnection({ ...DB, dateStrings: true, timezone: 'Z', supportBigNumbers: true, multipleStatements: true });
}

async function dropDatabases(conn: mysql.Connection): Promise<void> {
  const [rows] = await conn.query('SELECT schema_name AS s FROM information_schema.schemata WHERE schema_name = ? OR schema_name LIKE ?', [DATABASE, `${DATABASE}\\_%`]);
  for (const r of rows as Array<{ s: string }>) await conn.query(`DROP DATABASE \`${r.s}\``);
}

/** The producer's output for these options, produced once and kept in bench/out/pipeline. */
async function producedFiles(name: string, opts: Omit<Parameters<typeof produce>[0], 'out'>): Promise<{ dir: string; ms: number | null; lines: number }> {
  const dir = join(OUT, name);
  const marker = join(dir, 'summary.json');
  if (existsSync(marker)) return { dir, ms: null, lines: (JSON.parse(readFileSync(marker, 'utf8')) as { lines: number }).lines };
  rmSync(dir, { recursive: true, force: true });
  const t0 = performance.now();
  const s = await produce({ ...opts, out: dir, catalog: join(repo, 'seeds', 'products.csv') });
  const ms = performance.now() - t0;
  writeFileSync(marker, JSON.stringify(s));
  return { dir, ms, lines: s.lines };
}

const COLS = ['event_id', 'event_type', 'event_ts', 'user_id', 'session_id', 'product_id', 'category', 'price', 'quantity', 'flash_sale_id'];

interface SizeResult {
  size: number;
  days: number;
  doubleMs: number;
  initial: FtRun;
  load: number;
  inc: FtRun;
  incNodes: ReturnType<typeof nodeTimes>;
  full: FtRun;
  fullNodes: ReturnType<typeof nodeTimes>;
  newRows: number;
}

async function benchSize(size: number, base: string, fresh: string): Promise<SizeResult> {
  const conn = await connect();
  const bronze = `\`${DATABASE}_bronze\`.\`flash_sale_events\``;
  try {
    await dropDatabases(conn);
    rmSync(join(PROJECT, 'target'), { recursive: true, force: true });
    log(`size ${fmt(size)}: loading the base stream`);
    await ftOk(['stream-load', '--once', '--path', base]);
    // doublings: each copy older by the span so far, with fresh ids and later batch ids
    const t0 = performance.now();
    const doublings = Math.log2(size / BASE_EVENTS);
    let span = BASE_DAYS;
    for (let d = 1; d <= doublings; d++) {
      const [m] = await conn.query(`SELECT MAX(_batch_id) AS m FROM ${bronze}`);
      const maxBatch = Number((m as Array<{ m: number }>)[0]!.m);
      const [res] = await conn.query(
        `INSERT INTO ${bronze} (${COLS.join(', ')}, _ingested_at, _source_file, _source_line, _batch_id)
         SELECT concat(event_id, '~', ${d}), event_type, event_ts - interval ${span} day, user_id, concat(session_id, '~', ${d}), product_id, category, price, quantity, flash_sale_id,
                _ingested_at, concat('copy', ${d}, '/', _source_file), _source_line, _batch_id + ${maxBatch}
         FROM ${bronze}`,
      );
      span *= 2;
      log(`  doubling ${d}/${doublings}: +${fmt((res as { affectedRows: number }).affectedRows)} rows (${span} days), ${secs(performance.now() - t0)}s so far`);
    }
    const [m] = await conn.query(`SELECT MAX(_batch_id) AS m, COUNT(*) AS n FROM ${bronze}`);
    const maxBatch = Number((m as Array<{ m: number }>)[0]!.m);
    const bronzeRows = Number((m as Array<{ n: number }>)[0]!.n);
    await conn.query(
      `INSERT INTO \`${DATABASE}_bronze\`.\`flash_sale_events__checkpoint\`
         (file_id, head_len, source_file, source_path, file_size, bytes_committed, lines_committed, rows_loaded, rows_rejected, completed, first_batch_id, last_batch_id, created_at, updated_at)
       VALUES (sha2('bench copies', 256), 0, 'bench-copies', NULL, 0, 0, 0, ?, 0, 1, 1, ?, now(6), now(6))`,
      [bronzeRows, maxBatch],
    );
    const doubleMs = performance.now() - t0;
    log(`  bronze ready: ${fmt(bronzeRows)} rows in ${secs(doubleMs)}s of INSERT … SELECT; initial full build…`);

    const initial = await ftOk(['build', '--full-refresh']);
    log(`  initial ft build --full-refresh: ${secs(initial.ms)}s`);

    const t1 = performance.now();
    await ftOk(['stream-load', '--once', '--path', fresh]);
    const load = performance.now() - t1;
    const [nr] = await conn.query(`SELECT COUNT(*) AS n FROM ${bronze} WHERE _batch_id > ?`, [maxBatch]);
    const newRows = Number((nr as Array<{ n: number }>)[0]!.n);
    log(`  loaded ${fmt(newRows)} new bronze rows in ${secs(load)}s; incremental build…`);

    const inc = await ftOk(['build']);
    const incNodes = nodeTimes();
    // kept: the full refresh below overwrites run_results.json
    cpSync(join(PROJECT, 'target', 'run_results.json'), join(OUT, `incremental-run-results-${bronzeRows}.json`));
    log(`  incremental ft build: ${secs(inc.ms)}s (models ${incNodes.models.toFixed(1)}s, tests ${incNodes.tests.toFixed(1)}s summed); full refresh…`);
    const full = await ftOk(['build', '--full-refresh']);
    const fullNodes = nodeTimes();
    log(`  ft build --full-refresh: ${secs(full.ms)}s (models ${fullNodes.models.toFixed(1)}s, tests ${fullNodes.tests.toFixed(1)}s summed) → ratio ${((inc.ms / full.ms) * 100).toFixed(2)}%`);
    return { size: bronzeRows, days: span, doubleMs, initial, load, inc, incNodes, full, fullNodes, newRows };
  } finally {
    if (process.env.BENCH_KEEP !== '1') await dropDatabases(conn).catch(() => undefined);
    await conn.end();
  }
}

/** The new events: a day after the base's end (some late), and 50 very late ones for old days. */
async function freshEvents(): Promise<{ dir: string; ms: number | null }> {
  const p = await producedFiles(`fresh-${NEW_EVENTS}`, {
    events: NEW_EVENTS,
    seed: 2027,
    start: END,
    spanMs: DAY,
    filePrefix: 'fresh',
    dirt: { duplicates: 0.02, malformed: 0.01, nulls: 0.01, invalid: 0.01, late: 0.02 },
  });
  const veryLate = join(p.dir, 'very-late-000001.ndjson');
  if (!existsSync(veryLate)) {
    const lines = readFileSync(join(p.dir, readdirSync(p.dir).find((f) => f.startsWith('fresh-'))!), 'utf8').split('\n').filter((l) => l.startsWith('{"event_id":"'));
    const out: string[] = [];
    for (let i = 0; out.length < 50 && i < lines.length; i += 7) {
      const e = JSON.parse(lines[i]!) as Record<string, unknown>;
      if (typeof e.event_ts !== 'string' || !(Number(e.price) > 0) || !(Number(e.quantity) >= 1)) continue;
      const daysBack = [30, 61, 92, 120, 150][out.length % 5]!;
      e.event_id = `late-${String(out.length).padStart(4, '0')}-${String(e.event_id).slice(10)}`;
      e.event_ts = new Date(Date.parse(e.event_ts) - daysBack * DAY).toISOString();
      out.push(JSON.stringify(e));
    }
    writeFileSync(veryLate, `${out.join('\n')}\n`);
  }
  return { dir: p.dir, ms: p.ms };
}

function writeResults(results: SizeResult[], produceRate: number | null, loadStart: number, server: string): void {
  const path = join(repo, 'bench', 'RESULTS.md');
  const ratio = (r: SizeResult) => (r.inc.ms / r.full.ms) * 100;
  const rows = results.map(
    (r) =>
      `| ${fmt(r.size)} | ${fmt(r.days)} | ${fmt(r.newRows)} | ${secs(r.inc.ms)} | ${r.incNodes.models.toFixed(1)} / ${r.incNodes.tests.toFixed(1)} | ${secs(r.full.ms)} | ${r.fullNodes.models.toFixed(1)} / ${r.fullNodes.tests.toFixed(1)} | **${ratio(r).toFixed(2)}%** | ${secs(r.initial.ms)} | ${secs(r.doubleMs)} |`,
  );
  const [small, large] = [results[0]!, results[results.length - 1]!];
  const section = [
    '## pipeline',
    '',
    `Command: \`npm run bench:pipeline\` (bench/pipeline.ts; env BENCH_SIZES=${SIZES.join(',')} BENCH_NEW_EVENTS=${NEW_EVENTS} BENCH_BASE_EVENTS=${BASE_EVENTS}).`,
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, load average ${loadStart.toFixed(1)} at the start and ${loadavg()[0]!.toFixed(1)} at the end (shared machine), ${server} on the same machine, ft threads 4.`,
    `Data: the producer's stream of ${fmt(BASE_EVENTS)} events over ${BASE_DAYS} days (2% duplicates, 1% malformed, 1% nulls, 1% invalid, 2% late) loaded by ft stream-load, then doubled by INSERT … SELECT (fresh event and session ids, each copy ${BASE_DAYS}·2^k days older, later batch ids) to the size; then ${fmt(NEW_EVENTS)} new events for the next day (the producer's late events included) + 50 events 30–150 days late, loaded by ft stream-load. ` +
      (produceRate ? `Producing events runs at ${fmt(produceRate)} lines/s here, so 10M straight from the producer would take ~${Math.round(10_000_000 / produceRate / 60)} min — hence the doubling.` : ''),
    'Incremental = `ft build` after the new events (every model and every data test); full refresh = `ft build --full-refresh` of the same data right after. Models / tests = seconds summed over nodes (4 threads, so they overlap; wall time is the build column).',
    '',
    '| bronze rows | days | new bronze rows | incremental build s | models / tests s | full refresh s | models / tests s | incremental / full | initial build s | doubling s |',
    '|---:|---:|---:|---:|---|---:|---|---:|---:|---:|',
    ...rows,
    '',
    `**Incremental / full refresh at ${fmt(large.size)} rows: ${ratio(large).toFixed(2)}%** (target ≤ 5%). ` +
      (results.length > 1
        ? `The incremental build took ${secs(small.inc.ms)}s at ${fmt(small.size)} rows and ${secs(large.inc.ms)}s at ${fmt(large.size)} (×${(large.inc.ms / small.inc.ms).toFixed(2)} for ×${(large.size / small.size).toFixed(0)} the data); the full refresh ×${(large.full.ms / small.full.ms).toFixed(1)}.`
        : ''),
    `Slowest nodes of the incremental build at ${fmt(large.size)}: ${large.incNodes.slowest.join(', ')}. Of the full refresh: ${large.fullNodes.slowest.join(', ')}.`,
    '',
  ].join('\n');
  let text = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmark results\n';
  const start = text.indexOf('\n## pipeline\n');
  if (start >= 0) {
    const next = text.indexOf('\n## ', start + 1);
    text = text.slice(0, start + 1) + section + (next >= 0 ? text.slice(next + 1) : '');
  } else text = `${text.trimEnd()}\n\n${section}`;
  writeFileSync(path, text);
  process.stdout.write(`\n${section}\n`);
}

/** The server and the settings that decide its speed here, as read from it (not assumed). */
async function serverSettings(): Promise<string> {
  const conn = await connect();
  try {
    const [rows] = await conn.query('SELECT @@version AS v, @@innodb_buffer_pool_size AS pool, @@innodb_flush_log_at_trx_commit AS flush, @@tmp_table_size AS tmp');
    const r = (rows as Array<{ v: string; pool: number; flush: number; tmp: number }>)[0]!;
    const mib = (n: number) => `${Math.round(Number(n) / 2 ** 20)} MiB`;
    return `${String(r.v).split('-')[0]} (${String(r.v).includes('MariaDB') ? 'MariaDB' : 'MySQL'}; innodb_buffer_pool_size ${mib(r.pool)}, innodb_flush_log_at_trx_commit=${r.flush}, tmp_table_size ${mib(r.tmp)})`;
  } finally {
    await conn.end();
  }
}

async function main(): Promise<void> {
  const loadStart = loadavg()[0]!;
  const server = await serverSettings();
  mkdirSync(OUT, { recursive: true });
  rmSync(PROJECT, { recursive: true, force: true });
  for (const p of ['project.yml', 'profiles.yml', 'models', 'macros', 'seeds', 'tests/data']) cpSync(join(repo, p), join(PROJECT, p), { recursive: true });
  if (!existsSync(join(repo, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run npm run build first (npm run bench:pipeline does)');

  log(`producing the base stream (${fmt(BASE_EVENTS)} events over ${BASE_DAYS} days)…`);
  const base = await producedFiles(`base-${BASE_EVENTS}`, {
    events: BASE_EVENTS,
    seed: 42,
    start: BASE_START,
    spanMs: BASE_DAYS * DAY,
    fileEvents: 10_000,
    dirt: { duplicates: 0.02, malformed: 0.01, nulls: 0.01, invalid: 0.01, late: 0.02 },
  });
  const produceRate = base.ms ? base.lines / (base.ms / 1000) : null;
  if (produceRate) log(`  ${fmt(base.lines)} lines in ${secs(base.ms!)}s (${fmt(produceRate)} lines/s)`);
  const fresh = await freshEvents();

  const results: SizeResult[] = [];
  for (const size of SIZES) results.push(await benchSize(size, base.dir, fresh.dir));
  writeResults(results, produceRate, loadStart, server);
}

main().catch((e: Error) => {
  process.stderr.write(`bench:pipeline failed: ${e.message}\n`);
  process.exit(1);
});
