import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject, type TestProject } from '../helpers/project-builder.js';

/** A metrics query the server refuses: a model not built yet, an expr naming a missing column — exit 1, a message saying what to do. */
describe('ft metrics query: what the server refuses', { timeout: 120_000 }, () => {
  let p: TestProject;

  beforeAll(async () => {
    p = await createProject({
      label: 'metricserr',
      models: { 'sales.sql': 'select 1 as sale_id, 10.5 as amount, cast(\'2026-01-05\' as date) as sold_on\n', 'later.sql': 'select 1 as id\n' },
      yaml: {
        'semantic.yml': `version: 2
semantic_models:
  - name: sales
    model: ref('sales')
    defaults: {agg_time_dimension: sold_on}
    entities: [{name: sale, type: primary, expr: sale_id}]
    dimensions: [{name: sold_on, type: time, type_params: {time_granularity: day}}]
    measures:
      - {name: amount, agg: sum, create_metric: true}
      - {name: discount, agg: sum, expr: discount_amount, create_metric: true}
  - name: later
    model: ref('later')
    entities: [{name: thing, type: primary, expr: id}]
    measures: [{name: things, agg: count, expr: "1", create_metric: true}]
`,
      },
    });
    const r = await p.ft(['run', '-s', 'sales']);
    if (r.code !== 0) throw new Error(r.output);
  }, 120_000);

  afterAll(async () => {
    await p?.cleanup();
  });

  it('a model not built yet: which table, and the build that makes it', async () => {
    const r = await p.ft(['metrics', 'query', '--metrics', 'things']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: the metrics query failed on the server: Table '[^']+\.later' doesn't exist\. Build the models the metrics read first: ft build -s \+metric:things\n/);
  });

  it("an expr naming a column the model lacks: the server's message and where to look", async () => {
    const r = await p.ft(['metrics', 'query', '--metrics', 'amount,discount']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/the metrics query failed on the server: Unknown column 'discount_amount' in .*--explain prints the SQL/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const ok = await p.ft(['metrics', 'query', '--metrics', 'amount', '--output', 'csv']);
    expect(ok.stdout).toBe('amount\n10.5\n');
  });
});
