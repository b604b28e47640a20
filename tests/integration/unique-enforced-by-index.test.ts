import type mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../helpers/db.js';
import { createProject, type TestProject } from '../helpers/project-builder.js';

/**
 * A `unique` test on a column a UNIQUE index (or the primary key) covers exactly passes from
 * the catalog, its message naming the index, without reading the table; the query still runs
 * wherever the index does not settle it: an index on more columns, a view, stored failures, a
 * prefix index under a collation where equal values can have different prefixes, a column
 * combination that admits NULLs twice.
 */
describe('unique tests answered from a unique index', { timeout: 240_000 }, () => {
  let p: TestProject;
  const raw = (): string => p.schema('raw');
  const rel = (t: string): string => p.rel(t, 'raw');

  type Result = { unique_id: string; status: string; failures: number | null; message: string };
  const results = (): Map<string, Result> =>
    new Map((p.readJson('target/run_results.json').results as Result[]).map((r) => [r.unique_id.split('.')[2]!, r]));

  beforeAll(async () => {
    p = await createProject({ label: 'uqindex' });
    await p.query(`CREATE DATABASE \`${raw()}\``);
    await p.query(`CREATE TABLE ${rel('digits')} (d int NOT NULL)`);
    await p.query(`INSERT INTO ${rel('digits')} VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)`);
    await p.query(`CREATE TABLE ${rel('events')} (id int NOT NULL PRIMARY KEY, event_id char(36) NOT NULL, UNIQUE KEY uk_event_id (event_id))`);
    await p.query(`INSERT INTO ${rel('events')} SELECT a.d * 1000 + b.d * 100 + c.d * 10 + e.d, UUID() FROM ${rel('digits')} a, ${rel('digits')} b, ${rel('digits')} c, ${rel('digits')} e`);
    await p.query(`CREATE VIEW ${rel('events_v')} AS SELECT * FROM ${rel('events')}`);
    // unique prefixes: unique values under a collation of one weight per character
    await p.query(`CREATE TABLE ${rel('codes')} (code varchar(40) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci, UNIQUE KEY uk_code_prefix (code(8)))`);
    await p.query(`INSERT INTO ${rel('codes')} VALUES ('alpha-0001'), ('beta-0001'), (NULL), (NULL)`);
    // …but not where 'ß' equals 'ss': different first characters, equal values
    await p.query(`CREATE TABLE ${rel('words')} (w varchar(40) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci, UNIQUE KEY uk_w_prefix (w(1)))`);
    await p.query(`INSERT INTO ${rel('words')} VALUES ('ßx'), ('ssx')`);
    // a unique index on (a, b) says nothing of a alone
    await p.query(`CREATE TABLE ${rel('pairs')} (a int NOT NULL, b int NOT NULL, UNIQUE KEY uk_pair (a, b))`);
    await p.query(`INSERT INTO ${rel('pairs')} VALUES (1, 1), (1, 2), (2, 1)`);
    // the index admits (1, NULL) twice; the combination test counts them as duplicates
    await p.query(`CREATE TABLE ${rel('loose_pairs')} (a int NOT NULL, b int NULL, UNIQUE KEY uk_loose_pair (a, b))`);
    await p.query(`INSERT INTO ${rel('loose_pairs')} VALUES (1, NULL), (1, NULL), (2, 1)`);
    p.write('models/sources.yml', `version: 2
sources:
  - name: raw
    schema: ${raw()}
    tables:
      - name: events
        columns:
          - name: id
            data_tests:
              - unique:
                  name: id_unique
          - name: event_id
            data_tests:
              - unique:
                  name: event_id_unique
              - unique:
                  name: event_id_unique_where
                  config:
                    where: "id > 10"
              - unique:
                  name: event_id_unique_stored
                  config:
                    store_failures: true
      - name: events_v
        columns:
          - name: event_id
            data_tests:
              - unique:
                  name: view_event_id_unique
      - name: codes
        columns:
          - name: code
            data_tests:
              - unique:
                  name: code_unique
      - name: words
        columns:
          - name: w
            data_tests:
              - unique:
                  name: w_unique
      - name: pairs
        columns:
          - name: a
            data_tests:
              - unique:
                  name: pairs_a_unique
        data_tests:
          - dbt_utils.unique_combination_of_columns:
              name: pairs_b_a_unique
              combination_of_columns: [b, a]
      - name: loose_pairs
        data_tests:
          - dbt_utils.unique_combination_of_columns:
              name: loose_pairs_a_b_unique
              combination_of_columns: [a, b]
`);
  }, 120_000);

  afterAll(async () => {
    await p?.cleanup();
  });

  it('passes without reading the table: its message names the unique index (or the primary key)', async () => {
    // The table is write-locked by another session while ft tests it: any SELECT of its rows
    // waits for the lock, while information_schema still answers. ft must finish before the
    // lock is let go (on the code before this change it waited, and finished only after).
    const locker: mysql.Connection = await connect();
    let released = false;
    try {
      await locker.query(`LOCK TABLES ${rel('events')} WRITE`);
      const run = p.ft(['test', '--select', 'event_id_unique', 'event_id_unique_where', 'id_unique']);
      const finishedFirst = await Promise.race([run.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 45_000))]);
      await locker.query('UNLOCK TABLES');
      released = true;
      const r = await run;
      expect(finishedFirst, `ft test read the locked table (it waited for the lock):\n${r.output}`).toBe(true);
      expect(r.code, r.output).toBe(0);
      const res = results();
      expect(res.get('event_id_unique')).toMatchObject({ status: 'pass', failures: 0, message: `enforced by unique index uk_event_id of ${raw()}.events` });
      // a where config narrows the rows, and a subset of unique values is unique
      expect(res.get('event_id_unique_where')).toMatchObject({ status: 'pass', failures: 0, message: `enforced by unique index uk_event_id of ${raw()}.events` });
      expect(res.get('id_unique')).toMatchObject({ status: 'pass', failures: 0, message: `enforced by the primary key of ${raw()}.events` });
      // the run file says what happened instead of a query
      const runFiles = p.list('target/run').filter((f) => f.endsWith('/event_id_unique.sql'));
      expect(runFiles).toHaveLength(1);
      expect(p.read(runFiles[0]!)).toMatch(/^-- not run: enforced by unique index uk_event_id of /);
    } finally {
      if (!released) await locker.query('UNLOCK TABLES').catch(() => undefined);
      await locker.end();
    }
  });

  it('runs the query where no index settles it, and finds the duplicates', async () => {
    const r = await p.ft(['test', '--exclude', 'event_id_unique_stored', 'event_id_unique', 'event_id_unique_where', 'id_unique']);
    expect(r.code, r.output).toBe(1);
    const res = results();
    // a unique index on (a, b): a alone has duplicates
    expect(res.get('pairs_a_unique')).toMatchObject({ status: 'fail', failures: 1 });
    // the same columns in another order: the index on (a, b), both NOT NULL, settles it
    expect(res.get('pairs_b_a_unique')).toMatchObject({ status: 'pass', failures: 0, message: `enforced by unique index uk_pair of ${raw()}.pairs` });
    // b may be NULL: the index holds (1, NULL) twice, which the test counts as a duplicate
    expect(res.get('loose_pairs_a_b_unique')).toMatchObject({ status: 'fail', failures: 1 });
    // a prefix index under utf8mb4_general_ci settles it; under unicode_ci 'ßx' = 'ssx' slip through
    expect(res.get('code_unique')).toMatchObject({ status: 'pass', failures: 0, message: `enforced by unique index uk_code_prefix of ${raw()}.codes` });
    expect(res.get('w_unique')).toMatchObject({ status: 'fail', failures: 1 });
    // a view has no index of its own: its query runs (and passes)
    expect(res.get('view_event_id_unique')).toMatchObject({ status: 'pass', failures: 0, message: 'PASS' });
    const viewRun = p.list('target/run').find((f) => f.endsWith('/view_event_id_unique.sql'));
    expect(p.read(viewRun!)).toMatch(/GROUP BY `event_id`/);
  });

  it('runs the query when failures are stored (config or --store-failures), creating the failures table', async () => {
    const failures = `\`${p.database}_test_failures\``;
    const r = await p.ft(['test', '--select', 'event_id_unique_stored']);
    expect(r.code, r.output).toBe(0);
    expect(results().get('event_id_unique_stored')).toMatchObject({ status: 'pass', failures: 0, message: 'PASS' });
    expect(await p.query(`SELECT COUNT(*) AS n FROM ${failures}.\`event_id_unique_stored\``)).toEqual([{ n: 0 }]);

    const flagged = await p.ft(['test', '--store-failures', '--select', 'event_id_unique']);
    expect(flagged.code, flagged.output).toBe(0);
    expect(results().get('event_id_unique')).toMatchObject({ status: 'pass', failures: 0, message: 'PASS' });
    expect(await p.query(`SELECT COUNT(*) AS n FROM ${failures}.\`event_id_unique\``)).toEqual([{ n: 0 }]);
  });
});
