/**
 * ft stream-load never loses nor doubles a line (issue #14, items 5–9): small files that grow,
 * files sharing a long head, half-written last lines, the loader's own half-open session, a BOM.
 * Every test checks `bronze rows + rejected rows = lines written` and no duplicate (file, line).
 */
import { appendFileSync, closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureBronzeTables } from '../../src/stream/ddl.js';
import { lockName, streamLoad } from '../../src/stream/stream-load.js';
import type { StreamColumn, StreamLoadOptions, StreamTarget } from '../../src/stream/types.js';
import { EVENT_COLUMNS, makeEvent, ndjsonLines, writeAtomically } from '../fixtures/stream/events.js';
import { TEST_DB, connect, countRows as count, dropSchemas, queryRows as q, uniquePrefix } from '../helpers/db.js';

const prefix = uniquePrefix('streamexact');
const tmpRoot = mkdtempSync(join(tmpdir(), 'ft-stream-exact-'));
let n = 0;

afterAll(async () => {
  await dropSchemas(prefix);
  rmSync(tmpRoot, { recursive: true, force: true });
});

const SMALL_COLUMNS: StreamColumn[] = [
  { name: 'id', dataType: 'int', required: true },
  { name: 'v', dataType: 'varchar(200)', required: false },
];

function newTarget(columns: StreamColumn[] = EVENT_COLUMNS): StreamTarget {
  return { database: `${prefix}_${++n}`, table: 'events', columns };
}

function newDir(name: string): string {
  return join(tmpRoot, `${name}-${++n}`);
}

function options(target: StreamTarget, path: string, over: Partial<StreamLoadOptions> = {}): StreamLoadOptions & { lines: string[] } {
  const lines: string[] = [];
  return {
    connection: TEST_DB,
    target,
    path,
    format: 'ndjson',
    once: true,
    maxBatchRows: 400,
    maxBatchBytes: 1 << 20,
    triggerIntervalMs: 30,
    maxLineBytes: 1 << 20,
    logFormat: 'json',
    statusIntervalMs: 60_000,
    stableMs: 100,
    log: (l) => lines.push(l),
    lines,
    ...over,
  };
}

const tbl = (t: StreamTarget, suffix = '') => `\`${t.database}\`.\`${t.table}${suffix}\``;

