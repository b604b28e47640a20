import { afterEach, describe, expect, it } from 'vitest';
import { createProject, type TestProject } from '../helpers/project-builder.js';
import { connect } from '../helpers/db.js';

/**
 * Reading the database while compiling: get_columns_in_relation, get_relation and run_query
 * render from what the live schema holds, a model that reads it is rendered again when that
 * changes, ft run/build render it after its parents are built, and ft compile without a
 * server says which models need one.
 */
describe('compile-time introspection', () => {
  const projects: TestProject[] = [];
  afterEach(async () => {
    for (const p of projects.splice(0)) await p.cleanup();
  });
  const project = async (spec: Parameters<typeof createProject>[0]): Promise<TestProject> => {
    const p = await createProject(spec);
    projects.push(p);
    return p;
  };
  const exec = async (sql: string): Promise<void> => {
    const c = await connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };

  const COLUMNS_MODEL = 'select {{#each (get_columns_in_relation (ref "wide"))}}{{quoted}}{{#unless @last}}, {{/unless}}{{/each}} from {{ref "wide"}}';

  it('renders a relation\'s columns from the live schema, and again after a parent column is added', async () => {
    const p = await project({
      label: 'introcols',
      models: {
        'wide.sql': '{{config materialized="table"}}\nselect 1 as id, \'a\' as name',
        'narrow.sql': COLUMNS_MODEL,
        // types and positions are there too; the existence check gives the relation
        'typed.sql': '{{#if (get_relation (ref "wide"))}}-- {{#each (get_columns_in_relation (ref "wide"))}}{{ordinal}}:{{name}}:{{dtype}} {{/each}}\n{{/if}}select 1 as x from {{ref "wide"}}',
      },
    });
    const run = await p.ft(['run', '--select', 'wide']);
    expect(run.code, run.output).toBe(0);
    const c1 = await p.ft(['compile']);
    expect(c1.code, c1.output).toBe(0);
    expect(p.read('target/compiled/proj/models/narrow.sql')).toContain('select `id`, `name` from');
    expect(p.read('target/compiled/proj/models/typed.sql')).toMatch(/-- 1:id:int 2:name:varchar /);

    // no file changed: the compile that reuses the last one renders the introspecting models again
    await exec(`ALTER TABLE ${p.rel('wide')} ADD COLUMN extra int`);
    const c2 = await p.ft(['compile']);
    expect(c2.code, c2.output).toBe(0);
    expect(p.read('target/compiled/proj/models/narrow.sql')).toContain('select `id`, `name`, `extra` from');
    // and through an edit of another model's body (the patch compile) as well
    await exec(`ALTER TABLE ${p.rel('wide')} DROP COLUMN name`);
    p.write('models/wide.sql', '{{config materialized="table"}}\nselect 1 as id, \'b\' as name');
    const c3 = await p.ft(['compile']);
    expect(c3.code, c3.output).toBe(0);
    expect(p.read('target/compiled/proj/models/narrow.sql')).toContain('select `id`, `extra` from');
    // ft show runs the model as it would render now
    const show = await p.ft(['show', '-s', 'narrow', '--output', 'json']);
    expect(show.code, show.output).toBe(0);
    expect(show.stdout).toMatch(/"extra"/);
    // ft compile --inline reads it too
    const inline = await p.ft(['compile', '--inline', '{{#each (get_columns_in_relation (ref "wide"))}}{{name}}:{{dtype}} {{/each}}']);
    expect(inline.code, inline.output).toBe(0);
    expect(inline.stdout.trim()).toBe('id:int extra:int');
  });

  it('renders run_query rows in {{#each}} and in its block form', async () => {
    const p = await project({
      label: 'introquery',
      seeds: { 'orders.csv': 'id,status\n1,paid\n2,open\n3,paid\n4,void\n' },
      models: {
        'pivot.sql':
          '{{config materialized="table"}}\nselect {{#each (run_query "select distinct status from " (ref "orders") " order by status")}}sum(status = \'{{status}}\') as n_{{status}}{{#unless @last}}, {{/unless}}{{/each}} from {{ref "orders"}}',
        'listed.sql': '{{config materialized="table"}}\nselect {{#run_query "select id from " (ref "orders") " where status = \'paid\' order by id"}}{{id}} as p{{@index}}{{#unless @last}}, {{/unless}}{{else}}0 as none{{/run_query}}',
      },
    });
    const b = await p.ft(['build']);
    expect(b.code, b.output).toBe(0);
    expect(await p.query(`select * from ${p.rel('pivot')}`)).toEqual([{ n_open: '1', n_paid: '2', n_void: '1' }]);
    expect(await p.query(`select * from ${p.rel('listed')}`)).toEqual([{ p0: 1, p1: 3 }]);
  });

  it('renders a model after its parent is built in the same ft build, and ft compile on an empty schema says which models wait for it', async () => {
    const p = await project({
      label: 'introfirst',
      models: {
        'wide.sql': '{{config materialized="table"}}\nselect 1 as id, \'a\' as name, 2.5 as amount',
        'narrow.sql': `{{config materialized="table"}}\n${COLUMNS_MODEL}`,
      },
    });
    const c = await p.ft(['compile']);
    expect(c.code, c.output).toBe(0);
    expect(c.output).toMatch(/models\/narrow\.sql:\d+: get_columns_in_relation reads `[^`]+`\.`wide`, which does not exist \(yet\)/);

    const b = await p.ft(['build']);
    expect(b.code, b.output).toBe(0);
    const cols = await p.query(`select column_name as c from information_schema.columns where table_schema = '${p.schema()}' and table_name = 'narrow' order by ordinal_position`);
    expect(cols.map((r) => r.c)).toEqual(['id', 'name', 'amount']);
    expect(b.output).not.toMatch(/does not exist \(yet\)/);
    expect(p.read('target/compiled/proj/models/narrow.sql')).toContain('select `id`, `name`, `amount` from');
  });

  it('reports which models need the server when it is unreachable; parse and ls do without it', async () => {
    const p = await project({
      label: 'introdown',
      profile: { port: 1 },
      models: {
        'wide.sql': 'select 1 as id',
        'narrow.sql': `-- reads the columns\n${COLUMNS_MODEL}`,
        'probe.sql': 'select 1 as x\n{{#if (get_relation "some_schema" "some_table")}}, 2 as y{{/if}}',
      },
    });
    const c = await p.ft(['compile']);
    expect(c.code, c.output).toBe(2);
    expect(c.output).toMatch(/2 nodes read the database while compiling, and it could not be read: cannot reach the server at [^\s]+:1/);
    expect(c.output).toMatch(/models\/narrow\.sql:2: get_columns_in_relation `[^`]+`\.`wide`/);
    expect(c.output).toMatch(/models\/probe\.sql:2: get_relation `some_schema`\.`some_table`/);
    expect(c.output).not.toMatch(/\n\s+at /);
    for (const cmd of [['parse'], ['ls']]) {
      const r = await p.ft(cmd);
      expect(r.code, r.output).toBe(0);
    }
  });

  it('says a hook cannot read the database while it renders, and what to do instead', async () => {
    const p = await project({
      label: 'introhook',
      models: { 'a.sql': '{{config materialized="table" post_hook="select {{#each (get_columns_in_relation this)}}1{{/each}}"}}\nselect 1 as x' },
    });
    const r = await p.ft(['run']);
    // a template that cannot be rendered is bad input: exit 2
    expect(r.code, r.output).toBe(2);
    expect(r.output).toMatch(/get_columns_in_relation reads the database while compiling \(`[^`]+`\.`a`\), and this template is rendered where ft does not read it first \(a hook or an operation\)/);
  });

  it('names the file and line of a run_query the server refuses', async () => {
    const p = await project({
      label: 'introbad',
      models: { 'bad.sql': 'select 1 as x\n{{#each (run_query "select nope from nowhere_at_all")}}{{/each}}' },
    });
    const c = await p.ft(['compile']);
    expect(c.code, c.output).toBe(2);
    expect(c.output).toMatch(/models\/bad\.sql:2: run_query failed: server error \d+: .*nowhere_at_all/);
  });
});
