import { afterEach, describe, expect, it } from 'vitest';
import { createProject, type TestProject } from '../helpers/project-builder.js';

/**
 * MySQL traps in a model that reads the database while compiling (get_columns_in_relation…):
 * it can only be rendered once its parents are built, so it is checked as it renders — warned
 * of with its file and line like every other model, and with --warn-error it is not run.
 */
describe('MySQL traps in models that read the database while compiling', () => {
  let p: TestProject | undefined;
  afterEach(async () => {
    await p?.cleanup();
    p = undefined;
  });

  const MODELS = {
    'base.sql': "select 1 as a, 'x' as b",
    // `a || b` is logical OR under MySQL's default sql_mode, not concatenation
    'reads.sql': 'select\n  {{#each (get_columns_in_relation (ref "base"))}}{{quoted}}, {{/each}}\n  a || b as joined\nfrom {{ref "base"}}',
    'after.sql': 'select joined from {{ref "reads"}}',
  };

  it('ft run warns of the trap with the file and line, and builds the model', async () => {
    p = await createProject({ label: 'lintintro', models: MODELS });
    const r = await p.ft(['run']);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/models\/reads\.sql:3: .*\|\|/);
    expect(await p.relationType('reads')).toBe('view');
  }, 120_000);

  it('with --warn-error the model is not run, and what reads it is skipped', async () => {
    p = await createProject({ label: 'lintintro', models: MODELS });
    const r = await p.ft(['run', '--warn-error']);
    expect(r.code, r.output).toBe(1);
    expect(r.output).toMatch(/models\/reads\.sql:3: .*\|\|/);
    expect(r.output).toMatch(/--warn-error: 1 MySQL trap in reads/);
    expect(await p.relationType('base')).toBe('view');
    expect(await p.relationType('reads')).toBeNull();
    expect(await p.relationType('after')).toBeNull();
    const results: Array<{ unique_id: string; status: string }> = p.readJson('target/run_results.json').results;
    expect(Object.fromEntries(results.map((x) => [x.unique_id.split('.').pop(), x.status]))).toEqual({ base: 'success', reads: 'error', after: 'skipped' });
  }, 120_000);
});
