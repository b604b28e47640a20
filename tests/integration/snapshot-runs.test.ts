/**
 * Snapshot runs as a whole: a run killed inside its transaction leaves the table as it was; two
 * runs of one snapshot serialise; bad config is a message with file, line and fix; ft build runs
 * model → snapshot → model reading it; manifest.json, run_results.json and ft ls list snapshots.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { TEST_DB } from '../helpers/db.js';
import { createProject, type TestProject } from '../helpers/project-builder.js';

let p: TestProject | undefined;
afterEach(async () => {
  await p?.cleanup();
  p = undefined;
});

const SOURCES = 'sources:\n  - name: shop\n    tables:\n      - name: items\n';

/** A project whose snapshot `hist` (check all, invalidate) reads shop.items, with a post-hook that sleeps {{var "pause"}} seconds (inside the snapshot's transaction). */
async function pausingProject(label: string, extra: (p: TestProject) => Record<string, unknown> = () => ({})): Promise<TestProject> {
  const project = await createProject({ label });
  // the source's database named outright: every target reads the same table
  project.write('models/sources.yml', `sources:\n  - name: shop\n    schema: ${project.schema('shop')}\n    tables:\n      - name: items\n`);
  const config = { strategy: 'check', check_cols: 'all', unique_key: 'id', hard_deletes: 'invalidate', post_hook: `do sleep({{var "pause" 0}}), '{{this}}'`, ...extra(project) };
  project.write('models/snapshots.yml', stringify({ snapshots: [{ name: 'hist', relation: "source('shop', 'items')", config }] }));
  const t = project.rel('items', 'shop');
  await project.query(`CREATE DATABASE ${project.rel('x', 'shop').split('.')[0]}`);
  await project.query(`CREATE TABLE ${t} (id INT, v VARCHAR(10))`);
  await project.query(`INSERT INTO ${t} VALUES (1, 'a'), (2, 'b'), (3, 'c')`);
  return project;
}

