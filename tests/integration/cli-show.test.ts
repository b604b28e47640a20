import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createProject, type TestProject } from '../helpers/project-builder.js';

/** ft show: a model's (or an inline query's) first rows from the server, as a table, JSON or CSV. */
describe('ft show', () => {
  let p: TestProject;
  beforeEach(async () => {
    p = await createProject({
      label: 'show',
      seeds: { 'people.csv': 'id,name,score\n1,Ada,10.5\n2,"Lee, Bo",7\n3,Cy,\n4,Di,3\n5,Ed,1\n6,Flo,2\n7,Gus,9\n' },
      models: {
        'people_v.sql': 'select id, name, score from {{ref "people"}}',
        'eph.sql': '{{config materialized="ephemeral"}}\nselect id, upper(name) as name from {{ref "people"}}',
        // not built: show runs its SQL, not its relation
        'top.sql': '{{config materialized="table"}}\nselect e.id, e.name from {{ref "eph"}} e where e.id <= 3 order by e.id -- trailing comment',
      },
    });
    const seed = await p.ft(['seed']);
    expect(seed.code, seed.output).toBe(0);
  });
  afterEach(async () => {
    await p.cleanup();
  });

  it('prints a model\'s first 5 rows as a table by default, from its SQL (ephemeral parents inlined)', async () => {
    await p.ft(['run', '-s', 'people_v']);
    const r = await p.ft(['show', '-s', 'people_v']);
    expect(r.code, r.output).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe("Previewing node 'people_v':");
    expect(lines[1]).toMatch(/^\|  id \| name +\| score \|$/);
    expect(lines[2]).toMatch(/^\| -+ \| -+ \| -+ \|$/);
    // 5 rows: the default limit
    expect(lines).toHaveLength(3 + 5);
    expect(r.stdout).toContain('| Lee, Bo |');
    expect(r.stdout).toMatch(/\| Cy +\| NULL +\|/);
    const top = await p.ft(['show', '-s', 'top', '--limit', '10']);
    expect(top.code, top.output).toBe(0);
    expect(top.stdout.trimEnd().split('\n').slice(3)).toEqual(['|   1 | ADA     |', '|   2 | LEE, BO |', '|   3 | CY      |']);
    expect(await p.relationType('top')).toBeNull();
  });

  it('--output json: the rows as objects with their types', async () => {
    const r = await p.ft(['show', '-s', 'people', '--output', 'json', '--limit', '2']);
    expect(r.code, r.output).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.node).toBe('people');
    expect(j.show).toHaveLength(2);
    expect(Object.keys(j.show[0])).toEqual(['id', 'name', 'score']);
    expect(typeof j.show[0].id).toBe('number');
  });

  it('--output csv: a header and quoted fields, NULL as an empty field', async () => {
    const r = await p.ft(['show', '--inline', 'select id, name, score from {{ref "people"}} where id between 2 and 3 order by id', '--output', 'csv']);
    expect(r.code, r.output).toBe(0);
    expect(r.stdout).toBe('id,name,score\n2,"Lee, Bo",7.0\n3,Cy,\n');
  });

  it('--inline with --limit: the query as templated in the project', async () => {
    const r = await p.ft(['show', '--inline', 'select name from {{ref "eph"}} order by id', '--limit', '1']);
    expect(r.code, r.output).toBe(0);
    expect(r.stdout).toBe('Previewing inline node:\n| name |\n| ---- |\n| ADA  |\n');
  });

  it('bad flags and failing SQL are messages naming the fix', async () => {
    const none = await p.ft(['show']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("ft show needs what to show: -s <model> or --inline 'select …'.");
    const limit = await p.ft(['show', '-s', 'people', '--limit', 'ten']);
    expect(limit.code).toBe(2);
    expect(limit.stderr).toContain('--limit must be a whole number of rows, not "ten"');
    const fmt = await p.ft(['show', '-s', 'people', '--output', 'xml']);
    expect(fmt.code).toBe(2);
    expect(fmt.stderr).toMatch(/Allowed choices are table, json, csv/);
    const both = await p.ft(['show', '-s', 'people', '--inline', 'select 1']);
    expect(both.stderr).toContain('--inline shows its own query: leave out --select');
    const unbuilt = await p.ft(['show', '--inline', 'select * from {{ref "people_v"}}']);
    expect(unbuilt.code).toBe(2);
    expect(unbuilt.stderr).toMatch(/--inline: Table '.*people_v' doesn't exist\. Build what it reads first: ft build -s \+<model>\./);
    expect(unbuilt.stderr).not.toMatch(/\n\s+at /);
  });
});
