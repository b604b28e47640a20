import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createProject, type TestProject } from '../helpers/project-builder.js';

/** ft run-operation: a .sql macro rendered with --args and run statement by statement, or a JS macro given a query function. */
describe('ft run-operation', () => {
  let p: TestProject;
  beforeEach(async () => {
    p = await createProject({
      label: 'runop',
      seeds: { 'items.csv': 'id,qty\n1,5\n2,0\n3,7\n' },
      macros: {
        // two statements, the args by name, a ref and the target
        'trim_items.sql': 'create table if not exists {{target.schema}}.op_log (msg varchar(100));\ndelete from {{ref "items"}} where qty <= {{max_qty}};\ninsert into {{target.schema}}.op_log values ({{literal note}})',
        'broken_op.sql': 'insert into {{target.schema}}.op_log2 values (1);\nselect no_such_col from {{ref "items"}}',
        'ops.js': [
          'export async function count_items(args, ctx) {',
          '  const rows = await ctx.query(`select count(*) as n from \\`${ctx.target.schema}\\`.items where qty >= ?`, [args.min]);',
          '  ctx.log(`items with qty >= ${args.min}: ${rows[0].n}`);',
          '  return `update \\`${ctx.target.schema}\\`.items set qty = qty + ${Number(args.add)}`;',
          '}',
        ].join('\n'),
      },
    });
    expect((await p.ft(['seed'])).code).toBe(0);
  });
  afterEach(async () => {
    await p.cleanup();
  });

  it('a .sql macro with --args runs each statement in order', async () => {
    const r = await p.ft(['run-operation', 'trim_items', '--args', '{max_qty: 0, note: "it\'s done"}']);
    expect(r.code, r.output).toBe(0);
    expect(r.stdout).toMatch(/^1 of 3 OK create table if not exists .*op_log/m);
    expect(r.stdout).toMatch(/^2 of 3 OK delete from .*items.* \[1 row\]$/m);
    expect(r.stdout).toMatch(/Ran operation trim_items \(3 statements\) in \d+\.\d\ds\./);
    expect(await p.query(`select id from ${p.rel('items')} order by id`)).toEqual([{ id: 1 }, { id: 3 }]);
    expect(await p.query(`select msg from ${p.rel('op_log')}`)).toEqual([{ msg: "it's done" }]);
  });

  it('a JS macro gets the args and a query function, and the SQL it returns is run', async () => {
    const r = await p.ft(['run-operation', 'count_items', '--args', '{min: 5, add: 10}']);
    expect(r.code, r.output).toBe(0);
    expect(r.stdout).toContain('items with qty >= 5: 2');
    expect(r.stdout).toMatch(/1 of 1 OK update .* \[3 rows\]/);
    expect(await p.query(`select qty from ${p.rel('items')} order by id`)).toEqual([{ qty: 15 }, { qty: 10 }, { qty: 17 }]);
  });

  it('bad args, an unknown macro and failing SQL are messages naming the fix', async () => {
    const yaml = await p.ft(['run-operation', 'trim_items', '--args', '{max_qty: [1']);
    expect(yaml.code).toBe(2);
    expect(yaml.stderr).toMatch(/--args is not valid YAML \(.*\)\. Pass a mapping, e\.g\. --args '\{table: orders, days: 7\}'/);
    const list = await p.ft(['run-operation', 'trim_items', '--args', '[1, 2]']);
    expect(list.stderr).toContain('--args must be a mapping of argument names to values');
    const unknown = await p.ft(['run-operation', 'trim_itemz']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no macro "trim_itemz": ft run-operation runs a partial (macros/trim_itemz.sql) or a function exported by a macros/*.js file. Did you mean "trim_items"?');
    const missingArg = await p.ft(['run-operation', 'trim_items']);
    expect(missingArg.code).not.toBe(0);
    expect(await p.query(`select count(*) as n from ${p.rel('items')}`)).toEqual([{ n: 3 }]);
    await p.query(`create table ${p.rel('op_log2')} (n int)`);
    const failing = await p.ft(['run-operation', 'broken_op']);
    expect(failing.code).toBe(1);
    expect(failing.stderr).toMatch(/macro broken_op, statement 2 of 2: Unknown column 'no_such_col'/);
    expect(failing.stderr).toContain('The 1 statement before it ran (and stay done); fix this one and run the operation again.');
    expect(failing.stderr).not.toMatch(/\n\s+at /);
  });
});
