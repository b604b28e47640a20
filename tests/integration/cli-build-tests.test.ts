import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qualityProject, type QualityProject } from '../fixtures/quality/setup.js';
import { parseXml } from '../fixtures/quality/xml.js';

/**
 * `ft build`: seeds, models and their tests in graph order; a failed error-severity test
 * skips everything downstream of the node it tests (a warn-severity one does not); a
 * failing source test skips the models reading the source; JUnit and GitHub annotations on
 * a failing build.
 */
describe('ft build with data tests', { timeout: 240_000 }, () => {
  let q: QualityProject;
  const STAGING = 'models/staging/schema.yml';
  let cleanStaging = '';
  let cleanOrders = '';

  type Result = { unique_id: string; status: string; failures: number | null; skipped_because?: string; timing: Array<{ started_at: string; completed_at: string }> };
  type ManifestNode = { resource_type: string; depends_on: { nodes: string[] }; attached_node?: string | null };
  const results = (): Result[] => q.readJson('target/run_results.json').results;
  const nameOf = (id: string) => id.split('.')[2]!;
  const statuses = (): Record<string, string> => Object.fromEntries(results().map((r) => [nameOf(r.unique_id), r.status]));
  /** a database of its own per scenario, with the raw source loaded */
  let n = 0;
  const freshDb = async (): Promise<string> => {
    const db = `${q.database}_b${++n}`;
    await q.loadRaw(db);
    return db;
  };
  const tablesIn = async (db: string): Promise<string[]> =>
    (await q.query<{ t: string }>('SELECT table_name AS t FROM information_schema.tables WHERE table_schema = ?', [db])).map((r) => r.t).sort();

  beforeAll(async () => {
    q = await qualityProject('clibuild', { raw: false });
    cleanStaging = q.read(STAGING);
    cleanOrders = q.read('seeds/orders.csv');
  }, 240_000);

  afterAll(async () => {
    await q.cleanup();
  }, 240_000);

  it('runs seeds, models and tests in graph order; a node starts after its parents and their tests', async () => {
    const db = await freshDb();
    const r = await q.ftIn(db, ['build', '--threads', '4']);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/PASS=22 WARN=0 ERROR=0 FAIL=0 SKIP=0 TOTAL=22/);
    const manifest = q.readJson<{ nodes: Record<string, ManifestNode> }>('target/manifest.json');
    const rs = results();
    const at = new Map(rs.map((x) => [x.unique_id, { start: Date.parse(x.timing[0]!.started_at), end: Date.parse(x.timing[0]!.completed_at) }]));
    const testsOf = (id: string) => Object.entries(manifest.nodes).filter(([, m]) => m.resource_type === 'test' && m.attached_node === id).map(([t]) => t);
    let checked = 0;
    for (const x of rs) {
      const node = manifest.nodes[x.unique_id]!;
      for (const parent of node.depends_on.nodes) {
        const waitFor = [parent, ...(node.resource_type === 'test' ? [] : testsOf(parent))].filter((p) => at.has(p));
        for (const p of waitFor) {
          expect(at.get(p)!.end, `${nameOf(x.unique_id)} after ${nameOf(p)}`).toBeLessThanOrEqual(at.get(x.unique_id)!.start);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(30);
    // the model reading the source waits for the source's tests
    const stgPayments = at.get('model.quality.stg_payments')!;
    for (const id of testsOf('source.quality.raw.payments')) expect(at.get(id)!.end).toBeLessThanOrEqual(stgPayments.start);
    expect(await tablesIn(db)).toEqual(['customer_orders', 'customers', 'orders', 'stg_customers', 'stg_orders', 'stg_payments', 'tier_summary']);
  });

  describe('a failing test on stg_orders', () => {
    const DOWNSTREAM = ['customer_orders', 'tier_summary', 'assert_orders_have_customers', 'dbt_utils_expression_is_true_customer_orders_order_count_0', 'unique_customer_orders_customer_id', 'unique_tier_summary_tier', 'not_null_tier_summary_tier'];

    beforeAll(() => {
      q.write('seeds/orders.csv', `${cleanOrders.trimEnd()}\n109,2,returned,3.00\n`); // one status that is not accepted
    }, 240_000);

    afterAll(() => {
      q.write('seeds/orders.csv', cleanOrders);
      q.write(STAGING, cleanStaging);
    }, 240_000);

    it('error severity: everything downstream of stg_orders is skipped, the rest is built, exit 1', async () => {
      const db = await freshDb();
      const r = await q.ftIn(db, ['build']);
      expect(r.code, r.output).toBe(1);
      const s = statuses();
      expect(s.accepted_values_stg_orders_status__placed__shipped__completed).toBe('fail');
      for (const name of DOWNSTREAM) expect(s[name], name).toBe('skipped');
      // the other tests of stg_orders and the other branches still ran
      for (const name of ['unique_stg_orders_order_id', 'not_null_stg_orders_order_id', 'at_least_stg_orders_amount__0', 'relationships_stg_payments_order_id__order_id__ref_stg_orders_', 'unique_customers_customer_id']) {
        expect(s[name], name).toBe('pass');
      }
      expect(s.stg_customers).toBe('success');
      expect(s.stg_payments).toBe('success');
      const skipped = results().find((x) => x.unique_id === 'model.quality.customer_orders')!;
      expect(nameOf(skipped.skipped_because!)).toBe('accepted_values_stg_orders_status__placed__shipped__completed');
      expect(r.output).toMatch(/SKIP relation table model \S+\.customer_orders \.+ \[SKIP\]/);
      expect(r.output).toMatch(/SKIP test unique_tier_summary_tier \.+ \[SKIP\]/);
      expect(r.output).toMatch(/PASS=\d+ WARN=0 ERROR=0 FAIL=1 SKIP=7 TOTAL=22/);
      expect(await tablesIn(db)).toEqual(['customers', 'orders', 'stg_customers', 'stg_orders', 'stg_payments']);
    });

    it('warn severity: the failure is reported, nothing is skipped, exit 0', async () => {
      // the warn severity is this test's own: staging/schema.yml goes back to the clean one whatever happens
      try {
        q.write(STAGING, cleanStaging.replace('              values: [placed, shipped, completed]\n', '              values: [placed, shipped, completed]\n              config:\n                severity: warn\n'));
        const db = await freshDb();
        const r = await q.ftIn(db, ['build']);
        expect(r.code, r.output).toBe(0);
        const s = statuses();
        expect(s.accepted_values_stg_orders_status__placed__shipped__completed).toBe('warn');
        for (const name of DOWNSTREAM) expect(s[name], name).not.toBe('skipped');
        expect(r.output).toMatch(/PASS=21 WARN=1 ERROR=0 FAIL=0 SKIP=0 TOTAL=22/);
        expect(await tablesIn(db)).toContain('tier_summary');
        // --warn-error turns it into a failure that skips the descendants
        const strict = await q.ftIn(await freshDb(), ['build', '--warn-error']);
        expect(strict.code, strict.output).toBe(1);
        expect(statuses().customer_orders).toBe('skipped');
      } finally {
        q.write(STAGING, cleanStaging);
      }
    });
  });

  it('a failing source test skips the models that read the source', async () => {
    const db = await freshDb();
    await q.query(`INSERT INTO \`${db}_raw\`.payments SELECT * FROM \`${db}_raw\`.payments WHERE payment_id = 1`); // a duplicate payment_id
    const r = await q.ftIn(db, ['build']);
    expect(r.code, r.output).toBe(1);
    const s = statuses();
    expect(s.source_unique_raw_payments_payment_id).toBe('fail');
    expect(s.stg_payments).toBe('skipped');
    expect(s.relationships_stg_payments_order_id__order_id__ref_stg_orders_).toBe('skipped');
    expect(s.customer_orders).toBe('success');
    expect(await tablesIn(db)).not.toContain('stg_payments');
  });

  it('a failing build: JUnit has the model error, the failing test and the skipped tests; annotations point at the SQL file and the YAML line', async () => {
    const cleanTier = q.read('models/marts/tier_summary.sql');
    try {
      q.write('models/marts/tier_summary.sql', cleanTier.replace('sum(total_amount)', 'sum(total_amont)'));
      const db = await freshDb();
      await q.query(`INSERT INTO \`${db}_raw\`.payments VALUES (99, 999, 5.00, UTC_TIMESTAMP())`); // a payment of no order
      const r = await q.ftIn(db, ['build', '--junit-xml', q.path('ci/junit.xml')], { env: { GITHUB_ACTIONS: 'true' } });
      expect(r.code, r.output).toBe(1);
      const annotations = r.stdout.split('\n').filter((l) => l.startsWith('::'));
      expect(annotations).toHaveLength(2);
      expect(annotations).toContainEqual(expect.stringMatching(/^::error file=models\/staging\/schema\.yml,line=27,title=ft test::relationships_stg_payments_order_id__order_id__ref_stg_orders_: 1 failing row\. /));
      expect(annotations).toContainEqual(expect.stringMatching(/^::error file=models\/marts\/tier_summary\.sql,line=1,title=ft model::model tier_summary failed\. .*total_amont/));

      const root = parseXml(q.read('ci/junit.xml'));
      const suite = root.children[0]!;
      const cases = new Map(suite.children.map((c) => [c.attrs.name!, c]));
      expect(cases.size).toBe(16); // 15 tests + the model that failed
      expect(root.attrs).toMatchObject({ tests: '16', failures: '1', errors: '1', skipped: '2' });
      const model = cases.get('model tier_summary')!;
      expect(model.attrs).toMatchObject({ classname: 'quality.model', file: 'models/marts/tier_summary.sql' });
      expect(model.children[0]!.name).toBe('error');
      expect(model.children[0]!.attrs.message).toMatch(/total_amont/);
      const failed = cases.get('relationships_stg_payments_order_id__order_id__ref_stg_orders_')!;
      expect(failed.attrs).toMatchObject({ file: STAGING, line: '27' });
      expect(failed.children[0]!.name).toBe('failure');
      expect(failed.children[0]!.attrs.message).toBe('1 failing row');
      expect(failed.children[0]!.text).toContain('999');
      for (const t of ['unique_tier_summary_tier', 'not_null_tier_summary_tier']) {
        expect(cases.get(t)!.children[0]!.name).toBe('skipped');
        expect(cases.get(t)!.children[0]!.attrs.message).toBe('skipped because tier_summary did not succeed');
      }
    } finally {
      q.write('models/marts/tier_summary.sql', cleanTier);
    }
  });
});
