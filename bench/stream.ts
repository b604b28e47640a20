/**
 * `npm run bench:stream` — what a user gets from `ft stream-load --once`, against the `mariadb`
 * client's own `LOAD DATA LOCAL INFILE` of the same events, both timed as whole processes.
 *
 * 1. Throughput. BENCH_EVENTS (1,000,000) clean flash-sale events from src/generator's produce(),
 *    as one NDJSON file (the format models/bronze/sources.yml declares for bronze) and the same
 *    events as one TSV file (LOAD DATA's native format; datetimes already written as MySQL
 *    reads them — the least work a plain LOAD DATA user can give the server). Each repetition
 *    (BENCH_REPS=3) runs, alternating which goes first, each after InnoDB has caught up:
 *      - ft: the shipped CLI, `node bin/ft.js stream-load --once --path <dir>` in a copy of this
 *        project (its bronze declaration, loader settings and start-up as users run it), into
 *        a fresh database (FT_DATABASE): project load, table creation, validation of every
 *        line, quarantine and checkpoint in every 50,000-row batch's transaction, exit;
 *      - client: `mariadb --local-infile -e "LOAD DATA LOCAL INFILE …"` of the TSV file into a
 *        table with bronze's DDL (same columns, same primary key, created beforehand), no
 *        validation, no checkpoint: start, connect, load, exit.
 *    Time = spawn → exit of the process; CPU and peak RSS from /usr/bin/time; server CPU from
 *    /proc. Ratio = median ft events/s ÷ median client events/s (target ≥ 0.9).
 * 2. Latency (BENCH_LATENCY_SECONDS, 15; 0 skips it): produce() at a steady 5,000 events/s
 *    (NDJSON, 1,000 events per file) while the CLI watches the landing directory; latency of a
 *    file = its rename into place → the loader's `file` event (rows committed). p50/p95 for
 *    trigger intervals of 1 s (the project's setting) and 250 ms.
 *
 * Server: FT_BENCH_HOST/PORT/USER/PASSWORD (default 127.0.0.1:3306 root). Every database the
 * bench creates (`ft_bench_stream_<pid>…`) is dropped at the end. Results: printed, and the
 * `## stream-load` section of bench/RESULTS.md.
 */
