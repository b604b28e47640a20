/**
 * Builds micro-batches from the landing files (or stdin): picks the oldest stable file, works
 * out from the checkpoint where to resume (or that it is already loaded), reads records,
 * validates them and accumulates TSV + quarantined rows until max rows / max bytes.
 * A batch may span several files (one checkpoint segment each). Memory: one read chunk plus
 * the batch being built.
 */
import { createHash, type Hash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import type { Batch, BatchSegment, RejectRow } from './batch.js';
import type { CheckpointStore } from './checkpoint-store.js';
import { tsvEscape } from './column-types.js';
import { fingerprint, prefixHashes } from './fingerprint.js';
import { openForWriting, type Landing, type LandingEntry } from './landing.js';
import { FileChunkSource, RecordReader, type ChunkSource } from './record-reader.js';
import { RowEncoder } from './row-encoder.js';
import { errorMessage } from './stream-errors.js';
import type { CheckpointRow, StreamColumn } from './types.js';

/** Size of the Buffers the TSV is written into (each one LOAD DATA packet, < 16 MiB). */
const TSV_CHUNK_BYTES = 256 * 1024;

/** Accumulates TSV rows straight into Buffers (no big string to flatten and encode later). */
export class TsvSink {
  readonly chunks: Buffer[] = [];
  buf = Buffer.allocUnsafe(TSV_CHUNK_BYTES);
  /** Where the next byte goes in `buf` (writers may fill `buf` directly after `reserve`). */
  off = 0;

  write(s: string): void {
    this.reserve(s.length * 3);
    this.off += this.buf.write(s, this.off);
  }

  /** Makes room for `n` more bytes in `buf` at `off`. */
  reserve(n: number): void {
    if (this.off + n > this.buf.length) {
      this.flush();
      if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n);
    }
  }

  flush(): void {
    if (this.off > 0) {
      this.chunks.push(this.buf.subarray(0, this.off));
      this.buf = Buffer.allocUnsafe(TSV_CHUNK_BYTES);
      this.off = 0;
    }
  }
}
const MAX_SOURCE_NAME = 512;

export interface Cursor {
  entry: LandingEntry | null;
  fileId: string;
  headId: string;
  headLen: number;
  sourceFile: string;
  tsvSource: string;
  sourcePath: string | null;
  size: number;
  reader: RecordReader;
  encoder: RowEncoder;
  /** Next segment inserts the checkpoint row. */
  insertNext: boolean;
  /** sha256 of bytes [0, hashedTo) (files only); hashedTo is always where a record starts. */
  hash: Hash | null;
  hashedTo: number;
  /** The same hash carried past hashedTo through a too-long record whose bytes leave the buffer before it ends. */
  ahead: Hash | null;
  aheadTo: number;
  /** Planned position (after the last segment handed out). */
  offset: number;
  lines: number;
  needHeader: boolean;
  isStream: boolean;
  /** Read to the end (planned). */
  ended: boolean;
  /** The completing (or parking) segment was committed. */
  committedDone: boolean;
}

/** The content hash up to `to` (a record boundary inside the reader's buffer, or where `ahead` got to). */
function advanceHash(cur: Cursor, r: RecordReader, to: number): void {
  if (cur.ahead && cur.aheadTo <= to) {
    cur.hash = cur.ahead;
    cur.hashedTo = cur.aheadTo;
    cur.ahead = null;
  }
  if (to > cur.hashedTo) {
    cur.hash!.update(r.bytes(cur.hashedTo, to));
    cur.hashedTo = to;
  }
}

/** Before the reader drops what it has returned: hash it (a too-long record in progress goes into `ahead`). */
function hashBeforeFill(cur: Cursor, r: RecordReader): void {
  const boundary = r.offset;
  advanceHash(cur, r, boundary);
  const consumed = r.bufferEnd - r.buffered;
  if (consumed > boundary) {
    if (!cur.ahead) {
      cur.ahead = cur.hash!.copy();
      cur.aheadTo = cur.hashedTo;
    }
    if (consumed > cur.aheadTo) {
      cur.ahead.update(r.bytes(cur.aheadTo, consumed));
      cur.aheadTo = consumed;
    }
  }
}

