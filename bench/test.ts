/**
 * `npm run bench:test` — 200 generic data tests over a 1,000,000-row table through the real
 * `ft test` CLI with --threads 4.
 *
 * The table (`events`, 12 columns, primary key on id) and a 10,000-row `users` dimension are
 * filled with one INSERT … SELECT over a cross join of a digits table (no client round trips).
 * The 200 tests are declared on them as a source in YAML: not_null, not_constant, unique,
 * accepted_values, relationships, expression_is_true and accepted_range. Each test is one
 * query whose cost is one scan of the table (or of its primary key), or an index lookup per
 * row for relationships. Every test passes (the data is clean), as in a healthy CI run.
 *
 * Baselines measured in the same run:
 *   scan × 200   the median time of one plain full-table scan
 *                (`SELECT COUNT(*) FROM events WHERE m3 IS NULL`, m3 nullable and not indexed,
 *                through mysql2, no ft)
 *                times 200: what 200 such queries cost back to back on one connection;
 *   raw SQL      the same 200 count queries ft ran (read from target/run) sent through mysql2
 *                on --threads connections, without ft: the cost of the SQL itself;
 *   --threads 1  the same 200 tests through ft on one thread.
 * Reported: the wall time of each CLI run, its run time (run_results.json elapsed_time,
 * without process start-up), the ratios, and the slowest tests.
 *
 * Each ft configuration runs BENCH_REPS times (alternating which goes first); medians are reported.
 *
 * Env: BENCH_ROWS=1000000  BENCH_TESTS=200  BENCH_THREADS=4  BENCH_REPS=2  BENCH_SKIP_T1=1 (no --threads 1 run)
 *      BENCH_KEEP=1 (keep the database and the project folder)
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ftBin = join(repo, 'bin', 'ft.js');
const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const TESTS = Number(process.env.BENCH_TESTS ?? 200);
const THREADS = Number(process.env.BENCH_THREADS ?? 4);
const REPS = Number(process.env.BENCH_REPS ?? 2);
const DB = `ftbench_test_${process.pid}`;
const conn = { host: process.env.FT_TEST_HOST ?? '127.0.0.1', port: Number(process.env.FT_TEST_PORT ?? 3306), user: process.env.FT_TEST_USER ?? 'root', password: process.env.FT_TEST_PASSWORD ?? '' };

const COLUMNS = ['id', 'user_id', 'kind', 'status', 'amount', 'qty', 'created_at', 'country', 'm0', 'm1', 'm2', 'm3'];
const NUMERIC = ['amount', 'qty', 'm0', 'm1', 'm2', 'm3'];

/** The test entries per column (and at the table level), 200 in all. */
function declareTests(total: number): { columns: Record<string, string[]>; table: string[]; count: number } {
  const columns: Record<string, string[]> = Object.fromEntries(COLUMNS.map((c) => [c, [] as string[]]));
  const table: string[] = [];
  let count = 0;
  const add = (col: string | null, entry: string): boolean => {
    if (count >= total) return false;
    (col ? columns[col]! : table).push(entry);
    count++;
    return true;
  };
  for (const c of COLUMNS) add(c, 'not_null');
  for (const c of COLUMNS) add(c, 'not_constant');
  add('id', 'unique');
  add('kind', 'accepted_values: {values: [view, click, buy, refund]}');
  add('status', 'accepted_values: {values: [new, paid, shipped]}');
  add('country', 'accepted_values: {values: [FR, DE, US, JP, BR]}');
  add('user_id', `relationships: {to: "source('bench', 'users')", field: id}`);
  for (let k = 0; k < 10; k++) add(null, `dbt_utils.expression_is_true: {expression: "qty + ${k} >= 0"}`);
  for (let k = 0; count < total; k++) add(NUMERIC[k % NUMERIC.length]!, `dbt_utils.accepted_range: {min_value: ${-1 - Math.floor(k / NUMERIC.length)}}`);
  return { columns, table, count };
}

function writeProject(dir: string): number {
  const { columns, table, count } = declareTests(TESTS);
  mkdirSync(join(dir, 'models'), { recursive: true });
  writeFileSync(join(dir, 'project.yml'), 'name: bench\nversion: "1.0.0"\nprofile: bench\nmodel-paths: [models]\n');
  writeFileSync(
    join(dir, 'profiles.yml'),
    `bench:\n  target: dev\n  outputs:\n    dev:\n      type: mysql\n      host: "${conn.host}"\n      port: ${conn.port}\n      user: "${conn.user}"\n      password: "${conn.password}"\n      database: ${DB}\n      threads: ${THREADS}\n`,
  );
  const yml = [
    'version: 2',
    'sources:',
    '  - name: bench',
    '    schema: "{{target.database}}"',
    '    tables:',
    '      - name: users',
    '      - name: events',
    '        data_tests:',
    ...table.map((t) => `          - ${t}`),
    '        columns:',
    ...COLUMNS.flatMap((c) => [`          - name: ${c}`, '            data_tests:', ...columns[c]!.map((t) => `              - ${t}`)]),
  ];
  writeFileSync(join(dir, 'models', 'sources.yml'), `${yml.join('\n')}\n`);
  return count;
}

