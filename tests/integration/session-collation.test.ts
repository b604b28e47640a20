import { afterEach, describe, expect, it } from 'vitest';
import { createProject, type TestProject } from '../helpers/project-builder.js';

/**
 * Columns ft builds from literals carry the session's collation; seeds and source tables carry
 * their database's. mysql2 gave every session utf8mb4_unicode_ci, so on a server whose default
 * is utf8mb4_general_ci (MariaDB) a model of literals joined to a seed failed with "Illegal mix
 * of collations". Sessions now take the target database's collation (or the server's default).
 */
describe('session collation', () => {
  const projects: TestProject[] = [];
  afterEach(async () => {
    for (const p of projects.splice(0)) await p.cleanup();
  });

  const spec = (label: string) => ({
    label,
    seeds: { 'countries.csv': 'country,name\nUS,United States\nFR,France\n' },
    models: {
      'codes.sql': "{{config materialized=\"table\"}}\nselect 'US' as country union all select cast('FR' as char)",
      'named.sql': '{{config materialized="table"}}\nselect c.country, n.name from {{ref "codes"}} c join {{ref "countries"}} n on c.country = n.country',
      'silver_codes.sql': "{{config materialized=\"table\" schema=\"silver\"}}\nselect 'FR' as country",
      'silver_named.sql': '{{config materialized="table" schema="silver"}}\nselect s.country, n.name from {{ref "silver_codes"}} s join {{ref "countries"}} n on s.country = n.country',
    },
  });
  const collations = (p: TestProject, db: string) =>
    p.query<{ t: string; c: string; k: string }>("SELECT table_name AS t, column_name AS c, collation_name AS k FROM information_schema.columns WHERE table_schema = ? AND collation_name IS NOT NULL ORDER BY t, c", [db]);

  it('a model of literals joins a seed in a database ft creates (the server default collation)', async () => {
    const p = await createProject(spec('collsrv'));
    projects.push(p);
    const r = await p.ft(['build']);
    expect(r.code, r.output).toBe(0);
    expect(await p.query(`SELECT country, name FROM ${p.rel('named')} ORDER BY country`)).toEqual([
      { country: 'FR', name: 'France' },
      { country: 'US', name: 'United States' },
    ]);
    const [server] = await p.query<{ c: string }>("SELECT COLLATION_NAME AS c FROM information_schema.COLLATIONS WHERE CHARACTER_SET_NAME = 'utf8mb4' AND IS_DEFAULT = 'Yes'");
    for (const db of [p.schema(), p.schema('silver')]) for (const col of await collations(p, db)) expect(col.k, `${db}.${col.t}.${col.c}`).toBe(server!.c);
  });

  it("a target database created with another collation: every schema's seeds and models take it", async () => {
    const p = await createProject(spec('colluni'));
    projects.push(p);
    await p.query(`CREATE DATABASE ${p.schema()} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    const r = await p.ft(['build']);
    expect(r.code, r.output).toBe(0);
    expect(await p.query(`SELECT country, name FROM ${p.rel('silver_named', 'silver')}`)).toEqual([{ country: 'FR', name: 'France' }]);
    const cols = [...(await collations(p, p.schema())), ...(await collations(p, p.schema('silver')))];
    expect(cols.length).toBeGreaterThanOrEqual(7);
    for (const col of cols) expect(col.k, `${col.t}.${col.c}`).toBe('utf8mb4_unicode_ci');
  });
});