export interface PlannerOptions {
  format: 'ndjson' | 'csv';
  columns: StreamColumn[];
  maxBatchRows: number;
  maxBatchBytes: number;
  maxLineBytes: number;
  triggerIntervalMs: number;
  landing: Landing | null;
  store: CheckpointStore;
  /** A file whose content is already fully loaded (its checkpoint says completed). */
  onAlreadyLoaded: (entry: LandingEntry, row: CheckpointRow) => Promise<void>;
  log: (kind: string, message: string, extra?: Record<string, unknown>) => void;
}

/** Writes a non-negative integer's digits at `o`; returns the offset after them. */
export function writeDecimal(out: Buffer, o: number, n: number): number {
  if (n < 10) {
    out[o] = 48 + n;
    return o + 1;
  }
  let digits = 1;
  for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++;
  let p = o + digits;
  for (let x = n; p > o; x = Math.floor(x / 10)) out[--p] = 48 + (x % 10);
  return o + digits;
}

function isBlank(text: string): boolean {
  if (text.length === 0) return true;
  const c = text.charCodeAt(0);
  return (c === 32 || c === 9 || c === 13) && text.trim() === '';
}

export function sourceNameFor(rel: string): string {
  if (rel.length <= MAX_SOURCE_NAME) return rel;
  const h = createHash('sha256').update(rel).digest('hex').slice(0, 16);
  return `${rel.slice(0, MAX_SOURCE_NAME - 18)}#${h}`;
}

/** Builds a cursor over a stream (stdin); it survives session restarts. */
export function streamCursor(source: ChunkSource, columns: StreamColumn[], format: 'ndjson' | 'csv', maxLineBytes: number): Cursor {
  const started = new Date().toISOString();
  const sourceFile = `stdin:${started}:${process.pid}`;
  const fileId = createHash('sha256').update(sourceFile + Math.random()).digest('hex');
  return {
    entry: null,
    fileId,
    headId: fileId,
    headLen: 0,
    sourceFile,
    tsvSource: tsvEscape(sourceFile),
    sourcePath: '-',
    size: 0,
    reader: new RecordReader(source, 0, 1, format === 'csv', maxLineBytes),
    encoder: new RowEncoder(columns),
    insertNext: true,
    hash: null,
    hashedTo: 0,
    ahead: null,
    aheadTo: 0,
    offset: 0,
    lines: 0,
    needHeader: format === 'csv',
    isStream: true,
    ended: false,
    committedDone: false,
  };
}

export class BatchPlanner {
  private current: Cursor | null = null;
  /** Files opened in this session, by identity. */
  private readonly planned = new Map<string, Cursor>();
  /** `_source_file` names handed out in this session (maybe not committed yet). */
  private readonly names = new Set<string>();

  constructor(
    private readonly o: PlannerOptions,
    private readonly stdin: Cursor | null = null,
  ) {
    if (stdin) this.current = stdin.ended ? null : stdin;
  }

  /** True while a file is partly read (its next batch can start right away). */
  get busy(): boolean {
    return this.current !== null;
  }

  async close(): Promise<void> {
    for (const c of this.planned.values()) if (!c.isStream) await c.reader.close();
    this.planned.clear();
    this.current = null;
  }

