import { afterEach, describe, expect, it } from 'vitest';
import { createProject, type TestProject } from '../helpers/project-builder.js';

/**
 * Unit tests in ft build run before their model: a failing one skips the model and what is
 * built from it (as dbt). Selection, JUnit, GitHub annotations and manifest.json know them.
 */
describe('unit tests in build and selection', { timeout: 120_000 }, () => {
  let p: TestProject | undefined;
  afterEach(async () => {
    await p?.cleanup();
    p = undefined;
  });

  type Result = { unique_id: string; status: string; message: string; skipped_because?: string };
  const results = (q: TestProject): Result[] => q.readJson<{ results: Result[] }>('target/run_results.json').results;
  /** status by unique id (a generic test's hash dropped) */
  const status = (q: TestProject): Record<string, string> => Object.fromEntries(results(q).map((r) => [r.unique_id.replace(/^(test\.[^.]+\.[^.]+)\.[0-9a-f]+$/, '$1'), r.status]));

  const project = (expectedTotal: number) => ({
    models: {
      'orders.sql': 'select 1 as id, 10 as amount union all select 2, 20',
      'totals.sql': 'select sum(amount) as total from {{ref "orders"}}',
      'report.sql': 'select total * 2 as doubled from {{ref "totals"}}',
      'other.sql': 'select id from {{ref "orders"}}',
    },
    yaml: {
      'schema.yml': [
        'models:',
        '  - name: totals',
        '    columns:',
        '      - name: total',
        '        tests: [not_null]',
        'unit_tests:',
        '  - name: sums_amounts',
        '    model: totals',
        '    config: {tags: [fast]}',
        '    given:',
        "      - input: ref('orders')",
        '        rows: [{amount: 1}, {amount: 2}]',
        '    expect:',
        `      rows: [{total: ${expectedTotal}}]`,
        '',
      ].join('\n'),
    },
  });

  it('a failing unit test skips its model and the models built from it, with the reason; the rest builds', async () => {
    p = await createProject({ label: 'unitbuildfail', ...project(4) });
    const r = await p.ft(['build', '--threads', '1', '--junit-xml', p.path('target', 'junit.xml')], { env: { GITHUB_ACTIONS: 'true' } });
    expect(r.code, r.output).toBe(1);
    expect(status(p)).toEqual({
      'model.proj.orders': 'success',
      'model.proj.other': 'success',
      'unit_test.proj.totals.sums_amounts': 'fail',
      'model.proj.totals': 'skipped',
      'test.proj.not_null_totals_total': 'skipped',
      'model.proj.report': 'skipped',
    });
    const report = results(p).find((x) => x.unique_id === 'model.proj.report')!;
    expect(report.skipped_because).toBe('unit_test.proj.totals.sums_amounts');
    expect(report.message).toBe('skipped because sums_amounts did not succeed');
    expect(await p.tables()).toEqual(['orders', 'other']);
    // the unit test runs after the model's parent and before the model
    const order = r.output.split('\n').filter((l) => / of \d+ /.test(l)).map((l) => /(orders|sums_amounts|totals|report)\b/.exec(l)?.[1]).filter(Boolean);
    expect(order.indexOf('orders')).toBeLessThan(order.indexOf('sums_amounts'));
    expect(order.indexOf('sums_amounts')).toBeLessThan(order.indexOf('totals'));
    // JUnit: a failed testcase under the model's name, with the diff
    const xml = p.read('target/junit.xml');
    expect(xml).toMatch(/<testcase name="sums_amounts" classname="proj\.totals" time="[\d.]+" file="models\/schema\.yml" line="7">\s*<failure message="2 failing rows" type="test_failure">actual differs from expected/);
    expect(xml).toContain('- | 4\n+ | 3');
    // GitHub: an error annotation at the unit test's YAML line
    expect(r.stdout).toMatch(/^::error file=models\/schema\.yml,line=7,title=ft test::sums_amounts: 2 failing rows\. actual differs from expected/m);
  });

  it('a passing unit test lets its model build', async () => {
    p = await createProject({ label: 'unitbuildpass', ...project(3) });
    const r = await p.ft(['build', '--threads', '2']);
    expect(r.code, r.output).toBe(0);
    expect(Object.values(status(p)).sort()).toEqual(['pass', 'pass', 'success', 'success', 'success', 'success']);
    expect((await p.tables()).sort()).toEqual(['orders', 'other', 'report', 'totals']);
    // manifest.json: in dbt's unit_tests section, not among the nodes
    const manifest = p.readJson<{ nodes: Record<string, unknown>; unit_tests: Record<string, { resource_type: string; model: string; given: Array<{ input: string }>; depends_on: { nodes: string[] } }> }>('target/manifest.json');
    expect(Object.keys(manifest.nodes).some((k) => k.startsWith('unit_test.'))).toBe(false);
    expect(manifest.unit_tests['unit_test.proj.totals.sums_amounts']).toMatchObject({ resource_type: 'unit_test', model: 'totals', given: [{ input: "ref('orders')" }], depends_on: { nodes: ['model.proj.totals'] } });
  });

  it('selects unit tests by test_type:unit, data tests by test_type:data, and a model with its unit tests', async () => {
    p = await createProject({ label: 'unitselect', ...project(3) });
    const unitOnly = await p.ft(['test', '--select', 'test_type:unit']);
    expect(unitOnly.code, unitOnly.output).toBe(0);
    expect(Object.keys(status(p))).toEqual(['unit_test.proj.totals.sums_amounts']);
    const data = await p.ft(['ls', '--select', 'test_type:data', '--output', 'json']);
    expect(data.output).toContain('not_null_totals_total');
    expect(data.output).not.toContain('sums_amounts');
    const generic = await p.ft(['ls', '--select', 'test_type:generic,test_type:singular']);
    expect(generic.output).not.toContain('sums_amounts');
    const byType = await p.ft(['ls', '--select', 'resource_type:unit_test']);
    expect(byType.output).toContain('sums_amounts');
    const listed = await p.ft(['ls', '--resource-type', 'unit_test', '--output', 'json']);
    expect(listed.stdout.trim().split('\n').map((l) => JSON.parse(l) as { unique_id: string; resource_type: string })).toEqual([
      expect.objectContaining({ unique_id: 'unit_test.proj.totals.sums_amounts', resource_type: 'unit_test' }),
    ]);
    expect((await p.ft(['ls', '--select', 'resource_type:test'])).output).not.toContain('sums_amounts');
    const byTag = await p.ft(['ls', '--select', 'tag:fast']);
    expect(byTag.output).toContain('sums_amounts');
    // ft test -s totals: the model's data tests and unit tests (it reads no table, so it runs unbuilt)
    const model = await p.ft(['test', '--select', 'totals']);
    expect(Object.keys(status(p)).sort()).toEqual(['test.proj.not_null_totals_total', 'unit_test.proj.totals.sums_amounts']);
    expect(status(p)['unit_test.proj.totals.sums_amounts']).toBe('pass');
    expect(model.code).toBe(1); // the not_null test reads a table that was never built
  });
});
