/**
 * A `unique` test scoped to changed rows reads the keys of the changed rows, then every row
 * with one of those keys. With an index on the key, the optimizer used to answer the DISTINCT
 * of the changed keys by reading the whole key index in order and looking each entry's row up
 * to test the watermark (264 s, then a temp-file error, over 300k changed rows of 1.5 M).
 * The plan on the real server must not do that, and the test finds the same duplicates.
 */
import type mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quoteIdent } from '../../src/project/relation-names.js';
import { changedRowsRelation } from '../../src/testing/changed-rows.js';
import { unique } from '../../src/testing/generic/unique.js';
import type { GenericTestContext } from '../../src/testing/generic/types.js';
import { connect, dropSchemas, uniquePrefix } from '../helpers/db.js';

const prefix = uniquePrefix('chrowsplan');
const db = `${prefix}_gold`;
const relation = `${quoteIdent(db)}.${quoteIdent('events')}`;
let conn: mysql.Connection;

beforeAll(async () => {
  conn = await connect();
  await conn.query(`CREATE DATABASE ${quoteIdent(db)}`);
  // 60,000 events in 60 batches of 1,000, a random key indexed as the flagship's event_id is
  await conn.query(`CREATE TABLE ${relation} (id bigint AUTO_INCREMENT PRIMARY KEY, event_id char(36) NOT NULL, payload varchar(100), _batch_id int NOT NULL, KEY (event_id), KEY (_batch_id))`);
  await conn.query(`CREATE TABLE ${quoteIdent(db)}.digits (d int)`);
  await conn.query(`INSERT INTO ${quoteIdent(db)}.digits VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)`);
  const d = `${quoteIdent(db)}.digits`;
  await conn.query(
    `INSERT INTO ${relation} (event_id, payload, _batch_id)
     SELECT UUID(), REPEAT('x', 100), (a.d * 10000 + b.d * 1000 + c.d * 100 + e.d * 10 + f.d) DIV 1000
     FROM ${d} a, ${d} b, ${d} c, ${d} e, ${d} f WHERE a.d < 6`,
  );
  // duplicates: an old key repeated by a changed row (found), an old key repeated by an old row (not read)
  await conn.query(`INSERT INTO ${relation} (event_id, payload, _batch_id) VALUES ('dup-old-and-new', '', 1), ('dup-old-and-new', '', 55), ('dup-old-only', '', 2), ('dup-old-only', '', 3)`);
  await conn.query(`ANALYZE TABLE ${relation}`);
}, 120_000);

afterAll(async () => {
  await conn?.end();
  await dropSchemas(prefix);
});

/** `indexed`: the model's config declares the index on event_id (as an incremental merge's unique_key does) */
function uniqueSql(above: string, indexed = false): string {
  const ctx: GenericTestContext = { model: relation, columnName: 'event_id', args: {}, quote: quoteIdent, literal: (v) => String(v), resolveRelation: () => relation };
  const model = changedRowsRelation(unique, ctx, relation, null, { column: '_batch_id', above }, indexed ? { indexes: [{ columns: ['event_id'] }] } : undefined)!;
  return unique.sql({ ...ctx, model });
}

describe('scope: changed_rows, unique on an indexed key', () => {
  it('the changed keys are not read by a full scan of the key index (EXPLAIN)', async () => {
    // 15% of the rows changed: with the key index free to use, the DISTINCT walked all of it
    const [plan] = await conn.query(`EXPLAIN ${uniqueSql('50')}`);
    const rows = plan as Array<{ table: string; type: string; key: string | null }>;
    const fullKeyScan = rows.filter((r) => r.type === 'index' && r.key === 'event_id');
    expect(fullKeyScan, JSON.stringify(rows, null, 1)).toEqual([]);
  });

  it('finds the same duplicates: a changed row repeating an old key, not two old rows', async () => {
    const [res] = await conn.query(uniqueSql('50'));
    expect((res as Array<{ unique_field: string; n_records: number }>).map((r) => [r.unique_field, Number(r.n_records)])).toEqual([['dup-old-and-new', 2]]);
  });

  it('with an index the config declares on the key, the changed keys drive: each looks its rows up by the key (EXPLAIN), same duplicates', async () => {
    // 25% of the rows changed (a minute of a busy stream): left to itself the optimizer walks the whole table in key order
    const [plan] = await conn.query(`EXPLAIN ${uniqueSql('44', true)}`);
    const rows = plan as Array<{ id: number; table: string; type: string; key: string | null }>;
    const keysAt = rows.findIndex((r) => r.table.startsWith('<derived'));
    const lookupAt = rows.findIndex((r) => r.table === 'ft_rows');
    expect(keysAt, JSON.stringify(rows, null, 1)).toBeGreaterThanOrEqual(0);
    expect(lookupAt, JSON.stringify(rows, null, 1)).toBeGreaterThan(keysAt);
    expect(rows[lookupAt], JSON.stringify(rows, null, 1)).toMatchObject({ type: 'ref', key: 'event_id' });
    const [res] = await conn.query(uniqueSql('44', true));
    expect((res as Array<{ unique_field: string; n_records: number }>).map((r) => [r.unique_field, Number(r.n_records)])).toEqual([['dup-old-and-new', 2]]);
  });
});
