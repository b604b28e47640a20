/**
 * `npm run bench:run` — ft's own overhead per node when it builds models, and how --threads scales.
 *
 * A generated project (BENCH_MODELS=500 independent view models under models/independent/,
 * and a BENCH_CHAIN=10-level chain of table models under models/chain/) is built on the
 * server of FT_BENCH_HOST/PORT/USER/PASSWORD (default 127.0.0.1:3306 root) in a throwaway
 * database, dropped at the end.
 *
 * Each measurement is one `ft run` in a fresh Node process (src/ through tsx; process start-up and
 * module loading excluded),
 * calling the CLI's main() with the driver instrumented: every statement ft sends
 * (MysqlSession.execute and loadTsv — DDL, introspection, GET_LOCK, everything) is timed from send to
 * reply. "server time" is the union of those intervals (time during which at least one statement
 * was in flight), so with several threads overlapping statements are counted once. Then
 *
 *   overhead per node = (wall time of main() − server time) / nodes
 *
 * i.e. the time ft spends on its own (loading the project, compiling, scheduling, writing
 * artifacts, connecting) while the server is not working for it. The baseline measured in the
 * same run is --threads 1; the ratio printed is wall(--threads 1) / wall(--threads 4) on the
 * independent models.
 *
 * Targets: overhead ≤ 5 ms per node; --threads 4 ≥ 1.8× faster than --threads 1.
 * Env: BENCH_MODELS=500 BENCH_CHAIN=10 BENCH_REPS=3 BENCH_KEEP=1 (keep the project and database)
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BENCH_DB } from './bench-db.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DB = BENCH_DB;

interface Measurement {
  code: number;
  nodes: number;
  wallMs: number;
  serverMs: number;
  /** from the first node's start to the last node's end (run_results.json timing) */
  nodesSpanMs: number;
  /** server time inside that span */
  nodesServerMs: number;
  /** CPU time (user + system) of the ft process from the first to the last statement inside that span */
  nodesCpuMs: number;
  statements: number;
  /** sum of the nodes' execution_time from run_results.json */
  nodeExecMs: number;
}

// ---------------------------------------------------------------- child: one instrumented run

/** The engine's modules: dist/ (what bin/ft.js runs) with BENCH_DIST=1, else src/ through tsx. */
const engine = (path: string): string =>
  pathToFileURL(join(repo, process.env.BENCH_DIST === '1' ? join('dist', path.replace(/\.ts$/, '.js')) : join('src', path))).href;

