import mysql, { type Connection } from 'mysql2/promise';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Batch, BatchSegment } from '../../src/stream/batch.js';
import { BatchWriter } from '../../src/stream/batch-writer.js';
import { ensureBronzeTables } from '../../src/stream/ddl.js';
import { CheckpointConflictError, PredecessorFailedError, StreamLoadError, isTransientDbError } from '../../src/stream/stream-errors.js';
import { openStreamConnection } from '../../src/stream/stream-connection.js';
import type { StreamTarget } from '../../src/stream/types.js';
import { TEST_DB, connect, dropSchemas, uniquePrefix } from '../helpers/db.js';
import { createProject, REPO_ROOT, type TestProject } from '../helpers/project-builder.js';

/** ft with every connection lacking the LOCAL INFILE capability: the server refuses LOAD DATA LOCAL (see the file). */
const NO_LOCAL_INFILE = { NODE_OPTIONS: `--import ${join(REPO_ROOT, 'tests', 'helpers', 'no-local-infile.mjs')}` };

/**
 * The batch writer's refusals: a checkpoint that moved under the loader (another writer, or a
 * commit whose outcome was lost) and a bronze row the checkpoint does not account for roll the
 * whole batch back — rows, rejects and checkpoint — with the error the loader acts on; a server
 * refusing LOAD DATA LOCAL INFILE loads the batch with INSERTs.
 */
