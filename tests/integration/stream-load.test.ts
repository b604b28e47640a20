import { appendFileSync, cpSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureBronzeTables } from '../../src/stream/ddl.js';
import { StreamLoadError } from '../../src/stream/stream-errors.js';
import { streamLoad } from '../../src/stream/stream-load.js';
import type { StreamLoadOptions, StreamTarget } from '../../src/stream/types.js';
import { CSV_HEADER, EVENT_COLUMNS, csvRow, makeEvent, ndjsonLines, writeAtomically } from '../fixtures/stream/events.js';
import { TEST_DB, connect, countRows as count, dropSchemas, queryRows as q, uniquePrefix } from '../helpers/db.js';

const prefix = uniquePrefix('stream');
const tmpRoot = mkdtempSync(join(tmpdir(), 'ft-stream-'));
let dbCounter = 0;

function newTarget(table = 'events'): StreamTarget {
  return { database: `${prefix}_b${++dbCounter}`, table, columns: EVENT_COLUMNS };
}

function newDir(name: string): string {
  const d = join(tmpRoot, `${name}-${++dbCounter}`);
  return d;
}

function options(target: StreamTarget, path: string, over: Partial<StreamLoadOptions> = {}): StreamLoadOptions & { lines: string[] } {
  const lines: string[] = [];
  return {
    connection: TEST_DB,
    target,
    path,
    format: 'ndjson',
    once: true,
    maxBatchRows: 1000,
    maxBatchBytes: 1 << 20,
    triggerIntervalMs: 50,
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

afterAll(async () => {
  await dropSchemas(prefix);
  rmSync(tmpRoot, { recursive: true, force: true });
});

describe('stream-load: NDJSON and CSV', () => {
  it('loads NDJSON files once, converts types, records provenance and checkpoints; a second run loads nothing', async () => {
    const target = newTarget();
    const dir = newDir('nd');
    writeAtomically(dir, 'events-001.ndjson', ndjsonLines(1, 2500).join('\n') + '\n');
    writeAtomically(dir, 'events-002.ndjson', ndjsonLines(2, 1200).join('\n')); // no trailing newline
    writeAtomically(dir, '.hidden.ndjson', ndjsonLines(3, 10).join('\n') + '\n');
    writeAtomically(dir, 'notes.txt', 'not an event file\n');

    const o = options(target, dir, { pattern: '*.ndjson' });
    const s = await streamLoad(o);
    expect(s).toMatchObject({ files: 2, rowsLoaded: 3700, rowsRejected: 0 });
    expect(s.batches).toBeGreaterThanOrEqual(4);
    expect(await count(`SELECT COUNT(*) AS n FROM ${tbl(target)}`)).toBe(3700);

    const e = makeEvent(1, 42);
    const [row] = await q<Record<string, string | number | null>>(`SELECT * FROM ${tbl(target)} WHERE event_id = ?`, [e.event_id]);
    expect(row).toMatchObject({
      event_type: e.event_type,
      event_ts: e.event_ts.replace('T', ' ').replace('Z', ''),
      product_id: e.product_id,
      price: e.price.toFixed(2),
      quantity: e.quantity,
      _source_file: 'events-001.ndjson',
      _source_line: 42,
    });
    expect(Number(row!._batch_id)).toBeGreaterThan(0);
    expect(row!._ingested_at).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
    expect(await count(`SELECT COUNT(*) AS n FROM ${tbl(target)} WHERE user_id IS NULL`)).toBeGreaterThan(0);

    const cps = await q<Record<string, unknown>>(`SELECT * FROM ${tbl(target, '__checkpoint')} ORDER BY source_file`);
    expect(cps.map((c) => [c.source_file, Number(c.completed), Number(c.lines_committed), Number(c.rows_loaded)])).toEqual([
      ['events-001.ndjson', 1, 2500, 2500],
      ['events-002.ndjson', 1, 1200, 1200],
    ]);
    expect(Number(cps[0]!.bytes_committed)).toBe(Number(cps[0]!.file_size));

    // the declared columns are NULLable; provenance columns and the key are there
    const cols = await q<{ c: string; n: string }>(
      'SELECT column_name AS c, is_nullable AS n FROM information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position',
      [target.database, target.table],
    );
    expect(cols.map((c) => c.c)).toEqual([...EVENT_COLUMNS.map((c) => c.name), '_ingested_at', '_source_file', '_source_line', '_batch_id']);
    expect(cols.slice(0, EVENT_COLUMNS.length).every((c) => c.n === 'YES')).toBe(true);

    const again = await streamLoad(options(target, dir, { pattern: '*.ndjson' }));
    expect(again).toMatchObject({ files: 0, rowsLoaded: 0, rowsRejected: 0, batches: 0 });
    expect(await count(`SELECT COUNT(*) AS n FROM ${tbl(target)}`)).toBe(3700);

    // a file appended to after it was loaded: only the new lines are loaded
    appendFileSync(join(dir, 'events-001.ndjson'), ndjsonLines(1, 30, 2501).join('\n') + '\n');
    const grown = await streamLoad(options(target, dir, { pattern: '*.ndjson', stableMs: 0 }));
    expect(grown.rowsLoaded).toBe(30);
    expect(await count(`SELECT COUNT(DISTINCT event_id) AS n FROM ${tbl(target)}`)).toBe(3730);
    const logs = o.lines.map((l) => JSON.parse(l) as { event: string });
    expect(logs.some((l) => l.event === 'summary')).toBe(true);
  });

  it('loads CSV: header mapping, RFC 4180 quoting, empty field = NULL, CRLF, BOM', async () => {
    const target = newTarget();
    const dir = newDir('csv');
    const e1 = makeEvent(5, 1);
    const rows = [
      // columns in another order than declared, plus an undeclared column
      '\ufeffevent_type,event_id,extra,event_ts,user_id,product_id,category,price,quantity',
      `view,a-1,x,2026-11-24T10:15:02.123Z,,P1,"home, garden",12.5,3`,
      `purchase,a-2,"y ""quoted""",2026-11-24 10:15:03,"u-""2""",P2,"multi\nline",0.99,1`,
      `view,a-3,,2026-11-24T12:15:03.5+02:00,"",P3,,,`,
      `${e1.event_type},${e1.event_id},,${e1.event_ts},${e1.user_id ?? ''},${e1.product_id},${e1.category},${e1.price},${e1.quantity}`,
    ];
    writeAtomically(dir, 'batch.csv', rows.join('\r\n') + '\r\n');
    const s = await streamLoad(options(target, dir, { format: 'csv' }));
    expect(s).toMatchObject({ files: 1, rowsLoaded: 4, rowsRejected: 0 });
    const got = await q<Record<string, unknown>>(`SELECT event_id, event_type, event_ts, user_id, product_id, category, price, quantity, _source_line FROM ${tbl(target)} ORDER BY _source_line`);
    expect(got).toEqual([
      { event_id: 'a-1', event_type: 'view', event_ts: '2026-11-24 10:15:02.123', user_id: null, product_id: 'P1', category: 'home, garden', price: '12.50', quantity: 3, _source_line: 2 },
      { event_id: 'a-2', event_type: 'purchase', event_ts: '2026-11-24 10:15:03.000', user_id: 'u-"2"', product_id: 'P2', category: 'multi\nline', price: '0.99', quantity: 1, _source_line: 3 },
      { event_id: 'a-3', event_type: 'view', event_ts: '2026-11-24 10:15:03.500', user_id: '', product_id: 'P3', category: null, price: null, quantity: null, _source_line: 5 },
      { event_id: e1.event_id, event_type: e1.event_type, event_ts: e1.event_ts.replace('T', ' ').replace('Z', ''), user_id: e1.user_id, product_id: e1.product_id, category: e1.category, price: e1.price.toFixed(2), quantity: e1.quantity, _source_line: 6 },
    ]);
    const [cp] = await q<Record<string, unknown>>(`SELECT lines_committed, completed FROM ${tbl(target, '__checkpoint')}`);
    expect(cp).toEqual({ lines_committed: 6, completed: 1 });
  });

  it('loads from stdin (no restart guarantee: each run is its own source)', async () => {
    const target = newTarget();
    const input = Readable.from([ndjsonLines(9, 1500).join('\n') + '\n', '{"event_id":', '"tail","event_type":"view","event_ts":"2026-11-24T00:00:00Z","product_id":"P"}\n']);
    const s = await streamLoad(options(target, '-', { stdin: input, once: false, maxBatchRows: 400 }));
    expect(s).toMatchObject({ rowsLoaded: 1501, rowsRejected: 0, files: 1 });
    const files = await q<{ f: string; n: number }>(`SELECT _source_file AS f, COUNT(*) AS n FROM ${tbl(target)} GROUP BY _source_file`);
    expect(files).toHaveLength(1);
    expect(files[0]!.f).toMatch(/^stdin:/);
    expect(await count(`SELECT COUNT(*) AS n FROM ${tbl(target)} WHERE event_id = 'tail' AND _source_line = 1501`)).toBe(1);
  });
});

describe('stream-load: bad records go to quarantine with their reason', () => {
  it('NDJSON: every kind of bad line, bronze + rejected = lines', async () => {
    const target = newTarget();
    const dir = newDir('bad');
    const good = (id: string, over: Record<string, unknown> = {}) => JSON.stringify({ ...makeEvent(7, 1), event_id: id, ...over });
    const { event_id: _omit, ...noId } = makeEvent(7, 2);
    const lines: Array<string | Buffer> = [
      good('ok-1'),
      '{"event_id": "broken", ',
      '[1,2,3]',
      '42',
      JSON.stringify(noId),
      good('null-type', { event_type: null }),
      good('empty-ts', { event_ts: '' }),
      good('bad-price', { price: 'abc' }),
      good('bad-ts', { event_ts: 'yesterday' }),
      good('bad-date', { event_ts: '2026-02-30T10:00:00Z' }),
      good('bad-qty', { quantity: 1.5 }),
      good('big-qty', { quantity: 3_000_000_000 }),
      good('long-type', { event_type: 'x'.repeat(33) }),
      good('obj-cat', { category: { nested: true } }),
      good('x'.repeat(400)), // over maxLineBytes
      '',
      '   ',
      good('ok-2', { category: 'Électronique 📱', price: '7', quantity: '2', event_ts: '2026-11-24T10:15:02.123456789+01:00' }),
      Buffer.concat([Buffer.from('{"event_id":"bin-'), Buffer.from([0xff, 0xfe]), Buffer.from('","event_type":"view"}')]),
      good('ok-3', { unknown_field: [1, 2], price: 1e2 }),
    ];
    const content = Buffer.concat(lines.map((l) => Buffer.concat([Buffer.isBuffer(l) ? l : Buffer.from(l), Buffer.from('\n')])));
    writeAtomically(dir, 'bad.ndjson', content);
    const s = await streamLoad(options(target, dir, { maxLineBytes: 300, maxBatchRows: 7 }));

    const nonBlank = lines.filter((l) => (Buffer.isBuffer(l) ? l.length > 0 : l.trim() !== '')).length;
    expect(s.rowsLoaded + s.rowsRejected).toBe(nonBlank);
    expect(await count(`SELECT COUNT(*) AS n FROM ${tbl(target)}`)).toBe(3);
    expect(await count(`SELECT COUNT(*) AS n FROM ${tbl(target, '__rejected')}`)).toBe(nonBlank - 3);

    const rej = await q<{ line: number; reason: string; raw: string }>(`SELECT _source_line AS line, reason, raw_line AS raw FROM ${tbl(target, '__rejected')} ORDER BY _source_line`);
    const byLine = new Map(rej.map((r) => [r.line, r]));
    expect(byLine.get(2)!.reason).toMatch(/^malformed_json: /);
    expect(byLine.get(2)!.raw).toBe('{"event_id": "broken", ');
    expect(byLine.get(3)!.reason).toBe('malformed_json: expected a JSON object, got an array');
    expect(byLine.get(4)!.reason).toBe('malformed_json: expected a JSON object, got a number');
    expect(byLine.get(5)!.reason).toBe('missing_required: event_id');
    expect(byLine.get(6)!.reason).toBe('missing_required: event_type');
    expect(byLine.get(7)!.reason).toBe('missing_required: event_ts');
    expect(byLine.get(8)!.reason).toBe('bad_type: price expects decimal(12,2), got "abc"');
    expect(byLine.get(9)!.reason).toBe('bad_type: event_ts expects datetime(3), got "yesterday"');
    expect(byLine.get(10)!.reason).toMatch(/^bad_type: event_ts expects datetime\(3\)/);
    expect(byLine.get(11)!.reason).toBe('bad_type: quantity expects int, got 1.5');
    expect(byLine.get(12)!.reason).toMatch(/^bad_type: quantity expects int/);
    expect(byLine.get(13)!.reason).toMatch(/^bad_type: event_type expects varchar\(32\)/);
    expect(byLine.get(14)!.reason).toMatch(/^bad_type: category expects varchar\(64\)/);
    expect(byLine.get(15)!.reason).toMatch(/^line_too_long: \d+ bytes, max_line_bytes is 300$/);
    expect(Buffer.byteLength(byLine.get(15)!.raw)).toBe(300);
    expect(byLine.get(19)!.reason).toBe('bad_encoding: the line is not valid UTF-8');
    expect(byLine.has(16) || byLine.has(17)).toBe(false); // blank lines are not records

    const ok = await q<Record<string, unknown>>(`SELECT event_id, category, price, quantity, event_ts, _source_line FROM ${tbl(target)} ORDER BY _source_line`);
    expect(ok.map((r) => r.event_id)).toEqual(['ok-1', 'ok-2', 'ok-3']);
    expect(ok[1]).toMatchObject({ category: 'Électronique 📱', price: '7.00', quantity: 2, event_ts: '2026-11-24 09:15:02.123', _source_line: 18 });
    expect(ok[2]).toMatchObject({ price: '100.00' });
    const [cp] = await q<Record<string, unknown>>(`SELECT rows_loaded, rows_rejected, lines_committed FROM ${tbl(target, '__checkpoint')}`);
    expect(cp).toEqual({ rows_loaded: 3, rows_rejected: nonBlank - 3, lines_committed: lines.length });
  });

  it('CSV: malformed records and bad values are quarantined', async () => {
    const target = newTarget();
    const dir = newDir('badcsv');
    const lines = [
      CSV_HEADER,
      csvRow(makeEvent(8, 1)),
      'a,view,2026-11-24T00:00:00Z,u,P1,home,1.00', // 7 fields
      'b,view,2026-11-24T00:00:00Z,u,P1,ho"me,1.00,1',
      'c,view,2026-11-24T00:00:00Z,u,P1,"home"x,1.00,1',
      ',view,2026-11-24T00:00:00Z,u,P1,home,1.00,1',
      'd,view,2026-11-24T00:00:00Z,u,,home,1.00,1',
      'e,view,2026-13-24T00:00:00Z,u,P1,home,1.00,1',
      'f,view,2026-11-24T00:00:00Z,u,P1,home,12.3.4,1',
      'g,view,2026-11-24T00:00:00Z,u,P1,home,1.00,two',
      csvRow(makeEvent(8, 2)),
      'h,view,2026-11-24T00:00:00Z,u,P1,"never closed,1.00,1',
    ];
    writeAtomically(dir, 'bad.csv', lines.join('\n') + '\n');
    const s = await streamLoad(options(target, dir, { format: 'csv' }));
    expect(s).toMatchObject({ rowsLoaded: 2, rowsRejected: 9 });
    const rej = await q<{ line: number; reason: string }>(`SELECT _source_line AS line, reason FROM ${tbl(target, '__rejected')} ORDER BY _source_line`);
    expect(rej).toEqual([
      { line: 3, reason: 'malformed_csv: expected 8 fields (as in the header), got 7' },
      { line: 4, reason: 'malformed_csv: quote inside unquoted field 6' },
      { line: 5, reason: 'malformed_csv: unexpected character after closing quote in field 6' },
      { line: 6, reason: 'missing_required: event_id' },
      { line: 7, reason: 'missing_required: product_id' },
      { line: 8, reason: 'bad_type: event_ts expects datetime(3), got "2026-13-24T00:00:00Z"' },
      { line: 9, reason: 'bad_type: price expects decimal(12,2), got "12.3.4"' },
      { line: 10, reason: 'bad_type: quantity expects int, got "two"' },
      { line: 12, reason: 'malformed_csv: unterminated quoted field' },
    ]);
  });
});

describe('stream-load: values only the server can judge', () => {
  it('a LOAD DATA warning makes the batch redo with strict INSERTs; refused rows are quarantined with their raw line', async () => {
    const target = { ...newTarget(), columns: [...EVENT_COLUMNS, { name: 'flags', dataType: 'bit(2)', required: false }] };
    const dir = newDir('srv');
    const lines = [JSON.stringify({ ...makeEvent(60, 1) }), JSON.stringify({ ...makeEvent(60, 2), flags: 'zz' }), JSON.stringify({ ...makeEvent(60, 3) })];
    writeAtomically(dir, 'x.ndjson', lines.join('\n') + '\n');
    const o = options(target, dir);
    const s = await streamLoad(o);
    expect(s).toMatchObject({ rowsLoaded: 2, rowsRejected: 1 });
    expect(o.lines.some((l) => l.includes('redoing this batch with INSERTs'))).toBe(true);
    const rej = await q<{ line: number; reason: string; raw: string }>(`SELECT _source_line AS line, reason, raw_line AS raw FROM ${tbl(target, '__rejected')}`);
    expect(rej).toEqual([{ line: 2, reason: expect.stringMatching(/^bad_type: .*flags/), raw: lines[1] }]);
    expect(await count(`SELECT COUNT(*) AS n FROM ${tbl(target)}`)).toBe(2);
    const [cp] = await q<Record<string, unknown>>(`SELECT rows_loaded, rows_rejected FROM ${tbl(target, '__checkpoint')}`);
    expect(cp).toEqual({ rows_loaded: 2, rows_rejected: 1 });
  });
});

describe('stream-load: landing directory semantics', () => {
  it('does not read temporary or still-growing files until they are complete', async () => {
    const target = newTarget();
    const dir = newDir('grow');
    const ac = new AbortController();
    // stable = unchanged for 1.5 s; the writer below appends every 50 ms, far more often
    const o = options(target, dir, { once: false, stableMs: 1500, triggerIntervalMs: 50, signal: ac.signal });
    writeAtomically(dir, 'seed.ndjson', ndjsonLines(20, 5).join('\n') + '\n');
    const run = streamLoad(o);
    await waitFor(async () => (await count(`SELECT COUNT(*) AS n FROM ${tbl(target)}`)) === 5, 10_000);
    // a file being written under a temporary name
    const tmp = join(dir, 'part-1.ndjson.tmp');
    writeFileSync(tmp, ndjsonLines(21, 100).join('\n') + '\n');
    // a file growing in place
    const growing = join(dir, 'growing.ndjson');
    let written = 0;
    let writing = true;
    const writer = (async () => {
      for (let i = 0; i < 24; i++) {
        appendFileSync(growing, ndjsonLines(22, 25, written + 1).join('\n') + '\n');
        written += 25;
        await new Promise((r) => setTimeout(r, 50));
      }
      writing = false;
    })();
    while (writing) {
      expect(await count(`SELECT COUNT(*) AS n FROM ${tbl(target)} WHERE _source_file <> 'seed.ndjson'`)).toBe(0);
      await new Promise((r) => setTimeout(r, 100));
    }
    await writer;
    await waitFor(async () => (await count(`SELECT COUNT(*) AS n FROM ${tbl(target)} WHERE _source_file = 'growing.ndjson'`)) === written, 10_000);
    expect(await count(`SELECT COUNT(*) AS n FROM ${tbl(target)} WHERE _source_file = 'part-1.ndjson'`)).toBe(0);
    const { renameSync } = await import('node:fs');
    renameSync(tmp, join(dir, 'part-1.ndjson'));
    await waitFor(async () => (await count(`SELECT COUNT(*) AS n FROM ${tbl(target)} WHERE _source_file = 'part-1.ndjson'`)) === 100, 10_000);
    ac.abort();
    const s = await run;
    expect(s.rowsLoaded).toBe(5 + written + 100);
    expect(await count(`SELECT COUNT(*) AS n FROM ${tbl(target)}`)).toBe(5 + written + 100);
    expect(await count(`SELECT COUNT(DISTINCT event_id) AS n FROM ${tbl(target)}`)).toBe(5 + written + 100);
  });

  it('--once does not wait forever for a file that keeps changing: it loads the rest, warns and leaves that file for the next run', async () => {
    const target = newTarget();
    const dir = newDir('unsettled');
    writeAtomically(dir, 'done.ndjson', ndjsonLines(23, 7).join('\n') + '\n');
    const growing = join(dir, 'busy.ndjson');
    let stop = false;
    let written = 0;
    // appended every 40 ms, so never unchanged for stableMs (100 ms)
    const writer = (async () => {
      while (!stop) {
        appendFileSync(growing, ndjsonLines(24, 5, written + 1).join('\n') + '\n');
        written += 5;
        await new Promise((r) => setTimeout(r, 40));
      }
    })();
    const o = options(target, dir);
    try {
      const s = await streamLoad(o);
      expect(s.rowsLoaded).toBe(7);
    } finally {
      stop = true;
      await writer;
    }
    expect(await count(`SELECT COUNT(*) AS n FROM ${tbl(target)} WHERE _source_file = 'busy.ndjson'`)).toBe(0);
    const warning = o.lines.find((l) => l.includes('"event":"unsettled"'));
    expect(warning, o.lines.join('\n')).toBeDefined();
    expect(warning).toContain('busy.ndjson');
    expect(warning).toContain('rename them when complete');
    // once it has settled, the next run loads it whole
    const next = await streamLoad(options(target, dir));
    expect(next.rowsLoaded).toBe(written);
  }, 60_000);

  it('archives loaded files; a restart after archiving (or a copy dropped again) loads nothing twice', async () => {
    const target = newTarget();
    const dir = newDir('arch');
    writeAtomically(dir, 'a.ndjson', ndjsonLines(30, 800).join('\n') + '\n');
    writeAtomically(dir, 'b.ndjson', ndjsonLines(31, 700).join('\n') + '\n');
    // first run without cleaning, then one that archives: the files are recognised, not reloaded
    expect((await streamLoad(options(target, dir))).rowsLoaded).toBe(1500);
    const s2 = await streamLoad(options(target, dir, { cleanSource: 'archive' }));
    expect(s2.rowsLoaded).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['_archive']);
    expect(readdirSync(join(dir, '_archive')).sort()).toEqual(['a.ndjson', 'b.ndjson']);

    writeAtomically(dir, 'c.ndjson', ndjsonLines(32, 300).join('\n') + '\n');
    const s3 = await streamLoad(options(target, dir, { cleanSource: 'archive' }));
    expect(s3).toMatchObject({ rowsLoaded: 300, files: 1 });
    // the producer re-sends an archived file under a new name, and the same name again
    cpSync(join(dir, '_archive', 'a.ndjson'), join(dir, 'a-resent.ndjson'));
    cpSync(join(dir, '_archive', 'c.ndjson'), join(dir, 'c.ndjson'));
    const o4 = options(target, dir, { cleanSource: 'archive' });
    const s4 = await streamLoad(o4);
    expect(s4.rowsLoaded).toBe(0);
    expect(o4.lines.filter((l) => l.includes('"event":"skip"'))).toHaveLength(2);
    expect(existsSync(join(dir, '_archive', 'c.ndjson.1'))).toBe(true);
    expect(await count(`SELECT COUNT(*) AS n FROM ${tbl(target)}`)).toBe(1800);

    // delete mode
    writeAtomically(dir, 'd.ndjson', ndjsonLines(33, 10).join('\n') + '\n');
    expect((await streamLoad(options(target, dir, { cleanSource: 'delete' }))).rowsLoaded).toBe(10);
    expect(existsSync(join(dir, 'd.ndjson'))).toBe(false);
  });

  it('two different files with the same name both load (the second gets a distinct _source_file)', async () => {
    const target = newTarget();
    const dir = newDir('same');
    writeAtomically(dir, 'x.ndjson', ndjsonLines(40, 20).join('\n') + '\n');
    await streamLoad(options(target, dir, { cleanSource: 'archive' }));
    writeAtomically(dir, 'x.ndjson', ndjsonLines(41, 30).join('\n') + '\n');
    const s = await streamLoad(options(target, dir, { cleanSource: 'archive' }));
    expect(s.rowsLoaded).toBe(30);
    const files = await q<{ f: string }>(`SELECT DISTINCT _source_file AS f FROM ${tbl(target)} ORDER BY f`);
    expect(files.map((f) => f.f)).toEqual(['x.ndjson', expect.stringMatching(/^x\.ndjson#[0-9a-f]{12}$/)]);
  });
});

describe('stream-load: one loader per table', () => {
  it('a second loader on the same table waits for the first (and stops cleanly when asked)', async () => {
    const target = newTarget();
    const dir = newDir('lock');
    writeAtomically(dir, 'a.ndjson', ndjsonLines(50, 100).join('\n') + '\n');
    const acA = new AbortController();
    const a = streamLoad(options(target, dir, { once: false, signal: acA.signal }));
    await waitFor(async () => (await count(`SELECT COUNT(*) AS n FROM ${tbl(target)}`)) === 100, 10_000);
    const acB = new AbortController();
    const oB = options(target, dir, { once: false, signal: acB.signal });
    const b = streamLoad(oB);
    await waitFor(async () => oB.lines.some((l) => l.includes('another stream-load holds')), 10_000);
    acB.abort();
    expect(await b).toMatchObject({ rowsLoaded: 0, batches: 0 });
    acA.abort();
    expect(await a).toMatchObject({ rowsLoaded: 100, files: 1 });
  });
});

describe('stream-load: declarations and errors', () => {
  it('creates the bronze, quarantine and checkpoint tables; adds newly declared columns', async () => {
    const target = newTarget('orders');
    const c = await connect();
    try {
      const first = await ensureBronzeTables(c, target);
      expect(first.created).toEqual(['orders', 'orders__rejected', 'orders__checkpoint']);
      const more = { ...target, columns: [...target.columns, { name: 'coupon', dataType: 'varchar(16)', required: false }] };
      const second = await ensureBronzeTables(c, more);
      expect(second).toEqual({ created: [], addedColumns: ['coupon'] });
      const [keys] = await c.query('SELECT column_name AS c FROM information_schema.statistics WHERE table_schema = ? AND table_name = ? AND index_name = ? ORDER BY seq_in_index', [target.database, 'orders', 'PRIMARY']);
      expect((keys as Array<{ c: string }>).map((k) => k.c)).toEqual(['_source_file', '_source_line']);
    } finally {
      await c.end();
    }
  });

  it('rejects bad declarations and a missing directory with clear messages', async () => {
    const bad = { ...newTarget(), columns: [{ name: 'x', dataType: 'int; DROP TABLE y', required: false }] };
    await expect(streamLoad(options(bad, tmpRoot))).rejects.toThrow(/data_type "int; DROP TABLE y" is not a MySQL column type/);
    const clash = { ...newTarget(), columns: [{ name: '_source_file', dataType: 'text', required: false }] };
    await expect(streamLoad(options(clash, tmpRoot))).rejects.toThrow(/clashes with a column ft adds/);
    await expect(streamLoad(options(newTarget(), join(tmpRoot, 'nope')))).rejects.toBeInstanceOf(StreamLoadError);
    await expect(streamLoad(options(newTarget(), join(tmpRoot, 'nope')))).rejects.toThrow(/landing directory .* does not exist/);
    await expect(streamLoad(options(newTarget(), tmpRoot, { connection: { ...TEST_DB, port: 1 } }))).rejects.toThrow(/cannot reach the database at 127\.0\.0\.1:1/);
    await expect(streamLoad(options(newTarget(), tmpRoot, { connection: { ...TEST_DB, user: 'ft_no_such_user', password: 'secret-pw' } }))).rejects.toThrow(/Access denied/);
    await expect(streamLoad(options(newTarget(), tmpRoot, { connection: { ...TEST_DB, user: 'ft_no_such_user', password: 'secret-pw' } }))).rejects.not.toThrow(/secret-pw/);
  });
});

async function waitFor(cond: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await cond()) return;
    } catch {
      /* table not there yet */
    }
    if (Date.now() > until) throw new Error('timed out waiting for a condition');
    await new Promise((r) => setTimeout(r, 50));
  }
}