import { spawn } from 'node:child_process';
import { cpSync, createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { parse as parseYaml } from 'yaml';
import { tsvEscape } from '../src/stream/column-types.js';
import { bronzeTableDdl, qualified } from '../src/stream/ddl.js';
import type { StreamColumn } from '../src/stream/types.js';
import { BENCH_DB } from './bench-db.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(repo, 'bench/out/stream');
const DB = BENCH_DB;
const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const REPS = Number(process.env.BENCH_REPS ?? 3);
const LATENCY_SECONDS = Number(process.env.BENCH_LATENCY_SECONDS ?? 15);
const RATE = 5000;
const PREFIX = `ft_bench_stream_${process.pid}`;
const BRONZE_TABLE = 'flash_sale_events';

// ------------------------------------------------------------------ the bronze declaration

function bronzeColumns(): StreamColumn[] {
  const doc = parseYaml(readFileSync(join(repo, 'models/bronze/sources.yml'), 'utf8')) as {
    sources: Array<{ tables: Array<{ name: string; loader?: { format?: string }; columns?: Array<{ name: string; data_type?: string; required?: boolean }> }> }>;
  };
  const t = doc.sources.flatMap((s) => s.tables).find((x) => x.name === BRONZE_TABLE);
  if (!t) throw new Error(`models/bronze/sources.yml declares no ${BRONZE_TABLE}`);
  if ((t.loader?.format ?? 'ndjson') !== 'ndjson') throw new Error(`bronze is declared ${t.loader?.format}; this bench loads NDJSON`);
  return (t.columns ?? []).filter((c) => c.data_type).map((c) => ({ name: c.name, dataType: c.data_type!, required: c.required === true }));
}

// ------------------------------------------------------------------ data

const NO_DIRT = { duplicates: 0, malformed: 0, nulls: 0, invalid: 0, late: 0 };

type Produce = typeof import('../src/generator/produce.js').produce;

/** The NDJSON file ft loads (cached in bench/out/stream), in a folder of its own (ft's --path). */
async function makeNdjson(produce: Produce): Promise<string> {
  const dir = join(OUT, `data-ndjson-${EVENTS}`);
  const existing = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.ndjson')) : [];
  if (existing.length === 1) return join(dir, existing[0]!);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const s = await produce({ events: EVENTS, out: dir, format: 'ndjson', fileEvents: EVENTS, dirt: NO_DIRT, seed: 42, catalog: join(repo, 'seeds/products.csv') });
  return join(dir, s.files[0]!);
}

/** The same events as TSV (declared columns in order, `\N` for null, datetimes as MySQL writes them). */
async function makeTsv(ndjson: string, columns: StreamColumn[]): Promise<string> {
  const path = join(OUT, `data-tsv-${EVENTS}`, 'events.tsv');
  if (existsSync(path) && statSync(path).mtimeMs >= statSync(ndjson).mtimeMs) return path;
  mkdirSync(dirname(path), { recursive: true });
  const tmp = path + '.tmp';
  const ws = createWriteStream(tmp);
  const isDt = columns.map((c) => /^\s*(datetime|timestamp)/i.test(c.dataType));
  let buf: string[] = [];
  for await (const line of createInterface({ input: createReadStream(ndjson), crlfDelay: Infinity })) {
    if (!line.trim()) continue;
    const e = JSON.parse(line) as Record<string, unknown>;
    buf.push(
      columns
        .map((c, i) => {
          const v = e[c.name];
          if (v === null || v === undefined) return '\\N';
          const s = String(v);
          return isDt[i] ? s.replace('T', ' ').replace(/Z$/, '') : tsvEscape(s);
        })
        .join('\t'),
    );
    if (buf.length === 10_000) {
      if (!ws.write(buf.join('\n') + '\n')) await new Promise<void>((r) => ws.once('drain', () => r()));
      buf = [];
    }
  }
  if (buf.length) ws.write(buf.join('\n') + '\n');
  await new Promise<void>((r) => ws.end(() => r()));
  renameSync(tmp, path);
  return path;
}

/** A copy of this project (its YAML, models, macros, seeds, tests) for the CLI to run in: target/ stays out of the repo. */
function projectCopy(): string {
  const dir = join(OUT, 'project');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const f of ['project.yml', 'profiles.yml', 'selectors.yml', 'packages.yml']) if (existsSync(join(repo, f))) cpSync(join(repo, f), join(dir, f));
  for (const d of ['models', 'macros', 'seeds', 'snapshots', 'analyses']) if (existsSync(join(repo, d))) cpSync(join(repo, d), join(dir, d), { recursive: true });
  if (existsSync(join(repo, 'tests/data'))) cpSync(join(repo, 'tests/data'), join(dir, 'tests/data'), { recursive: true });
  return dir;
}

// ------------------------------------------------------------------ processes

interface ProcResult {
  seconds: number;
  cpuSeconds: number;
  maxRssMb: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

const TIME_TAG = 'FT_BENCH_TIME';

/** Runs a command under /usr/bin/time: wall time spawn → exit, its CPU (user + sys) and peak RSS. */
function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env, onLine?: (l: string) => void, stop?: Promise<void>): Promise<ProcResult> {
  return new Promise((res, rej) => {
    const t0 = process.hrtime.bigint();
    // a process to be stopped is started directly: /usr/bin/time would die of the SIGTERM and
    // leave it running (no CPU figures for it)
    const p = stop
      ? spawn(cmd, args, { cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn('/usr/bin/time', ['-f', `${TIME_TAG} %U %S %M`, cmd, ...args], { cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let partial = '';
    p.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (!onLine) return;
      partial += d;
      let nl: number;
      while ((nl = partial.indexOf('\n')) >= 0) {
        onLine(partial.slice(0, nl));
        partial = partial.slice(nl + 1);
      }
    });
    p.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    p.on('error', rej);
    p.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const m = new RegExp(`${TIME_TAG} ([\\d.]+) ([\\d.]+) (\\d+)`).exec(stderr);
      if (stop) return res({ seconds, cpuSeconds: NaN, maxRssMb: NaN, code, stdout, stderr });
      if (!m) return rej(new Error(`no /usr/bin/time line from ${cmd}:\n${stderr}`));
      res({ seconds, cpuSeconds: Number(m[1]) + Number(m[2]), maxRssMb: Number(m[3]) / 1024, code, stdout, stderr: stderr.replace(m[0], '').trim() });
    });
    void stop?.then(() => p.kill('SIGTERM'));
  });
}