async function loadData(db: mysql.Connection): Promise<number> {
  const t0 = performance.now();
  await db.query(`DROP DATABASE IF EXISTS \`${DB}\``);
  await db.query(`CREATE DATABASE \`${DB}\``);
  await db.query(`USE \`${DB}\``);
  await db.query('CREATE TABLE digits (d TINYINT NOT NULL PRIMARY KEY)');
  await db.query('INSERT INTO digits VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)');
  await db.query('CREATE TABLE users (id INT NOT NULL PRIMARY KEY, name VARCHAR(20) NOT NULL)');
  await db.query(`INSERT INTO users SELECT 1 + a.d + 10*b.d + 100*c.d + 1000*e.d, CONCAT('user', 1 + a.d + 10*b.d + 100*c.d + 1000*e.d) FROM digits a, digits b, digits c, digits e`);
  await db.query(`CREATE TABLE events (
    id BIGINT NOT NULL PRIMARY KEY, user_id INT, kind VARCHAR(8), status VARCHAR(8),
    amount DECIMAL(10,2), qty INT, created_at DATETIME, country CHAR(2),
    m0 INT, m1 INT, m2 INT, m3 INT)`);
  // rows 0..ROWS-1 from the cross join of six digits tables (ROWS ≤ 1,000,000)
  const n = 'a.d + 10*b.d + 100*c.d + 1000*e.d + 10000*f.d + 100000*g.d';
  await db.query(`INSERT INTO events
    SELECT n, 1 + n % 10000, ELT(1 + n % 4, 'view', 'click', 'buy', 'refund'), ELT(1 + n % 3, 'new', 'paid', 'shipped'),
           (n % 1000) / 10, n % 7, TIMESTAMP('2024-01-01') + INTERVAL n SECOND, ELT(1 + n % 5, 'FR', 'DE', 'US', 'JP', 'BR'),
           n % 1000, (n * 7) % 1000, (n * 13) % 1000, (n * 31) % 1000
    FROM (SELECT ${n} AS n FROM digits a, digits b, digits c, digits e, digits f, digits g) s
    WHERE n < ${ROWS}`);
  await db.query('ANALYZE TABLE events, users');
  return (performance.now() - t0) / 1000;
}

interface CliRun {
  wall: number;
  elapsed: number;
  results: Array<{ unique_id: string; status: string; execution_time: number }>;
}

function ft(dir: string, args: string[]): Promise<CliRun> {
  return new Promise((ok, fail) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [ftBin, ...args, '--project-dir', dir], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', CI: '1' } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => {
      const wall = (performance.now() - t0) / 1000;
      if (code !== 0) return fail(new Error(`ft ${args.join(' ')} exited ${code}\n${out.slice(-4000)}`));
      const rr = JSON.parse(readFileSync(join(dir, 'target', 'run_results.json'), 'utf8')) as { elapsed_time: number; results: CliRun['results'] };
      ok({ wall, elapsed: rr.elapsed_time, results: rr.results });
    });
  });
}

/** The count query of each test, as ft ran it (target/run/…/<test>.sql). */
function compiledQueries(dir: string): string[] {
  const base = join(dir, 'target', 'run', 'bench', 'models', 'sources.yml');
  return readdirSync(base)
    .filter((f) => f.endsWith('.sql'))
    .map((f) => readFileSync(join(base, f), 'utf8').trim().replace(/;$/, ''));
}