async function waitFor(cond: () => Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await cond()) return;
    await sleep(25);
  }
  throw new Error(`timed out waiting for ${what}`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** bronze + rejected = lines written, and no (file, line) twice across both tables. */
async function expectExactlyOnce(t: StreamTarget, linesWritten: number): Promise<void> {
  const bronze = await count(`SELECT COUNT(*) AS n FROM ${tbl(t)}`);
  const rejected = await count(`SELECT COUNT(*) AS n FROM ${tbl(t, '__rejected')}`);
  expect({ bronze, rejected, total: bronze + rejected }).toMatchObject({ total: linesWritten });
  const dups = await q(
    `SELECT _source_file, _source_line, COUNT(*) AS c FROM (SELECT _source_file, _source_line FROM ${tbl(t)} UNION ALL SELECT _source_file, _source_line FROM ${tbl(t, '__rejected')}) u GROUP BY _source_file, _source_line HAVING COUNT(*) > 1 LIMIT 5`,
  );
  expect(dups).toEqual([]);
}

/** Tiny lines (about 30 bytes), so a thousand of them stay under 64 KiB. */
function smallLines(from: number, count: number): string {
  let s = '';
  for (let i = from; i < from + count; i++) s += JSON.stringify({ id: i, v: `row-${i}` }) + '\n';
  return s;
}

describe('item 5: a file that grows is continued from its checkpoint', () => {
  it('watch mode: a small file (< 64 KiB) appended ten times, then past 64 KiB, is one file loaded once', async () => {
    const target = newTarget(SMALL_COLUMNS);
    const dir = newDir('grow');
    const path = join(dir, 'small.ndjson');
    writeAtomically(dir, 'small.ndjson', smallLines(1, 100));
    const ac = new AbortController();
    const run = streamLoad(options(target, dir, { once: false, stableMs: 50, signal: ac.signal }));
    let written = 100;
    try {
      await waitFor(async () => (await count(`SELECT COUNT(*) AS n FROM ${tbl(target)}`).catch(() => 0)) >= 100, 'the first 100 lines');
      for (let k = 0; k < 9; k++) {
        appendFileSync(path, smallLines(written + 1, 100));
        written += 100;
        await waitFor(async () => (await count(`SELECT COUNT(*) AS n FROM ${tbl(target)}`)) >= written, `${written} rows`);
        expect(await count(`SELECT COUNT(*) AS n FROM ${tbl(target)}`)).toBe(written);
      }
      // still a small file; now it grows past the 64 KiB head
      const long = 'x'.repeat(150);
      let big = '';
      for (let i = written + 1; i <= written + 500; i++) big += JSON.stringify({ id: i, v: long }) + '\n';
      appendFileSync(path, big);
      written += 500;
      await waitFor(async () => (await count(`SELECT COUNT(*) AS n FROM ${tbl(target)}`)) >= written, `${written} rows`);
    } finally {
      ac.abort();
      await run;
    }
    expect(written).toBe(1500);
    await expectExactlyOnce(target, written);
    expect(await q(`SELECT DISTINCT _source_file AS f FROM ${tbl(target)}`)).toEqual([{ f: 'small.ndjson' }]);
    expect(await count(`SELECT COUNT(*) AS n FROM ${tbl(target)} WHERE id = _source_line`)).toBe(written);
    const cps = await q<{ f: string; l: number }>(`SELECT source_file AS f, lines_committed AS l FROM ${tbl(target, '__checkpoint')}`);
    expect(cps.map((c) => [c.f, Number(c.l)])).toEqual([['small.ndjson', written]]);
  }, 120_000);
});

describe('item 6: file identity never conflates files whose content differs', () => {
  const HEAD_LINES = 6000; // about 1.2 MB of identical head
  const head = ndjsonLines(60, HEAD_LINES).join('\n') + '\n';
  const tail = (file: number) => ndjsonLines(file, 700, HEAD_LINES + 1).join('\n') + '\n';

  it('two files sharing 1 MiB of head, in one run and in separate runs, both load completely', async () => {
    expect(Buffer.byteLength(head)).toBeGreaterThan(1 << 20);
    const target = newTarget();
    const dir = newDir('head');
    writeAtomically(dir, 'day1.ndjson', head + tail(61));
    writeAtomically(dir, 'day2.ndjson', head + tail(62));
    const o = options(target, dir, { maxBatchRows: 5000, cleanSource: 'archive' });
    const s = await streamLoad(o);
    expect(o.lines.filter((l) => l.includes('"event":"skip"'))).toEqual([]);
    expect(s.rowsLoaded).toBe(2 * (HEAD_LINES + 700));
    // a third one, later, after the others were archived; and a byte-identical copy (skipped)
    writeAtomically(dir, 'day3.ndjson', head + tail(63));
    writeAtomically(dir, 'day1-again.ndjson', head + tail(61));
    const o2 = options(target, dir, { maxBatchRows: 5000 });
    const s2 = await streamLoad(o2);
    expect(s2.rowsLoaded).toBe(HEAD_LINES + 700);
    expect(o2.lines.filter((l) => l.includes('"event":"skip"')).map((l) => (JSON.parse(l) as { file: string }).file)).toEqual(['day1-again.ndjson']);
    await expectExactlyOnce(target, 3 * (HEAD_LINES + 700));
    const per = await q<{ f: string; n: number }>(`SELECT _source_file AS f, COUNT(*) AS n FROM ${tbl(target)} GROUP BY f ORDER BY f`);
    expect(per.map((p) => [p.f, Number(p.n)])).toEqual([
      ['day1.ndjson', HEAD_LINES + 700],
      ['day2.ndjson', HEAD_LINES + 700],
      ['day3.ndjson', HEAD_LINES + 700],
    ]);
    for (const [f, file] of [['day1.ndjson', 61], ['day2.ndjson', 62], ['day3.ndjson', 63]] as const) {
      expect(await count(`SELECT COUNT(*) AS n FROM ${tbl(target)} WHERE _source_file = ? AND _source_line > ? AND event_id = CONCAT('e-${file}-', _source_line)`, [f, HEAD_LINES])).toBe(700);
    }
  }, 120_000);

  it('a different file under a loaded name, same size and same 1 MiB head, loads under name#hash', async () => {
    const target = newTarget();
    const dir = newDir('samename');
    writeAtomically(dir, 'x.ndjson', head + tail(64));
    await streamLoad(options(target, dir, { maxBatchRows: 5000, cleanSource: 'archive' }));
    // one byte differs, 1.1 MB in: same size, same head
    const other = head + tail(64).replace(`"e-64-${HEAD_LINES + 350}"`, `"f-64-${HEAD_LINES + 350}"`);
    expect(other).not.toBe(head + tail(64));
    expect(Buffer.byteLength(other)).toBe(Buffer.byteLength(head + tail(64)));
    writeAtomically(dir, 'x.ndjson', other);
    const s = await streamLoad(options(target, dir, { maxBatchRows: 5000 }));
    expect(s.rowsLoaded).toBe(HEAD_LINES + 700);
    await expectExactlyOnce(target, 2 * (HEAD_LINES + 700));
    const files = await q<{ f: string }>(`SELECT DISTINCT _source_file AS f FROM ${tbl(target)} ORDER BY f`);
    expect(files.map((f) => f.f)).toEqual(['x.ndjson', expect.stringMatching(/^x\.ndjson#[0-9a-f]{12}/)]);
  }, 120_000);
});

describe('item 7: an unterminated last line is not read while its writer may still finish it', () => {
  it('writer pauses mid-line with the file open: complete lines load, the line loads whole once finished', async () => {
    const target = newTarget();
    const dir = newDir('half');
    mkdirSync(dir, { recursive: true });
    const path = join(dir, 'live.ndjson');
    const all = ndjsonLines(70, 1500);
    const first = all.slice(0, 1000).join('\n') + '\n';
    const line1001 = all[1000]!;
    const fd = openSync(path, 'a');
    const ac = new AbortController();
    const o = options(target, dir, { once: false, stableMs: 50, signal: ac.signal });
    const run = streamLoad(o);
    try {
      writeSync(fd, first + line1001.slice(0, 40));
      await waitFor(async () => (await count(`SELECT COUNT(*) AS n FROM ${tbl(target)}`).catch(() => 0)) >= 1000, '1000 rows');
      // the file is stable (unchanged far longer than stableMs) but its writer still has it open
      await sleep(800);
      expect(await count(`SELECT COUNT(*) AS n FROM ${tbl(target, '__rejected')}`)).toBe(0);
      expect(await count(`SELECT COUNT(*) AS n FROM ${tbl(target)}`)).toBe(1000);
      writeSync(fd, line1001.slice(40) + '\n' + all.slice(1001).join('\n') + '\n');
    } finally {
      closeSync(fd);
    }
    try {
      await waitFor(async () => (await count(`SELECT COUNT(*) AS n FROM ${tbl(target)}`)) + (await count(`SELECT COUNT(*) AS n FROM ${tbl(target, '__rejected')}`)) >= 1500, '1500 lines');
    } finally {
      ac.abort();
      await run;
    }
    await expectExactlyOnce(target, 1500);
    expect(await count(`SELECT COUNT(*) AS n FROM ${tbl(target, '__rejected')}`)).toBe(0);
    expect(await count(`SELECT COUNT(*) AS n FROM ${tbl(target)} WHERE event_id = CONCAT('e-70-', _source_line)`)).toBe(1500);
  }, 60_000);

  it('--once leaves a line whose writer still has the file open for the next run, with a warning', async () => {
    const target = newTarget();
    const dir = newDir('halfonce');
    mkdirSync(dir, { recursive: true });
    const path = join(dir, 'live.ndjson');
    const all = ndjsonLines(71, 1200);
    const fd = openSync(path, 'a');
    try {
      writeSync(fd, all.slice(0, 1100).join('\n') + '\n' + all[1100]!.slice(0, 25));
      const o = options(target, dir, { stableMs: 50 });
      const s = await streamLoad(o);
      expect(s).toMatchObject({ rowsLoaded: 1100, rowsRejected: 0 });
      expect(o.lines.find((l) => l.includes('"event":"unsettled"'))).toContain('live.ndjson');
      writeSync(fd, all[1100]!.slice(25) + '\n' + all.slice(1101).join('\n') + '\n');
    } finally {
      closeSync(fd);
    }
    const s2 = await streamLoad(options(target, dir, { stableMs: 50 }));
    expect(s2).toMatchObject({ rowsLoaded: 100, rowsRejected: 0 });
    await expectExactlyOnce(target, 1200);
    expect(await count(`SELECT COUNT(*) AS n FROM ${tbl(target)} WHERE event_id = CONCAT('e-71-', _source_line)`)).toBe(1200);
  }, 60_000);

  it('a writer that died mid-line (ENOSPC): its fragment is quarantined as the last line, numbering intact', async () => {
    const target = newTarget();
    const dir = newDir('enospc');
    const all = ndjsonLines(72, 1001);
    writeAtomically(dir, 'dead.ndjson', all.slice(0, 1000).join('\n') + '\n' + all[1000]!.slice(0, 30));
    const s = await streamLoad(options(target, dir, { stableMs: 50 }));
    expect(s).toMatchObject({ rowsLoaded: 1000, rowsRejected: 1 });
    await expectExactlyOnce(target, 1001);
    expect(await q(`SELECT _source_line AS l, raw_line AS r FROM ${tbl(target, '__rejected')}`)).toEqual([{ l: 1001, r: all[1000]!.slice(0, 30) }]);
  }, 60_000);
});

/**
 * A TCP proxy in front of the server that lets `passCommits` COMMITs through, then forwards the
 * next one, swallows the server's reply and cuts the loader's side only: the server keeps the
 * session (and its lock) open, as after a network failure. Counting COMMITs (not polling the
 * table) places the fault whatever the machine's speed: a quiet machine loaded all the files
 * before a poll could arm it.
 */
class LostCommitProxy {
  private server: Server;
  private readonly pairs: Array<[Socket, Socket]> = [];
  fired = 0;
  /** COMMITs passed through before the one whose reply was lost */
  commitsBefore = 0;
  port = 0;

  constructor(private readonly passCommits: number) {
    this.server = createServer((client) => {
      const upstream = netConnect(TEST_DB.port, TEST_DB.host);
      this.pairs.push([client, upstream]);
      let swallow = false;
      client.on('data', (d: Buffer) => {
        const commit = d.length >= 11 && d[4] === 0x03 && d.subarray(5, 11).toString() === 'COMMIT';
        if (commit && this.fired === 0 && this.commitsBefore < this.passCommits) this.commitsBefore++;
        else if (commit && this.fired === 0) {
          this.fired++;
          swallow = true;
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
    this.port = (this.server.address() as { port: number }).port;
    return this.port;
  }

  async close(): Promise<void> {
    for (const [a, b] of this.pairs) {
      a.destroy();
      b.destroy();
    }
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

describe("item 8: the loader's own half-open session does not block it", () => {
  it('a COMMIT whose reply is lost while the server keeps the session: the loader ends its stale session and goes on', async () => {
    const target = newTarget();
    const dir = newDir('halfopen');
    for (let f = 1; f <= 3; f++) writeAtomically(dir, `part-${f}.ndjson`, ndjsonLines(80 + f, 1000).join('\n') + '\n');
    // the reply of the third batch's COMMIT is lost: two batches (1,000 rows) are in before it
    const proxy = new LostCommitProxy(2);
    const port = await proxy.start();
    const o = options(target, dir, { connection: { ...TEST_DB, port }, maxBatchRows: 500, stableMs: 0 });
    try {
      const s = await streamLoad(o);
      expect(proxy.fired).toBe(1);
      expect(proxy.commitsBefore).toBe(2);
      expect(s.rowsLoaded + s.rowsRejected, o.lines.join("\n")).toBe(3000);
      expect(o.lines.some((l) => l.includes('"event":"retry"'))).toBe(true);
      expect(o.lines.some((l) => l.includes('ended its own stale session'))).toBe(true);
    } finally {
      await proxy.close();
    }
    await expectExactlyOnce(target, 3000);
    expect(await count(`SELECT COUNT(*) AS n FROM ${tbl(target)} WHERE event_id = CONCAT('e-', 80 + CAST(SUBSTRING(_source_file, 6, 1) AS UNSIGNED), '-', _source_line)`)).toBe(3000);
    // nothing of ours still holds the table's lock
    expect(await q(`SELECT IS_USED_LOCK(?) AS h`, [lockName(target)])).toEqual([{ h: null }]);
  }, 120_000);
});

describe('item 9: a UTF-8 BOM', () => {
  it('at the start of an NDJSON file is not part of the first line', async () => {
    const target = newTarget();
    const dir = newDir('bom');
    const lines = ndjsonLines(90, 1000);
    writeAtomically(dir, 'bom.ndjson', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(lines.join('\n') + '\n')]));
    const s = await streamLoad(options(target, dir));
    expect(s).toMatchObject({ rowsLoaded: 1000, rowsRejected: 0 });
    await expectExactlyOnce(target, 1000);
    expect(await q(`SELECT event_id AS e FROM ${tbl(target)} WHERE _source_line = 1`)).toEqual([{ e: makeEvent(90, 1).event_id }]);
  });

  it('at the start of a CSV file is not part of the header', async () => {
    const target = newTarget();
    const dir = newDir('bomcsv');
    const rows = ['event_id,event_type,event_ts,product_id'];
    for (let i = 1; i <= 1000; i++) rows.push(`e-${i},view,2026-01-01T00:00:00Z,P1`);
    writeAtomically(dir, 'bom.csv', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(rows.join('\n') + '\n')]));
    const s = await streamLoad(options(target, dir, { format: 'csv' }));
    expect(s).toMatchObject({ rowsLoaded: 1000, rowsRejected: 0 });
    expect(await count(`SELECT COUNT(*) AS n FROM ${tbl(target)} WHERE event_id = CONCAT('e-', _source_line - 1)`)).toBe(1000);
  });
});

describe('values the server changes', () => {
  it('a row the server would store changed (a warning even in strict mode) is quarantined with its file, line, column and value', async () => {
    const target = newTarget(SMALL_COLUMNS);
    const admin = await connect();
    try {
      await ensureBronzeTables(admin, target);
      // the table narrower than declared (e.g. altered by hand): only the server can tell
      await admin.query(`ALTER TABLE ${tbl(target)} MODIFY v varchar(3) NULL`);
    } finally {
      await admin.end();
    }
    const dir = newDir('warn');
    let text = '';
    for (let i = 1; i <= 1000; i++) text += JSON.stringify({ id: i, v: i === 500 ? 'abc   ' : i === 600 ? 'abcdef' : 'ok' }) + '\n';
    writeAtomically(dir, 'w.ndjson', text);
    const s = await streamLoad(options(target, dir));
    expect(s).toMatchObject({ rowsLoaded: 998, rowsRejected: 2 });
    await expectExactlyOnce(target, 1000);
    const rej = await q<{ l: number; reason: string }>(`SELECT _source_line AS l, reason FROM ${tbl(target, '__rejected')} ORDER BY l`);
    expect(rej.map((r) => r.l)).toEqual([500, 600]);
    expect(rej[0]!.reason).toMatch(/^bad_type: v = "abc   ": .*column 'v'/);
    expect(rej[1]!.reason).toMatch(/^bad_type: v = "abcdef": .*column 'v'/);
  });
});
