import { afterEach, describe, expect, it } from 'vitest';
import { createProject, type TestProject } from '../helpers/project-builder.js';

/**
 * Schema YAML as dbt projects write it, through a real build: anchors, aliases and merge keys
 * (`config: *cfg`, `<<: *cfg`, `tests: *std`) build what PyYAML would read (#14 item 15), and YAML
 * nested too deep is ft's message naming the file and line, exit 2, no stack trace (item 19).
 */
describe('schema YAML input', { timeout: 180_000 }, () => {
  let p: TestProject | undefined;
  afterEach(async () => {
    await p?.cleanup();
    p = undefined;
  });

  const SCHEMA = [
    'version: 2',
    'models:',
    '  - name: a',
    '    config: &cfg {materialized: table, tags: [anchored]}',
    '    columns:',
    '      - name: id',
    '        tests: &std [unique, not_null]',
    '  - name: b',
    '    config:',
    '      <<: *cfg',
    '      materialized: view',
    '    columns:',
    '      - name: id',
    '        tests: *std',
    '  - name: c',
    '    config:',
    '      <<: [*cfg]',
    '      tags: [own]',
    '    columns:',
    '      - name: id',
    '        tests: *std',
    '',
  ].join('\n');

  type Result = { unique_id: string; status: string };

  it('anchors, aliases and merge keys configure and test the models as dbt reads them', async () => {
    p = await createProject({
      label: 'yamlanchor',
      models: {
        'a.sql': 'select 1 as id union all select 2',
        'b.sql': 'select id from {{ref "a"}}',
        // a duplicate: the unique test reached through the alias must fail on it
        'c.sql': 'select id from {{ref "a"}} union all select 1',
      },
      yaml: { 'schema.yml': SCHEMA },
    });
    const r = await p.ft(['build', '--threads', '1']);
    expect(r.code, r.output).toBe(1);
    // config: *cfg → a table; <<: *cfg with its own materialized → a view; <<: [*cfg] → a table
    expect(await p.relationType('a')).toBe('table');
    expect(await p.relationType('b')).toBe('view');
    expect(await p.relationType('c')).toBe('table');
    // tests: *std → unique and not_null on each model's id: 6 tests, c's unique one failing
    const results = p.readJson<{ results: Result[] }>('target/run_results.json').results;
    const tests = Object.fromEntries(results.filter((x) => x.unique_id.startsWith('test.')).map((x) => [x.unique_id.split('.')[2], x.status]));
    expect(tests).toEqual({
      unique_a_id: 'pass',
      not_null_a_id: 'pass',
      unique_b_id: 'pass',
      not_null_b_id: 'pass',
      unique_c_id: 'fail',
      not_null_c_id: 'pass',
    });
    // tags from the anchor, and the mapping's own tags winning over the merged ones
    const ls = await p.ft(['ls', '-s', 'tag:anchored', '--resource-type', 'model', '--output', 'name']);
    expect(ls.code, ls.output).toBe(0);
    expect(ls.stdout.split('\n').filter(Boolean).sort()).toEqual(['a', 'b']);
  });

  it('YAML nested deeper than ft reads: the file and line, exit 2, no stack trace', async () => {
    const deep = ['version: 2', 'models:', '  - name: a', '    meta:'];
    for (let i = 0; i < 400; i++) deep.push(`${' '.repeat(6 + 2 * i)}k${i}:`);
    deep[deep.length - 1] += ' 1';
    p = await createProject({ label: 'yamldeep', models: { 'a.sql': 'select 1 as id' }, yaml: { 'deep.yml': `${deep.join('\n')}\n` } });
    for (const cmd of [['compile'], ['build']]) {
      const r = await p.ft(cmd);
      expect(r.code, r.output).toBe(2);
      expect(r.output).toMatch(/models\/deep\.yml:\d+: YAML nested more than 256 levels deep/);
      expect(r.output).not.toMatch(/\n\s+at /);
      expect(r.output).not.toMatch(/RangeError|Maximum call stack/);
    }
    expect(await p.tables()).toEqual([]);
  });
});
