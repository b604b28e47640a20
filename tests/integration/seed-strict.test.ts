import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject, type TestProject } from '../helpers/project-builder.js';

/**
 * Invalid values in a seed fail the seed (file, line, column, value) instead of becoming
 * 0000-00-00; every ft session runs with a strict sql_mode unless the profile sets its own.
 */
describe('strict seeds and sessions', () => {
  let p: TestProject;

  beforeAll(async () => {
    p = await createProject({
      label: 'seedstrict',
      seeds: {
        'good.csv': 'id,day\n1,2024-02-29\n',
        'bad_date.csv': 'id,day\n1,2024-01-31\n2,2024-02-30\n3,2024-03-01\n',
        'bad_month.csv': 'id,day\n1,2024-13-01\n',
        'bad_time.csv': 'id,"at"\n1,2024-03-31 10:00\n2,"2024-03-31 25:61"\n',
      },
      models: {
        'mode.sql': '{{config materialized="table"}}\nselect @@session.sql_mode as m',
        'div.sql': '{{config materialized="table"}}\nselect 1 / 0 as x',
      },
    });
  });

  afterAll(async () => {
    await p.cleanup();
  });

  it('a seed with an impossible date fails naming file, line, column and value, and leaves no table', async () => {
    const r = await p.ft(['seed', '-s', 'bad_date']);
    expect(r.code, r.output).toBe(1);
    expect(r.output).toMatch(/seeds\/bad_date\.csv:3/);
    expect(r.output).toMatch(/column "day"/);
    expect(r.output).toContain('2024-02-30');
    expect(r.output).not.toMatch(/\n\s+at /);
    expect(await p.tables()).not.toContain('bad_date');
    expect((await p.tables()).filter((t) => t.startsWith('bad_date'))).toEqual([]);
  });

  it('a month 13 and a time 25:61 fail too; a valid seed still loads', async () => {
    const r = await p.ft(['seed', '-s', 'bad_month', 'bad_time', 'good']);
    expect(r.code, r.output).toBe(1);
    expect(r.output).toMatch(/seeds\/bad_month\.csv:2/);
    expect(r.output).toContain('2024-13-01');
    expect(r.output).toMatch(/seeds\/bad_time\.csv:3/);
    expect(r.output).toMatch(/column "at"/);
    expect(r.output).toContain('2024-03-31 25:61');
    expect(await p.tables()).not.toContain('bad_month');
    expect(await p.tables()).not.toContain('bad_time');
    expect(await p.query(`select id, day from ${p.rel('good')}`)).toEqual([{ id: 1, day: '2024-02-29' }]);
  });

  it('an existing seed table is kept intact when its reload fails', async () => {
    p.write('seeds/reload.csv', 'id,day\n1,2024-01-01\n');
    expect((await p.ft(['seed', '-s', 'reload'])).code).toBe(0);
    p.write('seeds/reload.csv', 'id,day\n1,2024-01-01\n2,2024-02-31\n');
    const r = await p.ft(['seed', '-s', 'reload']);
    expect(r.code, r.output).toBe(1);
    expect(r.output).toContain('2024-02-31');
    expect(await p.query(`select id, day from ${p.rel('reload')}`)).toEqual([{ id: 1, day: '2024-01-01' }]);
  });

  it('models run with a strict sql_mode: division by zero fails the model', async () => {
    const r = await p.ft(['run', '-s', 'mode', 'div']);
    expect(r.code, r.output).toBe(1);
    const [row] = await p.query<{ m: string }>(`select m from ${p.rel('mode')}`);
    for (const flag of ['STRICT_ALL_TABLES', 'NO_ZERO_DATE', 'NO_ZERO_IN_DATE', 'ERROR_FOR_DIVISION_BY_ZERO']) expect(row!.m).toContain(flag);
    expect(r.output).toMatch(/div/);
    expect(await p.tables()).not.toContain('div');
  });

  it('the profile can set its own sql_mode', async () => {
    const profile = p.read('profiles.yml').replace(/threads: 4/, "threads: 4\n      sql_mode: 'ANSI_QUOTES'");
    p.write('profiles.yml', profile);
    try {
      const r = await p.ft(['run', '-s', 'mode']);
      expect(r.code, r.output).toBe(0);
      const [row] = await p.query<{ m: string }>(`select m from ${p.rel('mode')}`);
      expect(row!.m).toBe('ANSI_QUOTES');
    } finally {
      p.write('profiles.yml', profile.replace(/\n\s+sql_mode: 'ANSI_QUOTES'/, ''));
    }
  });
});
