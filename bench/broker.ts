/**
 * `npm run bench:broker` — `ft stream-load` from NATS JetStream with 1, 2 and 4 loaders at once,
 * against the file source on the same events, in the same run.
 *
 * BENCH_EVENTS (1,000,000) clean flash-sale events from src/generator's produce() (seed 42),
 * one NDJSON line each, are published once (one message per event) to a stream of a
 * nats-server the bench starts itself (free port, temporary store; NATS_SERVER_BIN, default
 * /usr/sbin/nats-server). Then, each into a fresh database with bronze's declared columns:
 *   - file: `node bin/ft.js stream-load --once` of the same events as one NDJSON file;
 *   - nats ×k (k = 1, 2, 4): k `node bin/ft.js stream-load --once` processes started together on
 *     a durable consumer of their own (so each run reads the whole stream).
 * Time = first spawn → last exit; peak RSS and CPU per loader from /usr/bin/time. Every run is
 * checked: bronze + rejected = events. Results: printed, and the `## stream-load from NATS`
 * section of bench/RESULTS.md. Every database the bench creates (`ft_bench_broker_<pid>…`) is
 * dropped at the end.
 */
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { connect } from 'nats';
import { parse as parseYaml, stringify } from 'yaml';
import { BENCH_DB } from './bench-db.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(repo, 'bench/out/broker');
const DB = BENCH_DB;
const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const NATS_BIN = process.env.NATS_SERVER_BIN ?? '/usr/sbin/nats-server';
const PREFIX = `ft_bench_broker_${process.pid}`;
const STREAM = 'BENCH';
const BATCH = 50_000;
const fmt = (x: number) => Math.round(x).toLocaleString('en-US');

function bronzeColumnsYaml(): unknown[] {
  const doc = parseYaml(readFileSync(join(repo, 'models/bronze/sources.yml'), 'utf8')) as { sources: Array<{ tables: Array<{ name: string; columns?: Array<{ name: string; data_type?: string; required?: boolean }> }> }> };
  const t = doc.sources.flatMap((s) => s.tables).find((x) => x.name === 'flash_sale_events');
  if (!t) throw new Error('models/bronze/sources.yml declares no flash_sale_events');
  return (t.columns ?? []).filter((c) => c.data_type).map((c) => ({ name: c.name, data_type: c.data_type, required: c.required === true }));
}

async function makeNdjson(): Promise<string> {
  const dir = join(OUT, `data-${EVENTS}`);
  const existing = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.ndjson')) : [];
  if (existing.length === 1) return join(dir, existing[0]!);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const { produce } = await import('../src/generator/produce.js');
  const none = { duplicates: 0, malformed: 0, nulls: 0, invalid: 0, late: 0 };
  const s = await produce({ events: EVENTS, out: dir, format: 'ndjson', fileEvents: EVENTS, dirt: none, seed: 42, catalog: join(repo, 'seeds/products.csv') });
  return join(dir, s.files[0]!);
}

async function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

/** A small project per run: bronze's columns, the given loader block, its own database. */
function project(name: string, database: string, loader: Record<string, unknown>): string {
  const dir = join(OUT, 'projects', name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'models'), { recursive: true });
  writeFileSync(join(dir, 'project.yml'), stringify({ name: 'bench', version: '1.0.0', profile: 'bench', 'model-paths': ['models'] }));
  writeFileSync(join(dir, 'profiles.yml'), stringify({ bench: { target: 'dev', outputs: { dev: { type: 'mysql', ...DB, database, threads: 1 } } } }));
  writeFileSync(
    join(dir, 'models/sources.yml'),
    stringify({ version: 2, sources: [{ name: 'bronze', schema: database, tables: [{ name: 'events', loader: { max_batch_rows: BATCH, trigger_interval: '1s', ...loader }, columns: bronzeColumnsYaml() }] }] }),
  );
  return dir;
}

interface Proc {
  seconds: number;
  cpu: number;
  rssMb: number;
  code: number | null;
  out: string;
}

