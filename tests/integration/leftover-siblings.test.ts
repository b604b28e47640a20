import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject, type TestProject } from '../helpers/project-builder.js';

/**
 * A kill -9 in the middle of a build leaves `<model>__ft_tmp` / `__ft_old` behind. The next build
 * of that model — whatever its materialization and whether or not it is a full refresh — drops them.
 */
describe('leftovers of an interrupted build', () => {
  let p: TestProject;

  beforeAll(async () => {
    p = await createProject({
      label: 'leftover',
      models: {
        'inc.sql': '{{config materialized="incremental" unique_key="id"}}\nselect 1 as id, \'a\' as v',
        'tbl.sql': '{{config materialized="table"}}\nselect 1 as id',
        'vw.sql': '{{config materialized="view"}}\nselect 1 as id',
        'inc_fr.sql': '{{config materialized="incremental"}}\nselect 1 as id',
      },
    });
    const r = await p.ft(['run']);
    expect(r.code, r.output).toBe(0);
  });

  afterAll(async () => {
    await p.cleanup();
  });

  const leftovers = async (model?: string): Promise<string[]> => (await p.tables()).filter((t) => /__ft_(tmp|old|new)$/.test(t) && (!model || t.startsWith(`${model}__`)));

  /** what a killed build leaves: a half-built tmp table and, for a swap cut short, the old table */
  const plant = async (model: string): Promise<void> => {
    await p.query(`create table ${p.rel(`${model}__ft_tmp`)} (id int)`);
    await p.query(`create table ${p.rel(`${model}__ft_old`)} (id int)`);
  };

  it('an incremental run drops the leftovers of a killed --full-refresh', async () => {
    await plant('inc');
    expect((await leftovers('inc')).sort()).toEqual(['inc__ft_old', 'inc__ft_tmp']);
    const r = await p.ft(['run', '-s', 'inc']);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/merged into incremental/);
    expect(await leftovers('inc')).toEqual([]);
    expect(await p.query(`select id, v from ${p.rel('inc')}`)).toEqual([{ id: 1, v: 'a' }]);
  });

  it('a view build drops leftovers too', async () => {
    await plant('vw');
    const r = await p.ft(['run', '-s', 'vw']);
    expect(r.code, r.output).toBe(0);
    expect(await leftovers('vw')).toEqual([]);
    expect(await p.relationType('vw')).toBe('view');
  });

  it('table and full-refresh builds drop leftovers', async () => {
    await plant('tbl');
    await plant('inc_fr');
    const r = await p.ft(['run', '--full-refresh', '-s', 'tbl', 'inc_fr']);
    expect(r.code, r.output).toBe(0);
    expect(await leftovers('tbl')).toEqual([]);
    expect(await leftovers('inc_fr')).toEqual([]);
  });
});
