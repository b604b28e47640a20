import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamLoad } from '../../src/stream/stream-load.js';
import type { StreamTarget } from '../../src/stream/types.js';
import { EVENT_COLUMNS, ndjsonLines, writeAtomically } from '../fixtures/stream/events.js';
import { connect, uniquePrefix } from '../helpers/db.js';
import { GaleraCluster, galeraMissing } from '../helpers/galera.js';
import { createProject, type TestProject } from '../helpers/project-builder.js';

/**
 * ft on a three-node MariaDB Galera cluster of the test's own (tests/helpers/galera.ts): one
 * cluster for the file, started in beforeAll and always torn down in afterAll.
 */
const missing = galeraMissing();
if (missing) console.warn(`skipping the Galera tests: ${missing}`);

describe.skipIf(missing)('ft on a MariaDB Galera cluster', () => {
  let cluster: GaleraCluster;
  const projects: TestProject[] = [];

  beforeAll(async () => {
    cluster = new GaleraCluster();
    await cluster.start();
  }, 300_000);

  afterAll(async () => {
    for (const p of projects) await p.cleanup().catch(() => undefined);
    await cluster?.stop();
  }, 120_000);

  /** a project whose profile points at node i (0-based) */
  const onNode = async (i: number, spec: Omit<Parameters<typeof createProject>[0], 'profile'> & { database?: string }): Promise<TestProject> => {
    const { database, ...rest } = spec;
    const p = await createProject({ ...rest, profile: { port: cluster.nodes[i]!.port, host: '127.0.0.1', user: 'root', password: '', ...(database ? { database } : {}) } });
    projects.push(p);
    return p;
  };

  const count = async (node: number, rel: string): Promise<number> => Number((await cluster.query<{ n: number }>(node, `SELECT count(*) AS n FROM ${rel}`))[0]!.n);

  it('detects Galera through @@wsrep_on: the adapter picks the lease lock; the shared server keeps GET_LOCK', async () => {
    const { detectCapabilities } = await import('../../src/adapters/mysql/mysql-capabilities.js');
    const onConn = async (c: Awaited<ReturnType<typeof cluster.connect>>) => {
      try {
        return await detectCapabilities({ query: async (sql: string) => (await c.query(sql))[0] } as never);
      } finally {
        await c.end();
      }
    };
    expect(await onConn(await cluster.connect(0))).toMatchObject({ galera: true, runLock: 'lease', loadDataLocal: true });
    expect(await onConn(await connect())).toMatchObject({ galera: false, runLock: 'get_lock' });
  }, 60_000);

  it('seed (LOAD DATA) and build through node 1, a rebuild swaps tables under total-order isolation, results on nodes 2 and 3', async () => {
    const seedRows = ['id,amount', ...Array.from({ length: 500 }, (_, i) => `${i + 1},${(i % 7) + 1}`)].join('\n') + '\n';
    const p = await onNode(0, {
      label: 'gbuild',
      seeds: { 'payments.csv': seedRows },
      models: {
        'totals.sql': '{{config materialized="table"}}\nselect amount, count(*) as n, sum(amount) as total from {{ref "payments"}} group by amount',
        'big.sql': '{{config materialized="view"}}\nselect * from {{ref "totals"}} where n > {{var "min" 0}}',
      },
      yaml: { 'schema.yml': 'models:\n  - name: totals\n    description: totals per amount\n    config:\n      persist_docs: {relation: true}\n      indexes:\n        - columns: [amount]\n          unique: true\n' },
    });
    const seed = await p.ft(['seed']);
    expect(seed.code, seed.output).toBe(0);
    for (const node of [1, 2]) expect(await count(node, `\`${p.database}\`.\`payments\``)).toBe(500);
    const first = await p.ft(['run']);
    expect(first.code, first.output).toBe(0);
    // the second run builds totals beside the live table and RENAMEs both in one statement
    const second = await p.ft(['run', '--vars', '{min: 70}']);
    expect(second.code, second.output).toBe(0);
    for (const node of [1, 2]) {
      expect(await count(node, `\`${p.database}\`.\`totals\``)).toBe(7);
      expect(await count(node, `\`${p.database}\`.\`big\``)).toBe(7);
      // the index and comment (ALTER TABLE) reached every node; no __ft_tmp sibling left
      const idx = await cluster.query(node, 'SELECT index_name FROM information_schema.statistics WHERE table_schema = ? AND table_name = ? AND non_unique = 0', [p.database, 'totals']);
      expect(idx.length).toBeGreaterThan(0);
      const tables = await cluster.query<{ t: string; c: string }>(node, 'SELECT table_name AS t, table_comment AS c FROM information_schema.tables WHERE table_schema = ? ORDER BY table_name', [p.database]);
      expect(tables.map((r) => r.t)).toEqual(['big', 'payments', 'totals']);
      expect(tables.find((r) => r.t === 'totals')!.c).toBe('totals per amount');
    }
  }, 240_000);

  it('two ft run through two nodes serialise: the second fails at once with --lock-wait 0, or waits and builds after the first', async () => {
    const a = await onNode(0, { label: 'glock', models: { 'slow.sql': '{{config materialized="table"}}\nselect sleep({{var "pause" 0}}) as s' } });
    const b = await onNode(1, { label: 'glock', database: a.database, models: { 'slow.sql': '{{config materialized="table"}}\nselect 1 as s' } });
    // the first run outlives the lease's 30 s TTL: only its renewals keep the others out
    const first = a.spawn(['run', '--vars', '{pause: 50}'], { timeoutMs: 240_000 });
    // the first run holds the lock once its model's statement runs on node 1
    const running = async () => (await cluster.query(0, "SELECT id FROM information_schema.processlist WHERE info LIKE '%sleep(%' AND info LIKE ? AND info NOT LIKE '%processlist%'", [`%${a.database}%`])).length > 0;
    const end = Date.now() + 90_000;
    while (Date.now() < end && !(await running())) await new Promise((r) => setTimeout(r, 100));
    expect(await running()).toBe(true);
    // node 3 sees who holds it
    expect(await cluster.query(2, 'SELECT owner FROM ft_locks.leases WHERE name = ?', [`ft_run:${a.database}`])).toHaveLength(1);
    // wait (by the server's clock) until the lease is older than its TTL
    const age = async () => Number((await cluster.query<{ s: number }>(2, 'SELECT TIMESTAMPDIFF(SECOND, acquired_at, UTC_TIMESTAMP(6)) AS s FROM ft_locks.leases WHERE name = ?', [`ft_run:${a.database}`]))[0]?.s ?? -1);
    while (Date.now() < end + 60_000 && (await age()) < 35) await new Promise((r) => setTimeout(r, 500));
    expect(await age()).toBeGreaterThanOrEqual(35);
    const refused = await b.ft(['run', '--lock-wait', '0']);
    expect(refused.code, refused.output).toBe(2);
    expect(refused.stderr).toContain(`another ft run is building target database ${a.database}`);
    expect(refused.output).not.toMatch(/\n\s+at /);
    const waiting = b.spawn(['run', '--lock-wait', '300'], { timeoutMs: 240_000 });
    await waiting.waitFor(/another ft run holds the lock on target database \S+; waiting up to 300s/, 90_000);
    const firstDone = await first.done;
    expect(firstDone.code, firstDone.output).toBe(0);
    const second = await waiting.done;
    expect(second.code, second.output).toBe(0);
    // the second built after the first: its table replaced the first's
    expect(await cluster.query(2, `SELECT s FROM \`${a.database}\`.slow`)).toEqual([{ s: 1 }]);
  }, 240_000);

  it('the run lock is released at the end of a run: a run through another node then builds', async () => {
    const a = await onNode(0, { label: 'glock2', models: { 'm.sql': '{{config materialized="table"}}\nselect 1 as s' } });
    const b = await onNode(2, { label: 'glock2', database: a.database, models: { 'm.sql': '{{config materialized="table"}}\nselect 2 as s' } });
    expect((await a.ft(['run'])).code).toBe(0);
    const r = await b.ft(['run', '--lock-wait', '0']);
    expect(r.code, r.output).toBe(0);
    expect(await cluster.query(0, `SELECT s FROM \`${a.database}\`.m`)).toEqual([{ s: 2 }]);
    expect(await cluster.query(0, 'SELECT owner FROM ft_locks.leases WHERE name = ?', [`ft_run:${a.database}`])).toEqual([]);
  }, 240_000);

  it('a lease whose owner stopped renewing it expires: the next run takes it over; a live one is respected', async () => {
    const p = await onNode(0, { label: 'glease', models: { 'm.sql': '{{config materialized="table"}}\nselect 1 as s' } });
    // the lease table exists once any run has taken the lock
    expect((await p.ft(['run'])).code).toBe(0);
    const name = `ft_run:${p.database}`;
    // a run on another machine that holds the lock now, through node 2
    await cluster.query(1, 'INSERT INTO ft_locks.leases (name, owner, acquired_at, expires_at) VALUES (?, ?, UTC_TIMESTAMP(6), UTC_TIMESTAMP(6) + INTERVAL 1 HOUR)', [name, 'elsewhere:1:live']);
    const refused = await p.ft(['run', '--lock-wait', '0']);
    expect(refused.code, refused.output).toBe(2);
    expect(refused.stderr).toContain(`another ft run is building target database ${p.database}`);
    // the same holder, dead: its lease ran out a minute ago
    await cluster.query(1, 'UPDATE ft_locks.leases SET expires_at = UTC_TIMESTAMP(6) - INTERVAL 1 MINUTE WHERE name = ?', [name]);
    const took = await p.ft(['run', '--lock-wait', '0']);
    expect(took.code, took.output).toBe(0);
    expect(await cluster.query(2, 'SELECT owner FROM ft_locks.leases WHERE name = ?', [name])).toEqual([]);
  }, 240_000);

  it('a run stopped with Ctrl-C gives its lease back at once: a run through another node builds without waiting for expiry', async () => {
    const a = await onNode(0, { label: 'gcancel', models: { 'slow.sql': '{{config materialized="table"}}\nselect sleep({{var "pause" 0}}) as s' } });
    const b = await onNode(1, { label: 'gcancel', database: a.database, models: { 'slow.sql': '{{config materialized="table"}}\nselect 2 as s' } });
    const first = a.spawn(['run', '--vars', '{pause: 60}']);
    const running = async () => (await cluster.query(0, "SELECT id FROM information_schema.processlist WHERE info LIKE '%sleep(%' AND info LIKE ? AND info NOT LIKE '%processlist%'", [`%${a.database}%`])).length > 0;
    const end = Date.now() + 90_000;
    while (Date.now() < end && !(await running())) await new Promise((r) => setTimeout(r, 100));
    expect(await running()).toBe(true);
    first.child.kill('SIGINT');
    expect((await first.done).code).toBe(130);
    expect(await cluster.query(1, 'SELECT owner FROM ft_locks.leases WHERE name = ?', [`ft_run:${a.database}`])).toEqual([]);
    const r = await b.ft(['run', '--lock-wait', '0']);
    expect(r.code, r.output).toBe(0);
  }, 240_000);

  it('a certification conflict (a write through another node aborts ft\'s statement with 1213) is retried: the model is rebuilt and completes', async () => {
    // the post_hook holds a row lock while it sleeps: a write of that row through node 2 aborts it
    const p = await onNode(0, {
      label: 'gconflict',
      models: { 'counts.sql': '{{config materialized="table" pre_hook="insert into {{this.schema}}.attempts values (null)" post_hook="update {{this}} set n = n + 1 where id = 1 and sleep(8) = 0"}}\nselect 1 as id, 0 as n' },
    });
    await cluster.query(0, `CREATE DATABASE IF NOT EXISTS \`${p.database}\``);
    await cluster.query(0, `CREATE TABLE \`${p.database}\`.attempts (id int AUTO_INCREMENT PRIMARY KEY)`);
    const aborts = async () => Number((await cluster.query<{ Value: string }>(0, "SHOW GLOBAL STATUS LIKE 'wsrep_local_bf_aborts'"))[0]!.Value);
    const before = await aborts();
    // MariaDB re-runs an aborted autocommit statement itself once (wsrep_retry_autocommit = 1);
    // off, the 1213 reaches ft, as it does for a conflict inside a transaction
    await cluster.query(0, 'SET GLOBAL wsrep_retry_autocommit = 0');
    const run = p.spawn(['run'], { timeoutMs: 180_000 });
    try {
      const hookRunning = async () => (await cluster.query(0, "SELECT id FROM information_schema.processlist WHERE info LIKE 'update%sleep(8)%' AND info LIKE ?", [`%${p.database}%`])).length > 0;
      const end = Date.now() + 90_000;
      while (Date.now() < end && !(await hookRunning())) await new Promise((r) => setTimeout(r, 100));
      expect(await hookRunning()).toBe(true);
      await cluster.query(1, `UPDATE \`${p.database}\`.counts SET n = 100 WHERE id = 1`);
      const r = await run.done;
      expect(r.code, r.output).toBe(0);
      expect(await aborts()).toBeGreaterThan(before);
      // ft built the model a second time (its pre_hook ran twice) and the hook ran on the new table
      expect(await cluster.query(2, `SELECT count(*) AS n FROM \`${p.database}\`.attempts`)).toEqual([{ n: 2 }]);
      expect(await cluster.query(2, `SELECT id, n FROM \`${p.database}\`.counts`)).toEqual([{ id: 1, n: 1 }]);
      // the retry is counted in run_results.json
      expect(p.readJson('target/run_results.json').results[0]).toMatchObject({ status: 'success', retries: 1 });
    } finally {
      await cluster.query(0, 'SET GLOBAL wsrep_retry_autocommit = 1');
      run.child.kill('SIGKILL');
    }
  }, 240_000);

  it('a user who may not write the lease table gets a clear message naming the grant, exit 2', async () => {
    const user = `ftl_${Math.random().toString(36).slice(2, 8)}`;
    const p = await createProject({ label: 'ggrant', models: { 'm.sql': 'select 1 as s' }, profile: { port: cluster.nodes[0]!.port, host: '127.0.0.1', user, password: 'pw' } });
    projects.push(p);
    await cluster.query(0, `CREATE USER '${user}'@'%' IDENTIFIED BY 'pw'`);
    try {
      await cluster.query(0, `GRANT ALL ON \`${p.database}\`.* TO '${user}'@'%'`);
      const r = await p.ft(['run']);
      expect(r.code, r.output).toBe(2);
      expect(r.stderr).toMatch(/ft keeps its run lock as a row in ft_locks\.leases .*Grant the profile's user CREATE, SELECT, INSERT, UPDATE, DELETE on ft_locks\.\*/);
      expect(r.output).not.toMatch(/\n\s+at /);
    } finally {
      await cluster.query(0, `DROP USER '${user}'@'%'`);
    }
  }, 120_000);

  it('seed through a node whose local_infile is OFF: the adapter reads it, ft falls back to batched INSERTs, rows on node 1', async () => {
    const { detectCapabilities } = await import('../../src/adapters/mysql/mysql-capabilities.js');
    const p = await onNode(2, { label: 'gnoinfile', seeds: { 'codes.csv': ['code,label', ...Array.from({ length: 300 }, (_, i) => `${i},c${i}`)].join('\n') + '\n' } });
    // this cluster is the test's own: changing a node's global setting disturbs no one
    await cluster.query(2, 'SET GLOBAL local_infile = 0');
    try {
      const c = await cluster.connect(2);
      try {
        expect(await detectCapabilities({ query: async (sql: string) => (await c.query(sql))[0] } as never)).toMatchObject({ galera: true, loadDataLocal: false });
      } finally {
        await c.end();
      }
      const inserts = async () => Number((await cluster.query<{ Value: string }>(2, "SHOW GLOBAL STATUS LIKE 'Com_insert'"))[0]!.Value);
      const before = await inserts();
      const r = await p.ft(['seed']);
      expect(r.code, r.output).toBe(0);
      expect(await inserts()).toBeGreaterThan(before);
      expect(await count(0, `\`${p.database}\`.\`codes\``)).toBe(300);
    } finally {
      await cluster.query(2, 'SET GLOBAL local_infile = 1');
    }
  }, 240_000);

  it('stream-load through node 2 (LOAD DATA LOCAL): every row exactly once on node 3, a second pass adds nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ft-galera-stream-'));
    try {
      const target: StreamTarget = { database: `${uniquePrefix('gstream')}`, table: 'events', columns: EVENT_COLUMNS };
      writeAtomically(dir, 'events-001.ndjson', ndjsonLines(1, 2500).join('\n') + '\n');
      writeAtomically(dir, 'events-002.ndjson', ndjsonLines(2, 1200).join('\n') + '\n');
      const lines: string[] = [];
      const opts = {
        connection: cluster.db(1),
        target,
        path: dir,
        format: 'ndjson' as const,
        once: true,
        maxBatchRows: 1000,
        maxBatchBytes: 1 << 20,
        triggerIntervalMs: 50,
        maxLineBytes: 1 << 20,
        logFormat: 'json' as const,
        statusIntervalMs: 60_000,
        stableMs: 100,
        log: (l: string) => lines.push(l),
      };
      await streamLoad(opts);
      const rel = `\`${target.database}\`.\`events\``;
      expect(await count(2, rel)).toBe(3700);
      expect(Number((await cluster.query<{ n: number }>(2, `SELECT count(DISTINCT _source_file, _source_line) AS n FROM ${rel}`))[0]!.n)).toBe(3700);
      await streamLoad(opts);
      expect(await count(0, rel)).toBe(3700);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});
