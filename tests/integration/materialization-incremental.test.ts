import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createProject, type TestProject } from '../helpers/project-builder.js';

/**
 * Incremental models on the real server: each strategy, is_incremental/{{this}}, first run,
 * missing target, --full-refresh, and the promise that incremental runs end with the same rows
 * a full refresh gives.
 */

const SOURCES = `sources:
  - name: raw
    tables:
      - name: events
      - name: pairs
`;

const inc = (config: string, select: string, filter: string): string =>
  `{{config materialized="incremental" ${config}}}\n${select}\n{{#if (is_incremental)}}\n${filter}\n{{/if}}\n`;

describe('incremental materialization', () => {
  /** Each test has its own project and databases (beforeEach), built as far as the test needs. */
  let p: TestProject;
  const raw = (t: string) => p.rel(t, 'raw');

  beforeEach(async () => {
    p = await createProject({
      label: 'matinc',
      yaml: { 'sources.yml': SOURCES },
      models: {
        'ev_append.sql': inc('', 'select id, v, updated_at from {{source "raw" "events"}}', 'where id > (select coalesce(max(id), 0) from {{this}})'),
        'ev_merge.sql': inc('unique_key="id"', 'select id, v, updated_at from {{source "raw" "events"}}', 'where updated_at > (select max(updated_at) from {{this}})'),
        'ev_delins.sql': inc(
          'incremental_strategy="delete+insert" unique_key="id"',
          'select id, v, updated_at from {{source "raw" "events"}}',
          'where updated_at > (select max(updated_at) from {{this}})',
        ),
        'pairs_merge.sql': inc('', 'select a, b, total from {{source "raw" "pairs"}}', 'where total >= 0'),
      },
    });
    p.write(
      'models/pairs.yml',
      'models:\n  - name: pairs_merge\n    config:\n      unique_key: [a, b]\n      incremental_strategy: merge\n',
    );
    await p.query(`create database \`${p.schema('raw')}\``);
    await p.query(`create table ${raw('events')} (id int primary key, v varchar(20), updated_at datetime)`);
    await p.query(`insert into ${raw('events')} values (1, 'a', '2024-01-01 00:00:00'), (2, 'b', '2024-01-02 00:00:00'), (3, 'c', '2024-01-03 00:00:00')`);
    await p.query(`create table ${raw('pairs')} (a int, b varchar(5), total int)`);
    await p.query(`insert into ${raw('pairs')} values (1, 'x', 10), (1, 'y', 20), (2, 'x', 30)`);
  });

  afterEach(async () => {
    await p.cleanup();
  });

  /** The first build of these models, from raw.events ids 1-3. */
  const build = async (...models: string[]) => {
    const r = await p.ft(['run', '-s', ...models]);
    expect(r.code, r.output).toBe(0);
  };
  /** raw.events gets ids 4 and 5, id 2 becomes 'B!' and id 6 arrives: ids 1-6, [a, B!, c, d, e, f]. */
  const sixEvents = async () => {
    await p.query(`insert into ${raw('events')} values (4, 'd', '2024-01-04 00:00:00'), (5, 'e', '2024-01-05 00:00:00')`);
    await p.query(`update ${raw('events')} set v = 'B!', updated_at = '2024-01-06 00:00:00' where id = 2`);
    await p.query(`insert into ${raw('events')} values (6, 'f', '2024-01-06 00:00:00')`);
  };

  const rows = (t: string, order = 'id') => p.query(`select * from ${p.rel(t)} order by ${order}`);
  const runSql = (model: string) => p.read(`target/run/proj/models/${model}.sql`);
  const uniqueIndexes = async (t: string) =>
    (
      await p.query<{ i: string; c: string }>(
        `select index_name as i, group_concat(column_name order by seq_in_index) as c from information_schema.statistics
          where table_schema = ? and table_name = ? and non_unique = 0 group by index_name`,
        [p.database, t],
      )
    ).map((r) => r.c);

  it('first run builds the whole table (is_incremental false, no filter)', async () => {
    const r = await p.ft(['run']);
    expect(r.code, r.output).toBe(0);
    for (const m of ['ev_append', 'ev_merge', 'ev_delins']) {
      expect((await rows(m)).length).toBe(3);
      const sql = runSql(m);
      expect(sql).toContain(`CREATE TABLE \`${p.prefix}\`.\`${m}__ft_tmp\` AS`);
      expect(sql).not.toContain('where id >');
      expect(sql).not.toContain('updated_at >');
    }
    expect(r.output).toMatch(/OK created table model \S+\.ev_append/);
    // merge: the unique index on the key exists from the first build
    expect(await uniqueIndexes('ev_merge')).toEqual(['id']);
    expect(await uniqueIndexes('pairs_merge')).toEqual(['a,b']);
  });

  it('append inserts only the new rows; {{this}} is the target table', async () => {
    await build('ev_append');
    await p.query(`insert into ${raw('events')} values (4, 'd', '2024-01-04 00:00:00'), (5, 'e', '2024-01-05 00:00:00')`);
    const r = await p.ft(['run', '-s', 'ev_append']);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/1 of 1 OK appended to incremental model \S+\.ev_append \.+ \[2 rows in [\d.]+s\]/);
    const sql = runSql('ev_append');
    expect(sql).toContain(`where id > (select coalesce(max(id), 0) from \`${p.prefix}\`.\`ev_append\`)`);
    expect(sql).toContain(`CREATE TEMPORARY TABLE \`${p.prefix}\`.\`ev_append__ft_new\``);
    expect(sql).toContain(`INSERT INTO \`${p.prefix}\`.\`ev_append\` (\`id\`, \`v\`, \`updated_at\`)`);
    expect((await rows('ev_append')).map((r) => r.id)).toEqual([1, 2, 3, 4, 5]);
  });

  it('merge updates changed rows and inserts new ones with INSERT … ON DUPLICATE KEY UPDATE', async () => {
    await build('ev_merge');
    await p.query(`insert into ${raw('events')} values (4, 'd', '2024-01-04 00:00:00'), (5, 'e', '2024-01-05 00:00:00')`);
    await p.query(`update ${raw('events')} set v = 'B!', updated_at = '2024-01-06 00:00:00' where id = 2`);
    await p.query(`insert into ${raw('events')} values (6, 'f', '2024-01-06 00:00:00')`);
    const r = await p.ft(['run', '-s', 'ev_merge']);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/OK merged into incremental model \S+\.ev_merge/);
    const sql = runSql('ev_merge');
    expect(sql).toContain('ON DUPLICATE KEY UPDATE');
    expect(sql).not.toContain('ADD UNIQUE INDEX'); // already there
    const got = await rows('ev_merge');
    expect(got.map((r) => [r.id, r.v])).toEqual([
      [1, 'a'],
      [2, 'B!'],
      [3, 'c'],
      [4, 'd'],
      [5, 'e'],
      [6, 'f'],
    ]);
  });

  it('merge with a composite unique_key', async () => {
    await build('pairs_merge');
    await p.query(`update ${raw('pairs')} set total = 11 where a = 1 and b = 'x'`);
    await p.query(`insert into ${raw('pairs')} values (2, 'y', 40)`);
    const r = await p.ft(['run', '-s', 'pairs_merge']);
    expect(r.code, r.output).toBe(0);
    expect(await rows('pairs_merge', 'a, b')).toEqual([
      { a: 1, b: 'x', total: 11 },
      { a: 1, b: 'y', total: 20 },
      { a: 2, b: 'x', total: 30 },
      { a: 2, b: 'y', total: 40 },
    ]);
  });

  it('a changed unique_key: the old key index goes, the merge matches on the new key only', async () => {
    await build('pairs_merge');
    // merged on a alone first, then on (a, b): the index on a stayed and merged (2, 'y') into (2, 'x')
    p.write('models/pairs.yml', 'models:\n  - name: pairs_merge\n    config:\n      unique_key: a\n      incremental_strategy: merge\n');
    await p.query(`drop table ${p.rel('pairs_merge')}`);
    await p.query(`delete from ${raw('pairs')} where b = 'y'`);
    await build('pairs_merge');
    expect(await uniqueIndexes('pairs_merge')).toEqual(['a']);
    p.write('models/pairs.yml', 'models:\n  - name: pairs_merge\n    config:\n      unique_key: [a, b]\n      incremental_strategy: merge\n');
    await p.query(`insert into ${raw('pairs')} values (2, 'y', 40)`);
    const r = await p.ft(['run', '-s', 'pairs_merge']);
    expect(r.code, r.output).toBe(0);
    expect(await uniqueIndexes('pairs_merge')).toEqual(['a,b']);
    expect(await rows('pairs_merge', 'a, b')).toEqual([
      { a: 1, b: 'x', total: 10 },
      { a: 2, b: 'x', total: 30 },
      { a: 2, b: 'y', total: 40 },
    ]);
  });

  it('merge ensures a unique index on a table built without one', async () => {
    await build('ev_merge');
    await sixEvents();
    await p.query(`drop table if exists ${p.rel('ev_merge')}`);
    await p.query(`create table ${p.rel('ev_merge')} as select * from ${raw('events')} where id in (1, 3)`);
    expect(await uniqueIndexes('ev_merge')).toEqual([]);
    const r = await p.ft(['run', '-s', 'ev_merge']);
    expect(r.code, r.output).toBe(0);
    expect(runSql('ev_merge')).toMatch(/ALTER TABLE `[^`]+`\.`ev_merge` ADD UNIQUE INDEX `ft_uk_[0-9a-f]+` \(`id`\)/);
    expect(await uniqueIndexes('ev_merge')).toEqual(['id']);
    expect((await rows('ev_merge')).map((r) => r.v)).toEqual(['a', 'B!', 'c', 'd', 'e', 'f']);
  });

  it('merge on a table whose key has duplicates fails with a clear message', async () => {
    await build('ev_merge');
    await p.query(`drop table ${p.rel('ev_merge')}`);
    await p.query(`create table ${p.rel('ev_merge')} as select * from ${raw('events')} union all select * from ${raw('events')} where id = 1`);
    const r = await p.ft(['run', '-s', 'ev_merge']);
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/unique_key \(id\) is not unique/);
    expect(r.output).not.toMatch(/\n\s+at /);
    await p.query(`drop table ${p.rel('ev_merge')}`);
    expect((await p.ft(['run', '-s', 'ev_merge'])).code).toBe(0);
  });

  it('merge refuses new rows that repeat a key (one would be kept at random), naming one; the table is untouched', async () => {
    await build('pairs_merge');
    await p.query(`insert into ${raw('pairs')} values (3, 'z', 50), (3, 'z', 60)`);
    const r = await p.ft(['run', '-s', 'pairs_merge']);
    expect(r.code).toBe(1);
    expect(r.output).toContain('unique_key (a, b) is not unique in this run\'s new rows of');
    expect(r.output).toContain('(e.g. a = 3, b = "z"): a merge would keep one of them.');
    expect((await rows('pairs_merge', 'a, b')).length).toBe(3);
  });

  it('merge_update_columns / merge_exclude_columns: a matched row takes only those columns, as in dbt', async () => {
    await build('pairs_merge');
    p.write('models/pairs.yml', 'models:\n  - name: pairs_merge\n    config:\n      unique_key: [a, b]\n      incremental_strategy: merge\n      merge_exclude_columns: [total]\n');
    await p.query(`update ${raw('pairs')} set total = 99 where a = 1 and b = 'x'`);
    await p.query(`insert into ${raw('pairs')} values (2, 'y', 40)`);
    const r = await p.ft(['run', '-s', 'pairs_merge']);
    expect(r.code, r.output).toBe(0);
    expect(runSql('pairs_merge')).toMatch(/ON DUPLICATE KEY UPDATE\n\s+`a` = VALUES\(`a`\)/);
    // the new row goes in whole; the matched one keeps its total
    expect(await rows('pairs_merge', 'a, b')).toEqual([
      { a: 1, b: 'x', total: 10 },
      { a: 1, b: 'y', total: 20 },
      { a: 2, b: 'x', total: 30 },
      { a: 2, b: 'y', total: 40 },
    ]);
    p.write('models/pairs.yml', 'models:\n  - name: pairs_merge\n    config:\n      unique_key: [a, b]\n      incremental_strategy: merge\n      merge_update_columns: [totl]\n');
    const bad = await p.ft(['run', '-s', 'pairs_merge']);
    expect(bad.code).not.toBe(0);
    expect(bad.output).toContain('merge_update_columns names "totl", which is not a column of the model (it has a, b, total).');
  });

  it('a text column narrower than the new rows is widened, as dbt-mysql does (it failed with Data too long); on_schema_change: fail is not tripped', async () => {
    p.write('models/labels.sql', '{{config materialized="incremental" unique_key="id" on_schema_change="fail"}}\nselect id, {{#if (var "longer" false)}}\'much-longer-label\'{{else}}\'short\'{{/if}} as label from {{source "raw" "events"}}');
    await build('labels');
    const r = await p.ft(['run', '-s', 'labels', '--vars', '{longer: true}']);
    expect(r.code, r.output).toBe(0);
    expect(runSql('labels')).toMatch(/ALTER TABLE `[^`]+`\.`labels` MODIFY COLUMN `label` varchar\(17\)/);
    expect((await rows('labels')).map((x) => x.label)).toEqual(['much-longer-label', 'much-longer-label', 'much-longer-label']);
  });

  it('delete+insert replaces the matching rows in one transaction', async () => {
    await build('ev_delins');
    await sixEvents();
    await p.query(`update ${raw('events')} set v = 'C!', updated_at = '2024-01-07 00:00:00' where id = 3`);
    let r = await p.ft(['run', '-s', 'ev_delins']);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/OK delete\+insert into incremental model \S+\.ev_delins/);
    const sql = runSql('ev_delins');
    expect(sql).toContain(`DELETE FROM \`${p.prefix}\`.\`ev_delins\`\nWHERE \`id\` IN (SELECT \`id\` FROM \`${p.prefix}\`.\`ev_delins__ft_new\`)`);
    expect((await rows('ev_delins')).map((x) => [x.id, x.v])).toEqual([
      [1, 'a'],
      [2, 'B!'],
      [3, 'C!'],
      [4, 'd'],
      [5, 'e'],
      [6, 'f'],
    ]);

    // The insert fails after the delete ran (a unique index on v makes 'B!' clash): the delete is rolled back.
    await p.query(`alter table ${p.rel('ev_delins')} add unique index uv (v)`);
    await p.query(`update ${raw('events')} set v = 'B!', updated_at = '2024-01-08 00:00:00' where id = 1`);
    r = await p.ft(['run', '-s', 'ev_delins']);
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/Duplicate entry/);
    expect((await rows('ev_delins')).map((x) => [x.id, x.v])).toEqual([
      [1, 'a'],
      [2, 'B!'],
      [3, 'C!'],
      [4, 'd'],
      [5, 'e'],
      [6, 'f'],
    ]);
    await p.query(`alter table ${p.rel('ev_delins')} drop index uv`);
    await p.query(`update ${raw('events')} set v = 'A!' where id = 1`);
  });

  it('incremental_predicates narrow the delete of delete+insert', async () => {
    await sixEvents();
    p.write(
      'models/ev_pred.sql',
      inc(
        'incremental_strategy="delete+insert" unique_key="id"',
        'select id, v, updated_at from {{source "raw" "events"}}',
        'where id in (1, 6)',
      ),
    );
    p.write('models/pred.yml', "models:\n  - name: ev_pred\n    config:\n      incremental_predicates:\n        - \"id > 3\"\n");
    expect((await p.ft(['run', '-s', 'ev_pred'])).code).toBe(0);
    const r = await p.ft(['run', '-s', 'ev_pred']);
    expect(r.code, r.output).toBe(0);
    expect(runSql('ev_pred')).toContain('AND (id > 3)');
    // id 6 (inside the predicate) was replaced; id 1 (outside) was not deleted, so it is there twice
    const got = await p.query<{ id: number; c: number }>(`select id, count(*) as c from ${p.rel('ev_pred')} group by id order by id`);
    expect(got).toEqual([
      { id: 1, c: 2 },
      { id: 2, c: 1 },
      { id: 3, c: 1 },
      { id: 4, c: 1 },
      { id: 5, c: 1 },
      { id: 6, c: 1 },
    ]);
  });

  it('incremental runs end with the same rows as a full refresh', async () => {
    await build('ev_merge', 'ev_delins', 'ev_append');
    await sixEvents();
    for (const m of ['ev_merge', 'ev_delins']) {
      expect((await p.ft(['run', '-s', m])).code).toBe(0);
      const before = await rows(m);
      const r = await p.ft(['run', '-s', m, '--full-refresh']);
      expect(r.code, r.output).toBe(0);
      expect(r.output).toMatch(new RegExp(`OK created table model \\S+\\.${m}`));
      expect(runSql(m)).toContain(`CREATE TABLE \`${p.prefix}\`.\`${m}__ft_tmp\` AS`);
      expect(await rows(m)).toEqual(before);
    }
    // append only adds rows (updates upstream are not its business): the same keys as a full refresh
    expect((await p.ft(['run', '-s', 'ev_append'])).code).toBe(0);
    const before = (await rows('ev_append')).map((r) => r.id);
    expect((await p.ft(['run', '-s', 'ev_append', '--full-refresh'])).code).toBe(0);
    expect((await rows('ev_append')).map((r) => r.id)).toEqual(before);
  });

  it('a missing target is built whole, even without --full-refresh', async () => {
    await build('ev_append');
    await sixEvents();
    await p.query(`drop table ${p.rel('ev_append')}`);
    const r = await p.ft(['run', '-s', 'ev_append']);
    expect(r.code, r.output).toBe(0);
    expect(runSql('ev_append')).toContain('__ft_tmp` AS');
    expect((await rows('ev_append')).length).toBe(6);
  });

  it('config full_refresh: false protects the table from --full-refresh', async () => {
    await sixEvents();
    p.write(
      'models/ev_keep.sql',
      inc('full_refresh=false', 'select id, v from {{source "raw" "events"}}', 'where id > (select coalesce(max(id), 0) from {{this}})'),
    );
    expect((await p.ft(['run', '-s', 'ev_keep'])).code).toBe(0);
    await p.query(`delete from ${p.rel('ev_keep')} where id = 1`);
    const r = await p.ft(['run', '-s', 'ev_keep', '--full-refresh']);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/appended to incremental/);
    expect((await rows('ev_keep')).map((x) => x.id)).toEqual([2, 3, 4, 5, 6]);
  });

  it('an incremental build of a model whose target is a view replaces the view with a table', async () => {
    await build('ev_append');
    await sixEvents();
    await p.query(`drop table ${p.rel('ev_append')}`);
    await p.query(`create view ${p.rel('ev_append')} as select 1 as id`);
    const r = await p.ft(['run', '-s', 'ev_append']);
    expect(r.code, r.output).toBe(0);
    expect(await p.relationType('ev_append')).toBe('table');
    expect((await rows('ev_append')).length).toBe(6);
  });
});

