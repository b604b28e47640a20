import { cpSync, mkdirSync } from 'node:fs';
import { stringify } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TEST_DB } from '../helpers/db.js';
import { createProject, nodeLines, type TestProject } from '../helpers/project-builder.js';

/** ft clone --state: a CI target starts from views of production's relations; slim CI builds on top. */
describe('ft clone', () => {
  let p: TestProject;
  const ci = () => `${p.database}_ci`;
  beforeEach(async () => {
    p = await createProject({
      label: 'clone',
      seeds: { 's.csv': 'id,v\n1,10\n2,20\n' },
      models: {
        'a.sql': '{{config materialized="table"}}\nselect id, v from {{ref "s"}}',
        'b.sql': 'select id, v * 2 as v2 from {{ref "a"}}',
        'c.sql': '{{config materialized="table"}}\nselect count(*) as n from {{ref "b"}}',
        'e.sql': '{{config materialized="ephemeral"}}\nselect 1 as one',
      },
    });
    const dev = { type: 'mysql', host: TEST_DB.host, port: TEST_DB.port, user: TEST_DB.user, password: TEST_DB.password, threads: 2 };
    p.write('profiles.yml', stringify({ proj: { target: 'dev', outputs: { dev: { ...dev, database: p.database }, ci: { ...dev, database: ci() } } } }));
    const prod = await p.ft(['build']);
    expect(prod.code, prod.output).toBe(0);
    mkdirSync(p.path('prod-state'));
    cpSync(p.path('target/manifest.json'), p.path('prod-state/manifest.json'));
  });
  afterEach(async () => {
    await p.cleanup();
  });

  const typeIn = async (db: string, t: string): Promise<string | null> =>
    (await p.query<{ t: string }>('select table_type as t from information_schema.tables where table_schema = ? and table_name = ?', [db, t]))[0]?.t ?? null;

  it('creates views of the state relations, then build -s state:modified+ --defer builds only the change on them', async () => {
    const r = await p.ft(['clone', '--state', p.path('prod-state'), '--target', 'ci']);
    expect(r.code, r.output).toBe(0);
    expect(r.stdout).toContain('Cloning 4 relations from the state manifest');
    for (const t of ['s', 'a', 'b', 'c']) expect(await typeIn(ci(), t), t).toBe('VIEW');
    expect(await typeIn(ci(), 'e')).toBeNull();
    expect(await p.query(`select id, v2 from \`${ci()}\`.b order by id`)).toEqual([{ id: 1, v2: 20 }, { id: 2, v2: 40 }]);

    p.write('models/c.sql', '{{config materialized="table"}}\nselect count(*) as n, sum(v2) as total from {{ref "b"}}');
    const slim = await p.ft(['build', '-s', 'state:modified+', '--state', p.path('prod-state'), '--defer', '--target', 'ci']);
    expect(slim.code, slim.output).toBe(0);
    expect(nodeLines(slim.output)).toEqual([expect.stringMatching(new RegExp(`^1 of 1 OK created table model ${ci()}\\.c `))]);
    expect(await typeIn(ci(), 'c')).toBe('BASE TABLE');
    expect(await p.query(`select n, total from \`${ci()}\`.c`)).toEqual([{ n: 2, total: '60' }]);

    // again: what exists is kept (the built c stays a table); --full-refresh replaces it
    const again = await p.ft(['clone', '--state', p.path('prod-state'), '--target', 'ci']);
    expect(again.code, again.output).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`c: \`${ci()}\`\\.\`c\` already exists as a table, kept \\(--full-refresh replaces it\\)`));
    expect(await typeIn(ci(), 'c')).toBe('BASE TABLE');
    const full = await p.ft(['clone', '-s', 'c', '--full-refresh', '--state', p.path('prod-state'), '--target', 'ci']);
    expect(full.code, full.output).toBe(0);
    expect(await typeIn(ci(), 'c')).toBe('VIEW');
  });

  it('without --state, or cloning a target onto itself, says what to do', async () => {
    const none = await p.ft(['clone']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('ft clone needs --state <dir> with the manifest.json of the run whose relations to clone');
    const self = await p.ft(['clone', '-s', 'a', '--state', p.path('prod-state')]);
    expect(self.code, self.output).toBe(0);
    expect(self.stdout).toMatch(/SKIP a: the state's relation is this one/);
    expect(await typeIn(p.database, 'a')).toBe('BASE TABLE');
  });
});
