/**
 * The server's sizing for a benchmark run, set for the run and put back after:
 * - BENCH_BUFFER_POOL (e.g. 4G, 512M): the InnoDB buffer pool. MariaDB's and MySQL's default,
 *   128 MiB, is smaller than these benchmarks' tables, so without it they measure the disk's
 *   random reads as much as ft; a server sized for its data (the usual advice: most of its
 *   memory) holds them. Both servers resize it online (MariaDB 10.2+, MySQL 5.7.5+).
 * - BENCH_REDO_LOG (e.g. 2G): MariaDB's innodb_log_file_size (dynamic since 10.11). Its default,
 *   96 MiB, fills within seconds under a steady stream of writes, and from then on every write
 *   waits for dirty pages to be written back. (MySQL 8.0.30+ sizes it with
 *   innodb_redo_log_capacity instead: the knob refuses what the server does not have.)
 * Both need the SUPER or SYSTEM_VARIABLES_ADMIN privilege.
 */
import type { Connection } from 'mysql2/promise';

const UNITS: Record<string, number> = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30 };

export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([KMG]?)i?B?$/i.exec(text.trim());
  if (!m) throw new Error(`BENCH_BUFFER_POOL and BENCH_REDO_LOG take a size such as 4G or 512M, not "${text}"`);
  return Math.round(Number(m[1]) * UNITS[m[2]!.toUpperCase()]!);
}

const mib = (bytes: number): string => `${Math.round(bytes / 2 ** 20)} MiB`;

async function poolSize(conn: Connection): Promise<number> {
  const [rows] = await conn.query('SELECT @@innodb_buffer_pool_size AS b');
  return Number((rows as Array<{ b: number | string }>)[0]!.b);
}

/** Resizing is asynchronous: wait until the server reports the new size and no resize in progress. */
async function resize(conn: Connection, bytes: number): Promise<number> {
  await conn.query(`SET GLOBAL innodb_buffer_pool_size = ${bytes}`);
  for (let i = 0; i < 600; i++) {
    const [rows] = await conn.query("SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_resize_status'");
    const status = String((rows as Array<{ Value: string }>)[0]?.Value ?? '');
    if (!/resiz|progress|start/i.test(status) || /complet|finish/i.test(status)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return poolSize(conn);
}

/** Sets BENCH_REDO_LOG's redo log size (no-op without it); returns what the run used and how to put the old size back. */
export async function benchRedoLog(conn: Connection): Promise<{ label: string; restore(): Promise<void> }> {
  const [rows] = await conn.query('SELECT @@innodb_log_file_size AS b');
  const before = Number((rows as Array<{ b: number | string }>)[0]!.b);
  const wanted = process.env.BENCH_REDO_LOG;
  if (!wanted) return { label: `${mib(before)} (the server's)`, restore: async () => undefined };
  await conn.query(`SET GLOBAL innodb_log_file_size = ${parseSize(wanted)}`);
  const [now] = await conn.query('SELECT @@innodb_log_file_size AS b');
  return {
    label: `${mib(Number((now as Array<{ b: number | string }>)[0]!.b))} (BENCH_REDO_LOG=${wanted}; the server had ${mib(before)})`,
    restore: async () => {
      await conn.query(`SET GLOBAL innodb_log_file_size = ${before}`);
    },
  };
}

/**
 * Sets the pool BENCH_BUFFER_POOL asks for (no-op without it) and returns what the run used
 * and how to put the old size back.
 */
export async function benchBufferPool(conn: Connection): Promise<{ bytes: number; label: string; restore(): Promise<void> }> {
  const before = await poolSize(conn);
  const wanted = process.env.BENCH_BUFFER_POOL;
  if (!wanted) return { bytes: before, label: `${mib(before)} (the server's)`, restore: async () => undefined };
  const bytes = await resize(conn, parseSize(wanted));
  return {
    bytes,
    label: `${mib(bytes)} (BENCH_BUFFER_POOL=${wanted}; the server had ${mib(before)})`,
    restore: async () => {
      await resize(conn, before);
    },
  };
}
