import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createProject, nodeLines, type TestProject } from '../helpers/project-builder.js';

/** What a run prints and writes: per-node lines, the summary, --log-format json, run_results.json. */
describe('run output', () => {
  /** Each test has its own project and database (beforeEach). */
  let p: TestProject;

  beforeEach(async () => {
    p = await createProject({
      label: 'output',
      seeds: { 'nums.csv': 'n\n1\n2\n3\n' },
      models: {
        'nums_v.sql': 'select n from {{ref "nums"}}',
        'nums_t.sql': '{{config materialized="table"}}\nselect n * 2 as n2 from {{ref "nums_v"}}',
        'nums_i.sql': '{{config materialized="incremental" unique_key="n2"}}\nselect n2 from {{ref "nums_t"}}',
        'broken.sql': '{{config materialized="table"}}\nselect * from {{ref "nums_v"}} where no_such_col = 1',
      },
    });
  });

  afterEach(async () => {
    await p.cleanup();
  });

  it('prints one line per node in dbt\'s format and a summary', async () => {
    const r = await p.ft(['build']);
    expect(r.code).toBe(1);
    const lines = nodeLines(r.output);
    expect(lines).toHaveLength(5);
    const db = p.database.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const expected = [
      new RegExp(`^\\d of 5 OK loaded seed file ${db}\\.nums \\.{3,} \\[3 rows in \\d+\\.\\d\\ds\\]$`),
      new RegExp(`^\\d of 5 OK created view model ${db}\\.nums_v \\.{3,} \\[OK in \\d+\\.\\d\\ds\\]$`),
      new RegExp(`^\\d of 5 OK created table model ${db}\\.nums_t \\.{3,} \\[3 rows in \\d+\\.\\d\\ds\\]$`),
      new RegExp(`^\\d of 5 OK created table model ${db}\\.nums_i \\.{3,} \\[3 rows in \\d+\\.\\d\\ds\\]$`),
      new RegExp(`^\\d of 5 ERROR creating table model ${db}\\.broken \\.{3,} \\[ERROR in \\d+\\.\\d\\ds\\]$`),
    ];
    for (const re of expected) expect(lines.filter((l) => re.test(l)), `${re}\n${lines.join('\n')}`).toHaveLength(1);
    // numbered 1..5 in completion order
    expect(lines.map((l) => Number(l.split(' ')[0])).sort()).toEqual([1, 2, 3, 4, 5]);
    // each line starts with a HH:MM:SS timestamp
    expect(r.stdout.split('\n').filter((l) => / of 5 /.test(l)).every((l) => /^\d\d:\d\d:\d\d {2}\d/.test(l))).toBe(true);
    // the server's own flavor and version (MariaDB's version() reads 10.11.19-MariaDB-…)
    const [{ v }] = await p.query<{ v: string }>('select version() as v');
    const server = `${/mariadb/i.test(v) ? 'mariadb' : 'mysql'} ${v.split('-')[0]}`.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect(r.stdout).toMatch(new RegExp(`^Running 5 nodes with 4 threads on ${server}\n`));
    expect(r.stdout).toMatch(/\nFinished running 5 nodes in \d+\.\d\ds\.\n/);
    expect(r.stdout).toMatch(/\nError in model broken \(models\/broken\.sql(:1)?\)\n/);
    expect(r.stdout).toMatch(/\nDone\. PASS=4 WARN=0 ERROR=1 FAIL=0 SKIP=0 TOTAL=5\n$/);
  });

  it('an incremental run reports what it did and how many rows', async () => {
    const first = await p.ft(['build', '-s', '+nums_i']);
    expect(first.code, first.output).toBe(0);
    const r = await p.ft(['run', '-s', 'nums_i']);
    expect(r.code, r.output).toBe(0);
    // a merge tells inserted from updated rows (MySQL's affected rows count an update twice)
    expect(nodeLines(r.output)).toEqual([expect.stringMatching(/^1 of 1 OK merged into incremental model \S+\.nums_i \.+ \[0 inserted, 3 updated in \d+\.\d\ds\]$/)]);
  });

  it('run_results.json: status, timing, rows affected, message, existing compiled and run SQL', async () => {
    await p.ft(['build']);
    const rr = p.readJson('target/run_results.json');
    expect(rr.metadata.dbt_schema_version).toMatch(/run-results/);
    expect(rr.metadata.invocation_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(rr.args).toMatchObject({ command: 'build', threads: 4 });
    expect(typeof rr.elapsed_time).toBe('number');
    const by = Object.fromEntries(rr.results.map((x: { unique_id: string }) => [x.unique_id, x]));
    expect(Object.keys(by).sort()).toEqual(['model.proj.broken', 'model.proj.nums_i', 'model.proj.nums_t', 'model.proj.nums_v', 'seed.proj.nums']);
    const t = by['model.proj.nums_t'];
    expect(t).toMatchObject({
      status: 'success',
      message: 'created table',
      adapter_response: { rows_affected: 3 },
      relation_name: `\`${p.database}\`.\`nums_t\``,
      compiled_path: 'target/compiled/proj/models/nums_t.sql',
      run_path: 'target/run/proj/models/nums_t.sql',
      failures: null,
    });
    expect(t.thread_id).toMatch(/^Thread-\d$/);
    expect(t.execution_time).toBeGreaterThan(0);
    expect(t.timing[0].name).toBe('execute');
    expect(Date.parse(t.timing[0].completed_at)).toBeGreaterThanOrEqual(Date.parse(t.timing[0].started_at));
    expect(by['model.proj.nums_v']).toMatchObject({ status: 'success', message: 'created view', adapter_response: { rows_affected: null } });
    expect(by['seed.proj.nums']).toMatchObject({ status: 'success', adapter_response: { rows_affected: 3 } });
    for (const id of ['model.proj.nums_v', 'model.proj.nums_t', 'model.proj.nums_i']) {
      const x = by[id];
      expect(x.run_path).toMatch(/^target\/run\/.+\.sql$/);
      expect(existsSync(join(p.dir, x.run_path))).toBe(true);
      expect(existsSync(join(p.dir, x.compiled_path))).toBe(true);
    }
    const b = by['model.proj.broken'];
    expect(b.status).toBe('error');
    expect(b.message).toMatch(/server error 1054: Unknown column 'no_such_col'/);
    expect(b.adapter_response.rows_affected).toBeNull();
    // the SQL that failed is kept in target/run too
    expect(p.read('target/run/proj/models/broken.sql')).toContain('no_such_col');
  });

  it('--log-format json: one JSON object per line on stdout and stderr', async () => {
    const r = await p.ft(['build', '--log-format', 'json']);
    expect(r.code).toBe(1);
    const out = r.stdout.split('\n').filter(Boolean);
    const err = r.stderr.split('\n').filter(Boolean);
    const events = [...out, ...err].map((l) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        throw new Error(`not JSON: ${l}`);
      }
    });
    for (const e of events) {
      expect(typeof e.ts).toBe('string');
      expect(typeof e.level).toBe('string');
      expect(typeof e.msg).toBe('string');
    }
    const kinds = events.map((e) => e.event).filter(Boolean);
    expect(kinds[0]).toBe('server');
    expect(kinds).toContain('run_started');
    expect(kinds.filter((k) => k === 'node_finished')).toHaveLength(5);
    expect(kinds[kinds.length - 1]).toBe('run_finished');
    const nodeT = events.find((e) => e.event === 'node_finished' && e.unique_id === 'model.proj.nums_t')!;
    expect(nodeT).toMatchObject({ status: 'success', rows_affected: 3, total: 5 });
    const finished = events.find((e) => e.event === 'run_finished')!;
    expect(finished).toMatchObject({ pass: 4, error: 1, total: 5 });
    // nothing in text form leaks into json mode
    expect(r.stdout).not.toMatch(/^\d\d:\d\d:\d\d /m);
  });
});
