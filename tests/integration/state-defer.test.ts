import { cpSync, mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeLines } from '../helpers/project-builder.js';
import { qualityProject, type QualityProject } from '../fixtures/quality/setup.js';

/**
 * Slim CI: `ft build --select state:modified+ --state prod-manifest/ --defer`. A "prod"
 * target is built and its manifest saved; one model changes; the CI target builds only the
 * modified model, its descendants and their tests, and refs to parents it does not build
 * resolve to prod's relations.
 */
describe('slim CI: state:modified+ with --defer', { timeout: 240_000 }, () => {
  let q: QualityProject;
  const prod = () => `${q.database}_prod`;
  const ci = () => `${q.database}_ci`;
  const tablesIn = async (db: string): Promise<string[]> =>
    (await q.query<{ t: string }>('SELECT table_name AS t FROM information_schema.tables WHERE table_schema = ?', [db])).map((r) => r.t).sort();
  const ran = (output: string): string[] =>
    nodeLines(output)
      .map((l) => / (?:model \S+\.|PASS |FAIL \d+ )(\S+) \.{3,}/.exec(l)?.[1] ?? l)
      .sort();

  beforeAll(async () => {
    q = await qualityProject('slimci', { raw: false });
    await q.loadRaw(prod());
    const r = await q.ftIn(prod(), ['build']);
    expect(r.code, r.output).toBe(0);
    mkdirSync(q.path('prod-manifest'));
    cpSync(q.path('target/manifest.json'), q.path('prod-manifest/manifest.json'));
    // the change under review: a new column in customer_orders
    q.write('models/marts/customer_orders.sql', q.read('models/marts/customer_orders.sql').replace('count(o.order_id) as order_count,', 'count(o.order_id) as order_count,\n  max(o.amount) as max_amount,'));
  }, 240_000);

  afterAll(async () => {
    await q.cleanup();
  }, 240_000);

  it('state:modified is the changed model only (sources are not modified by a different target database)', async () => {
    const r = await q.ftIn(ci(), ['ls', '-s', 'state:modified', '--state', q.path('prod-manifest'), '--resource-type', 'model']);
    expect(r.code, r.output).toBe(0);
    expect(r.stdout.trim()).toBe('customer_orders');
    const plus = await q.ftIn(ci(), ['ls', '-s', 'state:modified+', '--state', q.path('prod-manifest'), '--resource-type', 'model']);
    expect(plus.stdout.trim().split('\n')).toEqual(['customer_orders', 'tier_summary']);
  });

  it('builds only modified+ in the CI database; unbuilt parents resolve to prod', async () => {
    const r = await q.ftIn(ci(), ['build', '--select', 'state:modified+', '--state', q.path('prod-manifest'), '--defer']);
    expect(r.code, r.output).toBe(0);
    expect(ran(r.output)).toEqual([
      'assert_orders_have_customers',
      'customer_orders',
      'dbt_utils_expression_is_true_customer_orders_order_count_0',
      'not_null_tier_summary_tier',
      'tier_summary',
      'unique_customer_orders_customer_id',
      'unique_tier_summary_tier',
    ]);
    expect(r.output).toMatch(/PASS=7 WARN=0 ERROR=0 FAIL=0 SKIP=0 TOTAL=7/);
    // the CI database holds the modified models only
    expect(await tablesIn(ci())).toEqual(['customer_orders', 'tier_summary']);
    const rows = await q.query<{ n: number; m: string }>(`SELECT COUNT(*) AS n, MAX(max_amount) AS m FROM \`${ci()}\`.customer_orders`);
    expect(Number(rows[0]!.n)).toBe(5);
    expect(Number(rows[0]!.m)).toBeCloseTo(99.9);
    // the compiled SQL: parents not built here are prod's, the modified model is CI's
    const co = q.read('target/run/quality/models/marts/customer_orders.sql');
    expect(co).toContain(`from \`${prod()}\`.\`stg_customers\` c`);
    expect(co).toContain(`left join \`${prod()}\`.\`stg_orders\` o`);
    expect(co).toContain(`CREATE TABLE \`${ci()}\`.\`customer_orders__ft_tmp\``);
    expect(q.read('target/run/quality/models/marts/tier_summary.sql')).toContain(`from \`${ci()}\`.\`customer_orders\``);
    const singular = q.read('target/run/quality/tests/assert_orders_have_customers.sql');
    expect(singular).toContain(`from \`${prod()}\`.\`stg_orders\` o`);
    expect(singular).toContain(`left join \`${ci()}\`.\`customer_orders\` c`);
    // prod is untouched
    const prodCols = await q.query<{ c: string }>('SELECT column_name AS c FROM information_schema.columns WHERE table_schema = ? AND table_name = ?', [prod(), 'customer_orders']);
    expect(prodCols.map((c) => c.c)).not.toContain('max_amount');
  });

  it('without --defer the same selection cannot find its parents', async () => {
    const r = await q.ftIn(`${q.database}_nodefer`, ['build', '--select', 'state:modified+', '--state', q.path('prod-manifest')]);
    expect(r.code, r.output).toBe(1);
    expect(r.output).toMatch(/stg_customers' doesn't exist/);
  });

  it('a changed test is modified on its own; a new model is modified', async () => {
    // its own CI database, and the project files it changes are put back: the other tests read both
    const ci2 = `${q.database}_ci_tests`;
    const marts = q.read('models/marts/schema.yml');
    const staging = q.read('models/staging/schema.yml');
    q.write('models/marts/new_mart.sql', 'select tier, count(*) as n from {{ref "stg_customers"}} group by tier\n');
    q.write('models/marts/schema.yml', marts.replace('data_tests: [unique, not_null]', 'data_tests: [unique]'));
    try {
      const r = await q.ftIn(ci2, ['ls', '-s', 'state:modified', '--state', q.path('prod-manifest'), '--resource-type', 'model']);
      expect(r.stdout.trim().split('\n').sort()).toEqual(['customer_orders', 'new_mart']);
      // removing a test is not a modification of the model; changing a test's arguments is
      q.write('models/staging/schema.yml', staging.replace('values: [placed, shipped, completed]', 'values: [placed, shipped, completed, returned]'));
      const t = await q.ftIn(ci2, ['ls', '-s', 'state:modified', '--state', q.path('prod-manifest'), '--resource-type', 'test']);
      // the changed test, plus (as dbt's ls) the tests of modified models — none of the unchanged stg_orders' other tests
      const tests = t.stdout.trim().split('\n');
      expect(tests).toContain('accepted_values_stg_orders_status__placed__shipped__completed__returned');
      expect(tests.filter((x) => x.includes('stg_orders') && !x.startsWith('accepted_values'))).toEqual([]);
      const build = await q.ftIn(ci2, ['build', '--select', 'state:modified', '--state', q.path('prod-manifest'), '--defer', '--exclude', 'customer_orders']);
      expect(build.code, build.output).toBe(0);
      expect(ran(build.output)).toEqual(['accepted_values_stg_orders_status__placed__shipped__completed__returned', 'new_mart']);
      expect(q.read('target/run/quality/models/marts/new_mart.sql')).toContain(`from \`${prod()}\`.\`stg_customers\``);
    } finally {
      q.remove('models/marts/new_mart.sql');
      q.write('models/marts/schema.yml', marts);
      q.write('models/staging/schema.yml', staging);
    }
  });
});
