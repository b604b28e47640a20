/**
 * #14 item 8, as the issue tells it: a COMMIT whose reply is lost while the server keeps the
 * loader's session (and its table lock), then the loader is *restarted* — a new loader that has
 * no memory of the old session. It must not stop at "another ft stream-load is loading…": the
 * server ends the silent half-open session (the loader's sessions run with a short wait_timeout),
 * the new loader takes the lock and loads the rest, every line once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lockName, streamLoad } from '../../src/stream/stream-load.js';
import type { StreamLoadOptions, StreamTarget } from '../../src/stream/types.js';
import { EVENT_COLUMNS, ndjsonLines, writeAtomically } from '../fixtures/stream/events.js';
import { TEST_DB, countRows as count, dropSchemas, queryRows as q, uniquePrefix } from '../helpers/db.js';

const prefix = uniquePrefix('streamrestart');
const tmpRoot = mkdtempSync(join(tmpdir(), 'ft-stream-restart-'));

afterAll(async () => {
  await dropSchemas(prefix);
  rmSync(tmpRoot, { recursive: true, force: true });
});

/**
 * On the connection that takes the table's lock (the one that sends GET_LOCK; a loader may have
 * other writer sessions), passes `passCommits` COMMITs, then forwards the next one to the server,
 * swallows its reply and cuts the loader's side only (the server keeps the session, and with it
 * the lock, as after a network failure); `onFire` runs at that moment.
 */
class LostCommitProxy {
  private readonly server: Server;
  private readonly pairs: Array<[Socket, Socket]> = [];
  fired = 0;
  commitsBefore = 0;

  constructor(private readonly passCommits: number, onFire: () => void) {
    this.server = createServer((client) => {
      const upstream = netConnect(TEST_DB.port, TEST_DB.host);
      this.pairs.push([client, upstream]);
      let swallow = false;
      let holdsLock = false;
      client.on('data', (d: Buffer) => {
        const query = d.length >= 5 && d[4] === 0x03 ? d.subarray(5).toString() : '';
        if (/GET_LOCK\(/i.test(query)) holdsLock = true;
        const commit = holdsLock && query.startsWith('COMMIT');
        if (commit && this.fired === 0 && this.commitsBefore < this.passCommits) this.commitsBefore++;
        else if (commit && this.fired === 0) {
          this.fired++;
          swallow = true;
          onFire();
          upstream.write(d);
          client.destroy();
          return;
        }
        if (!swallow) upstream.write(d);
      });
      upstream.on('data', (d: Buffer) => {
        if (!swallow && !client.destroyed) client.write(d);
      });
      client.on('error', () => undefined);
      upstream.on('error', () => undefined);
      client.on('close', () => {
        if (!swallow) upstream.destroy();
      });
      upstream.on('close', () => client.destroy());
    });
  }

  async start(): Promise<number> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', () => r()));
    return (this.server.address() as { port: number }).port;
  }

  async close(): Promise<void> {
    for (const [a, b] of this.pairs) {
      a.destroy();
      b.destroy();
    }
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

describe("item 8: a restarted loader is not blocked by its predecessor's half-open session", () => {
  it('the lock held by the lost session is freed by the server, the new loader loads the rest once', async () => {
    const target: StreamTarget = { database: `${prefix}_1`, table: 'events', columns: EVENT_COLUMNS };
    const dir = join(tmpRoot, 'landing');
    for (let f = 1; f <= 3; f++) writeAtomically(dir, `part-${f}.ndjson`, ndjsonLines(80 + f, 1000).join('\n') + '\n');
    const lines: string[] = [];
    const base = (over: Partial<StreamLoadOptions>): StreamLoadOptions => ({
      connection: TEST_DB,
      target,
      path: dir,
      format: 'ndjson',
      once: true,
      maxBatchRows: 500,
      maxBatchBytes: 1 << 20,
      triggerIntervalMs: 30,
      maxLineBytes: 1 << 20,
      logFormat: 'json',
      statusIntervalMs: 60_000,
      stableMs: 0,
      log: (l) => lines.push(l),
      ...over,
    });

    // the first loader: the reply of the lock holder's second COMMIT is lost, and the loader is
    // gone at that moment
    const stopFirst = new AbortController();
    const proxy = new LostCommitProxy(1, () => stopFirst.abort());
    const port = await proxy.start();
    try {
      await streamLoad(base({ connection: { ...TEST_DB, port }, signal: stopFirst.signal })).catch(() => undefined);
      expect(proxy.fired, lines.join('\n')).toBe(1);
      // the server still holds the table's lock for the lost session
      expect((await q<{ h: unknown }>('SELECT IS_USED_LOCK(?) AS h', [lockName(target)]))[0]!.h).not.toBeNull();

      // the restarted loader: a new one, knowing nothing of the old session
      lines.length = 0;
      const s = await streamLoad(base({}));
      expect(s.rowsRejected, lines.join('\n')).toBe(0);
    } finally {
      await proxy.close();
    }
    expect(lines.join('\n')).not.toMatch(/another ft stream-load is loading/);
    const bronze = await count(`SELECT COUNT(*) AS n FROM \`${target.database}\`.\`events\``);
    const rejected = await count(`SELECT COUNT(*) AS n FROM \`${target.database}\`.\`events__rejected\``);
    expect(bronze + rejected).toBe(3000);
    const dups = await q(
      `SELECT _source_file, _source_line FROM \`${target.database}\`.\`events\` GROUP BY _source_file, _source_line HAVING COUNT(*) > 1 LIMIT 3`,
    );
    expect(dups).toEqual([]);
    expect(await count(`SELECT COUNT(*) AS n FROM \`${target.database}\`.\`events\` WHERE event_id = CONCAT('e-', 80 + CAST(SUBSTRING(_source_file, 6, 1) AS UNSIGNED), '-', _source_line)`)).toBe(3000);
    expect(await q(`SELECT IS_USED_LOCK(?) AS h`, [lockName(target)])).toEqual([{ h: null }]);
  }, 180_000);
});