function serverPid(): number | null {
  if (!['127.0.0.1', 'localhost', '::1'].includes(DB.host)) return null;
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const comm = readFileSync(`/proc/${p}/comm`, 'utf8').trim();
      if (comm === 'mariadbd' || comm === 'mysqld') return Number(p);
    } catch {
      /* gone */
    }
  }
  return null;
}

function serverCpuSeconds(pid: number | null): number | null {
  if (pid === null) return null;
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return null;
  }
}

/**
 * Waits until InnoDB has caught up with the previous run (undo purged, dirty pages flushed or no
 * longer decreasing), so that a run does not pay for the background work of the one before.
 */
async function settle(admin: mysql.Connection): Promise<void> {
  const until = Date.now() + 45_000;
  let lastDirty = Number.POSITIVE_INFINITY;
  let still = 0;
  while (Date.now() < until) {
    const [st] = await admin.query("SHOW GLOBAL STATUS WHERE Variable_name IN ('Innodb_buffer_pool_pages_dirty', 'Innodb_buffer_pool_pages_total')");
    const v = new Map((st as Array<{ Variable_name: string; Value: string }>).map((r) => [r.Variable_name.toLowerCase(), Number(r.Value)]));
    const dirty = v.get('innodb_buffer_pool_pages_dirty') ?? 0;
    const total = v.get('innodb_buffer_pool_pages_total') ?? 1;
    const [ist] = await admin.query('SHOW ENGINE INNODB STATUS');
    const history = Number(/History list length (\d+)/.exec(String((ist as Array<{ Status: string }>)[0]?.Status))?.[1] ?? 0);
    still = dirty >= lastDirty ? still + 1 : 0;
    lastDirty = dirty;
    if (history < 1000 && (dirty < total * 0.02 || still >= 4)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
};
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const q = (s: string) => '`' + s.replace(/`/g, '``') + '`';

// ------------------------------------------------------------------ main

interface Run {
  rep: number;
  who: 'ft' | 'client';
  eventsPerSecond: number;
  seconds: number;
  serverCpu: number | null;
  cpu: number;
  rssMb: number;
  load: number;
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const columns = bronzeColumns();
  const { produce } = await import('../src/generator/produce.js');
  const loadStart = loadavg()[0]!;
  const commit = gitHead();
  console.log(`stream-load bench: ${fmt(EVENTS)} events, ${REPS} repetitions, server ${DB.user}@${DB.host}:${DB.port}, ${cpus().length} CPUs, load ${loadStart.toFixed(1)}`);
  if (!existsSync(join(repo, 'dist/cli/main.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  const nd = await makeNdjson(produce);
  const tsv = await makeTsv(nd, columns);
  console.log(`data: ${nd} (${(statSync(nd).size / 2 ** 20).toFixed(0)} MiB), ${tsv} (${(statSync(tsv).size / 2 ** 20).toFixed(0)} MiB)`);
  const project = projectCopy();
  const srv = serverPid();
  const admin = await mysql.createConnection({ ...DB });
  const runs: Run[] = [];
  const latency: Array<{ trigger: number; p50: number; p95: number; files: number; max: number }> = [];
  try {
    const ftRun = async (rep: number) => {
      await settle(admin);
      const database = `${PREFIX}_ft${rep}`;
      const c0 = serverCpuSeconds(srv);
      const load = loadavg()[0]!;
      const r = await timed(process.execPath, [join(repo, 'bin/ft.js'), 'stream-load', '--once', '--project-dir', project, '--path', dirname(nd), '--log-format', 'json'], {
        ...process.env,
        FT_DATABASE: database,
      });
      const serverCpu = c0 === null ? null : serverCpuSeconds(srv)! - c0;
      const summary = r.stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { event?: string; rowsLoaded?: number; rowsRejected?: number })
        .find((l) => l.event === 'summary');
      if (r.code !== 0 || !summary) throw new Error(`ft stream-load exited with ${r.code}:\n${r.stdout}\n${r.stderr}`);
      if (summary.rowsLoaded !== EVENTS || summary.rowsRejected !== 0) console.warn(`ft loaded ${summary.rowsLoaded} rows, rejected ${summary.rowsRejected} (expected ${EVENTS}, 0)`);
      runs.push({ rep, who: 'ft', eventsPerSecond: EVENTS / r.seconds, seconds: r.seconds, serverCpu, cpu: r.cpuSeconds, rssMb: r.maxRssMb, load });
      await admin.query(`DROP DATABASE IF EXISTS ${q(`${database}_bronze`)}`);
    };
    const clientRun = async (rep: number) => {
      await settle(admin);
      const database = `${PREFIX}_client${rep}`;
      const table = BRONZE_TABLE;
      await admin.query(`CREATE DATABASE ${q(database)}`);
      await admin.query(bronzeTableDdl({ database, table, columns }, table, false));
      const sql =
        `SET @l := 0; LOAD DATA LOCAL INFILE ${admin.escape(tsv)} INTO TABLE ${qualified(database, table)} CHARACTER SET utf8mb4 ` +
        `(${columns.map((c) => q(c.name)).join(', ')}) ` +
        `SET _source_file = ${admin.escape(basename(tsv))}, _source_line = (@l := @l + 1), _batch_id = 0, _ingested_at = NOW(6); SHOW COUNT(*) WARNINGS;`;
      const args = ['--local-infile=1', '-h', DB.host, '-P', String(DB.port), '-u', DB.user, ...(DB.password ? [`--password=${DB.password}`] : []), '-N', '-B', '-e', sql];
      const c0 = serverCpuSeconds(srv);
      const load = loadavg()[0]!;
      const r = await timed('mariadb', args);
      const serverCpu = c0 === null ? null : serverCpuSeconds(srv)! - c0;
      if (r.code !== 0) throw new Error(`mariadb exited with ${r.code}: ${r.stderr}`);
      const warnings = Number(r.stdout.trim().split('\n').pop());
      const [cnt] = await admin.query(`SELECT COUNT(*) AS n FROM ${qualified(database, table)}`);
      const n = Number((cnt as Array<{ n: number }>)[0]!.n);
      if (n !== EVENTS || warnings) console.warn(`client LOAD DATA stored ${n} rows with ${warnings} warnings`);
      runs.push({ rep, who: 'client', eventsPerSecond: EVENTS / r.seconds, seconds: r.seconds, serverCpu, cpu: r.cpuSeconds, rssMb: r.maxRssMb, load });
      await admin.query(`DROP DATABASE IF EXISTS ${q(database)}`);
    };
    for (let rep = 1; rep <= REPS; rep++) {
      // alternate the order, so neither side always runs first
      for (const run of rep % 2 ? [clientRun, ftRun] : [ftRun, clientRun]) {
        await run(rep);
        console.log(row(runs.at(-1)!));
      }
    }

    if (LATENCY_SECONDS > 0) {
      for (const trigger of [1000, 250]) {
        const landing = join(OUT, `landing-${trigger}`);
        rmSync(landing, { recursive: true, force: true });
        mkdirSync(landing, { recursive: true });
        const database = `${PREFIX}_lat${trigger}`;
        const renamed = new Map<string, number>();
        const committed = new Map<string, number>();
        let started!: () => void;
        const ready = new Promise<void>((r) => (started = r));
        let stop!: () => void;
        const stopped = new Promise<void>((r) => (stop = r));
        const child = timed(
          process.execPath,
          [join(repo, 'bin/ft.js'), 'stream-load', '--project-dir', project, '--path', landing, '--log-format', 'json', '--trigger-interval', `${trigger}ms`, '--clean-source', 'delete'],
          { ...process.env, FT_DATABASE: database },
          (l) => {
            if (!l.startsWith('{')) return;
            const e = JSON.parse(l) as { event?: string; file?: string; ts?: string; message?: string };
            if (e.event === 'file' && e.file) committed.set(e.file, Date.parse(e.ts!));
            if (e.event === 'start' || /created|watching/.test(e.message ?? '')) started();
          },
          stopped,
        );
        await Promise.race([ready, new Promise((r) => setTimeout(r, 5000))]);
        await new Promise((r) => setTimeout(r, 1000)); // tables created, watcher up
        await produce({ rate: RATE, durationMs: LATENCY_SECONDS * 1000, out: landing, format: 'ndjson', fileEvents: RATE / 5, dirt: NO_DIRT, seed: 7, catalog: join(repo, 'seeds/products.csv'), onFile: (name: string) => renamed.set(name, Date.now()) });
        await new Promise((r) => setTimeout(r, trigger + 1500));
        stop();
        await child;
        const lat = [...renamed].filter(([f]) => committed.has(f)).map(([f, t]) => committed.get(f)! - t);
        if (lat.length) latency.push({ trigger, p50: pct(lat, 50), p95: pct(lat, 95), max: Math.max(...lat), files: lat.length });
        console.log(`latency at ${RATE} events/s, trigger ${trigger} ms: p50 ${pct(lat, 50)} ms, p95 ${pct(lat, 95)} ms over ${lat.length} files (of ${renamed.size})`);
        await admin.query(`DROP DATABASE IF EXISTS ${q(`${database}_bronze`)}`);
      }
    }

    const ft = runs.filter((r) => r.who === 'ft');
    const client = runs.filter((r) => r.who === 'client');
    const ratio = median(ft.map((r) => r.eventsPerSecond)) / median(client.map((r) => r.eventsPerSecond));
    const perRep = ft.map((f) => f.eventsPerSecond / client.find((c) => c.rep === f.rep)!.eventsPerSecond);
    const peak = Math.max(...ft.map((r) => r.rssMb));
    const summary =
      `ft stream-load --once (NDJSON) ${fmt(median(ft.map((r) => r.eventsPerSecond)))} events/s, mariadb LOAD DATA ${fmt(median(client.map((r) => r.eventsPerSecond)))} events/s ` +
      `→ ratio ${ratio.toFixed(2)} (target ≥ 0.90); per repetition ${perRep.map((x) => x.toFixed(2)).join(', ')}; ft CPU ${median(ft.map((r) => r.cpu)).toFixed(2)} s, client CPU ${median(client.map((r) => r.cpu)).toFixed(2)} s (medians); ft peak RSS ${peak.toFixed(0)} MB`;
    console.log(`\n${summary}`);
    if (!process.env.BENCH_NO_WRITE) writeResults({ runs, ratio, perRep, loadStart, commit, peak, latency, sizes: [statSync(nd).size, statSync(tsv).size] });
  } finally {
    const [dbs] = await admin.query('SELECT schema_name AS s FROM information_schema.schemata WHERE schema_name LIKE ?', [`${PREFIX}%`]);
    for (const r of dbs as Array<{ s: string }>) await admin.query(`DROP DATABASE IF EXISTS ${q(r.s)}`);
    await admin.end();
    rmSync(join(OUT, 'project'), { recursive: true, force: true });
  }
}

function row(r: Run): string {
  const what = r.who === 'ft' ? 'ft stream-load --once (NDJSON)' : 'mariadb LOAD DATA LOCAL INFILE (TSV)';
  return `| ${r.rep} | ${what} | ${fmt(r.eventsPerSecond)} | ${r.seconds.toFixed(1)} | ${r.cpu.toFixed(2)} | ${r.serverCpu?.toFixed(1) ?? '–'} | ${r.rssMb.toFixed(0)} | ${r.load.toFixed(1)} |`;
}

function writeResults(r: {
  runs: Run[];
  ratio: number;
  perRep: number[];
  loadStart: number;
  commit: string;
  peak: number;
  latency: Array<{ trigger: number; p50: number; p95: number; files: number; max: number }>;
  sizes: number[];
}): void {
  const path = join(repo, 'bench/RESULTS.md');
  const ft = r.runs.filter((x) => x.who === 'ft');
  const client = r.runs.filter((x) => x.who === 'client');
  const section = [
    '## stream-load',
    '',
    `Command: \`npm run build && npm run bench:stream\` (bench/stream.ts; env BENCH_EVENTS=${EVENTS} BENCH_REPS=${REPS} BENCH_LATENCY_SECONDS=${LATENCY_SECONDS}).`,
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC at ${r.commit} (HEAD when the run started) on ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, MariaDB on the same machine; load average ${r.loadStart.toFixed(1)} at the start and ${loadavg()[0]!.toFixed(1)} at the end (the load column: 1-minute load average as each run started; other jobs may share the machine).`,
    `Data: ${fmt(EVENTS)} clean flash-sale events from src/generator (seed 42): one NDJSON file of ${(r.sizes[0]! / 2 ** 20).toFixed(0)} MiB for ft (bronze's declared format), the same events as one TSV file of ${(r.sizes[1]! / 2 ** 20).toFixed(0)} MiB for the client (LOAD DATA's native format, datetimes already as MySQL reads them).`,
    'Both are whole processes timed from spawn to exit, alternating which goes first, each once InnoDB has caught up with the previous run; every table is dropped after its run.',
    'ft: `node bin/ft.js stream-load --once --path <dir>` in a copy of this project, into a fresh database — project load, bronze tables created, every line validated, quarantine and checkpoint in each 50,000-row batch\'s transaction (exactly-once on, as shipped). Client: `mariadb --local-infile=1 -e "LOAD DATA LOCAL INFILE …"` into a table with bronze\'s DDL (same columns and primary key, created beforehand), one statement, no validation, no checkpoint. CPU s and peak RSS are the process\'s own (/usr/bin/time), server CPU s the server\'s during the run.',
    '',
    '| rep | run | events/s | seconds | CPU s | server CPU s | peak RSS MB | load |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
    ...r.runs.map(row),
    '',
    `**Throughput ratio ft / client LOAD DATA (NDJSON, whole processes, medians): ${r.ratio.toFixed(2)}** (target ≥ 0.90) — client ${fmt(median(client.map((x) => x.eventsPerSecond)))} events/s, ft ${fmt(median(ft.map((x) => x.eventsPerSecond)))} events/s; per repetition ${r.perRep.map((x) => x.toFixed(2)).join(', ')}.`,
    `ft's own CPU: ${median(ft.map((x) => x.cpu)).toFixed(2)} s per ${fmt(EVENTS)} events (median); the client's ${median(client.map((x) => x.cpu)).toFixed(2)} s. **Peak memory of ft: ${r.peak.toFixed(0)} MB** (target ≤ 256 MB).`,
    '',
    ...(r.latency.length
      ? [
          `Latency at a steady ${fmt(RATE)} events/s (produce() → NDJSON files of ${RATE / 5} events renamed into place; the CLI watching, stableMs 250): file rename → its rows committed.`,
          '',
          '| trigger interval | p50 ms | p95 ms | max ms | files |',
          '|---:|---:|---:|---:|---:|',
          ...r.latency.map((l) => `| ${l.trigger} ms | ${l.p50} | ${l.p95} | ${l.max} | ${l.files} |`),
          '',
        ]
      : []),
  ].join('\n');
  let text = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmark results\n';
  const start = text.indexOf('## stream-load');
  if (start >= 0) {
    const next = text.indexOf('\n## ', start + 3);
    text = text.slice(0, start) + section + (next >= 0 ? '\n' + text.slice(next + 1) : '');
  } else text = text.trimEnd() + '\n\n' + section;
  writeFileSync(path, text.endsWith('\n') ? text : text + '\n');
  console.log(`wrote the stream-load section of ${path}`);
}

function gitHead(): string {
  try {
    const head = readFileSync(join(repo, '.git/HEAD'), 'utf8').trim();
    const ref = head.startsWith('ref: ') ? readFileSync(join(repo, '.git', head.slice(5)), 'utf8').trim() : head;
    return ref.slice(0, 7);
  } catch {
    return 'unknown commit';
  }
}

await main();
