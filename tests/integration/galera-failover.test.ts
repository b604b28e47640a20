import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamLoad } from '../../src/stream/stream-load.js';
import type { StreamTarget } from '../../src/stream/types.js';
import { EVENT_COLUMNS, ndjsonLines, writeAtomically } from '../fixtures/stream/events.js';
import { uniquePrefix } from '../helpers/db.js';
import { GaleraCluster, galeraMissing } from '../helpers/galera.js';
import { createProject, type RunningCli, type TestProject } from '../helpers/project-builder.js';

/**
 * Failover: a profile lists the three nodes of a Galera cluster of the test's own; the node in use
 * is killed (-9) in the middle of `ft build` and of `stream-load`, and ft carries on through
 * another node. Each test brings the killed node back before it ends, so the tests run in any order.
 */
const missing = galeraMissing();
if (missing) console.warn(`skipping the Galera failover tests: ${missing}`);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(missing)('failover to another node of a Galera cluster', () => {
  let cluster: GaleraCluster;
  const projects: TestProject[] = [];

  beforeAll(async () => {
    cluster = new GaleraCluster(3, { quickEviction: true });
    await cluster.start();
  }, 300_000);

  afterAll(async () => {
    for (const p of projects) await p.cleanup().catch(() => undefined);
    await cluster?.stop();
  }, 120_000);

  /** every node, node 1 first: the one ft uses while it lives */
  const hostList = () => cluster.nodes.map((n) => `127.0.0.1:${n.port}`).join(',');

  /** kill -9 of node i, then `fn`; node i is always restarted (and the cluster whole again) after */
  const withNodeKilledBack = async <T>(i: number, fn: () => Promise<T>): Promise<T> => {
    let failed = false;
    try {
      return await fn();
    } catch (e) {
      failed = true;
      throw e;
    } finally {
      // a failure to restart is reported unless the test failed already (its error says more)
      if (!cluster.nodes[i]!.proc) await cluster.restart(i).catch((e) => {
        if (!failed) throw e;
      });
    }
  };

  it('kill -9 of the node in use in the middle of ft build: the model is rebuilt on the next node, exit 0, every model right, no __ft_tmp', async () => {
    const p = await createProject({
      label: 'gfobuild',
      profile: { host: hostList(), port: 3306, user: 'root', password: '', threads: 2 },
      models: {
        'base.sql': '{{config materialized="table"}}\nselect 1 as id, 10 as v union all select 2, 20 union all select 3, 30',
        // sleeps per row while node 1 builds it: the kill comes in the middle of its CREATE … SELECT
        'slow.sql': '{{config materialized="table"}}\nselect id, v * 2 as v2 from {{ref "base"}} where sleep({{var "pause" 0}}) = 0',
        'after.sql': '{{config materialized="table"}}\nselect sum(v2) as total from {{ref "slow"}}',
        'v.sql': '{{config materialized="view"}}\nselect id from {{ref "slow"}}',
      },
      yaml: { 'schema.yml': 'models:\n  - name: slow\n    columns:\n      - name: id\n        tests: [not_null, unique]\n' },
    });
    projects.push(p);
    const build = p.spawn(['build', '--vars', '{pause: 4}'], { timeoutMs: 240_000 });
    await withNodeKilledBack(0, async () => {
      const running = async () => (await cluster.query(0, "SELECT id FROM information_schema.processlist WHERE info LIKE '%sleep(%' AND info LIKE ? AND info NOT LIKE '%processlist%'", [`%${p.database}%`])).length > 0;
      const end = Date.now() + 90_000;
      while (Date.now() < end && !(await running())) await sleep(100);
      expect(await running()).toBe(true);
      await cluster.kill(0);
      const r = await build.done;
      expect(r.code, r.output).toBe(0);
      expect(r.output).toMatch(new RegExp(`moved to host 127\\.0\\.0\\.1:${cluster.nodes[1]!.port} \\(127\\.0\\.0\\.1:${cluster.nodes[0]!.port} is gone or not ready`));
      expect(r.output).not.toMatch(/\n\s+at /);
      // the interrupted model was built again, and its entry says so
      const slow = p.readJson('target/run_results.json').results.find((x: { unique_id: string }) => x.unique_id.endsWith('.slow'));
      expect(slow).toMatchObject({ status: 'success' });
      expect(slow.retries).toBeGreaterThanOrEqual(1);
      for (const node of [1, 2]) {
        expect(await cluster.query(node, `SELECT id, v2 FROM \`${p.database}\`.slow ORDER BY id`)).toEqual([{ id: 1, v2: 20 }, { id: 2, v2: 40 }, { id: 3, v2: 60 }]);
        expect(await cluster.query(node, `SELECT total FROM \`${p.database}\`.after`)).toEqual([{ total: '120' }]);
        expect(await cluster.query(node, `SELECT count(*) AS n FROM \`${p.database}\`.v`)).toEqual([{ n: 3 }]);
        const tables = await cluster.query<{ t: string }>(node, 'SELECT table_name AS t FROM information_schema.tables WHERE table_schema = ? ORDER BY table_name', [p.database]);
        expect(tables.map((x) => x.t)).toEqual(['after', 'base', 'slow', 'v']);
      }
    });
  }, 300_000);

  /** waits until node 1 runs a statement of `build`'s database calling sleep(), then kills it */
  const killWhileSleeping = async (db: string, build: RunningCli): Promise<void> => {
    const sleeping = (node: number) => cluster.query(node, "SELECT id FROM information_schema.processlist WHERE info LIKE '%sleep(%' AND info LIKE ? AND info NOT LIKE '%processlist%'", [`%${db}%`]);
    const running = async () => (await sleeping(0)).length > 0;
    const end = Date.now() + 90_000;
    while (Date.now() < end && !(await running())) await sleep(100);
    if (!(await running())) {
      // say where the statement went (another node?) and what ft said, for a failure seen only under load
      const where = await Promise.all([1, 2].map(async (n) => `node ${n + 1}: ${(await sleeping(n).catch(() => [])).length} sleeping`));
      expect.fail(`node 1 never ran the sleeping statement (${where.join(', ')}); the build so far:\n${build.output()}`);
    }
    await cluster.kill(0);
  };

  it('kill -9 of the node in use while a data test runs: the test runs again on the next node and passes, exit 0', async () => {
    const p = await createProject({
      label: 'gfotest',
      profile: { host: hostList(), port: 3306, user: 'root', password: '', threads: 1 },
      models: { 'm.sql': '{{config materialized="table"}}\nselect 1 as id union all select 2 union all select 3' },
      // sleeps per row while node 1 runs it: the kill comes in the middle of the test's query
      tests: { 'm_slow_check.sql': 'select id from {{ref "m"}} where sleep({{var "pause" 0}}) = 1' },
    });
    projects.push(p);
    const build = p.spawn(['build', '--vars', '{pause: 3}'], { timeoutMs: 240_000 });
    await withNodeKilledBack(0, async () => {
      await killWhileSleeping(p.database, build);
      const r = await build.done;
      expect(r.code, r.output).toBe(0);
      expect(r.output).toMatch(new RegExp(`moved to host 127\\.0\\.0\\.1:${cluster.nodes[1]!.port} \\(127\\.0\\.0\\.1:${cluster.nodes[0]!.port} is gone or not ready`));
      const test = p.readJson('target/run_results.json').results.find((x: { unique_id: string }) => x.unique_id.includes('m_slow_check'));
      expect(test).toMatchObject({ status: 'pass' });
      expect(test.retries).toBeGreaterThanOrEqual(1);
    });
  }, 300_000);

  it('kill -9 of the node in use while a snapshot stages its changes: it runs again on the next node, one new version per changed row', async () => {
    const base = (v: number) => `{{config materialized="table"}}\nselect 1 as id, ${v} as v union all select 2, ${v + 1} union all select 3, ${v + 2}`;
    const p = await createProject({
      label: 'gfosnap',
      profile: { host: hostList(), port: 3306, user: 'root', password: '', threads: 1 },
      models: { 'base.sql': base(10) },
      files: { 'snapshots/hist.sql': '{{config strategy="check" check_cols="all" unique_key="id"}}\nselect * from {{ref "base"}} where sleep({{var "pause" 0}}) = 0\n' },
    });
    projects.push(p);
    const first = await p.ft(['build']);
    expect(first.code, first.output).toBe(0);
    p.write('models/base.sql', base(20));
    const build = p.spawn(['build', '--vars', '{pause: 3}'], { timeoutMs: 240_000 });
    await withNodeKilledBack(0, async () => {
      await killWhileSleeping(p.database, build);
      const r = await build.done;
      expect(r.code, r.output).toBe(0);
      expect(r.output).toMatch(new RegExp(`moved to host 127\\.0\\.0\\.1:${cluster.nodes[1]!.port}`));
      const snap = p.readJson('target/run_results.json').results.find((x: { unique_id: string }) => x.unique_id.endsWith('.hist'));
      expect(snap).toMatchObject({ status: 'success' });
      expect(snap.retries).toBeGreaterThanOrEqual(1);
      const [where] = await cluster.query<{ s: string }>(1, "SELECT table_schema AS s FROM information_schema.tables WHERE table_name = 'hist' AND table_schema LIKE ?", [`${p.database}%`]);
      for (const node of [1, 2]) {
        const rows = await cluster.query<{ id: number; v: number; cur: number }>(node, `SELECT id, v, dbt_valid_to IS NULL AS cur FROM \`${where!.s}\`.hist ORDER BY id, cur`);
        expect(rows).toEqual([1, 2, 3].flatMap((id) => [{ id, v: 9 + id, cur: 0 }, { id, v: 19 + id, cur: 1 }]));
      }
    });
  }, 300_000);

  it('a node that is up but not synced (desynced) is passed over: the run goes to the next host of the list', async () => {
    const p = await createProject({ label: 'gfodesync', profile: { host: hostList(), port: 3306, user: 'root', password: '' }, models: { 'm.sql': '{{config materialized="table"}}\nselect 1 as id' } });
    projects.push(p);
    // wsrep_desync: node 1 stays up and answers, but leaves Synced (wsrep_local_state_comment = Donor/Desynced)
    await cluster.query(0, 'SET GLOBAL wsrep_desync = ON');
    try {
      const state = async () => (await cluster.query<{ Value: string }>(0, "SHOW GLOBAL STATUS LIKE 'wsrep_local_state_comment'"))[0]!.Value;
      const end = Date.now() + 30_000;
      while (Date.now() < end && (await state()) === 'Synced') await sleep(100);
      expect(await state()).toBe('Donor/Desynced');
      const r = await p.ft(['run']);
      expect(r.code, r.output).toBe(0);
      const [n1, n2] = [cluster.nodes[0]!.port, cluster.nodes[1]!.port];
      expect(r.output).toContain(`using host 127.0.0.1:${n2} of 127.0.0.1:${n1}, 127.0.0.1:${n2}, 127.0.0.1:${cluster.nodes[2]!.port} (passed over 127.0.0.1:${n1}: Galera node not synced (wsrep_local_state_comment = Donor/Desynced))`);
      expect(await cluster.query(2, `SELECT id FROM \`${p.database}\`.m`)).toEqual([{ id: 1 }]);
    } finally {
      await cluster.query(0, 'SET GLOBAL wsrep_desync = OFF');
      // the other tests expect node 1 in use: synced again
      await cluster.waitReady(0, 3);
    }
  }, 120_000);

  it('two stream-load of one table through two nodes: the second waits for the first\'s lease (GET_LOCK would let both in), every line once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ft-galera-2l-'));
    const stop = new AbortController();
    try {
      const target: StreamTarget = { database: uniquePrefix('gfo2load'), table: 'events', columns: EVENT_COLUMNS };
      writeAtomically(dir, 'events-001.ndjson', ndjsonLines(1, 1000).join('\n') + '\n');
      const base = { target, path: dir, format: 'ndjson' as const, maxBatchRows: 200, maxBatchBytes: 1 << 20, triggerIntervalMs: 50, maxLineBytes: 1 << 20, logFormat: 'json' as const, statusIntervalMs: 60_000, stableMs: 100 };
      const linesA: string[] = [];
      const linesB: string[] = [];
      // A watches through node 1 until stopped
      const a = streamLoad({ ...base, connection: { ...cluster.db(0) }, once: false, signal: stop.signal, log: (l: string) => linesA.push(l) });
      const rel = `\`${target.database}\`.\`events\``;
      const loaded = async () => Number((await cluster.query<{ n: number }>(1, `SELECT count(*) AS n FROM ${rel}`).catch(() => [{ n: 0 }]))[0]!.n);
      let end = Date.now() + 90_000;
      while (Date.now() < end && (await loaded()) < 1000) await sleep(100);
      expect(await loaded()).toBe(1000);
      // B through node 2, --once: it must wait while A holds the table
      let bDone = false;
      const b = streamLoad({ ...base, connection: { ...cluster.db(1) }, once: true, log: (l: string) => linesB.push(l) }).finally(() => (bDone = true));
      end = Date.now() + 60_000;
      while (Date.now() < end && !linesB.some((l) => /another stream-load holds .* waiting for it to finish/.test(l))) await sleep(100);
      expect(linesB.join('\n')).toMatch(/another stream-load holds \S+ \(lease ft_stream:\w+ in ft_locks\.leases\); waiting for it to finish/);
      // a file written now is loaded once, by whichever holds the table
      writeAtomically(dir, 'events-002.ndjson', ndjsonLines(2, 1000).join('\n') + '\n');
      await sleep(3000);
      expect(bDone).toBe(false);
      stop.abort();
      await a;
      await b;
      expect(await cluster.query(2, `SELECT count(*) AS n, count(DISTINCT _source_file, _source_line) AS d FROM ${rel}`)).toEqual([{ n: 2000, d: 2000 }]);
      // both gave the lease back
      expect(await cluster.query(2, "SELECT owner FROM ft_locks.leases WHERE name LIKE 'ft_stream:%'")).toEqual([]);
      await cluster.query(1, `DROP DATABASE IF EXISTS \`${target.database}\``);
    } finally {
      stop.abort();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);

  it('kill -9 of the node in use in the middle of stream-load: it resumes on another node, every line exactly once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ft-galera-fo-'));
    try {
      const target: StreamTarget = { database: uniquePrefix('gfostream'), table: 'events', columns: EVENT_COLUMNS };
      // 3,000 good lines and 30 bad ones, in small batches: many commits to be cut in the middle of
      const bad = (f: number) => Array.from({ length: 10 }, (_, i) => `{"event_id": "bad-${f}-${i}", not json`);
      for (const f of [1, 2, 3]) writeAtomically(dir, `events-00${f}.ndjson`, [...ndjsonLines(f, 1000), ...bad(f)].join('\n') + '\n');
      const written = 3 * 1010;
      const lines: string[] = [];
      const load = streamLoad({
        connection: { host: '127.0.0.1', port: cluster.nodes[0]!.port, hosts: cluster.nodes.map((n) => ({ host: '127.0.0.1', port: n.port })), user: 'root', password: '' },
        target,
        path: dir,
        format: 'ndjson',
        once: true,
        maxBatchRows: 20,
        maxBatchBytes: 1 << 20,
        triggerIntervalMs: 20,
        maxLineBytes: 1 << 20,
        logFormat: 'json',
        statusIntervalMs: 60_000,
        stableMs: 100,
        log: (l: string) => lines.push(l),
      });
      const rel = `\`${target.database}\`.\`events\``;
      const rejected = `\`${target.database}\`.\`events__rejected\``;
      await withNodeKilledBack(0, async () => {
        // node 2 sees the first batches node 1 committed: kill node 1 then
        const loaded = async () => {
          try {
            return Number((await cluster.query<{ n: number }>(1, `SELECT count(*) AS n FROM ${rel}`))[0]!.n);
          } catch {
            return 0;
          }
        };
        const end = Date.now() + 90_000;
        while (Date.now() < end && (await loaded()) < 200) await sleep(20);
        const before = await loaded();
        expect(before).toBeGreaterThanOrEqual(200);
        expect(before).toBeLessThan(3000);
        await cluster.kill(0);
        const summary = await load;
        expect(lines.some((l) => JSON.parse(l).event === 'failover' && new RegExp(`moved to host 127\\.0\\.0\\.1:${cluster.nodes[1]!.port}`).test(l)), lines.join('\n')).toBe(true);
        expect(summary.rowsLoaded + summary.rowsRejected).toBeGreaterThan(0);
        for (const node of [1, 2]) {
          const [b] = await cluster.query<{ n: number; d: number }>(node, `SELECT count(*) AS n, count(DISTINCT _source_file, _source_line) AS d FROM ${rel}`);
          const [q] = await cluster.query<{ n: number; d: number }>(node, `SELECT count(*) AS n, count(DISTINCT _source_file, _source_line) AS d FROM ${rejected}`);
          expect([Number(b!.n), Number(b!.d)]).toEqual([3000, 3000]);
          expect([Number(q!.n), Number(q!.d)]).toEqual([30, 30]);
          // no line both loaded and rejected
          const [both] = await cluster.query<{ n: number }>(node, `SELECT count(*) AS n FROM ${rel} e JOIN ${rejected} r USING (_source_file, _source_line)`);
          expect(Number(both!.n)).toBe(0);
          expect(Number(b!.n) + Number(q!.n)).toBe(written);
        }
      });
      await cluster.query(1, `DROP DATABASE IF EXISTS \`${target.database}\``);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});