async function measure(command: string, dir: string, threads: string, select: string, out: string): Promise<void> {
  const driver = (await import(engine('adapters/mysql/mysql-driver.ts'))) as typeof import('../src/adapters/mysql/mysql-driver.js');
  // epoch milliseconds, comparable with run_results.json
  const now = () => performance.timeOrigin + performance.now();
  const cpu = (): number => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const intervals: Array<[number, number]> = [];
  const cpuMarks: Array<[number, number]> = [];
  const proto = driver.MysqlSession.prototype;
  const execute = proto.execute;
  proto.execute = async function (this: InstanceType<typeof driver.MysqlSession>, sql: string, params?: unknown[]) {
    const t0 = now();
    cpuMarks.push([t0, cpu()]);
    try {
      return await execute.call(this, sql, params);
    } finally {
      const t1 = now();
      intervals.push([t0, t1]);
      cpuMarks.push([t1, cpu()]);
    }
  };
  const loadTsv = proto.loadTsv;
  proto.loadTsv = async function (this: InstanceType<typeof driver.MysqlSession>, ...args: Parameters<typeof loadTsv>) {
    const t0 = now();
    try {
      return await loadTsv.apply(this, args);
    } finally {
      intervals.push([t0, now()]);
    }
  };
  const { main } = (await import(engine('cli/main.ts'))) as typeof import('../src/cli/main.js');
  // main() loads a command's module on first use: load it now, so module loading (and tsx's
  // transpiling) stays out of the measured time, as process start-up does
  await import(engine('cli/run.ts'));
  const write = process.stdout.write.bind(process.stdout);
  let printed = '';
  process.stdout.write = ((chunk: string | Uint8Array) => {
    printed += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  const t0 = now();
  const code = await main([command, '--project-dir', dir, '--threads', threads, '--select', select, '--lock-wait', '0']);
  const wallMs = now() - t0;
  process.stdout.write = write;
  const rr = JSON.parse(readFileSync(join(dir, 'target', 'run_results.json'), 'utf8')) as {
    results: Array<{ execution_time: number; timing: Array<{ started_at: string; completed_at: string }> }>;
  };
  const first = Math.min(...rr.results.map((r) => Date.parse(r.timing[0]!.started_at)));
  const last = Math.max(...rr.results.map((r) => Date.parse(r.timing[0]!.completed_at)));
  const inSpan = intervals.map(([a, b]) => [Math.max(a, first), Math.min(b, last)] as [number, number]).filter(([a, b]) => b > a);
  const marks = cpuMarks.filter(([t]) => t >= first && t <= last);
  const nodesCpuMs = marks.length > 1 ? marks[marks.length - 1]![1] - marks[0]![1] : 0;
  const result: Measurement = {
    code,
    nodes: rr.results.length,
    wallMs,
    serverMs: unionMs(intervals),
    nodesSpanMs: last - first,
    nodesServerMs: unionMs(inSpan),
    nodesCpuMs,
    statements: intervals.length,
    nodeExecMs: rr.results.reduce((s, r) => s + r.execution_time * 1000, 0),
  };
  if (code !== 0) process.stderr.write(printed);
  writeFileSync(out, JSON.stringify(result));
}

function unionMs(intervals: Array<[number, number]>): number {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let [s, e] = sorted[0] ?? [0, 0];
  for (const [a, b] of sorted.slice(1)) {
    if (a > e) {
      total += e - s;
      [s, e] = [a, b];
    } else e = Math.max(e, b);
  }
  return total + (e - s);
}

// ---------------------------------------------------------------- parent

function generate(dir: string, database: string, models: number, chain: number): void {
  const put = (file: string, text: string): void => {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  };
  put('project.yml', 'name: bench\nprofile: bench\nmodels:\n  bench:\n    independent:\n      +materialized: view\n    chain:\n      +materialized: table\n');
  put(
    'profiles.yml',
    `bench:\n  target: dev\n  outputs:\n    dev:\n      type: mysql\n      host: ${DB.host}\n      port: ${DB.port}\n      user: ${DB.user}\n      password: "${DB.password}"\n      database: ${database}\n      threads: 4\n`,
  );
  for (let i = 1; i <= models; i++) {
    const n = String(i).padStart(4, '0');
    put(`models/independent/v_${n}.sql`, `select ${i} as id, 'model ${n}' as label, ${i} * 2 as doubled\n`);
  }
  put('models/chain/c_01.sql', "select 1 as id, 'start' as label\n");
  for (let i = 2; i <= chain; i++) {
    put(`models/chain/c_${String(i).padStart(2, '0')}.sql`, `select id + 1 as id, label from {{ref "c_${String(i - 1).padStart(2, '0')}"}}\n`);
  }
}

/** A project with one seed of `rows` rows: ints, text, decimals, dates, quoted fields and NULLs. */
function generateSeedProject(dir: string, database: string, rows: number): void {
  mkdirSync(join(dir, 'seeds'), { recursive: true });
  writeFileSync(join(dir, 'project.yml'), 'name: seedbench\nprofile: bench\n');
  writeFileSync(
    join(dir, 'profiles.yml'),
    `bench:\n  target: dev\n  outputs:\n    dev:\n      type: mysql\n      host: ${DB.host}\n      port: ${DB.port}\n      user: ${DB.user}\n      password: "${DB.password}"\n      database: ${database}\n      threads: 1\n`,
  );
  const lines = ['id,customer,amount,day,note'];
  for (let i = 1; i <= rows; i++) {
    const day = `2024-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}`;
    lines.push(`${i},cust_${i % 997},${(i % 10000) / 100},${day},${i % 5 === 0 ? '"with, comma"' : ''}`);
  }
  writeFileSync(join(dir, 'seeds', 'big.csv'), lines.join('\n') + '\n');
}

function runChild(dir: string, threads: number, select: string, command = 'run'): Promise<Measurement> {
  const out = join(dir, `.bench-${randomBytes(4).toString('hex')}.json`);
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--measure', command, dir, String(threads), select, out], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, NO_COLOR: '1', CI: '1' },
    });
    child.on('error', fail);
    child.on('close', (code) => {
      if (code !== 0) return fail(new Error(`measurement child exited ${code}`));
      const m = JSON.parse(readFileSync(out, 'utf8')) as Measurement;
      rmSync(out, { force: true });
      if (m.code !== 0) return fail(new Error(`ft run exited ${m.code}`));
      ok(m);
    });
  });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function dropDatabase(database: string): Promise<void> {
  const mysql = (await import('mysql2/promise')).default;
  const c = await mysql.createConnection(DB);
  try {
    const [rows] = await c.query('SELECT schema_name AS s FROM information_schema.schemata WHERE schema_name LIKE ?', [`${database}%`]);
    for (const r of rows as Array<{ s: string }>) await c.query(`DROP DATABASE IF EXISTS \`${r.s}\``);
  } finally {
    await c.end();
  }
}

async function serverVersion(): Promise<string> {
  const mysql = (await import('mysql2/promise')).default;
  const c = await mysql.createConnection(DB);
  try {
    const [rows] = await c.query('SELECT VERSION() AS v');
    return String((rows as Array<{ v: string }>)[0]!.v);
  } finally {
    await c.end();
  }
}