  /** The next batch, or null when nothing is ready (stdin: nothing arrived within the trigger interval). */
  async build(): Promise<Batch | null> {
    const sink = new TsvSink();
    const b: Batch = { chunks: sink.chunks, rows: 0, rejects: [], bytes: 0, segments: [], full: false };
    const startedAt = Date.now();
    while (!b.full) {
      let cur = this.current;
      if (!cur) {
        if (this.stdin) break;
        cur = await this.openNext();
        if (!cur) break;
        this.current = cur;
      }
      const seg: BatchSegment = {
        fileId: cur.fileId,
        insert: cur.insertNext,
        headId: cur.headId,
        headLen: cur.headLen,
        contentHash: null,
        sourceFile: cur.sourceFile,
        sourcePath: cur.sourcePath,
        fileSize: cur.size,
        startOffset: cur.offset,
        endOffset: cur.offset,
        startLines: cur.lines,
        endLines: cur.lines,
        rows: 0,
        rejected: 0,
        completes: false,
        parks: false,
        ref: cur,
      };
      const res = await this.read(cur, b, seg, sink, startedAt);
      if (res === 'eof' || res === 'held') {
        if (res === 'eof') seg.completes = true;
        else seg.parks = true;
        cur.ended = true;
        this.current = null;
        if (!cur.isStream) await cur.reader.close();
      }
      if (cur.hash) {
        advanceHash(cur, cur.reader, seg.endOffset);
        seg.contentHash = cur.hash.copy().digest('hex');
      }
      if (cur.isStream) seg.fileSize = seg.endOffset;
      if (seg.endOffset > seg.startOffset || seg.completes || seg.parks || seg.endLines > seg.startLines) {
        b.segments.push(seg);
        cur.insertNext = false;
        cur.offset = seg.endOffset;
        cur.lines = seg.endLines;
      }
      if (res === 'timeout') break;
    }
    sink.flush();
    return b.segments.length ? b : null;
  }

