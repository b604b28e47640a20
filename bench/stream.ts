/**
 * `npm run bench:stream` — ft stream-load against the server's own LOAD DATA LOCAL INFILE.
 *
 * 1. Throughput: BENCH_EVENTS (1,000,000) clean flash-sale events from src/generator's produce()
 *    (own fallback generator if it cannot run), as one CSV file and one NDJSON file. Each
 *    repetition (BENCH_REPS=3) runs, alternately:
 *      - baseline: bulkLoadBaseline — one LOAD DATA LOCAL INFILE of the CSV file into a table
 *        identical to bronze (same DDL and primary key; no validation, no checkpoint);
 *      - ft: streamLoad --once of the same CSV file, exactly-once on (validation, quarantine,
 *        checkpoint in every batch's transaction), in a child Node process (src/stream bundled
 *        with esbuild, as the compiled CLI would run it) whose peak RSS is reported;
 *      - ft on the NDJSON file (the loader's usual input; informational).
 *    Ratio = median ft CSV events/s ÷ median baseline events/s. Target ≥ 0.8, peak RSS ≤ 256 MB.
 * 2. Latency: produce() at a steady 5,000 events/s (NDJSON, 1,000 events per file) for
 *    BENCH_LATENCY_SECONDS (15) while ft watches the landing directory; latency of a file =
 *    its rename into place (producer's onFile) → the loader's commit of its last batch (the
 *    `file` log event). p50/p95 over files, for trigger intervals of 1 s (the project's setting)
 *    and 250 ms.
 *
 * Server: FT_BENCH_HOST/PORT/USER/PASSWORD (default 127.0.0.1:3306 root); a throwaway database
 * is dropped at the end. Results: printed, and the `## stream-load` section of bench/RESULTS.md.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { bulkLoadBaseline } from '../src/stream/baseline.js';
import { openStreamConnection } from '../src/stream/stream-load.js';
import type { StreamColumn, StreamLoadOptions, StreamLoadSummary, StreamTarget } from '../src/stream/types.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(repo, 'bench/out/stream');
const DB = {
  host: process.env.FT_BENCH_HOST ?? process.env.FT_TEST_HOST ?? '127.0.0.1',
  port: Number(process.env.FT_BENCH_PORT ?? process.env.FT_TEST_PORT ?? 3306),
  user: process.env.FT_BENCH_USER ?? process.env.FT_TEST_USER ?? 'root',
  password: process.env.FT_BENCH_PASSWORD ?? process.env.FT_TEST_PASSWORD ?? '',
};
const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const REPS = Number(process.env.BENCH_REPS ?? 3);
const LATENCY_SECONDS = Number(process.env.BENCH_LATENCY_SECONDS ?? 15);
const RATE = 5000;
const DATABASE = `ft_bench_stream_${process.pid}`;

// ------------------------------------------------------------------ the bronze declaration

function bronzeColumns(): StreamColumn[] {
  try {
    const doc = parseYaml(readFileSync(join(repo, 'models/bronze/sources.yml'), 'utf8')) as {
      sources: Array<{ tables: Array<{ name: string; columns?: Array<{ name: string; data_type?: string; required?: boolean }> }> }>;
    };
    const t = doc.sources.flatMap((s) => s.tables).find((x) => x.name === 'flash_sale_events');
    const cols = (t?.columns ?? []).filter((c) => c.data_type).map((c) => ({ name: c.name, dataType: c.data_type!, required: c.required === true }));
    if (cols.length) return cols;
  } catch {
    /* fall back */
  }
  return [
    { name: 'event_id', dataType: 'varchar(64)', required: true },
    { name: 'event_type', dataType: 'varchar(32)', required: true },
    { name: 'event_ts', dataType: 'datetime(3)', required: true },
    { name: 'user_id', dataType: 'varchar(64)', required: false },
    { name: 'session_id', dataType: 'varchar(64)', required: true },
    { name: 'product_id', dataType: 'varchar(32)', required: true },
    { name: 'category', dataType: 'varchar(64)', required: false },
    { name: 'price', dataType: 'decimal(12,2)', required: false },
    { name: 'quantity', dataType: 'int', required: false },
    { name: 'flash_sale_id', dataType: 'varchar(64)', required: false },
  ];
}

