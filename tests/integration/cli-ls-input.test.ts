import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createProject, type TestProject } from '../helpers/project-builder.js';

/** ft ls: a bare path selects a folder or file as in dbt; a misspelled --resource-type is an error. */
describe('ft ls input', () => {
  let p: TestProject;
  beforeEach(async () => {
    p = await createProject({
      label: 'lsinput',
      seeds: { 'raw.csv': 'id\n1\n' },
      models: {
        'staging/stg_a.sql': 'select id from {{ref "raw"}}',
        'staging/deep/stg_b.sql': 'select id from {{ref "stg_a"}}',
        'marts/mart_c.sql': 'select id from {{ref "stg_b"}}',
      },
    });
  });
  afterEach(async () => {
    await p.cleanup();
  });

  const names = (out: string): string[] => out.trim().split('\n').filter(Boolean).sort();

  it('a bare path selects that folder (and below), or that file; with graph operators too', async () => {
    expect(names((await p.ft(['ls', '-s', 'models/staging'])).stdout)).toEqual(['stg_a', 'stg_b']);
    expect(names((await p.ft(['ls', '-s', 'models/staging/'])).stdout)).toEqual(['stg_a', 'stg_b']);
    expect(names((await p.ft(['ls', '-s', './models/marts'])).stdout)).toEqual(['mart_c']);
    expect(names((await p.ft(['ls', '-s', 'models/staging/deep/stg_b.sql'])).stdout)).toEqual(['stg_b']);
    expect(names((await p.ft(['ls', '-s', 'models/marts+', '+models/marts', '--resource-type', 'model'])).stdout)).toEqual(['mart_c', 'stg_a', 'stg_b']);
    expect(names((await p.ft(['ls', '-s', 'seeds'])).stdout)).toEqual([]);
  });

  it('a misspelled --resource-type is an error saying which was meant', async () => {
    const r = await p.ft(['ls', '--resource-type', 'modle']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--resource-type "modle" is not a resource type. Did you mean "model"? Use model, seed, source, test, exposure, snapshot');
    expect(r.stderr).toMatch(/, semantic_model, metric, saved_query or all\.\n/);
    expect(r.stdout).toBe('');
    const ok = await p.ft(['ls', '--resource-type', 'seed', '--resource-type', 'model']);
    expect(ok.code, ok.output).toBe(0);
    expect(names(ok.stdout)).toEqual(['mart_c', 'raw', 'stg_a', 'stg_b']);
    expect(names((await p.ft(['ls', '--resource-type', 'all'])).stdout)).toEqual(['mart_c', 'raw', 'stg_a', 'stg_b']);
  });
});
