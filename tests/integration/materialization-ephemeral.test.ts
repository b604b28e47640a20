import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject, type TestProject } from '../helpers/project-builder.js';

/** Ephemeral models are inlined as CTEs: chains of them, and models that have their own WITH. */
describe('ephemeral materialization', () => {
  let p: TestProject;

  beforeAll(async () => {
    p = await createProject({
      label: 'ephem',
      seeds: { 'people.csv': 'id,name,age\n1,ann,31\n2,bob,17\n3,cy,45\n' },
      models: {
        'adults.sql': '{{config materialized="ephemeral"}}\nselect id, name, age from {{ref "people"}} where age >= 18',
        'adult_names.sql': '{{config materialized="ephemeral"}}\nselect id, upper(name) as name from {{ref "adults"}}',
        // its own WITH, refs the ephemeral-of-ephemeral and the first ephemeral
        'report.sql':
          '{{config materialized="table"}}\n-- a leading comment stays in front\nwith ages as (\n  select id, age from {{ref "adults"}}\n)\nselect n.id, n.name, a.age from {{ref "adult_names"}} n join ages a on a.id = n.id',
        'report_v.sql': 'select count(*) as adults from {{ref "adult_names"}}',
        'recursive_cte.sql':
          '{{config materialized="table"}}\nwith recursive r(i) as (select 1 union all select i + 1 from r where i < 3)\nselect r.i, (select count(*) from {{ref "adults"}}) as adults from r',
      },
    });
  });

  afterAll(async () => {
    await p.cleanup();
  });

  it('builds models on ephemeral chains, and creates no relation for ephemeral models', async () => {
    const r = await p.ft(['build']);
    expect(r.code, r.output).toBe(0);
    expect(await p.query(`select id, name, age from ${p.rel('report')} order by id`)).toEqual([
      { id: 1, name: 'ANN', age: 31 },
      { id: 3, name: 'CY', age: 45 },
    ]);
    expect(await p.query(`select adults from ${p.rel('report_v')}`)).toEqual([{ adults: 2 }]);
    expect(await p.query(`select i, adults from ${p.rel('recursive_cte')} order by i`)).toEqual([
      { i: 1, adults: 2 },
      { i: 2, adults: 2 },
      { i: 3, adults: 2 },
    ]);
    const tables = await p.tables();
    expect(tables).not.toContain('adults');
    expect(tables).not.toContain('adult_names');
    // ephemeral models are not nodes of the run
    expect(r.output).not.toMatch(/model \S+\.adults\b/);
  });

  it('generic tests on an ephemeral model read its SQL inlined, as dbt does (they stopped the build, exit 2)', async () => {
    const e = await createProject({
      label: 'ephtest',
      seeds: { 'people.csv': 'id,name,age\n1,ann,31\n2,bob,17\n2,cy,45\n' },
      models: {
        'adults.sql': '{{config materialized="ephemeral"}}\nselect id, name, age from {{ref "people"}} where age >= 18',
        'named.sql': '{{config materialized="ephemeral"}}\nselect id, upper(name) as name from {{ref "adults"}}',
      },
      yaml: {
        'schema.yml': 'models:\n  - name: named\n    columns:\n      - {name: id, data_tests: [unique, {not_null: {config: {where: "id > 0"}}}]}\n      - {name: name, data_tests: [{accepted_values: {values: [ANN, CY]}}]}\n',
      },
    });
    try {
      const r = await e.ft(['build']);
      // ids 1 and 2 once each among the adults: unique passes; bob (17) is not an adult
      expect(r.code, r.output).toBe(0);
      const status = Object.fromEntries((e.readJson('target/run_results.json').results as Array<{ unique_id: string; status: string }>).map((x) => [x.unique_id.split('.')[2], x.status]));
      expect(status).toMatchObject({ unique_named_id: 'pass', not_null_named_id: 'pass', accepted_values_named_name__ANN__CY: 'pass' });
      // and a failing one fails
      await e.query(`insert into ${e.rel('people')} values (1, 'dup', 50)`);
      const again = await e.ft(['test']);
      expect(again.code).toBe(1);
      expect(again.output).toMatch(/FAIL \d+ unique_named_id/);
    } finally {
      await e.cleanup();
    }
  });

  it('hoists the ephemeral CTEs, parents first, into the model\'s own WITH', async () => {
    // its own compile: the compiled SQL does not depend on the other test's build
    const c = await p.ft(['compile']);
    expect(c.code, c.output).toBe(0);
    const sql = p.read('target/compiled/proj/models/report.sql');
    expect(sql.trimStart().startsWith('-- a leading comment stays in front\nWITH `__ft_cte__adults` AS (')).toBe(true);
    expect(sql.indexOf('`__ft_cte__adults` AS')).toBeLessThan(sql.indexOf('`__ft_cte__adult_names` AS'));
    expect(sql).toContain('`__ft_cte__adult_names` AS (\nselect id, upper(name) as name from `__ft_cte__adults`\n),\nages as (');
    expect(sql.match(/\bWITH\b/gi)?.length).toBe(1);
    const rec = p.read('target/compiled/proj/models/recursive_cte.sql');
    expect(rec.trimStart()).toMatch(/^WITH RECURSIVE `__ft_cte__adults` AS \(/);
  });
});
