/**
 * `npm run bench:snapshot` — a snapshot run over a 1,000,000-row source where 1% of the rows
 * changed, against the baseline of copying that source (CREATE TABLE … AS SELECT *), measured
 * in the same run on the same server.
 *
 * A throwaway database on FT_BENCH_HOST/PORT/USER/PASSWORD (default 127.0.0.1:3306 root) holds
 * the source `items` (id primary key, name, price, updated_at). For each strategy (timestamp, and
 * check_cols: all — every column compared) with hard_deletes: invalidate, the snapshot is first
 * built once (not measured); then each repetition changes a fresh 1% of the rows (price and
 * updated_at) and runs `ft snapshot` (dist/, as `ft` runs), then deletes 0.1% of the rows and
 * runs the check-all snapshot again (the run that must find deleted keys). Measured: the
 * snapshot node's execution time from run_results.json (the server work: staging, the
 * transaction; process start-up excluded) and the copy's time, each the median of BENCH_REPS.
 * Printed ratio: snapshot / copy (below 1 = the snapshot is faster than copying the source).
 *
 * Env: BENCH_ROWS=1000000 BENCH_REPS=3 BENCH_KEEP=1 (keep the project and database)
 * BENCH_BUFFER_POOL=4G (the server's InnoDB buffer pool for the run; bench/server-sizing.ts)
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { BENCH_DB } from './bench-db.js';
import { benchBufferPool } from './server-sizing.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DB = BENCH_DB;
const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const REPS = Number(process.env.BENCH_REPS ?? 3);
const database = `ftb_snap_${randomBytes(3).toString('hex')}`;
const src = `\`${database}_bench\`.\`items\``;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const secs = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

function ft(dir: string, args: string[]): { ms: number; nodeMs: number; rows: number } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [join(repo, 'bin', 'ft.js'), ...args, '--project-dir', dir], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', CI: '1' } });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`ft ${args.join(' ')} failed (${r.status}):\n${r.stdout}${r.stderr}`);
  const results = JSON.parse(readFileSync(join(dir, 'target', 'run_results.json'), 'utf8')).results as Array<{ execution_time: number; adapter_response?: { rows_affected?: number }; rows_affected?: number }>;
  const node = results[0]!;
  return { ms, nodeMs: node.execution_time * 1000, rows: Number(node.adapter_response?.rows_affected ?? node.rows_affected ?? 0) };
}

async function main(): Promise<void> {
  const conn = await mysql.createConnection({ ...DB, multipleStatements: true });
  const dir = mkdtempSync(join(tmpdir(), 'ft-bench-snapshot-'));
  const pool = await benchBufferPool(conn);
  try {
    process.stdout.write(`bench:snapshot — ${ROWS.toLocaleString('en-US')} source rows, 1% changed per run, ${REPS} repetitions, database ${database}, InnoDB buffer pool ${pool.label}\n`);
    await conn.query(`CREATE DATABASE \`${database}_bench\``);
    await conn.query(`CREATE TABLE ${src} (id INT NOT NULL PRIMARY KEY, name VARCHAR(40) NOT NULL, price DECIMAL(10,2) NOT NULL, updated_at DATETIME NOT NULL)`);
    // rows from a cross join of digits: the same on MySQL and MariaDB (no sequence engine; a
    // temporary table could not be read five times in one statement on MySQL)
    const digits = `\`${database}_bench\`.digits`;
    await conn.query(`CREATE TABLE ${digits} (d INT)`);
    await conn.query(`INSERT INTO ${digits} VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)`);
    const t0 = performance.now();
    for (let block = 0; block * 100_000 < ROWS; block++) {
      await conn.query(
        `INSERT INTO ${src} SELECT n + 1, concat('item ', n), 10 + (n % 500), '2026-01-01 00:00:00' FROM (
           SELECT ${block * 100_000} + a.d + 10 * b.d + 100 * c.d + 1000 * e.d + 10000 * f.d AS n FROM ${digits} a, ${digits} b, ${digits} c, ${digits} e, ${digits} f
         ) g WHERE n < ${ROWS}`,
      );
    }
    process.stdout.write(`source filled in ${secs(performance.now() - t0)}\n`);

    mkdirSync(join(dir, 'models'), { recursive: true });
    writeFileSync(join(dir, 'project.yml'), 'name: bench\nprofile: bench\n');
    writeFileSync(
      join(dir, 'profiles.yml'),
      `bench:\n  target: dev\n  outputs:\n    dev: {type: mysql, host: "${DB.host}", port: ${DB.port}, user: "${DB.user}", password: "${DB.password}", database: ${database}, threads: 1}\n`,
    );
    writeFileSync(
      join(dir, 'models', 'snapshots.yml'),
      [
        'sources:',
        '  - name: bench',
        '    tables: [{name: items}]',
        'snapshots:',
        "  - name: hist_timestamp",
        "    relation: source('bench', 'items')",
        '    config: {strategy: timestamp, unique_key: id, updated_at: updated_at, hard_deletes: invalidate}',
        "  - name: hist_check_all",
        "    relation: source('bench', 'items')",
        '    config: {strategy: check, check_cols: all, unique_key: id, hard_deletes: invalidate}',
        '',
      ].join('\n'),
    );
    for (const name of ['hist_timestamp', 'hist_check_all']) {
      const first = ft(dir, ['snapshot', '-s', name]);
      process.stdout.write(`${name}: first run (builds the table) ${secs(first.nodeMs)}\n`);
    }

    const copies: number[] = [];
    const runs: Record<string, number[]> = { hist_timestamp: [], hist_check_all: [], 'hist_check_all, 0.1% deleted': [] };
    const walls: Record<string, number[]> = { hist_timestamp: [], hist_check_all: [], 'hist_check_all, 0.1% deleted': [] };
    for (let rep = 0; rep < REPS; rep++) {
      // a fresh 1% changed (every 100th row, shifted each repetition)
      await conn.query(`UPDATE ${src} SET price = price + 1, updated_at = '2026-01-0${2 + rep} 00:00:00' WHERE id % 100 = ${rep}`);
      for (const name of ['hist_timestamp', 'hist_check_all']) {
        const r = ft(dir, ['snapshot', '-s', name]);
        runs[name]!.push(r.nodeMs);
        walls[name]!.push(r.ms);
      }
      // then 0.1% deleted: the run that looks for the keys gone
      await conn.query(`DELETE FROM ${src} WHERE id % 1000 = ${500 + rep}`);
      const d = ft(dir, ['snapshot', '-s', 'hist_check_all']);
      runs['hist_check_all, 0.1% deleted']!.push(d.nodeMs);
      walls['hist_check_all, 0.1% deleted']!.push(d.ms);
      await conn.query(`DROP TABLE IF EXISTS \`${database}\`.items_copy`);
      const c0 = performance.now();
      await conn.query(`CREATE TABLE \`${database}\`.items_copy AS SELECT * FROM ${src}`);
      copies.push(performance.now() - c0);
      process.stdout.write(
        `rep ${rep + 1}: copy ${secs(copies.at(-1)!)}; ${Object.keys(runs).map((n) => `${n} ${secs(runs[n]!.at(-1)!)} (ft process ${secs(walls[n]!.at(-1)!)})`).join('; ')}\n`,
      );
    }
    const copy = median(copies);
    process.stdout.write(`\nbaseline: CREATE TABLE … AS SELECT * of the source, median ${secs(copy)}\n`);
    for (const name of Object.keys(runs)) {
      const m = median(runs[name]!);
      process.stdout.write(`${name}: snapshot run median ${secs(m)} (ft process ${secs(median(walls[name]!))}) — ratio snapshot/copy ${(m / copy).toFixed(2)}\n`);
    }
  } finally {
    if (!process.env.BENCH_KEEP) {
      await conn.query(`DROP DATABASE IF EXISTS \`${database}_bench\``).catch(() => undefined);
      await conn.query(`DROP DATABASE IF EXISTS \`${database}\``).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    } else process.stdout.write(`kept ${dir} and databases ${database}, ${database}_bench\n`);
    await pool.restore();
    await conn.end();
  }
}

await main();
