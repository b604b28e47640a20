/**
 * stream-load's sessions are set up as every ft session is (sessionSetupSql): UTC and the
 * profile's sql_mode, or ft's strict default — plus the loader's own idle timeout.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Connection } from 'mysql2/promise';
import { STRICT_SQL_MODE } from '../../src/adapters/mysql/mysql-connection-options.js';
import { openStreamConnection } from '../../src/stream/stream-connection.js';
import { TEST_DB } from '../helpers/db.js';

describe('stream-load sessions', () => {
  let conn: Connection | null = null;
  afterEach(async () => {
    await conn?.end();
    conn = null;
  });

  const session = async () => {
    const [rows] = await conn!.query('SELECT @@SESSION.sql_mode AS mode, @@SESSION.time_zone AS tz, @@SESSION.wait_timeout AS wt');
    return (rows as Array<{ mode: string; tz: string; wt: number }>)[0]!;
  };

  it("run with ft's strict sql_mode when the profile sets none", async () => {
    conn = await openStreamConnection(TEST_DB);
    const s = await session();
    expect(s.mode.split(',').sort()).toEqual(STRICT_SQL_MODE.split(',').sort());
    expect(s.tz).toBe('+00:00');
    expect(Number(s.wt)).toBe(30);
  });

  it("run with the profile's sql_mode when it sets one", async () => {
    conn = await openStreamConnection({ ...TEST_DB, sqlMode: 'STRICT_TRANS_TABLES,ANSI_QUOTES' });
    const s = await session();
    expect(s.mode.split(',').sort()).toEqual(['ANSI_QUOTES', 'STRICT_TRANS_TABLES']);
    expect(s.tz).toBe('+00:00');
    expect(Number(s.wt)).toBe(30);
  });
});
