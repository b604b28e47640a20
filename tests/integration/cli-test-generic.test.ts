import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeLines } from '../helpers/project-builder.js';
import { qualityProject, type QualityProject } from '../fixtures/quality/setup.js';

/**
 * `ft test` and `ft ls` on the quality fixture, through the real CLI: generic tests on model,
 * seed and source columns and on whole models, a custom generic test (macros/test_at_least.sql),
 * a singular test (tests/*.sql), their dbt names, and how selectors pick them.
 */
describe('ft test: generic, custom and singular tests', { timeout: 240_000 }, () => {
  let q: QualityProject;

  const ALL_TESTS = [
    'accepted_values_stg_orders_status__placed__shipped__completed',
    'assert_orders_have_customers',
    'at_least_stg_orders_amount__0',
    'dbt_utils_expression_is_true_customer_orders_order_count_0',
    'not_null_customers_customer_id',
    'not_null_stg_orders_order_id',
    'not_null_tier_summary_tier',
    'relationships_stg_orders_customer_id__customer_id__ref_stg_customers_',
    'relationships_stg_payments_order_id__order_id__ref_stg_orders_',
    'source_not_null_raw_payments_payment_id',
    'source_unique_raw_payments_payment_id',
    'unique_customer_orders_customer_id',
    'unique_customers_customer_id',
    'unique_stg_orders_order_id',
    'unique_tier_summary_tier',
  ];

  type Result = { unique_id: string; status: string; failures: number | null; message: string; failing_rows_sample?: Record<string, unknown>[] };
  const results = (): Result[] => q.readJson('target/run_results.json').results;
  /** test name → its result in the last run (or in the given results) */
  const byName = (rs: Result[] = results()): Map<string, Result> => new Map(rs.filter((r) => r.unique_id.startsWith('test.')).map((r) => [r.unique_id.split('.')[2]!, r]));
  /** names of the tests a run reported, sorted */
  const ran = (output: string): string[] =>
    nodeLines(output)
      .map((l) => /^\d+ of \d+ \S+(?: \d+)? (\S+) /.exec(l)?.[1] ?? '')
      .sort();

  /** run_results.json of the fixture's `ft build`, kept: later runs of other tests overwrite the file */
  let buildResults: Result[];

  beforeAll(async () => {
    q = await qualityProject('clitest');
    const r = await q.ft(['build']);
    expect(r.code, r.output).toBe(0);
    buildResults = results();
  }, 240_000);

  afterAll(async () => {
    await q.cleanup();
  }, 240_000);

  it('ft build passes every declared test, each named as dbt names it', () => {
    const tests = byName(buildResults);
    expect([...tests.keys()].sort()).toEqual(ALL_TESTS);
    for (const [name, r] of tests) expect(r.status, name).toBe('pass');
    // unique ids follow dbt: test.<project>.<name>.<hash>
    for (const r of buildResults) if (r.unique_id.startsWith('test.')) expect(r.unique_id).toMatch(/^test\.quality\.[a-z0-9_]+(\.[0-9a-f]{10})?$/);
  });

  it('ft ls --resource-type test lists every test by name', async () => {
    const r = await q.ft(['ls', '--resource-type', 'test']);
    expect(r.code, r.output).toBe(0);
    expect(r.stdout.trim().split('\n').sort()).toEqual(ALL_TESTS);
  });

  it('ft test -s <test name> runs exactly that test', async () => {
    for (const name of ['not_null_stg_orders_order_id', 'accepted_values_stg_orders_status__placed__shipped__completed', 'source_unique_raw_payments_payment_id', 'at_least_stg_orders_amount__0']) {
      const r = await q.ft(['test', '-s', name]);
      expect(r.code, r.output).toBe(0);
      expect(ran(r.output)).toEqual([name]);
      expect(r.output).toMatch(/PASS=1 WARN=0 ERROR=0 FAIL=0 SKIP=0 TOTAL=1/);
    }
    const ls = await q.ft(['ls', '-s', 'not_null_stg_orders_order_id']);
    expect(ls.stdout.trim()).toBe('not_null_stg_orders_order_id');
  });

  it('a model selector picks the tests of the model (dbt eager indirect selection)', async () => {
    const r = await q.ft(['test', '-s', 'stg_orders']);
    expect(r.code, r.output).toBe(0);
    expect(ran(r.output)).toEqual([
      'accepted_values_stg_orders_status__placed__shipped__completed',
      'assert_orders_have_customers', // refs stg_orders
      'at_least_stg_orders_amount__0',
      'not_null_stg_orders_order_id',
      'relationships_stg_orders_customer_id__customer_id__ref_stg_customers_',
      'relationships_stg_payments_order_id__order_id__ref_stg_orders_', // `to: ref('stg_orders')`
      'unique_stg_orders_order_id',
    ]);
    // a seed's column tests and a source's tests
    const seed = await q.ft(['test', '-s', 'customers']);
    expect(ran(seed.output)).toEqual(['not_null_customers_customer_id', 'unique_customers_customer_id']);
    const source = await q.ft(['test', '-s', 'source:raw']);
    expect(source.code, source.output).toBe(0);
    expect(ran(source.output)).toEqual(['source_not_null_raw_payments_payment_id', 'source_unique_raw_payments_payment_id']);
    // a whole-model test
    const mart = await q.ft(['test', '-s', 'customer_orders', '--exclude', 'test_type:singular']);
    expect(ran(mart.output)).toEqual(['dbt_utils_expression_is_true_customer_orders_order_count_0', 'unique_customer_orders_customer_id']);
  });

  it('test_type:singular and test_type:generic split the tests', async () => {
    const singular = await q.ft(['test', '-s', 'test_type:singular']);
    expect(singular.code, singular.output).toBe(0);
    expect(ran(singular.output)).toEqual(['assert_orders_have_customers']);
    const generic = await q.ft(['ls', '-s', 'test_type:generic']);
    expect(generic.stdout.trim().split('\n').sort()).toEqual(ALL_TESTS.filter((t) => t !== 'assert_orders_have_customers'));
    const byTestName = await q.ft(['ls', '-s', 'test_name:relationships']);
    expect(byTestName.stdout.trim().split('\n').sort()).toEqual(ALL_TESTS.filter((t) => t.startsWith('relationships_')));
  });

  it('failing generic, custom and singular tests report exact counts and their first rows', async () => {
    const clean = q.read('seeds/orders.csv');
    try {
      // customer 9 does not exist; "returned" and "lost" are not accepted; two negative amounts
      q.write('seeds/orders.csv', `${clean.trimEnd()}\n109,9,returned,-4.00\n110,9,lost,-1.00\n111,2,returned,3.00\n`);
      const seed = await q.ft(['seed', '-s', 'orders']);
      expect(seed.code, seed.output).toBe(0);
      const r = await q.ft(['test']);
      expect(r.code, r.output).toBe(1);
      const t = byName();
      expect(t.get('accepted_values_stg_orders_status__placed__shipped__completed')).toMatchObject({ status: 'fail', failures: 2 }); // one row per bad value
      expect(t.get('at_least_stg_orders_amount__0')).toMatchObject({ status: 'fail', failures: 2 });
      expect(t.get('relationships_stg_orders_customer_id__customer_id__ref_stg_customers_')).toMatchObject({ status: 'fail', failures: 2 });
      expect(t.get('assert_orders_have_customers')).toMatchObject({ status: 'fail', failures: 2 });
      for (const name of ['unique_stg_orders_order_id', 'not_null_stg_orders_order_id', 'source_unique_raw_payments_payment_id', 'unique_customers_customer_id']) {
        expect(t.get(name)?.status, name).toBe('pass');
      }
      expect(r.output).toMatch(/PASS=11 WARN=0 ERROR=0 FAIL=4 SKIP=0 TOTAL=15/);
      // the console lists each failing test with its YAML line, count and first rows
      expect(r.output).toContain('Failure in test accepted_values_stg_orders_status__placed__shipped__completed (models/staging/schema.yml:12): 2 failing rows');
      expect(r.output).toContain('Failure in test at_least_stg_orders_amount__0 (models/staging/schema.yml:21): 2 failing rows');
      expect(r.output).toContain('Failure in test assert_orders_have_customers (tests/assert_orders_have_customers.sql:1): 2 failing rows');
      const block = r.output.slice(r.output.indexOf('Failure in test accepted_values_stg_orders_status'));
      expect(block).toMatch(/\| value_field \| n_records \|/);
      expect(block).toMatch(/\| returned +\| 2 +\|/);
      expect(block).toMatch(/\| lost +\| 1 +\|/);
      expect(t.get('at_least_stg_orders_amount__0')?.failing_rows_sample?.map((row) => Number(row.order_id)).sort()).toEqual([109, 110]);
      expect(nodeLines(r.output)).toContainEqual(expect.stringMatching(/FAIL 2 at_least_stg_orders_amount__0 \.+ \[FAIL 2 in /));
    } finally {
      q.write('seeds/orders.csv', clean);
      const back = await q.ft(['seed', '-s', 'orders']);
      expect(back.code, back.output).toBe(0);
    }
    const again = await q.ft(['test']);
    expect(again.code, again.output).toBe(0);
  });
});
