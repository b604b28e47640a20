import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createProject, type TestProject } from '../helpers/project-builder.js';

/** table and view materializations on the real server: swap, failure safety, type switches. */
describe('table and view materializations', () => {
  /** Each test has its own project and database (beforeEach), built as far as the test needs. */
  let p: TestProject;

  beforeEach(async () => {
    p = await createProject({
      label: 'mattable',
      project: { models: { proj: { '+materialized': 'table' } } },
      models: {
        'numbers.sql': 'select 1 as n, \'one\' as label union all select 2, \'two\'',
        'numbers_v.sql': '{{config materialized="view"}}\nselect n * 10 as n10 from {{ref "numbers"}}',
        'flip.sql': '{{config materialized="view"}}\nselect 1 as x',
      },
    });
  });

  afterEach(async () => {
    await p.cleanup();
  });

  /** A first build of these models, as the project defines them. */
  const build = async (...models: string[]) => {
    const r = await p.ft(['run', '-s', ...models]);
    expect(r.code, r.output).toBe(0);
  };

  const leftovers = async (): Promise<string[]> => (await p.tables()).filter((t) => /__ft_(tmp|old|new)$/.test(t));

  it('first run builds into __ft_tmp and renames it into place', async () => {
    const r = await p.ft(['run']);
    expect(r.code, r.output).toBe(0);
    expect(await p.relationType('numbers')).toBe('table');
    expect(await p.relationType('numbers_v')).toBe('view');
    expect(await p.query(`select n, label from ${p.rel('numbers')} order by n`)).toEqual([
      { n: 1, label: 'one' },
      { n: 2, label: 'two' },
    ]);
    expect(await p.query(`select n10 from ${p.rel('numbers_v')} order by n10`)).toEqual([{ n10: 10 }, { n10: 20 }]);
    const sql = p.read('target/run/proj/models/numbers.sql');
    expect(sql).toContain(`CREATE TABLE \`${p.prefix}\`.\`numbers__ft_tmp\` AS`);
    expect(sql).toContain(`RENAME TABLE \`${p.prefix}\`.\`numbers__ft_tmp\` TO \`${p.prefix}\`.\`numbers\``);
    expect(p.read('target/run/proj/models/numbers_v.sql')).toContain(`CREATE OR REPLACE VIEW \`${p.prefix}\`.\`numbers_v\` AS`);
    expect(await leftovers()).toEqual([]);
  });

  it('a rebuild swaps old and new in one RENAME TABLE and drops the old table', async () => {
    await build('numbers', 'numbers_v');
    p.write('models/numbers.sql', "select 1 as n, 'uno' as label union all select 2, 'dos' union all select 3, 'tres'");
    const r = await p.ft(['run', '-s', 'numbers']);
    expect(r.code, r.output).toBe(0);
    const sql = p.read('target/run/proj/models/numbers.sql');
    const swap = sql.split(';\n').map((s) => s.trim()).filter((s) => s.startsWith('RENAME TABLE'));
    expect(swap).toEqual([
      `RENAME TABLE \`${p.prefix}\`.\`numbers\` TO \`${p.prefix}\`.\`numbers__ft_old\`, \`${p.prefix}\`.\`numbers__ft_tmp\` TO \`${p.prefix}\`.\`numbers\``,
    ]);
    expect(sql).toContain(`DROP TABLE IF EXISTS \`${p.prefix}\`.\`numbers__ft_old\``);
    expect(await p.query(`select count(*) as c from ${p.rel('numbers')}`)).toEqual([{ c: 3 }]);
    // the view on it still works after the swap
    expect(await p.query(`select count(*) as c from ${p.rel('numbers_v')}`)).toEqual([{ c: 3 }]);
    expect(await leftovers()).toEqual([]);
  });

  it('a failed build leaves the previous table readable and intact, with no leftovers', async () => {
    p.write('models/numbers.sql', "select 1 as n, 'uno' as label union all select 2, 'dos' union all select 3, 'tres'");
    await build('numbers');
    p.write('models/numbers.sql', 'select n from {{this.schema}}.no_such_table_anywhere');
    const r = await p.ft(['run', '-s', 'numbers']);
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/no_such_table_anywhere/);
    expect(await p.query(`select n, label from ${p.rel('numbers')} order by n`)).toEqual([
      { n: 1, label: 'uno' },
      { n: 2, label: 'dos' },
      { n: 3, label: 'tres' },
    ]);
    expect(await leftovers()).toEqual([]);
  });

  it('a failure after the tmp table exists (bad index) drops it and keeps the old table', async () => {
    p.write('models/numbers.sql', "select 1 as n, 'uno' as label union all select 2, 'dos' union all select 3, 'tres'");
    await build('numbers');
    p.write('models/schema.yml', 'models:\n  - name: numbers\n    config:\n      indexes:\n        - columns: [no_such_column]\n');
    p.write('models/numbers.sql', "select 1 as n, 'x' as label");
    const r = await p.ft(['run', '-s', 'numbers']);
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/no_such_column/);
    const sql = p.read('target/run/proj/models/numbers.sql');
    expect(sql).toContain('CREATE TABLE');
    expect(sql).toContain('ADD INDEX');
    expect(await p.query(`select count(*) as c from ${p.rel('numbers')}`)).toEqual([{ c: 3 }]);
    expect(await leftovers()).toEqual([]);
    p.remove('models/schema.yml');
  });

  it('leftover __ft_tmp / __ft_old relations from an interrupted run do not block the next one', async () => {
    await build('numbers');
    await p.query(`create table ${p.rel('numbers__ft_tmp')} (junk int)`);
    await p.query(`create view ${p.rel('numbers__ft_old')} as select 1 as junk`);
    p.write('models/numbers.sql', "select 7 as n, 'seven' as label");
    const r = await p.ft(['run', '-s', 'numbers']);
    expect(r.code, r.output).toBe(0);
    expect(await p.query(`select n, label from ${p.rel('numbers')}`)).toEqual([{ n: 7, label: 'seven' }]);
    expect(await leftovers()).toEqual([]);
  });

  it('readers see the old or the new table while it is rebuilt, never a missing or half one', async () => {
    // tens of thousands of rows so the build takes a moment (a cross join: no recursion limits on MySQL)
    const big = (k: number) =>
      `with d as (select 0 as d union all select 1 union all select 2 union all select 3 union all select 4 union all select 5 union all select 6 union all select 7 union all select 8 union all select 9)\n` +
      `select a.d + 10 * b.d + 100 * c.d + 1000 * e.d + 10000 * f.d as n, 'r' as label from d a, d b, d c, d e, d f where a.d + 10 * b.d + 100 * c.d + 1000 * e.d + 10000 * f.d < ${k}`;
    p.write('models/numbers.sql', big(20000));
    expect((await p.ft(['run', '-s', 'numbers'])).code).toBe(0);
    p.write('models/numbers.sql', big(40000));
    const run = p.spawn(['run', '-s', 'numbers']);
    const seen = new Set<number>();
    let errors = 0;
    let finished = false;
    void run.done.then(() => {
      finished = true;
    });
    while (!finished) {
      try {
        const [row] = await p.query<{ c: number }>(`select count(*) as c from ${p.rel('numbers')}`);
        seen.add(Number(row!.c));
      } catch {
        errors++;
      }
    }
    const r = await run.done;
    expect(r.code, r.output).toBe(0);
    expect(errors).toBe(0);
    for (const c of seen) expect([20000, 40000]).toContain(c);
    expect(await p.query(`select count(*) as c from ${p.rel('numbers')}`)).toEqual([{ c: 40000 }]);
  });

  it('view → table and table → view switch the relation type atomically', async () => {
    await build('flip');
    expect(await p.relationType('flip')).toBe('view');
    p.write('models/flip.sql', '{{config materialized="table"}}\nselect 2 as x');
    let r = await p.ft(['run', '-s', 'flip']);
    expect(r.code, r.output).toBe(0);
    expect(await p.relationType('flip')).toBe('table');
    expect(await p.query(`select x from ${p.rel('flip')}`)).toEqual([{ x: 2 }]);
    expect(p.read('target/run/proj/models/flip.sql')).toContain(`DROP VIEW IF EXISTS \`${p.prefix}\`.\`flip__ft_old\``);

    p.write('models/flip.sql', '{{config materialized="view"}}\nselect 3 as x');
    r = await p.ft(['run', '-s', 'flip']);
    expect(r.code, r.output).toBe(0);
    expect(await p.relationType('flip')).toBe('view');
    expect(await p.query(`select x from ${p.rel('flip')}`)).toEqual([{ x: 3 }]);
    expect(await leftovers()).toEqual([]);
  });

  it('a view is replaced in place with CREATE OR REPLACE VIEW', async () => {
    await build('flip');
    expect(await p.relationType('flip')).toBe('view');
    p.write('models/flip.sql', '{{config materialized="view"}}\nselect 4 as x, 5 as y');
    const r = await p.ft(['run', '-s', 'flip']);
    expect(r.code, r.output).toBe(0);
    const sql = p.read('target/run/proj/models/flip.sql');
    expect(sql.trim()).toBe(`CREATE OR REPLACE VIEW \`${p.prefix}\`.\`flip\` AS\nselect 4 as x, 5 as y;`);
    expect(await p.query(`select x, y from ${p.rel('flip')}`)).toEqual([{ x: 4, y: 5 }]);
  });
});
