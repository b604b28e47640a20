import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qualityProject, type QualityProject } from '../fixtures/quality/setup.js';

/**
 * Test config through `ft test`: severity, warn_if/error_if, where, limit, store_failures
 * (and --store-failures), tags, enabled and name, with exact failing counts, on a seed
 * whose dirty rows are known.
 */
describe('ft test: test config', { timeout: 240_000 }, () => {
  let q: QualityProject;

  // user_id is NULL on ids 2, 3, 5, 7, 10 (5 rows; of them kind buy/refund: 5, 7);
  // kind: view ×4, click ×2, buy ×2, refund ×2; amount < 0 on ids 6, 7, 8, 9 (4 rows).
  const EVENTS = `id,user_id,kind,amount
1,1,view,1
2,,view,2
3,,click,3
4,2,click,4
5,,buy,5
6,3,buy,-1
7,,refund,-2
8,4,refund,-3
9,5,view,-4
10,,view,6
`;
  const EVENTS_YML = `version: 2
seeds:
  - name: events
    columns:
      - name: id
        data_tests:
          - unique:
              config:
                tags: [nightly]
      - name: user_id
        data_tests:
          - not_null:
              config:
                severity: warn
          - not_null:
              name: user_id_present_for_purchases
              config:
                where: "kind in ('buy', 'refund')"
          - not_null:
              name: user_id_mostly_present
              config:
                warn_if: ">2"
                error_if: ">10"
          - not_null:
              name: user_id_rarely_missing
              config:
                error_if: ">4"
          - not_null:
              name: user_id_threshold_ok
              warn_if: ">5"
              error_if: ">5"
      - name: kind
        data_tests:
          - accepted_values:
              values: [view, click]
              config:
                store_failures: true
                tags: [kinds]
      - name: amount
        data_tests:
          - at_least:
              min_value: 0
              config:
                limit: 3
                store_failures: true
          - at_least:
              min_value: -100
              config:
                enabled: false
`;

  type Result = { unique_id: string; status: string; failures: number | null; message: string };
  const byName = (p: QualityProject = q): Map<string, Result> =>
    new Map((p.readJson('target/run_results.json').results as Result[]).filter((r) => r.unique_id.startsWith('test.')).map((r) => [r.unique_id.split('.')[2]!, r]));
  const failuresDb = (p: QualityProject = q) => `${p.database}_test_failures`;
  const stored = async (table: string, p: QualityProject = q): Promise<number> => {
    const rows = await p.query<{ n: number }>(`SELECT COUNT(*) AS n FROM \`${failuresDb(p)}\`.\`${table}\``);
    return Number(rows[0]!.n);
  };
  const failureTables = async (p: QualityProject = q): Promise<string[]> =>
    (await p.query<{ n: string }>('SELECT table_name AS n FROM information_schema.tables WHERE table_schema = ? ORDER BY table_name', [failuresDb(p)])).map((r) => r.n);

  /** The quality project with the events seed loaded. */
  const setup = async (): Promise<QualityProject> => {
    const p = await qualityProject('clitestcfg');
    p.write('seeds/events.csv', EVENTS);
    p.write('seeds/events.yml', EVENTS_YML);
    const seed = await p.ft(['seed', '-s', 'events']);
    expect(seed.code, seed.output).toBe(0);
    return p;
  };

  /** The shared fixture, read by the tests; the test that changes the seed has its own project. */
  beforeAll(async () => {
    q = await setup();
  }, 240_000);

  afterAll(async () => {
    await q.cleanup();
  }, 240_000);

  it('severity, warn_if/error_if, where, limit and name give exact statuses and counts', async () => {
    const r = await q.ft(['test', '-s', 'events']);
    expect(r.code, r.output).toBe(1); // error-severity failures
    const t = byName();
    expect(Object.fromEntries([...t].map(([k, v]) => [k, [v.status, v.failures]]))).toEqual({
      unique_events_id: ['pass', 0],
      not_null_events_user_id: ['warn', 5], // severity: warn
      user_id_present_for_purchases: ['fail', 2], // where: kind in (buy, refund)
      user_id_mostly_present: ['warn', 5], // 5 > 2 warns, not > 10
      user_id_rarely_missing: ['fail', 5], // 5 > 4
      user_id_threshold_ok: ['pass', 5], // thresholds given at the top level of the entry
      accepted_values_events_kind__view__click: ['fail', 2], // buy, refund
      at_least_events_amount__0: ['fail', 3], // 4 rows, limit 3
    });
    expect(t.get('user_id_mostly_present')!.message).toBe('Got 5 results, configured to warn if >2');
    expect(t.get('user_id_rarely_missing')!.message).toBe('Got 5 results, configured to fail if >4');
    expect(r.output).toMatch(/PASS=2 WARN=2 ERROR=0 FAIL=4 SKIP=0 TOTAL=8/);
    expect(r.output).toContain('Warning in test not_null_events_user_id (seeds/events.yml:12): 5 failing rows');
    expect(r.output).toContain('Failure in test user_id_present_for_purchases (seeds/events.yml:15): 2 failing rows');
  });

  it('enabled: false removes the test; name: renames it; tags select it', async () => {
    const ls = await q.ft(['ls', '--resource-type', 'test']);
    expect(ls.stdout).not.toContain('at_least_events_amount___100');
    expect(ls.stdout).toContain('user_id_present_for_purchases');
    expect((await q.ft(['ls', '-s', 'tag:kinds'])).stdout.trim()).toBe('accepted_values_events_kind__view__click');
    const nightly = await q.ft(['test', '-s', 'tag:nightly']);
    expect(nightly.code, nightly.output).toBe(0);
    expect([...byName().keys()]).toEqual(['unique_events_id']);
    const named = await q.ft(['test', '-s', 'user_id_present_for_purchases']);
    expect(named.code, named.output).toBe(1);
    expect([...byName().keys()]).toEqual(['user_id_present_for_purchases']);
  });

  it('store_failures keeps the failing rows in <target>_test_failures, replaced on each run', async () => {
    // its own project: it changes the seed and the stored failures
    const own = await setup();
    try {
      await own.query(`DROP DATABASE IF EXISTS \`${failuresDb(own)}\``);
      const first = await own.ft(['test', '-s', 'events']);
      expect(first.code, first.output).toBe(1);
      expect(await failureTables(own)).toEqual(['accepted_values_events_kind__view__click', 'at_least_events_amount__0']);
      expect(await stored('accepted_values_events_kind__view__click', own)).toBe(2);
      expect(await stored('at_least_events_amount__0', own)).toBe(3); // the limit applies to the stored rows
      const rows = await own.query<{ value_field: string; n_records: number }>(`SELECT value_field, n_records FROM \`${failuresDb(own)}\`.accepted_values_events_kind__view__click ORDER BY value_field`);
      expect(rows.map((x) => [x.value_field, Number(x.n_records)])).toEqual([
        ['buy', 2],
        ['refund', 2],
      ]);
      expect(first.output).toContain(`failing rows stored in ${failuresDb(own)}.at_least_events_amount__0`);

      // fix most of the data: one negative amount left, every kind accepted
      own.write('seeds/events.csv', EVENTS.replace(/,buy,|,refund,/g, ',view,').replace(/,-[234]\n/g, ',1\n'));
      expect((await own.ft(['seed', '-s', 'events'])).code).toBe(0);
      const second = await own.ft(['test', '-s', 'events']);
      expect(byName(own).get('at_least_events_amount__0')).toMatchObject({ status: 'fail', failures: 1 });
      expect(byName(own).get('accepted_values_events_kind__view__click')).toMatchObject({ status: 'pass', failures: 0 });
      expect(second.code, second.output).toBe(1);
      expect(await stored('at_least_events_amount__0', own)).toBe(1);
      expect(await stored('accepted_values_events_kind__view__click', own)).toBe(0); // replaced by an empty table, as dbt does

      // --store-failures stores every selected test's rows
      const all = await own.ft(['test', '-s', 'not_null_events_user_id', '--store-failures']);
      expect(all.code, all.output).toBe(0); // a warning only
      expect(await stored('not_null_events_user_id', own)).toBe(5);
      const cols = await own.query<{ c: string }>('SELECT column_name AS c FROM information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position', [failuresDb(own), 'not_null_events_user_id']);
      expect(cols.map((c) => c.c)).toEqual(['id', 'user_id', 'kind', 'amount']); // the whole failing row
    } finally {
      await own.cleanup();
    }
  });
});