function timed(args: string[]): Promise<Proc> {
  return new Promise((res, rej) => {
    const t0 = performance.now();
    const p = spawn('/usr/bin/time', ['-f', 'FT_BENCH_TIME %U %S %M', process.execPath, join(repo, 'bin/ft.js'), ...args], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => (out += String(d)));
    p.stderr.on('data', (d) => (out += String(d)));
    p.on('error', rej);
    p.on('close', (code) => {
      const m = /FT_BENCH_TIME ([\d.]+) ([\d.]+) (\d+)/.exec(out);
      res({ seconds: (performance.now() - t0) / 1000, cpu: m ? Number(m[1]) + Number(m[2]) : NaN, rssMb: m ? Number(m[3]) / 1024 : NaN, code, out });
    });
  });
}

interface Run {
  what: string;
  loaders: number;
  seconds: number;
  eventsPerSecond: number;
  rss: number[];
  cpu: number[];
  load: number;
}

async function runLoaders(what: string, dir: string, k: number, admin: mysql.Connection, database: string): Promise<Run> {
  const load = loadavg()[0]!;
  const t0 = performance.now();
  const procs = await Promise.all(Array.from({ length: k }, () => timed(['stream-load', '--once', '--project-dir', dir])));
  const seconds = (performance.now() - t0) / 1000;
  for (const p of procs) if (p.code !== 0) throw new Error(`${what}: a loader exited ${p.code}:\n${p.out.slice(-2000)}`);
  const [[b]] = (await admin.query(`SELECT (SELECT COUNT(*) FROM \`${database}\`.events) + (SELECT COUNT(*) FROM \`${database}\`.events__rejected) AS n`)) as unknown as [[{ n: number }]];
  if (Number(b.n) !== EVENTS) throw new Error(`${what}: bronze + rejected = ${b.n}, expected ${EVENTS}`);
  const r: Run = { what, loaders: k, seconds, eventsPerSecond: EVENTS / seconds, rss: procs.map((p) => p.rssMb), cpu: procs.map((p) => p.cpu), load };
  console.log(`${what}: ${fmt(r.eventsPerSecond)} events/s, ${seconds.toFixed(1)} s; peak RSS per loader ${r.rss.map((x) => x.toFixed(0)).join(', ')} MB; CPU ${r.cpu.map((x) => x.toFixed(1)).join(', ')} s; load ${load.toFixed(1)}`);
  await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
  return r;
}

async function main(): Promise<void> {
  if (!existsSync(NATS_BIN)) throw new Error(`nats-server not found at ${NATS_BIN} (apt-get install nats-server, or set NATS_SERVER_BIN)`);
  const loadStart = loadavg()[0]!;
  const file = await makeNdjson();
  const port = await freePort();
  const store = mkdtempSync(join(tmpdir(), 'ft-bench-nats-'));
  const server = spawn(NATS_BIN, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', store], { stdio: 'ignore' });
  const url = `nats://127.0.0.1:${port}`;
  const admin = await mysql.createConnection({ ...DB });
  const runs: Run[] = [];
  let publishSeconds = 0;
  try {
    let nc = null;
    for (let i = 0; i < 100 && !nc; i++) nc = await connect({ servers: url }).catch(async () => (await new Promise((r) => setTimeout(r, 100)), null));
    if (!nc) throw new Error('nats-server did not start');
    const jsm = await nc.jetstreamManager();
    await jsm.streams.add({ name: STREAM, subjects: ['bench.>'] });
    // acknowledged publishes, a window of them in flight
    const js = nc.jetstream();
    const t0 = performance.now();
    let inflight: Array<Promise<unknown>> = [];
    const enc = new TextEncoder();
    for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
      if (!line) continue;
      inflight.push(js.publish('bench.events', enc.encode(line)));
      if (inflight.length >= 16_384) {
        await Promise.all(inflight);
        inflight = [];
      }
    }
    await Promise.all(inflight);
    publishSeconds = (performance.now() - t0) / 1000;
    const info = await jsm.streams.info(STREAM);
    if (info.state.messages !== EVENTS) throw new Error(`the stream holds ${info.state.messages} messages, expected ${EVENTS}`);
    console.log(`published ${fmt(EVENTS)} events in ${publishSeconds.toFixed(1)} s`);
    await nc.close();

    const fileDb = `${PREFIX}_file`;
    runs.push(await runLoaders('file source (1 loader)', project('file', fileDb, { path: dirname(file), format: 'ndjson', pattern: '*.ndjson' }), 1, admin, fileDb));
    for (const k of [1, 2, 4]) {
      const db = `${PREFIX}_nats${k}`;
      runs.push(await runLoaders(`NATS, ${k} loader(s)`, project(`nats${k}`, db, { format: 'ndjson', nats: { servers: [url], stream: STREAM, subject: 'bench.>', durable: `bench_${k}`, ack_wait: '60s' } }), k, admin, db));
    }
  } finally {
    server.kill('SIGKILL');
    const [dbs] = (await admin.query('SELECT schema_name AS s FROM information_schema.schemata WHERE schema_name LIKE ?', [`${PREFIX}%`])) as unknown as [Array<{ s: string }>];
    for (const d of dbs) await admin.query(`DROP DATABASE IF EXISTS \`${d.s}\``);
    await admin.end();
    rmSync(store, { recursive: true, force: true });
  }
  writeResults(runs, loadStart, publishSeconds);
}