/** The server session running `do sleep(…)`, once it runs. */
async function sleepingSession(project: TestProject, exited: () => boolean, output: () => string): Promise<number> {
  for (let i = 0; i < 600; i++) {
    // the hook names its snapshot's table, and so the test's unique prefix
    const rows = await project.query<{ id: number }>(`SELECT id FROM information_schema.processlist WHERE info LIKE 'do sleep(%' AND info LIKE ?`, [`%${project.prefix}%`]);
    if (rows.length) return Number(rows[0]!.id);
    if (exited()) throw new Error(`ft ended before its post-hook slept:\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the post-hook never started:\n${output()}`);
}

const table = async (project: TestProject, rel: string): Promise<unknown[]> => project.query(`SELECT * FROM ${rel} ORDER BY id, dbt_valid_from, dbt_scd_id`);

describe('snapshot runs', () => {
  it('a run killed while its transaction is open leaves the snapshot exactly as before; the next run records the changes once', async () => {
    p = await pausingProject('snapkill');
    const t = p.rel('items', 'shop');
    expect((await p.ft(['snapshot'])).code).toBe(0);
    await p.query(`UPDATE ${t} SET v = 'a2' WHERE id = 1`);
    await p.query(`DELETE FROM ${t} WHERE id = 2`);
    await p.query(`INSERT INTO ${t} VALUES (4, 'd')`);
    const before = await table(p, p.rel('hist'));
    const run = p.spawn(['snapshot', '--vars', '{pause: 60}']);
    let exited = false;
    void run.done.then(() => (exited = true));
    const session = await sleepingSession(p, () => exited, run.output);
    // the run's writes are made, not committed: a reader of uncommitted rows sees them
    const dirty = await p.query<{ n: number }>(`SET SESSION TRANSACTION ISOLATION LEVEL READ UNCOMMITTED; SELECT count(*) AS n FROM ${p.rel('hist')}`);
    expect(Number((dirty[1] as unknown as Array<{ n: number }>)[0]!.n)).toBe(before.length + 2);
    await p.query('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ');
    run.child.kill('SIGKILL');
    await run.done;
    // what the server does when it notices the client is gone: the session ends, its transaction rolls back
    await p.query(`KILL ${session}`);
    for (let i = 0; i < 100 && (await p.query(`SELECT id FROM information_schema.processlist WHERE id = ?`, [session])).length; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await table(p, p.rel('hist'))).toEqual(before);
    const again = await p.ft(['snapshot']);
    expect(again.code, again.output).toBe(0);
    const after = await p.query<{ id: number; v: string; open: number }>(`SELECT id, v, dbt_valid_to IS NULL AS open FROM ${p.rel('hist')} ORDER BY id, dbt_valid_from`);
    expect(after.map((r) => `${r.id}${r.v}${Number(r.open) ? '+' : '-'}`)).toEqual(['1a-', '1a2+', '2b-', '3c+', '4d+']);
  }, 120_000);

  it('a run killed after adding a new source column (its DDL commits) and before its transaction leaves the old rows with that column NULL; the next run completes the history', async () => {
    p = await createProject({ label: 'snapddl' });
    const project = p;
    const t = project.rel('items', 'shop');
    project.write('models/sources.yml', `sources:\n  - name: shop\n    schema: ${project.schema('shop')}\n    tables:\n      - name: items\n`);
    // each source row sleeps {{var "pause"}} seconds when read: the probe of the columns (LIMIT 0) does not read rows, the staging does
    project.write('snapshots/hist.sql', '{{config strategy="timestamp" unique_key="id" updated_at="updated_at"}}\nselect * from {{source "shop" "items"}} where sleep({{var "pause" 0}}) = 0\n');
    await project.query(`CREATE DATABASE ${project.rel('x', 'shop').split('.')[0]}`);
    await project.query(`CREATE TABLE ${t} (id INT, v VARCHAR(10), updated_at DATETIME)`);
    await project.query(`INSERT INTO ${t} VALUES (1, 'a', '2024-01-01 00:00:00'), (2, 'b', '2024-01-01 00:00:00')`);
    expect((await project.ft(['snapshot'])).code).toBe(0);
    const before = await table(project, project.rel('hist'));
    await project.query(`ALTER TABLE ${t} ADD COLUMN color VARCHAR(10)`);
    await project.query(`UPDATE ${t} SET v = 'a2', color = 'red', updated_at = '2024-01-02 00:00:00' WHERE id = 1`);
    const run = project.spawn(['snapshot', '--vars', '{pause: 30}']);
    let exited = false;
    void run.done.then(() => (exited = true));
    let session = 0;
    while (!session) {
      if (exited) throw new Error(`ft ended before staging:\n${run.output()}`);
      const rows = await project.query<{ id: number }>(`SELECT id FROM information_schema.processlist WHERE info LIKE 'CREATE TEMPORARY TABLE%' AND info LIKE '%sleep(30)%' AND info LIKE ?`, [`%${project.prefix}%`]);
      session = rows.length ? Number(rows[0]!.id) : 0;
      await new Promise((r) => setTimeout(r, 100));
    }
    run.child.kill('SIGKILL');
    await run.done;
    await project.query(`KILL ${session}`);
    // the column is there (ALTER TABLE committed), NULL in every old version; no version was closed or added
    expect(await table(project, project.rel('hist'))).toEqual(before.map((r) => ({ ...(r as object), color: null })));
    const again = await project.ft(['snapshot']);
    expect(again.code, again.output).toBe(0);
    const rows = await project.query<{ id: number; v: string; color: string | null; open: number }>(`SELECT id, v, color, dbt_valid_to IS NULL AS open FROM ${project.rel('hist')} ORDER BY id, dbt_valid_from`);
    expect(rows.map((r) => `${r.id}${r.v}${r.color ?? ''}${Number(r.open) ? '+' : '-'}`)).toEqual(['1a-', '1a2red+', '2b+']);
  }, 120_000);

  it('two runs of one snapshot from two targets serialise: the second waits for the first and finds nothing new', async () => {
    // both targets build the snapshot into one database (target_schema), under different run locks
    p = await pausingProject('snaplock', (x) => ({ target_schema: x.schema('hist') }));
    const project = p;
    const output = (database: string) => ({ type: 'mysql', host: TEST_DB.host, port: TEST_DB.port, user: TEST_DB.user, password: TEST_DB.password, database, threads: 1 });
    project.write('profiles.yml', stringify({ proj: { target: 'one', outputs: { one: output(project.prefix), two: output(`${project.prefix}_two`) } } }));
    const t = project.rel('items', 'shop');
    expect((await project.ft(['snapshot', '--target', 'one'])).code).toBe(0);
    await project.query(`UPDATE ${t} SET v = 'c2' WHERE id = 3`);
    const first = project.spawn(['snapshot', '--target', 'one', '--vars', '{pause: 15}']);
    let exited = false;
    void first.done.then(() => (exited = true));
    await sleepingSession(project, () => exited, first.output);
    const running = project.spawn(['snapshot', '--target', 'two']);
    // the second run waits on the snapshot's lock while the first's transaction is open
    let waited = false;
    while (!exited && !waited) {
      waited = (await project.query(`SELECT id FROM information_schema.processlist WHERE info LIKE 'SELECT GET_LOCK(''ft_snapshot:%'`)).length > 0;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(waited, running.output()).toBe(true);
    const second = await running.done;
    const one = await first.done;
    expect(one.code, one.output).toBe(0);
    expect(second.code, second.output).toBe(0);
    const rows = await project.query<{ id: number; v: string; open: number }>(`SELECT id, v, dbt_valid_to IS NULL AS open FROM ${project.rel('hist', 'hist')} ORDER BY id, dbt_valid_from`);
    expect(rows.map((r) => `${r.id}${r.v}${Number(r.open) ? '+' : '-'}`)).toEqual(['1a+', '2b+', '3c-', '3c2+']);
  }, 120_000);

  it('bad config: a message naming the file, the line and the fix, exit 2, no stack trace', async () => {
    p = await createProject({ label: 'snapbad', yaml: { 'sources.yml': SOURCES } });
    const cases: Array<[string, RegExp]> = [
      ['snapshots:\n  - name: s\n    relation: ref(\'nope\')\n    config: {strategy: check, check_cols: all, unique_key: id}\n', /models\/bad\.yml:3: ref "nope" matches no model/],
      ['snapshots:\n  - name: s\n    relation: source(\'shop\', \'items\')\n    config: {unique_key: id}\n', /models\/bad\.yml:2: snapshot s: config needs `strategy: timestamp`/],
      ['snapshots:\n  - name: s\n    relation: source(\'shop\', \'items\')\n    config: {strategy: timestamp, unique_key: id}\n', /models\/bad\.yml:2: snapshot s: the timestamp strategy needs `updated_at: <column>`/],
      ['snapshots:\n  - name: s\n    relation: source(\'shop\', \'items\')\n    config: {strategy: check, unique_key: id}\n', /the check strategy needs `check_cols: all` or a list/],
      ['snapshots:\n  - name: s\n    relation: source(\'shop\', \'items\')\n    config: {strategy: check, check_cols: all}\n', /config needs `unique_key:`/],
      ['snapshots:\n  - name: s\n    relation: source(\'shop\', \'items\')\n    config: {strategy: check, check_cols: all, unique_key: id, hard_deletes: purge}\n', /hard_deletes "purge" is not one ft knows; use ignore, invalidate or new_record/],
      ['snapshots:\n  - name: s\n    relation: source(\'shop\', \'items\')\n    config: {strategy: check, check_cols: all, unique_key: id, hard_deletes: invalidate, invalidate_hard_deletes: true}\n', /set either hard_deletes or the older invalidate_hard_deletes, not both/],
      ['snapshots:\n  - name: s\n    relation: source(\'shop\', \'items\')\n    config: {strategy: check, check_cols: all, unique_key: id, snapshot_meta_column_names: {dbt_valid: x}}\n', /snapshot_meta_column_names has no key "dbt_valid"/],
      ['snapshots:\n  - name: s\n    config: {strategy: check, check_cols: all, unique_key: id}\n', /models\/bad\.yml:2: snapshot "s" has no `relation:` and no s\.sql exists under snapshots/],
      ['snapshots:\n  - name: s\n    relation: items\n', /models\/bad\.yml:3: relation "items" must name one model, seed, snapshot or source/],
    ];
    for (const [yaml, message] of cases) {
      p.write('models/bad.yml', yaml);
      const r = await p.ft(['ls']);
      expect(r.code, r.output).toBe(2);
      expect(r.output).toMatch(message);
      expect(r.output).not.toMatch(/\n\s+at /);
    }
    // a column the query does not have: said when the run reads the query's columns
    await p.query(`CREATE DATABASE ${p.rel('x', 'shop').split('.')[0]}`);
    await p.query(`CREATE TABLE ${p.rel('items', 'shop')} (id INT, v VARCHAR(10))`);
    p.write('models/bad.yml', "snapshots:\n  - name: s\n    relation: source('shop', 'items')\n    config: {strategy: timestamp, unique_key: id, updated_at: changed_at}\n");
    const r = await p.ft(['snapshot']);
    expect(r.code, r.output).toBe(2);
    expect(r.output).toMatch(/models\/bad\.yml:2: snapshot s: updated_at "changed_at" is not a column of the snapshot's query \(it has id, v\)/);
    expect(await p.tables()).toEqual([]);
  }, 120_000);

  it('ft build: model → snapshot (and its test) → model reading it; manifest, run_results, ls and the docs catalog list the snapshot', async () => {
    p = await createProject({
      label: 'snapbuild',
      models: {
        'prices.sql': '{{config materialized="table"}}\nselect id, price from {{ref "catalog"}}',
        'price_changes.sql': '{{config materialized="table"}}\nselect id, count(*) as versions from {{ref "prices_history"}} group by id',
      },
      seeds: { 'catalog.csv': 'id,price\n1,10\n2,20\n' },
      files: { 'snapshots/prices_history.sql': '{{config strategy="check" check_cols="all" unique_key="id"}}\nselect * from {{ref "prices"}}\n' },
      yaml: { 'snapshots.yml': 'snapshots:\n  - name: prices_history\n    description: every price a product had\n    config:\n      tags: [history]\n    columns:\n      - name: id\n        tests: [not_null]\n' },
    });
    const r = await p.ft(['build']);
    expect(r.code, r.output).toBe(0);
    const order = (p.readJson('target/run_results.json').results as Array<{ unique_id: string; status: string }>).map((x) => x.unique_id);
    const at = (id: string): number => order.findIndex((x) => x === id || x.startsWith(`${id}.`));
    expect(at('model.proj.prices')).toBeLessThan(at('snapshot.proj.prices_history'));
    expect(at('snapshot.proj.prices_history')).toBeLessThan(at('model.proj.price_changes'));
    expect(at('test.proj.not_null_prices_history_id')).toBeGreaterThan(at('snapshot.proj.prices_history'));
    expect(r.output).toMatch(/OK snapshotted snapshot \S+\.prices_history/);
    p.write('seeds/catalog.csv', 'id,price\n1,11\n2,20\n');
    expect((await p.ft(['build'])).code).toBe(0);
    expect(await p.query(`SELECT id, versions FROM ${p.rel('price_changes')} ORDER BY id`)).toEqual([{ id: 1, versions: 2 }, { id: 2, versions: 1 }]);

    const manifest = p.readJson('target/manifest.json');
    const node = manifest.nodes['snapshot.proj.prices_history'];
    expect(node).toMatchObject({ resource_type: 'snapshot', name: 'prices_history', description: 'every price a product had', relation_name: `\`${p.database}\`.\`prices_history\``, tags: ['history'] });
    expect(node.depends_on.nodes).toEqual(['model.proj.prices']);
    expect(manifest.child_map['snapshot.proj.prices_history']).toEqual(expect.arrayContaining(['model.proj.price_changes']));

    const ls = await p.ft(['ls', '--resource-type', 'snapshot']);
    expect(ls.stdout.trim()).toBe('prices_history');
    expect((await p.ft(['ls', '-s', 'resource_type:snapshot', '--output', 'json'])).stdout).toMatch(/"resource_type":"snapshot"/);
    // the docs: the catalog has the snapshot's table and columns (its page and lineage come from the manifest's node)
    expect((await p.ft(['docs', 'generate'])).code).toBe(0);
    expect(Object.keys(p.readJson('target/catalog.json').nodes['snapshot.proj.prices_history'].columns)).toEqual(['id', 'price', 'dbt_scd_id', 'dbt_updated_at', 'dbt_valid_from', 'dbt_valid_to']);
    // ft snapshot runs snapshots only, with selection
    const only = await p.ft(['snapshot', '-s', 'tag:history']);
    expect(only.code, only.output).toBe(0);
    expect((p.readJson('target/run_results.json').results as Array<{ unique_id: string }>).map((x) => x.unique_id)).toEqual(['snapshot.proj.prices_history']);
  }, 180_000);
});
