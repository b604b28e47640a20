import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject, type TestProject } from '../helpers/project-builder.js';

/** `{{run_started_at}}` and `{{invocation_id}}`: the invocation's, new in every one, never cached. */
describe('run_started_at and invocation_id', () => {
  let p: TestProject;

  beforeAll(async () => {
    p = await createProject({
      label: 'invctx',
      models: {
        'stamped.sql': "{{config materialized=\"table\"}}\nselect cast('{{run_started_at}}' as datetime(6)) as started, '{{invocation_id}}' as invocation",
        'plain.sql': 'select 1 as n',
      },
    });
  });

  afterAll(async () => {
    await p.cleanup();
  });

  const compiled = (): string => p.read('target/compiled/proj/models/stamped.sql');
  const TIMESTAMP = /'(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6})'/;

  it('render the invocation start (UTC) and the id of the artifacts, again on every compile', async () => {
    const before = Date.now();
    const first = await p.ft(['compile']);
    expect(first.code, first.output).toBe(0);
    const sql = compiled();
    const started = Date.parse(`${TIMESTAMP.exec(sql)![1]!.replace(' ', 'T')}Z`);
    expect(started).toBeGreaterThanOrEqual(before - 1000);
    expect(started).toBeLessThanOrEqual(Date.now());
    const manifest = p.readJson('target/manifest.json');
    expect(sql).toContain(`'${manifest.metadata.invocation_id}' as invocation`);
    expect(manifest.nodes['model.proj.stamped'].compiled_code).toBe(sql.trimEnd());

    // nothing changed, but this model's SQL is new in every invocation
    const second = await p.ft(['compile']);
    expect(second.code, second.output).toBe(0);
    const again = p.readJson('target/manifest.json');
    expect(again.metadata.invocation_id).not.toBe(manifest.metadata.invocation_id);
    expect(compiled()).toContain(`'${again.metadata.invocation_id}' as invocation`);
    expect(again.nodes['model.proj.stamped'].compiled_code).toContain(again.metadata.invocation_id);
  });

  it('ft run builds with the run\'s values, the same as its run_results', async () => {
    const r = await p.ft(['run']);
    expect(r.code, r.output).toBe(0);
    const results = p.readJson('target/run_results.json');
    const [row] = await p.query<{ started: Date | string; invocation: string }>(`select date_format(started, '%Y-%m-%d %H:%i:%s.%f') as started, invocation from ${p.rel('stamped')}`);
    expect(row!.invocation).toBe(results.metadata.invocation_id);
    expect(p.read('target/run/proj/models/stamped.sql')).toContain(`'${row!.started}'`);
  });
});