/** Runs the queries on `threads` connections, each taking the next query when free; seconds. */
async function rawSql(queries: string[], threads: number): Promise<number> {
  const conns = await Promise.all(Array.from({ length: threads }, () => mysql.createConnection(conn)));
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    conns.map(async (c) => {
      while (next < queries.length) await c.query(queries[next++]!);
    }),
  );
  const s = (performance.now() - t0) / 1000;
  await Promise.all(conns.map((c) => c.end()));
  return s;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const f2 = (x: number) => x.toFixed(2);

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ft-bench-test-'));
  const db = await mysql.createConnection({ ...conn, multipleStatements: false });
  const load0 = loadavg()[0]!;
  try {
    const declared = writeProject(dir);
    const loadS = await loadData(db);
    const [[size]] = (await db.query(`SELECT COUNT(*) AS n, ROUND((data_length + index_length) / 1048576) AS mb FROM events, information_schema.tables t WHERE t.table_schema = ? AND t.table_name = 'events'`, [DB])) as unknown as [[{ n: number; mb: number }]];
    console.log(`events: ${Number(size!.n).toLocaleString('en-US')} rows (${size!.mb} MiB), loaded in ${f2(loadS)}s; ${declared} tests declared; ${cpus().length} CPUs, load ${f2(load0)}`);

    // warm the buffer pool, then the plain-scan baseline (m3 has no index: every row is read)
    const SCAN = `SELECT COUNT(*) FROM \`${DB}\`.events WHERE m3 IS NULL`;
    const [plan] = (await db.query(`EXPLAIN ${SCAN}`)) as unknown as [Array<{ type: string; rows: number }>];
    if (plan[0]?.type !== 'ALL') throw new Error(`the baseline query is not a full scan: ${JSON.stringify(plan)}`);
    const scans: number[] = [];
    const measureScans = async (n: number, keep: boolean): Promise<void> => {
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        await db.query(SCAN);
        if (keep) scans.push((performance.now() - t0) / 1000);
      }
    };
    await measureScans(5, false);
    await measureScans(5, true);

    const t4s: CliRun[] = [];
    const t1s: CliRun[] = [];
    const raws: number[] = [];
    let queries: string[] = [];
    for (let rep = 0; rep < REPS; rep++) {
      // alternate, so background work (purge, flushing) and the machine's load weigh on all
      const order = rep % 2 === 0 ? [THREADS, 0, 1] : [1, 0, THREADS];
      for (const threads of order) {
        if (threads === 1 && process.env.BENCH_SKIP_T1) continue;
        if (threads === 0) {
          if (!queries.length) queries = compiledQueries(dir);
          const s = await rawSql(queries, THREADS);
          raws.push(s);
          console.log(`rep ${rep + 1} the same ${queries.length} queries through mysql2 on ${THREADS} connections: ${f2(s)}s`);
          continue;
        }
        const r = await ft(dir, ['test', '--threads', String(threads)]);
        const tests = r.results.filter((x) => x.unique_id.startsWith('test.'));
        if (tests.length !== declared || tests.some((x) => x.status !== 'pass')) throw new Error(`expected ${declared} passing tests, got ${tests.length}: ${tests.filter((x) => x.status !== 'pass').map((x) => x.unique_id).join(', ')}`);
        (threads === 1 ? t1s : t4s).push(r);
        console.log(`rep ${rep + 1} ft test --threads ${threads}: wall ${f2(r.wall)}s, run ${f2(r.elapsed)}s, sum of test times ${f2(tests.reduce((a, x) => a + x.execution_time, 0))}s`);
      }
      await measureScans(3, true);
    }
    const scan = median(scans);
    console.log(`\nplain full-table scan: median ${f2(scan * 1000)} ms over ${scans.length} runs (${scans.map((x) => (x * 1000).toFixed(0)).join(', ')}) → × ${declared} = ${f2(scan * declared)}s`);
    const run4 = median(t4s.map((r) => r.elapsed));
    const wall4 = median(t4s.map((r) => r.wall));
    console.log(`ft test --threads ${THREADS} (median of ${t4s.length}): run ${f2(run4)}s, wall ${f2(wall4)}s for ${declared} tests over ${ROWS.toLocaleString('en-US')} rows`);
    console.log(`  ratio run / (scan × ${declared}) = ${f2(run4 / (scan * declared))}`);
    if (raws.length) console.log(`  ratio run / (the same queries through mysql2 on ${THREADS} connections, ${f2(median(raws))}s) = ${f2(run4 / median(raws))}`);
    if (t1s.length) {
      const run1 = median(t1s.map((r) => r.elapsed));
      console.log(`ft test --threads 1 (median of ${t1s.length}): run ${f2(run1)}s; ratio to scan × ${declared} = ${f2(run1 / (scan * declared))}`);
      console.log(`  speed-up --threads ${THREADS} vs --threads 1: ${f2(run1 / run4)}×`);
    }
    const best = t4s.reduce((a, b) => (b.elapsed < a.elapsed ? b : a));
    console.log(`  slowest tests (--threads ${THREADS}, fastest rep):`);
    for (const r of best.results.filter((x) => x.unique_id.startsWith('test.')).sort((a, b) => b.execution_time - a.execution_time).slice(0, 8)) console.log(`    ${f2(r.execution_time)}s  ${r.unique_id.split('.')[2]}`);
    console.log(`\nload average at the end: ${loadavg().map(f2).join(' ')}`);
  } finally {
    if (!process.env.BENCH_KEEP) {
      await db.query(`DROP DATABASE IF EXISTS \`${DB}\``);
      rmSync(dir, { recursive: true, force: true });
    } else console.log(`kept ${dir} and database ${DB}`);
    await db.end();
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