describe('on_schema_change', () => {
  let p: TestProject;
  const modes = ['ignore', 'fail', 'append_new_columns', 'sync_all_columns'] as const;
  const v1 = (mode: string) => inc(`on_schema_change="${mode}" unique_key="id"`, 'select id, a, b from {{source "raw" "src"}}', 'where id > (select max(id) from {{this}})');
  // b is gone, c is new, a changed type (int → varchar)
  const v2 = (mode: string) =>
    inc(`on_schema_change="${mode}" unique_key="id"`, 'select id, cast(a as char(12)) as a, c from {{source "raw" "src"}}', 'where id > (select max(id) from {{this}})');

  beforeAll(async () => {
    p = await createProject({
      label: 'osc',
      yaml: { 'sources.yml': 'sources:\n  - name: raw\n    tables:\n      - name: src\n' },
      // osc_fail_refresh: a second "fail" model for the --full-refresh test, so osc_fail stays as the "fail" test expects it
      models: { ...Object.fromEntries(modes.map((m) => [`osc_${m}.sql`, v1(m)])), 'osc_fail_refresh.sql': v1('fail') },
    });
    await p.query(`create database \`${p.schema('raw')}\``);
    await p.query(`create table ${p.rel('src', 'raw')} (id int, a int, b varchar(5), c varchar(5))`);
    await p.query(`insert into ${p.rel('src', 'raw')} values (1, 10, 'b1', 'c1'), (2, 20, 'b2', 'c2')`);
    const r = await p.ft(['run']);
    expect(r.code, r.output).toBe(0);
    await p.query(`insert into ${p.rel('src', 'raw')} values (3, 30, 'b3', 'c3')`);
    for (const m of modes) p.write(`models/osc_${m}.sql`, v2(m));
    p.write('models/osc_fail_refresh.sql', v2('fail'));
  });

  afterAll(async () => {
    await p.cleanup();
  });

  const columns = async (t: string) =>
    (
      await p.query<{ n: string; t: string }>(
        'select column_name as n, data_type as t from information_schema.columns where table_schema = ? and table_name = ? order by ordinal_position',
        [p.database, t],
      )
    ).map((c) => `${c.n}:${c.t}`);

  it('ignore: inserts the columns the table has, leaves the table as it is', async () => {
    const r = await p.ft(['run', '-s', 'osc_ignore']);
    expect(r.code, r.output).toBe(0);
    expect(await columns('osc_ignore')).toEqual(['id:int', 'a:int', 'b:varchar']);
    expect(await p.query(`select id, a, b from ${p.rel('osc_ignore')} order by id`)).toEqual([
      { id: 1, a: 10, b: 'b1' },
      { id: 2, a: 20, b: 'b2' },
      { id: 3, a: 30, b: null },
    ]);
  });

  it('fail: stops with a message naming the differences, table untouched', async () => {
    const r = await p.ft(['run', '-s', 'osc_fail']);
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/on_schema_change is "fail"/);
    expect(r.output).toMatch(/new columns c/);
    expect(r.output).toMatch(/missing columns b/);
    expect(r.output).toMatch(/changed types a/);
    expect(r.output).toContain('models/osc_fail.sql');
    expect(await columns('osc_fail')).toEqual(['id:int', 'a:int', 'b:varchar']);
    expect((await p.query(`select id from ${p.rel('osc_fail')}`)).length).toBe(2);
  });

  it('append_new_columns: adds c, keeps b (NULL for new rows), keeps a\'s type', async () => {
    const r = await p.ft(['run', '-s', 'osc_append_new_columns']);
    expect(r.code, r.output).toBe(0);
    expect(await columns('osc_append_new_columns')).toEqual(['id:int', 'a:int', 'b:varchar', 'c:varchar']);
    expect(await p.query(`select id, a, b, c from ${p.rel('osc_append_new_columns')} order by id`)).toEqual([
      { id: 1, a: 10, b: 'b1', c: null },
      { id: 2, a: 20, b: 'b2', c: null },
      { id: 3, a: 30, b: null, c: 'c3' },
    ]);
  });

  it('sync_all_columns: adds c, drops b, changes a\'s type', async () => {
    const r = await p.ft(['run', '-s', 'osc_sync_all_columns']);
    expect(r.code, r.output).toBe(0);
    const sql = p.read('target/run/proj/models/osc_sync_all_columns.sql');
    expect(sql).toMatch(/ADD COLUMN `c` varchar\(5\)/);
    expect(sql).toContain('DROP COLUMN `b`');
    expect(sql).toMatch(/MODIFY COLUMN `a` varchar\(12\)/);
    expect(await columns('osc_sync_all_columns')).toEqual(['id:int', 'a:varchar', 'c:varchar']);
    expect(await p.query(`select id, a, c from ${p.rel('osc_sync_all_columns')} order by id`)).toEqual([
      { id: 1, a: '10', c: null },
      { id: 2, a: '20', c: null },
      { id: 3, a: '30', c: 'c3' },
    ]);
  });

  it('--full-refresh rebuilds with the new columns whatever the mode', async () => {
    const r = await p.ft(['run', '-s', 'osc_fail_refresh', '--full-refresh']);
    expect(r.code, r.output).toBe(0);
    expect(await columns('osc_fail_refresh')).toEqual(['id:int', 'a:varchar', 'c:varchar']);
    expect((await p.query(`select id from ${p.rel('osc_fail_refresh')}`)).length).toBe(3);
  });
});
