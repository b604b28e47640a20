import { afterEach, describe, expect, it } from 'vitest';
import { queryRows } from '../helpers/db.js';
import { createProject, type TestProject } from '../helpers/project-builder.js';

/** A seed's column_types merge key by key across project, folder and file levels, as dbt merges config dicts. */
describe('seed column_types across levels', () => {
  let p: TestProject | undefined;
  afterEach(async () => {
    await p?.cleanup();
    p = undefined;
  });

  it('loads each column with the type its nearest level gives, keeping the others', async () => {
    p = await createProject({
      label: 'seedmerge',
      seeds: { 'ref/codes.csv': 'a,b,c,d\n1,2,3.5,x\n' },
      project: { seeds: { proj: { '+column_types': { a: 'varchar(10)', d: 'varchar(5)' }, ref: { '+column_types': { b: 'bigint', d: 'varchar(7)' } } } } },
      files: { 'seeds/ref/codes.yml': 'version: 2\nseeds:\n  - name: codes\n    config:\n      column_types: {c: "decimal(10,2)"}\n' },
    });
    const r = await p.ft(['seed']);
    expect(r.code, r.output).toBe(0);
    const cols = await queryRows<{ c: string; t: string }>(
      'select column_name as c, column_type as t from information_schema.columns where table_schema = ? and table_name = ? order by ordinal_position',
      [p.schema(), 'codes'],
    );
    // MySQL 8 shows no display width for integers, MariaDB does
    expect(cols.map((x) => ({ ...x, t: x.t.replace(/^bigint\(\d+\)/, 'bigint') }))).toEqual([
      { c: 'a', t: 'varchar(10)' },
      { c: 'b', t: 'bigint' },
      { c: 'c', t: 'decimal(10,2)' },
      { c: 'd', t: 'varchar(7)' },
    ]);
  });
});