async function parent(): Promise<void> {
  const models = Number(process.env.BENCH_MODELS ?? 500);
  const chain = Number(process.env.BENCH_CHAIN ?? 10);
  const reps = Number(process.env.BENCH_REPS ?? 3);
  const database = `ftbench_run_${randomBytes(3).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'ft-bench-run-'));
  generate(dir, database, models, chain);
  const version = await serverVersion();
  console.log(`ft run benchmark: ${models} independent views + a ${chain}-level chain of tables, ${reps} reps, server ${version}, ${(await import('node:os')).cpus().length} CPUs`);
  console.log(`project ${dir}, database ${database}\n`);
  try {
    // cold: the first build into an empty database (creates the schema and every view)
    const cold = await runChild(dir, 4, 'path:models/independent');
    const series = async (threads: number, select: string): Promise<Measurement[]> => {
      const ms: Measurement[] = [];
      for (let i = 0; i < reps; i++) ms.push(await runChild(dir, threads, select));
      return ms;
    };
    const rows: Array<{ label: string; m: Measurement[] }> = [{ label: 'cold build, --threads 4', m: [cold] }];
    const ind1 = await series(1, 'path:models/independent');
    rows.push({ label: 'views, --threads 1', m: ind1 });
    const ind4 = await series(4, 'path:models/independent');
    rows.push({ label: 'views, --threads 4', m: ind4 });
    rows.push({ label: 'table chain, --threads 1', m: await series(1, 'path:models/chain') });
    rows.push({ label: 'everything, --threads 4', m: await series(4, 'path:models') });

    const num = (x: number, w: number, d = 0) => x.toFixed(d).padStart(w);
    console.log(`${'scenario'.padEnd(26)} ${'nodes'.padStart(5)} ${'wall ms'.padStart(8)} ${'server ms'.padStart(9)} ${'stmts/node'.padStart(10)} ${'overhead/node'.padStart(13)} ${'per node'.padStart(11)} ${'per run'.padStart(10)} ${'CPU/node'.padStart(11)}`);
    const perNode: number[] = [];
    for (const { label, m } of rows) {
      const n = m[0]!.nodes;
      const wall = median(m.map((x) => x.wallMs));
      const server = median(m.map((x) => x.serverMs));
      const over = median(m.map((x) => (x.wallMs - x.serverMs) / n));
      const node = median(m.map((x) => (x.nodesSpanMs - x.nodesServerMs) / n));
      const run = median(m.map((x) => x.wallMs - x.serverMs - (x.nodesSpanMs - x.nodesServerMs)));
      const cpuNode = median(m.map((x) => x.nodesCpuMs / n));
      perNode.push(node);
      console.log(`${label.padEnd(26)} ${num(n, 5)} ${num(wall, 8)} ${num(server, 9)} ${num(m[0]!.statements / n, 10, 1)} ${num(over, 10, 2)} ms ${num(node, 8, 2)} ms ${num(run, 7)} ms ${num(cpuNode, 8, 2)} ms`);
    }
    // a 100,000-row seed (LOAD DATA LOCAL INFILE), in its own project
    const seedRows = Number(process.env.BENCH_SEED_ROWS ?? 100_000);
    const seedDir = join(dir, 'seed-project');
    generateSeedProject(seedDir, `${database}_seed`, seedRows);
    const seeds: Measurement[] = [];
    for (let i = 0; i < reps; i++) seeds.push(await runChild(seedDir, 1, 'big', 'seed'));
    const seedWall = median(seeds.map((x) => x.wallMs));
    const seedNode = median(seeds.map((x) => x.nodesSpanMs));
    console.log(`\nseed of ${seedRows.toLocaleString('en-US')} rows (5 columns): ${(seedNode / 1000).toFixed(2)} s for the node, ${(seedWall / 1000).toFixed(2)} s for the whole ft seed (server ${(median(seeds.map((x) => x.serverMs)) / 1000).toFixed(2)} s)`);

    const w1 = median(ind1.map((x) => x.wallMs));
    const w4 = median(ind4.map((x) => x.wallMs));
    const ratio = w1 / w4;
    const worst = Math.max(...perNode);
    console.log(`\nmedians of ${reps} runs. overhead/node = (wall − server) / nodes. It splits into`);
    console.log('  per node = (span from the first node\'s start to the last node\'s end − server time in it) / nodes: what each node adds');
    console.log('  per run  = the rest: loading the project, connecting, the lock, manifest.json and run_results.json');
    console.log('CPU/node = CPU time of the ft process (user + system) while the nodes ran / nodes: the same work, without waiting for a CPU');
    console.log(`speed-up on the ${models} independent views: --threads 1 ${w1.toFixed(0)} ms / --threads 4 ${w4.toFixed(0)} ms = ${ratio.toFixed(2)}× (target ≥ 1.8×: ${ratio >= 1.8 ? 'met' : 'MISSED'})`);
    console.log(`worst overhead per node ("per node" column): ${worst.toFixed(2)} ms (target ≤ 5 ms: ${worst <= 5 ? 'met' : 'MISSED'})`);
  } finally {
    if (!process.env.BENCH_KEEP) {
      await dropDatabase(database);
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

if (process.argv[2] === '--measure') {
  const [, , , command, dir, threads, select, out] = process.argv;
  await measure(command!, dir!, threads!, select!, out!);
  process.exit(0);
} else {
  await parent();
}
