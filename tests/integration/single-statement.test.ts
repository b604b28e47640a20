import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject, type TestProject } from '../helpers/project-builder.js';

/**
 * Models, tests and seeds reach the server one statement at a time: text smuggled in through
 * --vars cannot add a second one. Hooks that hold several statements are split by ft.
 */
describe('one statement per model', () => {
  let p: TestProject;

  beforeAll(async () => {
    p = await createProject({
      label: 'onestmt',
      models: {
        'injected.sql': '{{config materialized="table"}}\nselect {{var "x" "1 as v"}}',
      },
      project: {
        'on-run-start': [
          // several statements, a quoted ';', comments and a procedure body without DELIMITER
          "drop table if exists {{target.database}}.hook_log;\ncreate table {{target.database}}.hook_log (msg varchar(200)); -- a comment; still one\n" +
            "insert into {{target.database}}.hook_log values ('a;b'), (\"c;`d\"); /* x; y */\n" +
            'drop procedure if exists {{target.database}}.ft_proc;\n' +
            'create procedure {{target.database}}.ft_proc()\nbegin\n  insert into {{target.database}}.hook_log values (\'in proc; 1\');\n  insert into {{target.database}}.hook_log values (\'in proc; 2\');\nend;\n' +
            'call {{target.database}}.ft_proc()',
        ],
      },
    });
    await p.query(`create database ${p.rel('victim').split('.')[0]!.replace(/`$/, '_victim`')}`);
  });

  afterAll(async () => {
    await p.cleanup();
  });

  const victimExists = async (): Promise<boolean> =>
    (await p.query('select schema_name from information_schema.schemata where schema_name = ?', [`${p.prefix}_victim`])).length === 1;

  it('a var holding "; DROP DATABASE …" fails the model and drops nothing', async () => {
    expect(await victimExists()).toBe(true);
    const vars = JSON.stringify({ x: `1 as v; DROP DATABASE \`${p.prefix}_victim\`; SELECT 1` });
    const r = await p.ft(['run', '-s', 'injected', '--vars', vars]);
    expect(r.code, r.output).toBe(1);
    expect(await victimExists()).toBe(true);
  });

  it('hooks with several statements, quotes, comments and a procedure body run statement by statement', async () => {
    const r = await p.ft(['run', '-s', 'injected']);
    expect(r.code, r.output).toBe(0);
    const rows = await p.query<{ msg: string }>(`select msg from ${p.rel('hook_log')} order by msg`);
    expect(rows.map((x) => x.msg)).toEqual(['a;b', 'c;`d', 'in proc; 1', 'in proc; 2']);
  });

  it('{{literal …}} renders a var as a quoted SQL literal', async () => {
    const x = `1 as v; DROP DATABASE \`${p.prefix}_victim\`; SELECT 'it''s' \\ "q"`;
    p.write('models/quoted.sql', '{{config materialized="table"}}\nselect {{literal (var "x" "none")}} as v, {{literal (var "n" 0)}} as n');
    try {
      const r = await p.ft(['run', '-s', 'quoted', '--vars', JSON.stringify({ x, n: 42 })]);
      expect(r.code, r.output).toBe(0);
      expect(await victimExists()).toBe(true);
      expect(await p.query(`select v, n from ${p.rel('quoted')}`)).toEqual([{ v: x, n: 42 }]);
    } finally {
      p.remove('models/quoted.sql');
    }
  });
});