  private async read(cur: Cursor, b: Batch, seg: BatchSegment, sink: TsvSink, startedAt: number): Promise<'full' | 'eof' | 'held' | 'timeout'> {
    const r = cur.reader;
    const enc = cur.encoder;
    const csv = this.o.format === 'csv';
    const maxRows = this.o.maxBatchRows;
    const maxBytes = this.o.maxBatchBytes;
    const maxLine = this.o.maxLineBytes;
    const tail = '\t' + cur.tsvSource + '\t';
    const tailBytes = Buffer.from(tail, 'utf8');
    const tailLen = tailBytes.length;
    const nd = !csv;
    const rejects: RejectRow[] = b.rejects;
    let rows = b.rows;
    let bytes = b.bytes;
    let segRows = 0;
    let segRejected = 0;
    let endOffset = seg.endOffset;
    let endLines = seg.endLines;
    try {
      for (;;) {
        while (r.next()) {
          bytes += r.recEnd - r.recStart;
          endOffset = r.recEnd;
          endLines = r.nextLine - 1;
          if (nd && !r.recTooLong) {
            // the byte path: an ASCII flat object goes from the read buffer into the batch's TSV
            // (no line or row string); anything it does not decide takes the text path below
            const src = r.recBuf;
            const ts = r.recTextStart;
            const te = r.recTextEnd;
            const c0 = ts < te ? src[ts]! : 32;
            if (c0 !== 32 && c0 !== 9 && c0 !== 13 && c0 < 128) {
              sink.reserve((te - ts) * 2 + enc.codecs.length * 24 + tailLen + 24);
              const out = sink.buf;
              let o = enc.encodeJsonBytes(src, ts, te, out, sink.off);
              if (o >= 0) {
                o += tailBytes.copy(out, o);
                o = writeDecimal(out, o, r.recLine);
                out[o++] = 10;
                sink.off = o;
                rows++;
                segRows++;
                if (rows + rejects.length >= maxRows || bytes >= maxBytes) {
                  b.full = true;
                  return r.drained ? 'eof' : 'full';
                }
                continue;
              }
            }
          }
          let text = r.recText;
          // a UTF-8 byte order mark is not part of the first line
          if (r.recStart === 0 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
          if (isBlank(text)) continue;
          if (cur.needHeader) {
            cur.needHeader = false;
            const missing = enc.setCsvHeader(r.recTooLong || r.recBadUtf8 ? null : text);
            if (missing.length) this.o.log('warn', `${cur.sourceFile}: the CSV header lacks declared column(s) ${missing.join(', ')}; they load as NULL`);
            continue;
          }
          let reason: string | null = null;
          if (r.recTooLong) reason = `line_too_long: ${r.recEnd - r.recStart} bytes, max_line_bytes is ${maxLine}`;
          else if (r.recBadUtf8) reason = 'bad_encoding: the line is not valid UTF-8';
          else {
            const row = csv ? enc.encodeCsv(text) : enc.encodeJson(text);
            if (row !== null) {
              sink.write(row + tail + r.recLine + '\n');
              rows++;
              segRows++;
            } else reason = enc.reason;
          }
          if (reason !== null) {
            rejects.push({ sourceFile: cur.sourceFile, line: r.recLine, raw: text, reason });
            segRejected++;
          }
          if (rows + rejects.length >= maxRows || bytes >= maxBytes) {
            b.full = true;
            // the file ends here: say so in this batch rather than in an empty next one
            return r.drained ? 'eof' : 'full';
          }
        }
        if (r.atEnd) return 'eof';
        if (r.tailHeld) {
          // the file ends inside a line: read it only once nobody has the file open for writing
          if (!(await openForWriting(cur.entry!.path))) {
            r.finalize();
            continue;
          }
          this.o.log('info', `${cur.sourceFile}: its last line is unfinished and the file is still open for writing; loading that line once it is finished`);
          return 'held';
        }
        if (cur.hash) hashBeforeFill(cur, r);
        let timeout: number | undefined;
        if (cur.isStream) timeout = Math.max(0, startedAt + this.o.triggerIntervalMs - Date.now());
        const f = await r.fill(timeout);
        if (f === 'timeout') return 'timeout';
      }
    } finally {
      b.rows = rows;
      b.bytes = bytes;
      seg.rows += segRows;
      seg.rejected += segRejected;
      seg.endOffset = endOffset;
      seg.endLines = endLines;
    }
  }

  /** Opens the next stable file that still has something to load. */
  private async openNext(): Promise<Cursor | null> {
    const landing = this.o.landing;
    if (!landing) return null;
    for (const [k, c] of this.planned) if (c.committedDone) this.planned.delete(k);
    for (;;) {
      const entry = landing.takeReady();
      if (!entry) return null;
      let fh: FileHandle | null = null;
      try {
        if (landing.isHeld(entry) && (await openForWriting(entry.path))) {
          // its last line is unfinished and its writer is still there: nothing new to read
          landing.hold(entry);
          continue;
        }
        fh = await open(entry.path, 'r');
        const st = await fh.stat();
        if (st.size !== entry.size || st.mtimeMs !== entry.mtimeMs) {
          // changed since it looked stable: wait for it to settle
          entry.size = st.size;
          entry.mtimeMs = st.mtimeMs;
          entry.observedAt = Date.now();
          landing.release(entry);
          await fh.close();
          continue;
        }
        const size = st.size;
        const fp = await fingerprint(fh, size);
        if (this.planned.has(fp.headId)) {
          // a file with the same head is being loaded: decide once that is committed
          landing.release(entry, this.o.triggerIntervalMs);
          await fh.close();
          continue;
        }
        const ownName = sourceNameFor(entry.rel);
        const found = await this.identify(fh, size, fp.headId, ownName);
        let start = 0;
        let lines = 0;
        let name: string;
        let fileId: string;
        let insert = true;
        let hash: Hash = createHash('sha256');
        if (found) {
          const { row, state } = found;
          if (row.completed && size <= row.bytesCommitted) {
            await fh.close();
            await this.o.onAlreadyLoaded(entry, row);
            continue;
          }
          // not finished, or grown since: continue where the checkpoint stands
          start = row.bytesCommitted;
          lines = row.linesCommitted;
          name = row.sourceFile;
          fileId = row.fileId;
          insert = false;
          hash = state;
          if (row.completed) this.o.log('info', `${entry.rel} grew after it was loaded (as ${name}); loading the bytes after ${start}`);
        } else {
          name = await this.freeName(entry.rel, ownName, fp.headId);
          fileId = createHash('sha256').update(`file:${name}`).digest('hex');
        }
        const encoder = new RowEncoder(this.o.columns);
        const csv = this.o.format === 'csv';
        if (csv && start > 0) {
          const header = await readFirstRecord(entry.path, size, this.o.maxLineBytes);
          encoder.setCsvHeader(header);
        }
        const reader = new RecordReader(new FileChunkSource(fh, start, size), start, lines + 1, csv, this.o.maxLineBytes);
        reader.holdTail = true;
        const cur: Cursor = {
          entry,
          fileId,
          headId: fp.headId,
          headLen: fp.headLen,
          sourceFile: name,
          tsvSource: tsvEscape(name),
          sourcePath: entry.rel,
          size,
          reader,
          encoder,
          insertNext: insert,
          hash,
          hashedTo: start,
          ahead: null,
          aheadTo: start,
          offset: start,
          lines,
          needHeader: csv && start === 0,
          isStream: false,
          ended: false,
          committedDone: false,
        };
        this.planned.set(fp.headId, cur);
        this.names.add(name);
        return cur;
      } catch (e) {
        await fh?.close().catch(() => undefined);
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') {
          landing.forget(entry);
          continue;
        }
        if (code === 'EACCES' || code === 'EPERM' || code === 'EISDIR' || code === 'EIO') {
          this.o.log('warn', `cannot read ${entry.rel}: ${errorMessage(e)}; skipping it until it changes`);
          landing.markDone(entry, entry.size);
          continue;
        }
        landing.release(entry);
        throw e;
      }
    }
  }

