/**
 * Splits a byte stream into records (NDJSON lines, or CSV records whose quoted fields may span
 * lines) while keeping exact byte offsets and line numbers, so a checkpoint can say precisely
 * how far a file has been loaded. Never holds more than one chunk plus one record in memory:
 * a record longer than `maxLineBytes` is kept truncated and the rest of it is skipped.
 */
import { isUtf8 } from 'node:buffer';
import type { FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';

export const READ_CHUNK_BYTES = 512 * 1024;

export type FillResult = 'data' | 'eof' | 'timeout';

export interface ChunkSource {
  /** True when `read` is known to return null next (files: the stable size is reached). */
  readonly exhausted: boolean;
  /** Next chunk; null at the end. With a timeout, 'timeout' when nothing arrived in time. */
  read(timeoutMs?: number): Promise<Buffer | null | 'timeout'>;
  /** Optional: the next bytes straight into `into` at `at` (at most `max`); 0 at the end. */
  readInto?(into: Buffer, at: number, max: number): Promise<number>;
  close(): Promise<void>;
}

/** Reads a file from `position` up to `limit` (the size seen when the file was stable). */
export class FileChunkSource implements ChunkSource {
  constructor(
    private readonly fh: FileHandle,
    private position: number,
    private readonly limit: number,
  ) {}

  get exhausted(): boolean {
    return this.position >= this.limit;
  }

  async read(): Promise<Buffer | null> {
    if (this.position >= this.limit) return null;
    const n = Math.min(READ_CHUNK_BYTES, this.limit - this.position);
    const b = Buffer.allocUnsafe(n);
    const { bytesRead } = await this.fh.read(b, 0, n, this.position);
    if (bytesRead === 0) return null; // truncated under us: treat as the end
    this.position += bytesRead;
    return bytesRead === n ? b : b.subarray(0, bytesRead);
  }

  async readInto(into: Buffer, at: number, max: number): Promise<number> {
    if (this.position >= this.limit) return 0;
    const n = Math.min(max, this.limit - this.position);
    const { bytesRead } = await this.fh.read(into, at, n, this.position);
    this.position += bytesRead;
    return bytesRead;
  }

  async close(): Promise<void> {
    await this.fh.close().catch(() => undefined);
  }
}

/** Reads a stream (stdin); `read(timeout)` lets a batch be flushed when input pauses. */
export class StreamChunkSource implements ChunkSource {
  private readonly it: AsyncIterator<Buffer | string>;
  private pending: Promise<IteratorResult<Buffer | string>> | null = null;
  readonly exhausted = false;

  constructor(private readonly stream: Readable) {
    this.it = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>;
  }

  async read(timeoutMs?: number): Promise<Buffer | null | 'timeout'> {
    this.pending ??= this.it.next();
    let r: IteratorResult<Buffer | string> | 'timeout';
    if (timeoutMs === undefined) r = await this.pending;
    else {
      let timer: NodeJS.Timeout | undefined;
      const t = new Promise<'timeout'>((res) => {
        timer = setTimeout(() => res('timeout'), Math.max(0, timeoutMs));
      });
      r = await Promise.race([this.pending, t]);
      clearTimeout(timer);
    }
    if (r === 'timeout') return 'timeout';
    this.pending = null;
    if (r.done) return null;
    return typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
  }

  /**
   * Stops reading. A read still waiting for input (a writer that keeps the pipe open but sends
   * nothing) would hold the iterator's return() until input came: the stream is destroyed
   * instead, which ends that read, so a stopped loader ends without waiting for its writer.
   */
  async close(): Promise<void> {
    if (this.pending) {
      this.stream.destroy();
      await this.pending.catch(() => undefined);
      this.pending = null;
    }
    await this.it.return?.();
  }
}

/**
 * True when CSV text ends inside a quoted field that was opened properly (at the start of a
 * field): the newline that follows belongs to the field. A stray quote inside an unquoted field
 * does not open anything, so such a malformed line stays one record.
 */
export function endsInsideQuotedField(s: string): boolean {
  const n = s.length;
  let i = 0;
  for (;;) {
    if (s.charCodeAt(i) === 34) {
      let j = i + 1;
      for (;;) {
        const k = s.indexOf('"', j);
        if (k < 0) return true;
        if (s.charCodeAt(k + 1) === 34) {
          j = k + 2;
          continue;
        }
        i = k + 1;
        break;
      }
      if (i >= n || s.charCodeAt(i) !== 44) return false;
      i++;
    } else {
      const k = s.indexOf(',', i);
      if (k < 0) return false;
      i = k + 1;
    }
  }
}

const NL = 10;
const CR = 13;
const QUOTE = 34;
const NO_QUOTE = Number.MAX_SAFE_INTEGER;

/**
 * Pull-style record splitter: call `next()` until it returns false, then `await fill()`.
 * After `next()` returned true, the record is described by the `rec*` fields.
 */
export class RecordReader {
  private buf: Buffer = Buffer.alloc(0);
  /** The memory `buf` lives in when the source reads into it (reused from fill to fill). */
  private store: Buffer | null = null;
  private pos = 0;
  private base: number;
  private line: number;
  private eof = false;
  // scanning state of the record being assembled (CSV quote parity, inner newlines)
  private scanFrom = 0;
  private parity = 0;
  private inner = 0;
  private nextQuote = -1;
  // skip state of a record longer than maxLineBytes
  private skipping = false;
  private skipHead: Buffer | null = null;
  private skipStart = 0;

  /** The record's bytes without its line terminator (truncated when tooLong) are recBuf[recTextStart, recTextEnd) until the next fill. */
  recBuf: Buffer = this.buf;
  recTextStart = 0;
  recTextEnd = 0;
  private text: string | null = '';
  private badUtf8: boolean | null = false;
  recStart = 0;
  /** Offset just past the record's newline. */
  recEnd = 0;
  recLine = 0;
  recLines = 0;
  recTooLong = false;
  /**
   * When set, an unterminated record at the end of the source is not returned (its writer may
   * still finish it): `tailHeld` says one waits; `finalize()` releases it.
   */
  holdTail = false;

  constructor(
    private readonly source: ChunkSource,
    startOffset: number,
    firstLine: number,
    private readonly quoteAware: boolean,
    private readonly maxLineBytes: number,
  ) {
    this.base = startOffset;
    this.line = firstLine;
  }

  /** Decoded record without its line terminator (truncated when tooLong). */
  get recText(): string {
    return (this.text ??= this.recBuf.toString('utf8', this.recTextStart, this.recTextEnd));
  }

  /** The record is not valid UTF-8 (never set for a too-long record). */
  get recBadUtf8(): boolean {
    return (this.badUtf8 ??= !this.recTooLong && !isUtf8(this.recBuf.subarray(this.recTextStart, this.recTextEnd)));
  }

  /** Absolute offset of the first byte not yet returned as part of a record. */
  get offset(): number {
    return this.skipping ? this.skipStart : this.base + this.pos;
  }

  /** Line number the next record starts on. */
  get nextLine(): number {
    return this.line;
  }

  get atEnd(): boolean {
    return this.eof && !this.skipping && this.pos >= this.buf.length;
  }

  /** Everything has been returned (or the source is known to be exhausted and nothing is buffered). */
  get drained(): boolean {
    return !this.skipping && this.pos >= this.buf.length && (this.eof || this.source.exhausted);
  }

  /** At the end of the source with an unterminated record held back (see `holdTail`). */
  get tailHeld(): boolean {
    return this.eof && this.holdTail && (this.skipping || this.pos < this.buf.length);
  }

  /** The held tail is complete after all (its writer has gone): return it as the last record. */
  finalize(): void {
    this.holdTail = false;
  }

  /** Absolute offset just past the buffered bytes. */
  get bufferEnd(): number {
    return this.base + this.buf.length;
  }

  /** Buffered bytes at absolute offsets [from, to): `from` at or after the buffer's start (for hashing). */
  bytes(from: number, to: number): Buffer {
    return this.buf.subarray(from - this.base, to - this.base);
  }

  /** Bytes buffered but not yet returned (for memory accounting). */
  get buffered(): number {
    return this.buf.length - this.pos;
  }

  async fill(timeoutMs?: number): Promise<FillResult> {
    if (this.eof) return 'eof';
    // the last record's bytes are about to move: decode what was not asked for yet
    void this.recText;
    void this.recBadUtf8;
    const rest = this.buf.length - this.pos;
    const shift = this.pos;
    if (this.source.readInto) {
      // the unreturned tail moves to the front of the reused buffer, the next bytes are read after it
      let store = this.store;
      if (!store || store.length < rest + READ_CHUNK_BYTES) {
        const grown = Buffer.allocUnsafe(Math.max(2 * READ_CHUNK_BYTES, rest + READ_CHUNK_BYTES));
        this.buf.copy(grown, 0, this.pos);
        store = this.store = grown;
      } else if (rest > 0 && shift > 0) store.copyWithin(0, this.pos, this.buf.length);
      const n = await this.source.readInto(store, rest, store.length - rest);
      this.buf = store.subarray(0, rest + n);
      this.base += shift;
      this.pos = 0;
      this.scanFrom = Math.max(0, this.scanFrom - shift);
      this.nextQuote = -1;
      if (n === 0) {
        this.eof = true;
        return 'eof';
      }
      return 'data';
    }
    const chunk = await this.source.read(timeoutMs);
    if (chunk === 'timeout') return 'timeout';
    if (chunk === null) {
      this.eof = true;
      return 'eof';
    }
    this.buf = rest > 0 ? Buffer.concat([this.buf.subarray(this.pos), chunk], rest + chunk.length) : chunk;
    this.base += shift;
    this.pos = 0;
    this.scanFrom = Math.max(0, this.scanFrom - shift);
    this.nextQuote = -1;
    return 'data';
  }

  async close(): Promise<void> {
    await this.source.close();
  }

  next(): boolean {
    const buf = this.buf;
    const len = buf.length;
    if (this.skipping) return this.continueSkip();
    if (this.pos >= len) return false;
    let s = this.scanFrom > this.pos ? this.scanFrom : this.pos;
    for (;;) {
      const nl = buf.indexOf(NL, s);
      const limit = nl < 0 ? len : nl;
      if (this.quoteAware) this.countQuotes(s, limit);
      if (nl < 0) {
        this.scanFrom = len;
        if (len - this.pos > this.maxLineBytes) {
          this.startSkip();
          return this.continueSkip();
        }
        if (this.eof) {
          if (this.holdTail) return false;
          // an unterminated quoted field ran to the end: the final newline terminates the record
          let end = len;
          if (this.inner > 0 && buf[len - 1] === NL) {
            end--;
            this.inner--;
          }
          this.emit(this.pos, end, len);
          return true;
        }
        return false;
      }
      if (this.parity === 0 || !endsInsideQuotedField(buf.toString('utf8', this.pos, nl))) {
        this.emit(this.pos, nl, nl + 1);
        return true;
      }
      this.inner++;
      s = nl + 1;
    }
  }

  private countQuotes(from: number, to: number): void {
    const buf = this.buf;
    let q = this.nextQuote;
    if (q < from) {
      q = buf.indexOf(QUOTE, from);
      if (q < 0) q = NO_QUOTE;
    }
    while (q < to) {
      this.parity ^= 1;
      q = buf.indexOf(QUOTE, q + 1);
      if (q < 0) q = NO_QUOTE;
    }
    this.nextQuote = q;
  }

  private emit(start: number, end: number, next: number): void {
    const buf = this.buf;
    let textEnd = end;
    if (textEnd > start && buf[textEnd - 1] === CR) textEnd--;
    this.recStart = this.base + start;
    this.recEnd = this.base + next;
    this.recLine = this.line;
    this.recLines = 1 + this.inner;
    this.line += 1 + this.inner;
    this.recTooLong = textEnd - start > this.maxLineBytes;
    this.recBuf = buf;
    this.recTextStart = start;
    this.recTextEnd = this.recTooLong ? start + this.maxLineBytes : textEnd;
    this.text = null;
    this.badUtf8 = null;
    this.pos = next;
    this.scanFrom = next;
    this.parity = 0;
    this.inner = 0;
  }

  private startSkip(): void {
    this.skipping = true;
    this.skipHead = Buffer.from(this.buf.subarray(this.pos, this.pos + this.maxLineBytes));
    this.skipStart = this.base + this.pos;
    // the bytes scanned so far (quote parity, inner newlines) are accounted for; drop them
    this.pos = this.buf.length;
    this.scanFrom = this.buf.length;
  }

  private continueSkip(): boolean {
    const buf = this.buf;
    const len = buf.length;
    let s = this.scanFrom > this.pos ? this.scanFrom : this.pos;
    for (;;) {
      const nl = s < len ? buf.indexOf(NL, s) : -1;
      const limit = nl < 0 ? len : nl;
      if (this.quoteAware) this.countQuotes(s, limit);
      if (nl < 0) {
        this.pos = len;
        this.scanFrom = len;
        if (this.eof) {
          if (this.holdTail) return false;
          this.finishSkip(this.base + len);
          return true;
        }
        return false;
      }
      if (this.parity === 0) {
        this.pos = nl + 1;
        this.scanFrom = nl + 1;
        this.finishSkip(this.base + nl + 1);
        return true;
      }
      this.inner++;
      s = nl + 1;
    }
  }

  private finishSkip(end: number): void {
    this.recStart = this.skipStart;
    this.recEnd = end;
    this.recLine = this.line;
    this.recLines = 1 + this.inner;
    this.line += 1 + this.inner;
    this.recTooLong = true;
    this.badUtf8 = false;
    this.recBuf = this.skipHead!;
    this.recTextStart = 0;
    this.recTextEnd = this.skipHead!.length;
    this.text = this.skipHead!.toString('utf8');
    this.skipHead = null;
    this.skipping = false;
    this.parity = 0;
    this.inner = 0;
  }
}
