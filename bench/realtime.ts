/**
 * `npm run bench:realtime` — end-to-end freshness of the flagship's gold tables under a steady
 * event stream: the time from an event file being renamed into the landing folder to its
 * events being visible in gold (kpi_daily and product_performance_hourly), per minute
 * (p50 / p95 / max), with the loader's CPU and memory and the server's CPU.
 *
 * For each rate (BENCH_RATES, default 1000,5000,10000 events/s) and each mode, for
 * BENCH_MINUTES (default 5; or one per rate, comma-separated) of producing, in a fresh copy of the project and a fresh database:
 *   - continuous: `ft stream-load --build source:bronze+` (one process: load, then build the
 *     models of the batches committed, coalescing what lands during a build; the data and unit
 *     tests every 60 s, its default --test-interval);
 *   - baseline: what a user would script without it — `ft stream-load --once` then `ft build`,
 *     in a loop.
 * The producer writes one file per second (the flagship's dirt: 2% duplicates, 1% malformed,
 * 1% nulls, 1% invalid, 2% late). A file is visible in a gold table once the table's
 * MAX(_max_batch_id) reaches the last batch that loaded it (the loader's checkpoint says which);
 * the poller looks every 200 ms, so latencies are rounded up to it.
 *
 * The continuous loader's output is kept in bench/out/realtime/continuous-<rate>/loader.log.
 * Env: BENCH_RATES, BENCH_MINUTES, BENCH_MODES (continuous,baseline), BENCH_MAX_BATCHES (continuous:
 * --max-batches-per-build, default 10), BENCH_MAX_BATCH_ROWS (continuous: --max-batch-rows, default 5000), BENCH_KEEP=1 keeps the
 * databases; BENCH_BUFFER_POOL=4G and BENCH_REDO_LOG=2G (the server's InnoDB buffer pool and redo log
 * for the run: bench/server-sizing.ts);
 * BENCH_NODE_ARGS (node flags for the ft processes: "--cpu-prof --cpu-prof-dir=/tmp/p" profiles them);
 * FT_BENCH_HOST/PORT/USER/PASSWORD. Results: printed, and the `## realtime` section
 * of bench/RESULTS.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { produce } from '../src/generator/produce.js';
import { BENCH_DB } from './bench-db.js';
import { benchBufferPool, benchRedoLog } from './server-sizing.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const FT = join(repo, 'bin', 'ft.js');
const OUT = join(repo, 'bench', 'out', 'realtime');
const DB = BENCH_DB;
const RATES = (process.env.BENCH_RATES ?? '1000,5000,10000').split(',').map((s) => Number(s.trim()));
/** minutes of producing: one number for every rate, or one per rate (BENCH_MINUTES=2,5,2) */
const MINUTES_LIST = (process.env.BENCH_MINUTES ?? '5').split(',').map((s) => Number(s.trim()));
const minutesFor = (rate: number): number => MINUTES_LIST[RATES.indexOf(rate)] ?? MINUTES_LIST[0]!;
const MODES = (process.env.BENCH_MODES ?? 'continuous,baseline').split(',').map((s) => s.trim()) as Mode[];
const DIRT = { duplicates: 0.02, malformed: 0.01, nulls: 0.01, invalid: 0.01, late: 0.02 };
const GOLD = ['kpi_daily', 'product_performance_hourly'] as const;
const POLL_MS = 200;
/** continuous mode: loader batches (about a second of events each) one build takes at most */
const MAX_BATCHES = Number(process.env.BENCH_MAX_BATCHES ?? 10);
/** …of at most this many rows each: a build's window functions and GROUP BYs then stay in memory */
const MAX_BATCH_ROWS = Number(process.env.BENCH_MAX_BATCH_ROWS ?? 5000);
/** after the producer stops: how long everything may take to become visible */
const DRAIN_MS = 180_000;
/** node flags for the ft processes, e.g. BENCH_NODE_ARGS="--cpu-prof --heap-prof" (not allowed in NODE_OPTIONS) */
const NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);

type Mode = 'continuous' | 'baseline';

interface Minute {
  minute: number;
  files: number;
  latency: Record<(typeof GOLD)[number], number[]>;
  ftCpu: number;
  serverCpu: number;
  rssMb: number;
  bronzeRows: number;
}