function writeResults(runs: Run[], loadStart: number, publishSeconds: number): void {
  const path = join(repo, 'bench/RESULTS.md');
  const base = runs.find((r) => r.what.startsWith('file'))!;
  const section = [
    '## stream-load from NATS',
    '',
    `Command: \`npm run build && npm run bench:broker\` (bench/broker.ts; env BENCH_EVENTS=${EVENTS}).`,
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, MariaDB and nats-server ${'(the bench\'s own, file store)'} on the same machine; load average ${loadStart.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end (the machine is shared: other jobs ran meanwhile).`,
    `Data: ${EVENTS.toLocaleString('en-US')} clean flash-sale events (src/generator, seed 42), bronze's declared columns; published once to JetStream as one message per event (acknowledged publishes: ${publishSeconds.toFixed(1)} s), and the same events as one NDJSON file for the file source. Batches of ${BATCH.toLocaleString('en-US')}. Every run is checked: bronze + rejected = events.`,
    'Time: first loader spawned → last loader exited (`ft stream-load --once`, project load and table creation included). Peak RSS and CPU per loader process from /usr/bin/time.',
    '',
    '| source | loaders | events/s | seconds | × file source | peak RSS MB per loader | CPU s per loader | load |',
    '|---|---:|---:|---:|---:|---|---|---:|',
    ...runs.map((r) => `| ${r.what.startsWith('file') ? 'file (NDJSON)' : 'NATS JetStream'} | ${r.loaders} | ${fmt(r.eventsPerSecond)} | ${r.seconds.toFixed(1)} | ${(r.eventsPerSecond / base.eventsPerSecond).toFixed(2)} | ${r.rss.map((x) => x.toFixed(0)).join(', ')} | ${r.cpu.map((x) => x.toFixed(1)).join(', ')} | ${r.load.toFixed(1)} |`),
    '',
    "Reading: several loaders buy availability (a dead loader's messages go to the others after `ack_wait`) more than speed here: commits are serialised per table (the batch-id counter row, which keeps `_batch_id` in commit order for incremental models), and the 2 cores are shared by MariaDB, nats-server and every loader — with 4 loaders 4 × 50,000 messages are fetched at once and each loader mostly waits for the others' commits. Against the file source, a NATS loader spends ~3.5× the CPU per event (measured 2026-12-05 after the byte path: each payload goes through the file loader's encoder; the rest is the `nats` client's per-message work — its parser, a message object and reply string per message, one ack per message — and its garbage), and holds a batch being committed (as TSV buffers) and one fetched meanwhile (as messages): 230–260 MB peak RSS per loader with 50,000-message batches then; a smaller `max_batch_rows` bounds it. Compare the CPU and RSS columns above with those figures rather than trusting this sentence.",
    '',
  ].join('\n');
  let text = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmark results\n';
  const start = text.indexOf('## stream-load from NATS');
  if (start >= 0) {
    const next = text.indexOf('\n## ', start + 3);
    text = text.slice(0, start) + section + (next >= 0 ? '\n' + text.slice(next + 1) : '');
  } else text = text.trimEnd() + '\n\n' + section;
  writeFileSync(path, text.endsWith('\n') ? text : text + '\n');
  console.log(`wrote the "stream-load from NATS" section of ${path}`);
}

await main();
