/**
 * Benchmark baseline: the server's own `LOAD DATA LOCAL INFILE` of a CSV file into a table
 * identical to the bronze table (same DDL, same primary key), in one statement — no validation,
 * no quarantine, no checkpoint. `bench/stream.ts` divides ft's throughput by this one.
 * The file must be something LOAD DATA reads as is: a header line, `,`-separated, `"`-quoted,
 * and datetimes written `YYYY-MM-DD HH:MM:SS[.fff]`.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseCsvRecord } from '../util/csv.js';
import { bronzeTableDdl, qualified, quoteId } from './ddl.js';
import { openStreamConnection } from './stream-connection.js';
import type { StreamConnection, StreamTarget } from './types.js';

export interface BaselineOptions {
  connection: StreamConnection;
  /** Declares the columns; the table created is `target.database`.`table` (default `<target.table>__baseline`). */
  target: StreamTarget;
  table?: string;
  file: string;
  /**
   * The file's datetimes are ISO-8601 (`2026-11-24T10:15:02.123Z`), which LOAD DATA does not
   * read: convert them with STR_TO_DATE (the least a plain LOAD DATA user has to add).
   */
  isoDatetimes?: boolean;
}

export interface BaselineResult {
  table: string;
  rows: number;
  warnings: number;
  bytes: number;
  seconds: number;
  rowsPerSecond: number;
}

async function readHeader(file: string): Promise<string> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const text = buf.toString('utf8', 0, bytesRead);
    const nl = text.indexOf('\n');
    return (nl < 0 ? text : text.slice(0, nl)).replace(/\r$/, '').replace(/^\ufeff/, '');
  } finally {
    await fh.close();
  }
}

/** (Re)creates the baseline table and loads `file` into it with one LOAD DATA LOCAL INFILE. */
export async function bulkLoadBaseline(o: BaselineOptions): Promise<BaselineResult> {
  const table = o.table ?? `${o.target.table}__baseline`;
  const conn = await openStreamConnection(o.connection);
  try {
    await conn.query(`CREATE DATABASE IF NOT EXISTS ${quoteId(o.target.database)}`);
    await conn.query(`DROP TABLE IF EXISTS ${qualified(o.target.database, table)}`);
    await conn.query(bronzeTableDdl(o.target, table, false));
    const fields: Array<string | null> = [];
    parseCsvRecord(await readHeader(o.file), fields);
    const declared = new Map(o.target.columns.map((c) => [c.name, c]));
    const sets: string[] = [];
    const list = fields
      .map((f, i) => {
        const col = f ? declared.get(f.trim()) : undefined;
        if (!col) return `@ft_skip${i}`;
        if (o.isoDatetimes && /^\s*(datetime|timestamp)/i.test(col.dataType)) {
          sets.push(`${quoteId(col.name)} = STR_TO_DATE(@ft_v${i}, '%Y-%m-%dT%H:%i:%s.%fZ')`);
          return `@ft_v${i}`;
        }
        return quoteId(col.name);
      })
      .join(', ');
    const bytes = (await stat(o.file)).size;
    await conn.query('SET @ft_line = 1');
    const sql =
      `LOAD DATA LOCAL INFILE ${conn.escape(basename(o.file))} INTO TABLE ${qualified(o.target.database, table)} CHARACTER SET utf8mb4 ` +
      `FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '"' ESCAPED BY '' LINES TERMINATED BY '\\n' IGNORE 1 LINES (${list}) ` +
      `SET ${[...sets, ''].join(', ')}\`_source_file\` = ${conn.escape(basename(o.file))}, \`_source_line\` = (@ft_line := @ft_line + 1), \`_batch_id\` = 0, \`_ingested_at\` = NOW(6)`;
    const t0 = process.hrtime.bigint();
    const [res] = await conn.query({ sql, infileStreamFactory: () => createReadStream(o.file, { highWaterMark: 256 * 1024 }) });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const r = res as unknown as { affectedRows: number; warningStatus?: number };
    return { table, rows: r.affectedRows, warnings: r.warningStatus ?? 0, bytes, seconds, rowsPerSecond: r.affectedRows / seconds };
  } finally {
    await conn.end().catch(() => conn.destroy());
  }
}
