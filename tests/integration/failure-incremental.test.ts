import { afterEach, describe, expect, it } from 'vitest';
import { createProject, type TestProject } from '../helpers/project-builder.js';

/**
 * Incremental models that cannot be built as configured fail with a message naming the model's
 * file and the fix (exit 2: bad input), and a delete+insert cancelled inside its transaction
 * leaves the table as it was (rolled back), exit 130.
 */
describe('incremental failure paths', { timeout: 120_000 }, () => {
  let p: TestProject | undefined;
  afterEach(async () => {
    await p?.cleanup();
    p = undefined;
  });

  const inc = (config: string) => `{{config materialized="incremental" ${config}}}\nselect 1 as id, 'a' as v\n`;

  it('an unknown incremental_strategy names the model file and the strategies to use; exit 2, nothing built, others still run', async () => {
    p = await createProject({ label: 'incbadstrat', models: { 'bad_strat.sql': inc('incremental_strategy="upsert" unique_key="id"'), 'fine.sql': 'select 1 as id' } });
    const r = await p.ft(['run']);
    expect(r.code, r.output).toBe(2);
    expect(r.output).toMatch(/models\/bad_strat\.sql: incremental_strategy "upsert" is not supported; use append, merge or delete\+insert/);
    expect(r.output).not.toMatch(/\n\s+at /);
    expect(await p.tables()).toEqual(['fine']);
  });

  for (const strategy of ['merge', 'delete+insert']) {
    it(`${strategy} without unique_key names the model file and says to add unique_key; exit 2`, async () => {
      p = await createProject({ label: 'incnokey', models: { 'no_key.sql': inc(`incremental_strategy="${strategy}"`) } });
      const r = await p.ft(['run']);
      expect(r.code, r.output).toBe(2);
      expect(r.output).toContain(`models/no_key.sql: incremental_strategy "${strategy}" needs unique_key`);
      expect(r.output).toMatch(/\{\{config unique_key="id"\}\} or use append/);
      expect(r.output).not.toMatch(/\n\s+at /);
      expect(await p.tables()).toEqual([]);
      // the same model once it has a table: still refused before anything is deleted
      p.write('models/no_key.sql', inc('incremental_strategy="append"'));
      expect((await p.ft(['run'])).code).toBe(0);
      p.write('models/no_key.sql', inc(`incremental_strategy="${strategy}"`));
      const again = await p.ft(['run']);
      expect(again.code, again.output).toBe(2);
      expect(again.output).toContain('models/no_key.sql');
      expect(await p.query(`select id, v from ${p.rel('no_key')}`)).toEqual([{ id: 1, v: 'a' }]);
    });
  }

  it('SIGINT inside delete+insert’s transaction: the statement is killed, the delete rolled back, exit 130', async () => {
    p = await createProject({
      label: 'incdelcancel',
      models: {
        'src_rows.sql': '{{config materialized="table"}}\nselect 1 as id, \'old\' as v union all select 2, \'old\' union all select 3, \'old\'',
        'di.sql': '{{config materialized="incremental" incremental_strategy="delete+insert" unique_key="id"}}\nselect id, v from {{ref "src_rows"}}',
      },
    });
    expect((await p.ft(['run'])).code).toBe(0);
    // the next run brings new values for the same keys
    await p.query(`update ${p.rel('src_rows')} set v = 'new'`);
    // inserting into the target sleeps on the server, so the run is held after its DELETE, inside the transaction
    await p.query(`create trigger ${p.rel('di_slow')} before insert on ${p.rel('di')} for each row set new.v = if(sleep(60) = 0, new.v, new.v)`);
    const run = p.spawn(['run', '-s', 'di']);
    let exited = false;
    void run.done.then(() => (exited = true));
    const inserting = async (): Promise<boolean> => {
      const rows = await p!.query<{ info: string }>(
        "select info from information_schema.processlist where info like 'INSERT INTO%' and info like ? and info not like '%processlist%'",
        [`%${p!.prefix}%di%`],
      );
      return rows.length > 0;
    };
    // generous: the run must reach its INSERT on a loaded machine; it ends well before that otherwise
    for (let i = 0; i < 600 && !(await inserting()); i++) {
      if (exited) throw new Error(`ft run ended before its INSERT:\n${run.output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await inserting(), run.output()).toBe(true);
    // the DELETE already ran in this transaction, not committed: another session still reads the old rows
    expect((await p.query(`select count(*) as n from ${p.rel('di')} where v = 'old'`))[0]!.n).toBe(3);
    run.child.kill('SIGINT');
    const r = await run.done;
    expect(r.code, r.output).toBe(130);
    expect(await inserting()).toBe(false);
    expect(await p.query(`select id, v from ${p.rel('di')} order by id`)).toEqual([
      { id: 1, v: 'old' },
      { id: 2, v: 'old' },
      { id: 3, v: 'old' },
    ]);
  });
});
