import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeLines } from '../helpers/project-builder.js';
import { qualityProject, type QualityProject } from '../fixtures/quality/setup.js';
import { findAll, parseXml, type XmlElement } from '../fixtures/quality/xml.js';

/**
 * `ft test` as a CI quality gate: exit codes 0/1/2, --warn-error, --fail-fast, --junit-xml
 * (checked with a strict XML parser), GitHub annotations, the console's failure list and
 * run_results.json; and bad test declarations stopping the run before anything is built.
 */
describe('ft test as a CI gate', { timeout: 240_000 }, () => {
  let q: QualityProject;
  const STAGING = 'models/staging/schema.yml';
  let cleanStaging = '';

  type Result = { unique_id: string; status: string; failures: number | null };
  const results = (): Result[] => q.readJson('target/run_results.json').results;
  const testNames = (rs: Result[]) => rs.filter((r) => r.unique_id.startsWith('test.')).map((r) => r.unique_id.split('.')[2]!);

  /** the JUnit report, parsed strictly, with its structure checked */
  const junit = (file: string): { root: XmlElement; cases: XmlElement[] } => {
    const root = parseXml(q.read(file));
    expect(root.name).toBe('testsuites');
    const suites = root.children;
    expect(suites.map((s) => s.name)).toEqual(['testsuite']);
    const suite = suites[0]!;
    expect(suite.attrs.name).toBe('quality');
    const cases = suite.children;
    for (const c of cases) {
      expect(c.name).toBe('testcase');
      expect(Object.keys(c.attrs).sort()).toEqual(['classname', 'file', 'line', 'name', 'time']);
      expect(Number(c.attrs.time)).toBeGreaterThanOrEqual(0);
      expect(Number.isInteger(Number(c.attrs.line))).toBe(true);
      expect(c.children.length).toBeLessThanOrEqual(1);
    }
    const count = (tag: string) => cases.filter((c) => c.children[0]?.name === tag).length;
    for (const el of [root, suite]) {
      expect(Number(el.attrs.tests)).toBe(cases.length);
      expect(Number(el.attrs.failures)).toBe(count('failure'));
      expect(Number(el.attrs.errors)).toBe(count('error'));
      expect(Number(el.attrs.skipped)).toBe(count('skipped'));
      expect(Number(el.attrs.time)).toBeGreaterThan(0);
    }
    return { root, cases };
  };
  const caseNamed = (cases: XmlElement[], name: string): XmlElement => {
    const c = cases.find((x) => x.attrs.name === name);
    expect(c, `testcase ${name}`).toBeDefined();
    return c!;
  };

  beforeAll(async () => {
    q = await qualityProject('clitestci');
    cleanStaging = q.read(STAGING);
    const r = await q.ft(['build']);
    expect(r.code, r.output).toBe(0);
  }, 240_000);

  afterAll(async () => {
    await q.cleanup();
  }, 240_000);

  it('exit 0 when every test passes; the JUnit report has one passing testcase per test', async () => {
    const r = await q.ft(['test', '--junit-xml', q.path('reports/junit.xml')]);
    expect(r.code, r.output).toBe(0);
    const { cases } = junit('reports/junit.xml');
    expect(cases).toHaveLength(15);
    expect(cases.every((c) => c.children.length === 0)).toBe(true);
    expect(cases.map((c) => c.attrs.name).sort()).toEqual(testNames(results()).sort());
    const av = caseNamed(cases, 'accepted_values_stg_orders_status__placed__shipped__completed');
    expect(av.attrs).toMatchObject({ classname: 'quality.stg_orders', file: STAGING, line: '12' });
    expect(caseNamed(cases, 'assert_orders_have_customers').attrs).toMatchObject({ classname: 'quality.singular', file: 'tests/assert_orders_have_customers.sql' });
  });

  describe('with failing tests', () => {
    beforeAll(async () => {
      // two statuses that are not accepted, one negative amount; a warn-severity test on amount
      const clean = q.read('seeds/orders.csv');
      q.write('seeds/orders.csv', `${clean.trimEnd()}\n109,2,returned,-3.00\n110,4,lost,8.00\n111,4,lost,9.00\n`);
      q.write(
        STAGING,
        cleanStaging.replace(
          '          - at_least:\n              min_value: 0\n',
          '          - at_least:\n              min_value: 0\n          - at_least:\n              min_value: 10\n              config:\n                severity: warn\n',
        ),
      );
      const seed = await q.ft(['seed', '-s', 'orders']);
      expect(seed.code, seed.output).toBe(0);
    }, 240_000);

    afterAll(async () => {
      q.write(STAGING, cleanStaging);
      q.write('seeds/orders.csv', q.read('seeds/orders.csv').split('\n').filter((l) => !/^1(09|10|11),/.test(l)).join('\n'));
      await q.ft(['seed', '-s', 'orders']);
    }, 240_000);

    it('exit 1 for an error-severity failure; the console lists failing tests with counts and first rows', async () => {
      const r = await q.ft(['test', '-s', 'stg_orders', '--junit-xml', q.path('reports/fail.xml')]);
      expect(r.code, r.output).toBe(1);
      expect(r.output).toMatch(/FAIL 2 accepted_values_stg_orders_status__placed__shipped__completed \.+ \[FAIL 2 in/);
      expect(r.output).toMatch(/WARN 5 at_least_stg_orders_amount__10 \.+ \[WARN 5 in/); // 5.00, 7.75, -3.00, 8.00, 9.00
      expect(r.output).toContain(`Failure in test accepted_values_stg_orders_status__placed__shipped__completed (${STAGING}:12): 2 failing rows`);
      expect(r.output).toContain(`Failure in test at_least_stg_orders_amount__0 (${STAGING}:21): 1 failing row`);
      expect(r.output).toContain(`Warning in test at_least_stg_orders_amount__10 (${STAGING}:23): 5 failing rows`);
      const failing = r.output.slice(r.output.indexOf('Failure in test at_least_stg_orders_amount__0'));
      expect(failing).toMatch(/\| order_id \| customer_id \| status +\| amount +\|/);
      expect(failing).toMatch(/\| 109 +\| 2 +\| returned \| -3\.00 +\|/);
      expect(r.output).toMatch(/PASS=5 WARN=1 ERROR=0 FAIL=2 SKIP=0 TOTAL=8/);
      // run_results.json has every test of the run, with its failures
      const rs = results();
      expect(testNames(rs).sort()).toEqual(nodeLines(r.output).map((l) => /^\d+ of \d+ \S+(?: \d+)? (\S+) /.exec(l)![1]!).sort());
      expect(rs.find((x) => x.unique_id.includes('.at_least_stg_orders_amount__0.'))).toMatchObject({ status: 'fail', failures: 1 });
      expect(rs.find((x) => x.unique_id.includes('.at_least_stg_orders_amount__10.'))).toMatchObject({ status: 'warn', failures: 5 });

      const { cases } = junit('reports/fail.xml');
      expect(cases).toHaveLength(8);
      const av = caseNamed(cases, 'accepted_values_stg_orders_status__placed__shipped__completed');
      expect(av.children[0]!.name).toBe('failure');
      expect(av.children[0]!.attrs.message).toBe('2 failing rows');
      expect(av.children[0]!.text).toContain('Got 2 results, configured to fail if != 0');
      expect(av.children[0]!.text).toContain('First failing rows:');
      const sample = av.children[0]!.text.split('First failing rows:\n')[1]!.split('\n').map((l) => JSON.parse(l) as { value_field: string; n_records: number });
      expect(sample.map((s) => [s.value_field, s.n_records]).sort()).toEqual([
        ['lost', 2],
        ['returned', 1],
      ]);
      const neg = caseNamed(cases, 'at_least_stg_orders_amount__0');
      expect(neg.children[0]!.attrs.message).toBe('1 failing row');
      expect(neg.children[0]!.text).toContain('"order_id":109');
      const warn = caseNamed(cases, 'at_least_stg_orders_amount__10');
      expect(warn.children[0]!.name).toBe('system-out'); // a warning does not fail the report
      expect(warn.attrs.line).toBe('23');
    });

    it('GITHUB_ACTIONS=true prints annotations pointing at the YAML line that declares each test', async () => {
      const plain = await q.ft(['test', '-s', 'stg_orders']);
      expect(plain.stdout).not.toMatch(/^::/m);
      const r = await q.ft(['test', '-s', 'stg_orders'], { env: { GITHUB_ACTIONS: 'true' } });
      expect(r.code, r.output).toBe(1);
      const annotations = r.stdout.split('\n').filter((l) => l.startsWith('::'));
      expect(annotations.sort()).toEqual([
        `::error file=${STAGING},line=12,title=ft test::accepted_values_stg_orders_status__placed__shipped__completed: 2 failing rows. Got 2 results, configured to fail if != 0`,
        `::error file=${STAGING},line=21,title=ft test::at_least_stg_orders_amount__0: 1 failing row. Got 1 result, configured to fail if != 0`,
        `::warning file=${STAGING},line=23,title=ft test::at_least_stg_orders_amount__10: 5 failing rows. Got 5 results, configured to warn if != 0`,
      ]);
    });

    it('exit 0 with warnings only, exit 1 with --warn-error', async () => {
      const warnOnly = await q.ft(['test', '-s', 'at_least_stg_orders_amount__10']);
      expect(warnOnly.code, warnOnly.output).toBe(0);
      expect(warnOnly.output).toMatch(/PASS=0 WARN=1 ERROR=0 FAIL=0 SKIP=0 TOTAL=1/);
      const strict = await q.ft(['test', '-s', 'at_least_stg_orders_amount__10', '--warn-error', '--junit-xml', q.path('reports/strict.xml')]);
      expect(strict.code, strict.output).toBe(1);
      expect(strict.output).toMatch(/WARN=0 ERROR=0 FAIL=1/);
      const { cases } = junit('reports/strict.xml');
      expect(cases[0]!.children[0]!.name).toBe('failure');
    });

    it('--fail-fast stops at the first failure and skips the rest; run_results.json still lists every test', async () => {
      const r = await q.ft(['test', '-s', 'stg_orders', '--fail-fast', '--threads', '1', '--junit-xml', q.path('reports/ff.xml')]);
      expect(r.code, r.output).toBe(1);
      const rs = results().filter((x) => x.unique_id.startsWith('test.'));
      expect(rs).toHaveLength(8);
      const firstFail = rs.findIndex((x) => x.status === 'fail');
      expect(firstFail).toBeGreaterThanOrEqual(0);
      // nothing ran after the first failure
      expect(rs.slice(firstFail + 1).every((x) => x.status === 'skipped')).toBe(true);
      expect(rs.slice(firstFail + 1).length).toBeGreaterThan(0);
      expect(r.output).toMatch(/SKIP test \S+ \.+ \[SKIP\]/);
      const { cases } = junit('reports/ff.xml');
      expect(cases.filter((c) => c.children[0]?.name === 'skipped').length).toBe(rs.slice(firstFail + 1).length);
      const without = await q.ft(['test', '-s', 'stg_orders', '--threads', '1']);
      expect(without.output).toMatch(/FAIL=2 SKIP=0 TOTAL=8/);
    });
  });

  describe('exit 2: a test declaration ft cannot run stops the run before anything is built', () => {
    const fresh = () => `${q.database}_bad`;
    const nothingBuilt = async (): Promise<void> => {
      const rows = await q.query<{ s: string; t: string }>('SELECT table_schema AS s, table_name AS t FROM information_schema.tables WHERE table_schema LIKE ?', [`${fresh()}%`]);
      expect(rows).toEqual([]);
    };
    const cases: Array<{ what: string; file?: string; edit: (yml: string) => string; line: number; message: RegExp }> = [
      {
        what: 'malformed YAML',
        edit: (y) => y.replace('          - not_null\n', '          - not_null\n        - [oops\n'),
        line: 10,
        message: /malformed YAML/,
      },
      {
        what: 'an unknown test name',
        edit: (y) => y.replace('          - not_null\n', '          - not_nul\n'),
        line: 9,
        message: /unknown test "not_nul"\. Did you mean "not_null"\?/,
      },
      {
        what: 'a column the model does not have (a view built in the same run)',
        edit: (y) => y.replace('      - name: status\n', '      - name: state\n'),
        line: 12,
        message: /column "state" does not exist in (the model stg_orders|`[a-z0-9_]+`\.`stg_orders`)\. Did you mean "status"\?/,
      },
      {
        what: 'a column a downstream table does not have',
        file: 'models/marts/schema.yml',
        edit: (y) => y.replace('      - name: tier\n', '      - name: tiers\n'),
        line: 13,
        message: /column "tiers" does not exist in (the model tier_summary|`[a-z0-9_]+`\.`tier_summary`)\. Did you mean "tier"\?/,
      },
      {
        what: 'a missing required argument',
        edit: (y) => y.replace('              values: [placed, shipped, completed]\n', '              quote: true\n'),
        line: 12,
        message: /missing required argument "values"/,
      },
      {
        what: 'a misspelled argument',
        edit: (y) => y.replace('              field: customer_id\n', '              fields: customer_id\n'),
        line: 16,
        message: /has no argument "fields"\. Did you mean "field"\?/,
      },
      {
        what: 'a custom generic test with a misspelled argument',
        edit: (y) => y.replace('              min_value: 0\n', '              min_valu: 0\n'),
        line: 21,
        message: /macros\/test_at_least\.sql does not use an argument "min_valu"\. Did you mean "min_value"\?/,
      },
      {
        what: 'a custom generic test without its argument',
        edit: (y) => y.replace('          - at_least:\n              min_value: 0\n', '          - at_least\n'),
        line: 21,
        message: /missing argument "min_value"/,
      },
      {
        what: 'a relationships test to a model that does not exist',
        edit: (y) => y.replace("to: ref('stg_customers')", "to: ref('stg_customer')"),
        line: 16,
        message: /refers to "stg_customer", which is no model or seed\. Did you mean "stg_customers"/,
      },
      {
        what: 'an unknown severity',
        edit: (y) => y.replace('          - unique\n', '          - unique:\n              severity: fatal\n'),
        line: 8,
        message: /severity must be "error" or "warn", not "fatal"/,
      },
      {
        what: 'an unreadable threshold',
        edit: (y) => y.replace('          - unique\n', '          - unique:\n              error_if: "more than 10"\n'),
        line: 8,
        message: /cannot read the threshold "more than 10"/,
      },
    ];

    for (const c of cases) {
      it(`${c.what}: the message names the YAML file and line`, async () => {
        const file = c.file ?? STAGING;
        const clean = q.read(file);
        try {
          const edited = c.edit(clean);
          expect(edited, 'the edit applies').not.toBe(clean);
          q.write(file, edited);
          // build into an empty database; test against the built one
          for (const [cmd, db] of [
            ['build', fresh()],
            ['test', q.database],
          ] as const) {
            const r = await q.ftIn(db, [cmd]);
            expect(r.code, r.output).toBe(2);
            expect(r.stderr).toContain(`${file}:${c.line}:`);
            expect(r.stderr).toMatch(c.message);
            expect(r.output).not.toMatch(/ of \d+ (OK|PASS|ERROR|FAIL)/); // nothing ran
            expect(r.output).not.toMatch(/\n\s+at .*\.js:\d+/); // no stack trace
          }
          await nothingBuilt();
        } finally {
          q.write(file, clean);
        }
      });
    }
  });
});