describe('a profile whose hosts are all down', () => {
  it('ft build stops with a clear error naming every host tried (no password), exit 2', async () => {
    const { createServer } = await import('node:net');
    // ports nothing listens on: taken, then closed
    const ports: number[] = [];
    for (let i = 0; i < 3; i++) {
      ports.push(
        await new Promise<number>((res) => {
          const s = createServer().listen(0, '127.0.0.1', () => {
            const port = (s.address() as { port: number }).port;
            s.close(() => res(port));
          });
        }),
      );
    }
    const p = await createProject({ label: 'gfodown', profile: { host: ports.map((x) => `127.0.0.1:${x}`).join(','), password: 'down-secret' }, models: { 'm.sql': 'select 1 as id' } });
    try {
      const r = await p.ft(['build']);
      expect(r.code, r.output).toBe(2);
      for (const port of ports) expect(r.stderr).toContain(`127.0.0.1:${port} (ECONNREFUSED)`);
      expect(r.stderr).toMatch(/cannot reach a usable server of target "dev" in \S*profiles\.yml: no host answered and was ready; tried /);
      expect(r.stderr).toContain('fix `host:`');
      expect(r.output).not.toContain('down-secret');
      expect(r.output).not.toMatch(/\n\s+at /);
    } finally {
      await p.cleanup();
    }
  }, 60_000);
});