interface RunResult {
  mode: Mode;
  rate: number;
  minutes: Minute[];
  all: Record<(typeof GOLD)[number], number[]>;
  events: number;
  invisible: number;
  builds: number;
  /** continuous: seconds of each build (from its `build #n … in X s` line) */
  buildSeconds: number[];
  /** continuous: test runs, and those that failed */
  testRuns: number;
  testFailures: number;
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const log = (msg: string): void => void process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function pct(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

/** utime + stime of a process, in seconds (Linux /proc). */
function cpuSeconds(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}

function rssMb(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** pid of the process with this name (Linux /proc), if any */
function pidOf(name: string): number | undefined {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/comm`, 'utf8').trim() === name) return Number(d);
    } catch {
      /* gone */
    }
  }
  return undefined;
}

function ftProcess(dir: string, database: string, args: string[]): ChildProcess {
  const child = spawn(process.execPath, [...NODE_ARGS, FT, ...args, '--project-dir', dir], { cwd: dir, env: { ...process.env, FT_DATABASE: database, FT_PASSWORD: DB.password, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.resume();
  child.stderr!.resume();
  return child;
}

function ftOnce(dir: string, database: string, args: string[]): Promise<number> {
  return new Promise((res) => ftProcess(dir, database, args).on('close', (code) => res(code ?? 1)));
}

async function run(mode: Mode, rate: number): Promise<RunResult> {
  const dir = join(OUT, `${mode}-${rate}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'landing', 'events'), { recursive: true });
  for (const p of ['project.yml', 'profiles.yml', 'models', 'macros', 'seeds', 'tests/data']) cpSync(join(repo, p), join(dir, p), { recursive: true });
  const database = `ftbench_rt_${mode.slice(0, 4)}_${rate}`;
  const conn = await mysql.createConnection({ ...DB, multipleStatements: false });
  for (const s of ['', '_bronze', '_silver', '_gold', '_test_failures', '_reference']) await conn.query(`DROP DATABASE IF EXISTS \`${database}${s}\``);
  if ((await ftOnce(dir, database, ['seed'])) !== 0) throw new Error(`ft seed failed in ${dir}`);

  const renamed = new Map<string, number>();
  const fileBatch = new Map<string, number>();
  const visible = new Map<string, Record<string, number>>();
  const t0 = Date.now();
  const minutes: Minute[] = [];
  const server = pidOf('mariadbd') ?? pidOf('mysqld');
  let builds = 0;
  const buildSeconds: number[] = [];
  let testRuns = 0;
  let testFailures = 0;
  let stopping = false;

  let loader: ChildProcess | null = null;
  let baseline: Promise<void> | null = null;
  if (mode === 'continuous') {
    loader = ftProcess(dir, database, ['stream-load', '--build', 'source:bronze+', '--trigger-interval', '250ms', '--status-interval', '60s', '--max-batches-per-build', String(MAX_BATCHES), '--max-batch-rows', String(MAX_BATCH_ROWS)]);
    const logFile = createWriteStream(join(dir, 'loader.log'));
    loader.stdout!.pipe(logFile);
    let pending = '';
    loader.stdout!.on('data', (d: Buffer) => {
      const text = pending + d.toString();
      const lines = text.split('\n');
      pending = lines.pop()!;
      for (const l of lines) {
        const b = /^build #\d+ .* in ([\d.]+)s/.exec(l);
        if (b) {
          builds++;
          buildSeconds.push(Number(b[1]));
        }
        if (/^tests #\d+ /.test(l)) {
          testRuns++;
          if (/^tests #\d+ FAILED/.test(l)) testFailures++;
        }
      }
    });
  } else {
    baseline = (async () => {
      while (!stopping) {
        await ftOnce(dir, database, ['stream-load', '--once']);
        await ftOnce(dir, database, ['build']);
        builds++;
      }
    })();
  }

  let lastCpu = { at: Date.now(), ft: cpuSeconds(loader?.pid), server: cpuSeconds(server) };
  const sampleMinute = async (m: number): Promise<void> => {
    const now = Date.now();
    const ft = cpuSeconds(loader?.pid);
    const sv = cpuSeconds(server);
    const dt = (now - lastCpu.at) / 1000;
    const [rows] = await conn.query(`SELECT COALESCE(SUM(rows_loaded), 0) AS n FROM \`${database}_bronze\`.flash_sale_events__checkpoint`).catch(() => [[{ n: 0 }]] as never);
    minutes[m] = {
      ...(minutes[m] ?? { minute: m, files: 0, latency: { kpi_daily: [], product_performance_hourly: [] } }),
      ftCpu: mode === 'continuous' ? ((ft - lastCpu.ft) / dt) * 100 : NaN,
      serverCpu: ((sv - lastCpu.server) / dt) * 100,
      rssMb: rssMb(loader?.pid),
      bronzeRows: Number((rows as Array<{ n: number }>)[0]!.n),
    };
    lastCpu = { at: now, ft, server: sv };
  };

  // the poller: which files are loaded (and by which batch), and which gold tables show them
  let polling = true;
  const poller = (async () => {
    let nextMinute = 1;
    while (polling) {
      await sleep(POLL_MS);
      const now = Date.now();
      try {
        const [cp] = await conn.query(`SELECT source_file AS f, last_batch_id AS b FROM \`${database}_bronze\`.flash_sale_events__checkpoint WHERE completed = 1`);
        for (const r of cp as Array<{ f: string; b: number }>) fileBatch.set(r.f, Number(r.b));
        const marks: Record<string, number> = {};
        for (const g of GOLD) {
          const [x] = await conn.query(`SELECT COALESCE(MAX(_max_batch_id), 0) AS m FROM \`${database}_gold\`.${g}`);
          marks[g] = Number((x as Array<{ m: number }>)[0]!.m);
        }
        for (const [f, at] of renamed) {
          const b = fileBatch.get(f);
          if (b === undefined) continue;
          const v = visible.get(f) ?? {};
          for (const g of GOLD) if (v[g] === undefined && marks[g]! >= b) v[g] = now - at;
          visible.set(f, v);
        }
      } catch {
        /* tables not created yet */
      }
      if (now - t0 >= nextMinute * 60_000) await sampleMinute(nextMinute++ - 1);
    }
  })();

  const summary = await produce({
    out: join(dir, 'landing', 'events'),
    rate,
    durationMs: minutesFor(rate) * 60_000,
    fileEvents: rate,
    seed: `rt-${rate}`,
    dirt: DIRT,
    catalog: join(dir, 'seeds', 'products.csv'),
    onFile: (name) => renamed.set(name, Date.now()),
  });
  log(`${mode} ${fmt(rate)}/s: produced ${fmt(summary.lines)} lines in ${summary.files.length} files; waiting for gold to show them all`);
  const drainEnd = Date.now() + DRAIN_MS;
  while (Date.now() < drainEnd && [...renamed.keys()].some((f) => GOLD.some((g) => visible.get(f)?.[g] === undefined))) await sleep(500);
  stopping = true;
  polling = false;
  await poller;
  if (loader) {
    loader.kill('SIGTERM');
    await new Promise((r) => loader!.on('close', r));
  }
  await baseline;

  for (const [f, at] of renamed) {
    const m = Math.floor((at - t0) / 60_000);
    minutes[m] ??= { minute: m, files: 0, latency: { kpi_daily: [], product_performance_hourly: [] }, ftCpu: NaN, serverCpu: NaN, rssMb: NaN, bronzeRows: NaN };
    minutes[m]!.files++;
    for (const g of GOLD) {
      const l = visible.get(f)?.[g];
      if (l !== undefined) minutes[m]!.latency[g].push(l);
    }
  }
  const all = { kpi_daily: [] as number[], product_performance_hourly: [] as number[] };
  for (const m of minutes) if (m) for (const g of GOLD) all[g].push(...m.latency[g]);
  const invisible = [...renamed.keys()].filter((f) => GOLD.some((g) => visible.get(f)?.[g] === undefined)).length;
  if (!process.env.BENCH_KEEP) for (const s of ['', '_bronze', '_silver', '_gold', '_test_failures', '_reference']) await conn.query(`DROP DATABASE IF EXISTS \`${database}${s}\``);
  await conn.end();
  return { mode, rate, minutes: minutes.filter(Boolean), all, events: summary.lines, invisible, builds, buildSeconds, testRuns, testFailures };
}

const s = (ms: number): string => (Number.isNaN(ms) ? '–' : (ms / 1000).toFixed(1));

function report(results: RunResult[], loadStart: number, bufferPoolMb: number): string {
  const lines: string[] = [
    '## realtime',
    '',
    `Command: \`npm run bench:realtime\` (bench/realtime.ts; env BENCH_RATES=${RATES.join(',')} BENCH_MINUTES=${MINUTES_LIST.join(',')} BENCH_MODES=${MODES.join(',')}${process.env.BENCH_BUFFER_POOL ? ` BENCH_BUFFER_POOL=${process.env.BENCH_BUFFER_POOL}` : ''}${process.env.BENCH_REDO_LOG ? ` BENCH_REDO_LOG=${process.env.BENCH_REDO_LOG}` : ''}).`,
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, load average ${loadStart.toFixed(1)} at the start and ${loadavg()[0]!.toFixed(1)} at the end; MariaDB on the same machine (innodb_buffer_pool_size ${fmt(bufferPoolMb)} MiB${process.env.BENCH_BUFFER_POOL ? `, set for the run by BENCH_BUFFER_POOL=${process.env.BENCH_BUFFER_POOL}` : ''}; redo log ${redo.label}).`,
    `Latency = from a landing file's rename to its events being visible in the gold table (polled every 200 ms). continuous = \`ft stream-load --build source:bronze+ --max-batches-per-build ${MAX_BATCHES} --max-batch-rows ${MAX_BATCH_ROWS}\` (models after each batch, at most ${MAX_BATCHES} batches of ≤ ${fmt(MAX_BATCH_ROWS)} rows a build; tests every 60 s); baseline = \`ft stream-load --once\` then \`ft build\` (models and tests), in a loop.`,
    '',
    '| mode | events/s | events | builds | build p50 / p95 s | test runs (failed) | kpi_daily p50 / p95 / max s | product_performance_hourly p50 / p95 / max s | files never visible |',
    '|---|---:|---:|---:|---|---:|---|---|---:|',
  ];
  for (const r of results) {
    const g = (k: (typeof GOLD)[number]) => `${s(pct(r.all[k], 50))} / ${s(pct(r.all[k], 95))} / ${s(Math.max(...r.all[k]))}`;
    const bs = r.buildSeconds.map((x) => x * 1000);
    const tests = r.mode === 'continuous' ? `${r.testRuns} (${r.testFailures})` : 'each build';
    lines.push(`| ${r.mode} | ${fmt(r.rate)} | ${fmt(r.events)} | ${r.builds} | ${bs.length ? `${s(pct(bs, 50))} / ${s(pct(bs, 95))}` : '–'} | ${tests} | ${g('kpi_daily')} | ${g('product_performance_hourly')} | ${r.invisible} |`);
  }
  for (const rate of RATES) {
    const c = results.find((r) => r.rate === rate && r.mode === 'continuous');
    const b = results.find((r) => r.rate === rate && r.mode === 'baseline');
    if (c && b) lines.push('', `At ${fmt(rate)} events/s: p95 to kpi_daily, baseline / continuous = **${(pct(b.all.kpi_daily, 95) / pct(c.all.kpi_daily, 95)).toFixed(2)}×**.`);
  }
  lines.push('', 'Per minute (by the minute the file was renamed):', '');
  lines.push('| mode | events/s | minute | files | kpi_daily p50 / p95 / max s | product_performance_hourly p95 s | loader CPU % | server CPU % | loader RSS MB | bronze rows |', '|---|---:|---:|---:|---|---:|---:|---:|---:|---:|');
  for (const r of results) {
    for (const m of r.minutes) {
      const k = m.latency.kpi_daily;
      lines.push(`| ${r.mode} | ${fmt(r.rate)} | ${m.minute + 1} | ${m.files} | ${s(pct(k, 50))} / ${s(pct(k, 95))} / ${s(k.length ? Math.max(...k) : NaN)} | ${s(pct(m.latency.product_performance_hourly, 95))} | ${Number.isNaN(m.ftCpu) ? '–' : m.ftCpu.toFixed(0)} | ${Number.isNaN(m.serverCpu) ? '–' : m.serverCpu.toFixed(0)} | ${Number.isNaN(m.rssMb) || !m.rssMb ? '–' : m.rssMb.toFixed(0)} | ${Number.isNaN(m.bronzeRows) ? '–' : fmt(m.bronzeRows)} |`);
    }
  }
  lines.push('');
  return lines.join('\n');
}

function writeResults(section: string): void {
  const path = join(repo, 'bench', 'RESULTS.md');
  let text = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmark results\n';
  const start = text.indexOf('\n## realtime\n');
  if (start >= 0) {
    const next = text.indexOf('\n## ', start + 1);
    text = text.slice(0, start + 1) + section + (next >= 0 ? text.slice(next + 1) : '');
  } else text = `${text.trimEnd()}\n\n${section}`;
  writeFileSync(path, text);
}

const loadStart = loadavg()[0]!;
const poolConn = await mysql.createConnection({ ...DB });
const pool = await benchBufferPool(poolConn);
const redo = await benchRedoLog(poolConn);
const bufferPoolMb = pool.bytes / 2 ** 20;
log(`InnoDB buffer pool: ${pool.label}; redo log: ${redo.label}`);
const results: RunResult[] = [];
for (const rate of RATES) {
  for (const mode of MODES) {
    log(`${mode} at ${fmt(rate)} events/s for ${minutesFor(rate)} min…`);
    const r = await run(mode, rate);
    results.push(r);
    log(`${mode} ${fmt(rate)}/s: kpi_daily p50 ${s(pct(r.all.kpi_daily, 50))}s p95 ${s(pct(r.all.kpi_daily, 95))}s max ${s(Math.max(...r.all.kpi_daily))}s; ${r.builds} builds${r.mode === 'continuous' ? ` (p50 ${s(pct(r.buildSeconds.map((x) => x * 1000), 50))}s), ${r.testRuns} test runs (${r.testFailures} failed)` : ''}; ${r.invisible} files never visible`);
  }
}
await redo.restore();
await pool.restore();
await poolConn.end();
const section = report(results, loadStart, bufferPoolMb);
process.stdout.write(`\n${section}\n`);
writeResults(section);