// ------------------------------------------------------------------ data

type Produce = (o: Record<string, unknown>) => Promise<{ files: string[] }>;

async function loadProducer(): Promise<Produce | null> {
  try {
    const m = (await import('../src/generator/produce.js')) as unknown as { produce?: Produce };
    return typeof m.produce === 'function' ? m.produce : null;
  } catch {
    return null;
  }
}

const NO_DIRT = { duplicates: 0, malformed: 0, nulls: 0, invalid: 0, late: 0 };

/** Fallback generator: same columns, same wire formats as src/generator. */
async function ownGenerator(path: string, format: 'csv' | 'ndjson', n: number): Promise<void> {
  const ws = createWriteStream(path);
  const types = ['view', 'add_to_cart', 'remove_from_cart', 'purchase'];
  if (format === 'csv') ws.write('event_id,event_type,event_ts,user_id,session_id,product_id,category,price,quantity,flash_sale_id\n');
  const t0 = Date.UTC(2026, 10, 24);
  let buf: string[] = [];
  for (let i = 0; i < n; i++) {
    const e = {
      event_id: `${(i * 2654435761) % 4294967296}`.padStart(10, '0') + `-${i}`,
      event_type: types[i % 4]!,
      event_ts: new Date(t0 + i * 37).toISOString(),
      user_id: i % 9 === 0 ? null : `U${i % 50_000}`,
      session_id: `S${Math.floor(i / 7)}`,
      product_id: `P${String(i % 2000).padStart(5, '0')}`,
      category: 'electronics',
      price: ((i % 100_000) / 100 + 1).toFixed(2),
      quantity: String(1 + (i % 3)),
      flash_sale_id: i % 3 === 0 ? `FS-${i % 10}` : null,
    };
    buf.push(
      format === 'csv'
        ? [e.event_id, e.event_type, e.event_ts, e.user_id ?? '', e.session_id, e.product_id, e.category, e.price, e.quantity, e.flash_sale_id ?? ''].join(',')
        : JSON.stringify(e).replace(/"price":"([^"]+)"/, '"price":$1').replace(/"quantity":"(\d+)"/, '"quantity":$1'),
    );
    if (buf.length === 10_000) {
      if (!ws.write(buf.join('\n') + '\n')) await new Promise<void>((r) => ws.once('drain', () => r()));
      buf = [];
    }
  }
  if (buf.length) ws.write(buf.join('\n') + '\n');
  await new Promise<void>((r) => ws.end(() => r()));
}

async function makeFile(format: 'csv' | 'ndjson', produce: Produce | null): Promise<{ path: string; by: string }> {
  const dir = join(OUT, `data-${format}-${EVENTS}`);
  const existing = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.' + format)) : [];
  if (existing.length === 1) return { path: join(dir, existing[0]!), by: 'cached' };
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  if (produce) {
    try {
      const s = await produce({ events: EVENTS, out: dir, format, fileEvents: EVENTS, dirt: NO_DIRT, seed: 42, catalog: join(repo, 'seeds/products.csv') });
      return { path: join(dir, s.files[0]!), by: 'src/generator produce()' };
    } catch (e) {
      console.error(`produce() failed (${(e as Error).message}); using the bench's own generator`);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
    }
  }
  const path = join(dir, `events.${format}`);
  await ownGenerator(path, format, EVENTS);
  return { path, by: 'bench generator' };
}

// ------------------------------------------------------------------ measurements

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

interface ChildResult {
  summary: StreamLoadSummary;
  maxRssBytes: number;
  cpuSeconds: number;
  logs: Array<Record<string, unknown>>;
}

let bundle = '';

