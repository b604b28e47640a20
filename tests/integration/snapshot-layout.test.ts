/**
 * The snapshot table's layout: a table ft creates is clustered by the unique key (PRIMARY KEY
 * (key…, dbt_valid_from, dbt_scd_id)); a table made otherwise (dbt's history brought over, or an
 * earlier ft's, with no primary key) keeps working as it is, and the README's ALTER TABLE turns
 * it into the clustered layout; rows a clustered table cannot hold (a key twice, a NULL key)
 * are refused with the snapshot's file and the fix, the table left as it was.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createProject, type TestProject } from '../helpers/project-builder.js';

let p: TestProject | undefined;
afterEach(async () => {
  await p?.cleanup();
  p = undefined;
});

const SNAPSHOTS = (config: string): Record<string, string> => ({
  'sources.yml': 'sources:\n  - name: shop\n    tables:\n      - name: items\n',
  'snapshots.yml': `snapshots:\n  - name: hist\n    relation: source('shop', 'items')\n    config: ${config}\n`,
});
const CHECK = '{strategy: check, check_cols: all, unique_key: id, hard_deletes: invalidate}';

async function shop(project: TestProject, rows: string): Promise<string> {
  const t = project.rel('items', 'shop');
  await project.query(`CREATE DATABASE ${t.split('.')[0]}`);
  await project.query(`CREATE TABLE ${t} (id INT, v VARCHAR(10), updated_at DATETIME)`);
  await project.query(`INSERT INTO ${t} VALUES ${rows}`);
  return t;
}

const primaryKey = async (project: TestProject): Promise<string> =>
  String(
    (
      await project.query<{ c: string | null }>(
        `SELECT group_concat(column_name ORDER BY seq_in_index) AS c FROM information_schema.statistics WHERE table_schema = ? AND table_name = 'hist' AND index_name = 'PRIMARY'`,
        [project.schema()],
      )
    )[0]?.c ?? '',
  );

/** id, v and whether the version is open, in key and time order */
const history = async (project: TestProject): Promise<string[]> =>
  (await project.query<{ id: number | null; v: string; open: number }>(`SELECT id, v, dbt_valid_to IS NULL AS open FROM ${project.rel('hist')} ORDER BY id, dbt_valid_from`)).map(
    (r) => `${r.id ?? 'null'}${r.v}${Number(r.open) ? '+' : '-'}`,
  );