describe('stream batch writer failure paths', { timeout: 120_000 }, () => {
  let prefix = '';
  const conns: Connection[] = [];
  let p: TestProject | undefined;
  afterEach(async () => {
    for (const c of conns.splice(0)) await c.end().catch(() => undefined);
    if (prefix) await dropSchemas(prefix);
    prefix = '';
    await p?.cleanup();
    p = undefined;
  });

  const target = async (): Promise<StreamTarget> => {
    prefix = uniquePrefix('streamfail');
    const t: StreamTarget = {
      database: prefix,
      table: 'events',
      columns: [
        { name: 'id', dataType: 'int', required: true },
        { name: 'v', dataType: 'varchar(10)', required: false },
      ],
    };
    const c = await connect();
    try {
      await c.query(`CREATE DATABASE \`${prefix}\``);
      await ensureBronzeTables(c, t);
    } finally {
      await c.end();
    }
    return t;
  };

  /** a writer on its own connection; `infile: false` opens it without the LOCAL INFILE capability */
  const writer = async (t: StreamTarget, infile = true): Promise<{ w: BatchWriter; log: string[] }> => {
    let conn: Connection;
    if (infile) conn = await openStreamConnection(TEST_DB);
    else {
      conn = await mysql.createConnection({ ...TEST_DB, flags: ['-LOCAL_FILES'], dateStrings: true });
      await conn.query("SET time_zone = '+00:00', sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'");
    }
    conns.push(conn);
    const log: string[] = [];
    const w = new BatchWriter(conn, t, { format: 'ndjson', maxLineBytes: 1 << 20, log: (kind, message) => log.push(`${kind}: ${message}`) });
    return { w, log };
  };

  /** lines [first, last] of file f.ndjson, 10 bytes a line, as one batch segment */
  const batch = (first: number, last: number, seg: Partial<BatchSegment> = {}): Batch => {
    const lines = Array.from({ length: last - first + 1 }, (_, i) => first + i);
    return {
      chunks: [Buffer.from(lines.map((l) => `${l}\tv${l}\tf.ndjson\t${l}\n`).join(''))],
      rows: lines.length,
      rejects: [],
      bytes: lines.length * 10,
      full: false,
      segments: [
        {
          fileId: 'a'.repeat(64),
          insert: first === 1,
          headId: 'b'.repeat(64),
          headLen: 10,
          contentHash: 'c'.repeat(64),
          sourceFile: 'f.ndjson',
          sourcePath: '/landing/f.ndjson',
          fileSize: 100,
          startOffset: (first - 1) * 10,
          endOffset: last * 10,
          startLines: first - 1,
          endLines: last,
          rows: lines.length,
          rejected: 0,
          completes: false,
          parks: false,
          ref: {},
          ...seg,
        },
      ],
    };
  };

  const state = async (t: StreamTarget) => {
    const c = await connect();
    try {
      const [bronze] = await c.query(`SELECT id, _source_line AS line, _batch_id AS b FROM \`${t.database}\`.events ORDER BY id`);
      const [cp] = await c.query(`SELECT bytes_committed AS bytes, lines_committed AS ln, rows_loaded AS n, last_batch_id AS b FROM \`${t.database}\`.events__checkpoint`);
      const [rej] = await c.query(`SELECT COUNT(*) AS n FROM \`${t.database}\`.events__rejected`);
      return { bronze, checkpoint: cp, rejected: Number((rej as Array<{ n: number }>)[0]!.n) };
    } finally {
      await c.end();
    }
  };

  it('a checkpoint that moved past where the batch starts: CheckpointConflictError, the batch rolled back, resumable', async () => {
    const t = await target();
    const { w } = await writer(t);
    expect(await w.commit(batch(1, 2), 1)).toEqual({ batchId: 1, rowsLoaded: 2, rowsRejected: 0 });
    // another writer committed lines 3-4 meanwhile
    const other = await writer(t);
    await other.w.commit(batch(3, 4), 2);
    const before = await state(t);
    // this loader still thinks the file is at byte 20
    const err = await w.commit(batch(3, 5), 2).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckpointConflictError);
    expect((err as Error).message).toBe('checkpoint of f.ndjson moved: another writer committed these lines');
    expect(isTransientDbError(err)).toBe(true); // the loader drops its state and resumes from the checkpoint
    expect(await state(t)).toEqual(before);
    expect(before.checkpoint).toEqual([{ bytes: 40, ln: 4, n: 4, b: 2 }]);
    // lines not loaded by anyone, planned from the stale position: the guarded UPDATE finds no row
    const stale = await w.commit(batch(5, 6, { startOffset: 20, startLines: 2 }), 2).catch((e: unknown) => e);
    expect(stale).toBeInstanceOf(CheckpointConflictError);
    expect((stale as Error).message).toBe('checkpoint of f.ndjson is not at byte 20 any more');
    expect(await state(t)).toEqual(before);
    // resuming from what the checkpoint says works
    await w.commit(batch(5, 5), 3);
    expect((await state(t)).checkpoint).toEqual([{ bytes: 50, ln: 5, n: 5, b: 3 }]);
  });

  it('two writers overlapping: the second loads its rows while the first commits, and commits after it, in id order', async () => {
    const t = await target();
    const a = await writer(t);
    const b = await writer(t);
    // the first batch's commit is held back until the second has loaded its rows and waits
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const first = a.w.commit(batch(1, 2), 1, gate);
    const second = b.w.commit(batch(3, 4), 2, first);
    // the second's rows are in bronze, uncommitted (its transaction waits for the first)
    const c = await connect();
    conns.push(c);
    await c.query('SET SESSION TRANSACTION ISOLATION LEVEL READ UNCOMMITTED');
    for (let i = 0; i < 200; i++) {
      const [r] = await c.query(`SELECT COUNT(*) AS n FROM \`${t.database}\`.events`);
      if (Number((r as Array<{ n: number }>)[0]!.n) === 4) break;
      await new Promise((res) => setTimeout(res, 50));
    }
    expect((await state(t)).checkpoint).toEqual([]);
    release();
    expect(await first).toEqual({ batchId: 1, rowsLoaded: 2, rowsRejected: 0 });
    expect(await second).toEqual({ batchId: 2, rowsLoaded: 2, rowsRejected: 0 });
    const s = await state(t);
    expect(s.bronze).toEqual([1, 2, 3, 4].map((id) => ({ id, line: id, b: id <= 2 ? 1 : 2 })));
    expect(s.checkpoint).toEqual([{ bytes: 40, ln: 4, n: 4, b: 2 }]);
  });

  it('the batch before failed: the one after it rolls back (rows loaded meanwhile included), and a retry from the checkpoint loads both once', async () => {
    const t = await target();
    const a = await writer(t);
    const b = await writer(t);
    // the first batch collides with a checkpoint someone else registered: it fails
    const other = await writer(t);
    await other.w.commit(batch(1, 1), 1);
    const before = await state(t);
    const first = a.w.commit(batch(1, 2), 2);
    const second = b.w.commit(batch(3, 4), 3, first);
    expect(await first.catch((e: unknown) => e)).toBeInstanceOf(CheckpointConflictError);
    const err = await second.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PredecessorFailedError);
    expect((err as Error).message).toBe('batch 3 rolled back: batch 2 before it did not commit');
    expect(isTransientDbError(err)).toBe(true);
    expect(await state(t)).toEqual(before);
    // resumed from the checkpoint (line 1 is in): lines 2-4 once
    await a.w.commit(batch(2, 4), 2);
    const s = await state(t);
    expect(s.bronze).toEqual([1, 2, 3, 4].map((id) => ({ id, line: id, b: id === 1 ? 1 : 2 })));
    expect(s.checkpoint).toEqual([{ bytes: 40, ln: 4, n: 4, b: 2 }]);
  });

  it('a file registered by someone else in between (first checkpoint INSERT collides): CheckpointConflictError, rolled back', async () => {
    const t = await target();
    const a = await writer(t);
    const b = await writer(t);
    await a.w.commit(batch(1, 2), 1);
    const before = await state(t);
    // b planned the same file as new, with other lines
    const err = await b.w.commit(batch(3, 4, { insert: true }), 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckpointConflictError);
    expect((err as Error).message).toBe('checkpoint of f.ndjson was registered by someone else');
    expect(await state(t)).toEqual(before);
  });

  for (const infile of [true, false]) {
    it(`bronze already holding the batch's rows while the checkpoint does not (${infile ? 'LOAD DATA' : 'INSERT'} path): a StreamLoadError saying how to reload, nothing written`, async () => {
      const t = await target();
      const { w } = await writer(t, infile);
      await w.commit(batch(1, 3), 1);
      // the checkpoint row was deleted by hand: the file looks new, its rows are still there
      const c = await connect();
      await c.query(`DELETE FROM \`${t.database}\`.events__checkpoint`);
      await c.end();
      const before = await state(t);
      const again = await writer(t, infile);
      const err = await again.w.commit(batch(1, 3), 2).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StreamLoadError);
      expect(isTransientDbError(err)).toBe(false); // retrying cannot help: the run stops with the message
      expect((err as Error).message).toMatch(/^bronze already holds a row this batch loads \(.*Duplicate entry.*\), yet the checkpoint does not account for it: was the checkpoint table edited or truncated\? To reload a file, delete its rows from the bronze and __rejected tables and its checkpoint row together\.$/);
      expect(await state(t)).toEqual(before);
    });
  }

  it('a connection without LOCAL INFILE: the writer warns once and loads with INSERTs, exactly the rows and checkpoint of LOAD DATA', async () => {
    const t = await target();
    const { w, log } = await writer(t, false);
    await w.commit(batch(1, 2), 1);
    await w.commit(batch(3, 4), 2);
    expect(log.filter((l) => /refuses LOAD DATA LOCAL INFILE/.test(l))).toHaveLength(1);
    expect(log[0]).toMatch(/^warn: the server refuses LOAD DATA LOCAL INFILE \(.*local infile.*\); loading with multi-row INSERTs from now on/);
    const s = await state(t);
    expect(s.bronze).toEqual([1, 2, 3, 4].map((id) => ({ id, line: id, b: id <= 2 ? 1 : 2 })));
    expect(s.checkpoint).toEqual([{ bytes: 40, ln: 4, n: 4, b: 2 }]);
  });

  it('ft stream-load --once on a server refusing LOCAL INFILE: loads every line once with INSERTs, warns, exit 0; a second run loads nothing', async () => {
    p = await createProject({
      label: 'streamnoinfile',
      yaml: {
        'sources.yml': [
          'sources:',
          '  - name: bronze',
          '    schema: "{{target.database}}_bronze"',
          '    tables:',
          '      - name: events',
          '        loader: {path: landing, format: ndjson}',
          '        columns:',
          '          - {name: id, data_type: int, required: true}',
          '          - {name: v, data_type: varchar(10)}',
          '',
        ].join('\n'),
      },
      files: {
        'landing/a.ndjson': Array.from({ length: 30 }, (_, i) => JSON.stringify({ id: i + 1, v: `a${i + 1}` })).join('\n') + '\n',
        'landing/b.ndjson': '{"id": 31, "v": "b"}\n{"id": "x"}\n',
      },
    });
    const r = await p.ft(['stream-load', '--once', '--max-batch-rows', '7'], { env: NO_LOCAL_INFILE });
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/the server refuses LOAD DATA LOCAL INFILE/);
    const rows = await p.query<{ id: number; n: number }>(`select id, count(*) as n from ${p.rel('events', 'bronze')} group by id order by id`);
    expect(rows).toEqual(Array.from({ length: 31 }, (_, i) => ({ id: i + 1, n: 1 })));
    expect(await p.query(`select _source_file as f, _source_line as l from ${p.rel('events__rejected', 'bronze')}`)).toEqual([{ f: 'b.ndjson', l: 2 }]);
    const again = await p.ft(['stream-load', '--once'], { env: NO_LOCAL_INFILE });
    expect(again.code, again.output).toBe(0);
    expect(Number((await p.query<{ n: number }>(`select count(*) as n from ${p.rel('events', 'bronze')}`))[0]!.n)).toBe(31);
  });
});