async function buildBundle(): Promise<void> {
  const { build } = await import('esbuild');
  bundle = join(OUT, 'ft-stream.mjs');
  await build({ entryPoints: [join(repo, 'src/stream/index.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', outfile: bundle, logLevel: 'warning' });
}

const CHILD = `
const { streamLoad } = await import(process.argv[1]);
const o = JSON.parse(process.argv[2]);
const ac = new AbortController();
process.on('SIGTERM', () => ac.abort());
const c0 = process.cpuUsage();
const summary = await streamLoad({ ...o, signal: ac.signal, log: (l) => { if (l.includes('"event":"file"') || l.includes('"level":"warn"')) process.stdout.write(l + '\\n'); } });
const cu = process.cpuUsage(c0);
process.stdout.write('RESULT ' + JSON.stringify({ summary, maxRssBytes: process.resourceUsage().maxRSS * 1024, cpuSeconds: (cu.user + cu.system) / 1e6 }) + '\\n');
`;

function runFt(opts: Omit<StreamLoadOptions, 'log' | 'signal'>, stopAfter?: Promise<void>): Promise<ChildResult> {
  return new Promise((res, rej) => {
    const p = spawn(process.execPath, ['--input-type=module', '-e', CHILD, bundle, JSON.stringify(opts)], { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const logs: Array<Record<string, unknown>> = [];
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      let nl: number;
      while ((nl = out.indexOf('\n')) >= 0) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        if (line.startsWith('RESULT ')) {
          const r = JSON.parse(line.slice(7)) as Omit<ChildResult, 'logs'>;
          res({ ...r, logs });
        } else if (line.startsWith('{')) logs.push(JSON.parse(line) as Record<string, unknown>);
      }
    });
    p.on('exit', (code) => (code === 0 ? undefined : rej(new Error(`ft child exited with ${code}`))));
    void stopAfter?.then(() => p.kill('SIGTERM'));
  });
}

/**
 * Waits until InnoDB has caught up with the previous run (undo purged, dirty pages flushed or no
 * longer decreasing), so that a run does not pay for the background work of the one before.
 */
async function settle(admin: Awaited<ReturnType<typeof openStreamConnection>>): Promise<void> {
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

// ------------------------------------------------------------------ main

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const columns = bronzeColumns();
  const produce = await loadProducer();
  const loadStart = loadavg()[0]!;
  console.log(`stream-load bench: ${fmt(EVENTS)} events, ${REPS} repetitions, server ${DB.user}@${DB.host}:${DB.port}, ${cpus().length} CPUs, load ${loadavg()[0]!.toFixed(1)}`);
  const csv = await makeFile('csv', produce);
  const nd = await makeFile('ndjson', produce);
  console.log(`data: ${csv.path} (${(statSync(csv.path).size / 2 ** 20).toFixed(0)} MiB), ${nd.path} (${(statSync(nd.path).size / 2 ** 20).toFixed(0)} MiB) — ${csv.by}`);
  await buildBundle();
  const srv = serverPid();
  const admin = await openStreamConnection(DB);
  await admin.query(`DROP DATABASE IF EXISTS \`${DATABASE}\``);
  const isoTs = /T\d\d:\d\d:\d\d(\.\d+)?Z/.test(readFileSync(csv.path, 'utf8').slice(0, 4096));

  const base: number[] = [];
  const ftCsv: number[] = [];
  const ftNd: number[] = [];
  const rss: number[] = [];
  const rows: string[] = [];
  const loadOpts = (table: string, path: string, format: 'csv' | 'ndjson'): Omit<StreamLoadOptions, 'log' | 'signal'> => ({
    connection: DB,
    target: { database: DATABASE, table, columns } as StreamTarget,
    path,
    format,
    once: true,
    maxBatchRows: 50_000,
    maxBatchBytes: 16 * 2 ** 20,
    triggerIntervalMs: 1000,
    maxLineBytes: 2 ** 20,
    logFormat: 'json',
    statusIntervalMs: 600_000,
  });
  try {
    const baseline = async (rep: number) => {
      await settle(admin);
      const c0 = serverCpuSeconds(srv);
      const b = await bulkLoadBaseline({ connection: DB, target: { database: DATABASE, table: 'events', columns }, table: `baseline_${rep}`, file: csv.path, isoDatetimes: isoTs });
      const bSrv = c0 === null ? null : serverCpuSeconds(srv)! - c0;
      if (b.rows !== EVENTS || b.warnings) console.warn(`baseline loaded ${b.rows} rows with ${b.warnings} warnings`);
      base.push(b.rows / b.seconds);
      rows.push(`| ${rep} | baseline LOAD DATA (CSV) | ${fmt(b.rows / b.seconds)} | ${b.seconds.toFixed(1)} | ${bSrv?.toFixed(1) ?? '–'} | – | – |`);
      console.log(rows.at(-1));
      await admin.query(`DROP TABLE \`${DATABASE}\`.\`baseline_${rep}\``);
    };
    const ft = async (rep: number, format: 'csv' | 'ndjson') => {
      await settle(admin);
      const c0 = serverCpuSeconds(srv);
      const r = await runFt(loadOpts(`ft_${format}_${rep}`, format === 'csv' ? csv.path : nd.path, format));
      const fSrv = c0 === null ? null : serverCpuSeconds(srv)! - c0;
      if (r.summary.rowsLoaded !== EVENTS) console.warn(`ft loaded ${r.summary.rowsLoaded} rows, rejected ${r.summary.rowsRejected}`);
      (format === 'csv' ? ftCsv : ftNd).push(r.summary.eventsPerSecond);
      rss.push(r.maxRssBytes);
      rows.push(`| ${rep} | ft stream-load --once (${format.toUpperCase()}) | ${fmt(r.summary.eventsPerSecond)} | ${r.summary.seconds.toFixed(1)} | ${fSrv?.toFixed(1) ?? '–'} | ${r.cpuSeconds.toFixed(1)} | ${(r.maxRssBytes / 2 ** 20).toFixed(0)} |`);
      console.log(rows.at(-1));
      for (const t of [`ft_${format}_${rep}`, `ft_${format}_${rep}__rejected`, `ft_${format}_${rep}__checkpoint`]) await admin.query(`DROP TABLE \`${DATABASE}\`.\`${t}\``);
    };
    for (let rep = 1; rep <= REPS; rep++) {
      // alternate the order, so neither side always runs first
      if (rep % 2) {
        await baseline(rep);
        await ft(rep, 'csv');
      } else {
        await ft(rep, 'csv');
        await baseline(rep);
      }
      await ft(rep, 'ndjson');
    }

    // latency at a steady rate
    const latency: Array<{ trigger: number; p50: number; p95: number; files: number; max: number }> = [];
    if (produce && LATENCY_SECONDS > 0) {
      for (const trigger of [1000, 250]) {
        const landing = join(OUT, `landing-${trigger}`);
        rmSync(landing, { recursive: true, force: true });
        mkdirSync(landing, { recursive: true });
        const renamed = new Map<string, number>();
        let stop!: () => void;
        const stopped = new Promise<void>((r) => (stop = r));
        const child = runFt({ ...loadOpts(`latency_${trigger}`, landing, 'ndjson'), once: false, triggerIntervalMs: trigger, cleanSource: 'delete', pattern: '*.ndjson' }, stopped);
        await new Promise((r) => setTimeout(r, 1500)); // let the loader connect and create its tables
        await produce({ rate: RATE, durationMs: LATENCY_SECONDS * 1000, out: landing, format: 'ndjson', fileEvents: RATE / 5, dirt: NO_DIRT, seed: 7, catalog: join(repo, 'seeds/products.csv'), onFile: (name: string) => renamed.set(name, Date.now()) });
        await new Promise((r) => setTimeout(r, trigger + 1500));
        stop();
        const r = await child;
        const lat: number[] = [];
        for (const l of r.logs) {
          if (l.event !== 'file') continue;
          const t = renamed.get(String(l.file));
          if (t !== undefined) lat.push(Date.parse(String(l.ts)) - t);
        }
        latency.push({ trigger, p50: pct(lat, 50), p95: pct(lat, 95), max: Math.max(...lat), files: lat.length });
        console.log(`latency at ${RATE} events/s, trigger ${trigger} ms: p50 ${pct(lat, 50)} ms, p95 ${pct(lat, 95)} ms over ${lat.length} files (of ${renamed.size})`);
      }
    }

    const ratio = median(ftCsv) / median(base);
    const perRep = ftCsv.map((f, i) => f / base[i]!);
    const peak = Math.max(...rss) / 2 ** 20;
    console.log(`\nbaseline ${fmt(median(base))} events/s, ft (CSV) ${fmt(median(ftCsv))} events/s → ratio ${ratio.toFixed(2)} (target ≥ 0.80); ft (NDJSON) ${fmt(median(ftNd))} events/s; ft peak RSS ${peak.toFixed(0)} MB (target ≤ 256)`);
    writeResults({ rows, ratio, perRep, loadStart, base: median(base), ftCsv: median(ftCsv), ftNd: median(ftNd), peak, latency, dataBy: csv.by, sizes: [statSync(csv.path).size, statSync(nd.path).size] });
  } finally {
    if (!process.env.BENCH_KEEP) await admin.query(`DROP DATABASE IF EXISTS \`${DATABASE}\``);
    await admin.end();
  }
}

function writeResults(r: {
  rows: string[];
  ratio: number;
  perRep: number[];
  loadStart: number;
  base: number;
  ftCsv: number;
  ftNd: number;
  peak: number;
  latency: Array<{ trigger: number; p50: number; p95: number; files: number; max: number }>;
  dataBy: string;
  sizes: number[];
}): void {
  const path = join(repo, 'bench/RESULTS.md');
  const section = [
    '## stream-load',
    '',
    `Command: \`npm run bench:stream\` (bench/stream.ts; env BENCH_EVENTS=${EVENTS} BENCH_REPS=${REPS} BENCH_LATENCY_SECONDS=${LATENCY_SECONDS}).`,
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, load average ${r.loadStart.toFixed(1)} at the start and ${loadavg()[0]!.toFixed(1)} at the end (a shared machine: other jobs ran alongside, so single runs vary), MariaDB on the same machine (innodb_flush_log_at_trx_commit=1).`,
    `Data: ${fmt(EVENTS)} clean flash-sale events (${r.dataBy}), one CSV file of ${(r.sizes[0]! / 2 ** 20).toFixed(0)} MiB and one NDJSON file of ${(r.sizes[1]! / 2 ** 20).toFixed(0)} MiB, loaded into the bronze declaration of models/bronze/sources.yml.`,
    'Each run starts once InnoDB has caught up with the previous one (undo purged, dirty pages flushed), and its tables are dropped after it; baseline and ft alternate which goes first.',
    'Baseline: one `LOAD DATA LOCAL INFILE` of the CSV file into a table identical to bronze (same DDL, same primary key), no validation, no checkpoint. ft: `streamLoad({ once: true })` of the same file, exactly-once on (every row validated, quarantine, checkpoint updated in each 50,000-row batch\'s transaction), in its own Node process (peak RSS = maxRSS of that process).',
    '',
    '| rep | run | events/s | seconds | server CPU s | ft CPU s | ft peak RSS MB |',
    '|---|---|---:|---:|---:|---:|---:|',
    ...r.rows,
    '',
    `**Throughput ratio ft / baseline (CSV, medians): ${r.ratio.toFixed(2)}** (target ≥ 0.80) — baseline ${fmt(r.base)} events/s, ft ${fmt(r.ftCsv)} events/s; per repetition ${r.perRep.map((x) => x.toFixed(2)).join(', ')}. ft on NDJSON ${fmt(r.ftNd)} events/s.`,
    `**Peak memory of ft: ${r.peak.toFixed(0)} MB** (target ≤ 256 MB).`,
    '',
    ...(r.latency.length
      ? [
          `Latency at a steady ${fmt(RATE)} events/s (produce() → NDJSON files of ${RATE / 5} events renamed into place; ft watching, stableMs 250): file rename → its rows committed.`,
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

await main();