describe('snapshot table layout', () => {
  it('the first run creates the table clustered by unique_key, then the version start and id; later runs keep it', async () => {
    p = await createProject({ label: 'snaplay', yaml: SNAPSHOTS('{strategy: timestamp, unique_key: id, updated_at: updated_at, hard_deletes: invalidate}') });
    const t = await shop(p, `(2, 'b', '2024-01-01'), (1, 'a', '2024-01-01')`);
    expect((await p.ft(['snapshot'])).code).toBe(0);
    expect(await primaryKey(p)).toBe('id,dbt_valid_from,dbt_scd_id');
    await p.query(`UPDATE ${t} SET v = 'a2', updated_at = '2024-01-02' WHERE id = 1`);
    await p.query(`DELETE FROM ${t} WHERE id = 2`);
    const r = await p.ft(['snapshot']);
    expect(r.code, r.output).toBe(0);
    expect(await history(p)).toEqual(['1a-', '1a2+', '2b-']);
    expect(await primaryKey(p)).toBe('id,dbt_valid_from,dbt_scd_id');
  }, 120_000);

  it('a table without that key (dbt history brought over) keeps working as it is — a NULL key too; the README ALTER TABLE migrates it', async () => {
    p = await createProject({ label: 'snapold', yaml: SNAPSHOTS(CHECK) });
    const t = await shop(p, `(1, 'a', NULL), (2, 'b', NULL)`);
    // the history as dbt (or ft before the clustered layout) left it: no primary key, a NULL key's version
    await p.query(`CREATE DATABASE ${p.rel('hist').split('.')[0]}`);
    await p.query(
      `CREATE TABLE ${p.rel('hist')} (id INT, v VARCHAR(10), updated_at DATETIME, dbt_scd_id VARCHAR(32), dbt_updated_at DATETIME(6), dbt_valid_from DATETIME(6), dbt_valid_to DATETIME(6), KEY ft_snapshot_key (id, dbt_valid_to))`,
    );
    await p.query(
      `INSERT INTO ${p.rel('hist')} VALUES (1, 'a', NULL, md5('1|x'), '2024-01-01', '2024-01-01', NULL), (2, 'b0', NULL, md5('2|x'), '2024-01-01', '2024-01-01', NULL), (NULL, 'n', NULL, md5('|x'), '2024-01-01', '2024-01-01', NULL)`,
    );
    await p.query(`INSERT INTO ${t} VALUES (NULL, 'n', NULL)`);
    const r = await p.ft(['snapshot']);
    expect(r.code, r.output).toBe(0);
    // 2 changed; the NULL key never matches its version, so it opens another (dbt does the same)
    expect(await history(p)).toEqual(['nulln+', 'nulln+', '1a+', '2b0-', '2b+']);
    expect(await primaryKey(p)).toBe('');

    // migrating: the README's check finds no duplicate and no NULL, then ALTER TABLE … ADD PRIMARY KEY
    await p.query(`DELETE FROM ${t} WHERE id IS NULL`);
    await p.query(`DELETE FROM ${p.rel('hist')} WHERE id IS NULL`);
    const dups = await p.query(`SELECT id, dbt_valid_from, dbt_scd_id FROM ${p.rel('hist')} GROUP BY id, dbt_valid_from, dbt_scd_id HAVING count(*) > 1`);
    expect(dups).toEqual([]);
    await p.query(`ALTER TABLE ${p.rel('hist')} MODIFY id INT NOT NULL, MODIFY dbt_valid_from DATETIME(6) NOT NULL, MODIFY dbt_scd_id VARCHAR(32) NOT NULL, ADD PRIMARY KEY (id, dbt_valid_from, dbt_scd_id)`);
    await p.query(`UPDATE ${t} SET v = 'a2' WHERE id = 1`);
    const again = await p.ft(['snapshot']);
    expect(again.code, again.output).toBe(0);
    expect(await history(p)).toEqual(['1a-', '1a2+', '2b0-', '2b+']);
    expect(await primaryKey(p)).toBe('id,dbt_valid_from,dbt_scd_id');
  }, 120_000);

  it('a key twice in the query, on the first run or a later one, and a NULL key: refused naming the snapshot file and the fix, the table as it was', async () => {
    p = await createProject({ label: 'snapdup', yaml: SNAPSHOTS(CHECK) });
    const t = await shop(p, `(1, 'a', NULL), (1, 'a2', NULL), (2, 'b', NULL)`);
    const dup = /models\/snapshots\.yml:2: snapshot hist: its query returns more than one row with id = 1; unique_key \(id\) must name one row\. Fix the query \(deduplicate it\) or the unique_key config/;
    let r = await p.ft(['snapshot']);
    expect(r.code, r.output).toBe(1);
    expect(r.output).toMatch(dup);
    expect(r.output).not.toMatch(/1062|Duplicate entry|\n\s+at /);
    expect(await p.tables()).toEqual([]);

    await p.query(`DELETE FROM ${t} WHERE v = 'a2'`);
    expect((await p.ft(['snapshot'])).code).toBe(0);
    const before = await history(p);
    // both rows of key 1 change: two new versions of one key at one time
    await p.query(`UPDATE ${t} SET v = 'a4' WHERE id = 1`);
    await p.query(`INSERT INTO ${t} VALUES (1, 'a3', NULL)`);
    r = await p.ft(['snapshot']);
    expect(r.code, r.output).toBe(1);
    expect(r.output).toMatch(dup);
    expect(r.output).not.toMatch(/1062|Duplicate entry|\n\s+at /);
    expect(await history(p)).toEqual(before);

    await p.query(`UPDATE ${t} SET id = NULL WHERE v = 'a3'`);
    r = await p.ft(['snapshot']);
    expect(r.code, r.output).toBe(1);
    expect(r.output).toMatch(/models\/snapshots\.yml:2: snapshot hist: its query returns a row whose unique_key \(id\) is NULL \(id = null\); a version needs its key\. Filter those rows out/);
    expect(r.output).not.toMatch(/1048|cannot be null|\n\s+at /);
    expect(await history(p)).toEqual(before);
  }, 120_000);

  it('timestamp: a key twice at one updated_at on the first run, and a row back after a hard delete at its old updated_at, are refused with the fix', async () => {
    p = await createProject({ label: 'snapback', yaml: SNAPSHOTS('{strategy: timestamp, unique_key: id, updated_at: updated_at, hard_deletes: invalidate}') });
    const t = await shop(p, `(1, 'a', '2024-01-01'), (1, 'a2', '2024-01-02'), (2, 'b', '2024-01-01')`);
    let r = await p.ft(['snapshot']);
    expect(r.code, r.output).toBe(1);
    expect(r.output).toMatch(/models\/snapshots\.yml:2: snapshot hist: its query returns more than one row with id = 1/);
    expect(await p.tables()).toEqual([]);

    await p.query(`DELETE FROM ${t} WHERE v = 'a2'`);
    expect((await p.ft(['snapshot'])).code).toBe(0);
    await p.query(`DELETE FROM ${t} WHERE id = 2`);
    expect((await p.ft(['snapshot'])).code).toBe(0);
    const before = await history(p);
    expect(before).toEqual(['1a+', '2b-']);
    await p.query(`INSERT INTO ${t} VALUES (2, 'b', '2024-01-01')`);
    r = await p.ft(['snapshot']);
    expect(r.code, r.output).toBe(1);
    expect(r.output).toMatch(/models\/snapshots\.yml:2: snapshot hist: the row with id = 2 came back after a hard delete with an updated_at \(updated_at\) no later than the start of its earlier version.*Give the returning row a newer updated_at/s);
    expect(r.output).not.toMatch(/1062|Duplicate entry|\n\s+at /);
    expect(await history(p)).toEqual(before);
    await p.query(`UPDATE ${t} SET updated_at = '2024-01-05' WHERE id = 2`);
    r = await p.ft(['snapshot']);
    expect(r.code, r.output).toBe(0);
    expect(await history(p)).toEqual(['1a+', '2b-', '2b+']);
  }, 120_000);
});