  /**
   * The checkpoint row this file is — the one whose committed bytes are exactly the file's
   * first bytes (the longest such) — with the content hash positioned there, or null: a file
   * that shares a head (or a name) with a loaded one but differs in what was loaded is another file.
   */
  private async identify(fh: FileHandle, size: number, headId: string, ownName: string): Promise<{ row: CheckpointRow; state: Hash } | null> {
    const rows = await this.o.store.candidates(headId, ownName);
    if (!rows.length) return null;
    const lengths: number[] = [];
    for (const r of rows) {
      if (r.bytesCommitted <= size) lengths.push(r.bytesCommitted);
      if (r.contentHash === null && r.headLen <= size) lengths.push(r.headLen);
    }
    const prefixes = await prefixHashes(fh, lengths);
    let best: { row: CheckpointRow; state: Hash } | null = null;
    for (const r of rows) {
      const at = prefixes.get(r.bytesCommitted);
      let ok: boolean;
      if (r.contentHash !== null) ok = at !== undefined && at.digest === r.contentHash;
      // a row written before ft kept content hashes: matched by its head, as it was then
      else ok = prefixes.get(r.headLen)?.digest === r.headId && at !== undefined;
      if (ok && (!best || r.bytesCommitted > best.row.bytesCommitted)) best = { row: r, state: at!.state };
    }
    return best;
  }

  /** `_source_file` for a new file: its path, or `path#<head>` (then `-2`, `-3`…) when another file has that name. */
  private async freeName(rel: string, ownName: string, headId: string): Promise<string> {
    const taken = async (n: string) => this.names.has(n) || (await this.o.store.bySourceFile(n)) !== null;
    if (!(await taken(ownName))) return ownName;
    const base = sourceNameFor(`${rel}#${headId.slice(0, 12)}`);
    let name = base;
    for (let k = 2; await taken(name); k++) name = sourceNameFor(`${rel}#${headId.slice(0, 12)}-${k}`);
    return name;
  }
}

/** First non-blank record of a file (the CSV header), or null. */
export async function readFirstRecord(path: string, size: number, maxLineBytes: number): Promise<string | null> {
  const fh = await open(path, 'r');
  const r = new RecordReader(new FileChunkSource(fh, 0, size), 0, 1, true, maxLineBytes);
  try {
    for (;;) {
      while (r.next()) {
        if (isBlank(r.recText)) continue;
        return r.recTooLong || r.recBadUtf8 ? null : r.recText;
      }
      if (r.atEnd) return null;
      await r.fill();
    }
  } finally {
    await r.close();
  }
}

/**
 * Raw text of some lines of a file segment (for quarantining rows the server refused in the
 * INSERT fallback). Lines are keyed by their starting line number.
 */
export async function readRawLines(path: string, start: number, end: number, firstLine: number, quoteAware: boolean, maxLineBytes: number, want: Set<number>): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  const fh = await open(path, 'r');
  const r = new RecordReader(new FileChunkSource(fh, start, end), start, firstLine, quoteAware, maxLineBytes);
  try {
    for (;;) {
      while (r.next()) if (want.has(r.recLine)) out.set(r.recLine, r.recText);
      if (r.atEnd || out.size === want.size) return out;
      await r.fill();
    }
  } finally {
    await r.close();
  }
}
