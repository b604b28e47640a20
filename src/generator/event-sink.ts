/**
 * Where produced lines go: a directory of rolling files, each written under a hidden temporary
 * name and renamed into place when complete (a reader never sees half a file), or a stream
 * (stdout).
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, renameSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { once } from 'node:events';
import { FtError } from '../util/errors.js';

export interface EventSink {
  /** Appends one line (without newline). */
  write(line: string): void;
  /** Pushes buffered lines out (and waits for a stream to drain). */
  flush(): Promise<void>;
  /** Rolls the current file if it was opened at least `maxAgeMs` ago (directory sinks). */
  rollIfOlderThan(maxAgeMs: number, nowMs: number): void;
  /** Milliseconds until the current file reaches `maxAgeMs`, or Infinity when no file is open. */
  msUntilRoll(maxAgeMs: number, nowMs: number): number;
  /** Completes the current file / flushes the stream. */
  close(): Promise<void>;
  /** True when the stream reader went away (EPIPE); the producer stops. */
  readonly broken: boolean;
  /** Names of the files completed so far, in production order. */
  readonly files: readonly string[];
}

/** Lines are encoded into this buffer and written with one system call when it fills. */
const WRITE_BUFFER_BYTES = 1 << 22;

/** Width of the file number: lexical order = production order up to 999,999 files. */
export const FILE_NUMBER_WIDTH = 6;

export class DirectorySink implements EventSink {
  readonly files: string[] = [];
  readonly broken = false;
  private fd = -1;
  private tmpPath = '';
  private finalName = '';
  private openedAt = 0;
  private linesInFile = 0;
  private readonly buf = Buffer.allocUnsafe(WRITE_BUFFER_BYTES);
  private used = 0;
  private nextIndex: number;

  /**
   * @param dir  created if missing
   * @param prefix  file names are `<prefix>-NNNNNN.<ext>`; numbering continues after the highest
   *   existing number in `dir`, so a loader that tracks file names never sees an old name reused.
   * @param header  written as the first line of every file (CSV), or null
   */
  constructor(
    readonly dir: string,
    private readonly prefix: string,
    private readonly ext: string,
    private readonly header: string | null,
    private readonly linesPerFile: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    try {
      makeDirs(dir);
    } catch (e) {
      throw new FtError(`cannot create the output directory ${dir}: ${(e as Error).message} — pass --out DIR (or --out - for stdout)`);
    }
    this.nextIndex = nextFileNumber(dir, prefix);
  }

  write(line: string): void {
    if (this.fd < 0) this.open();
    this.append(line);
    if (++this.linesInFile >= this.linesPerFile) this.finish();
  }

  async flush(): Promise<void> {
    // Files are completed by write/roll/close; nothing is visible before the rename anyway.
  }

  rollIfOlderThan(maxAgeMs: number, nowMs: number): void {
    if (this.fd >= 0 && nowMs - this.openedAt >= maxAgeMs) this.finish();
  }

  msUntilRoll(maxAgeMs: number, nowMs: number): number {
    return this.fd >= 0 ? Math.max(0, this.openedAt + maxAgeMs - nowMs) : Number.POSITIVE_INFINITY;
  }

  async close(): Promise<void> {
    if (this.fd >= 0) this.finish();
  }

  private open(): void {
    const n = String(this.nextIndex++).padStart(FILE_NUMBER_WIDTH, '0');
    this.finalName = `${this.prefix}-${n}.${this.ext}`;
    this.tmpPath = join(this.dir, `.${this.finalName}.tmp`);
    try {
      this.fd = openSync(this.tmpPath, 'w');
    } catch (e) {
      throw new FtError(`cannot write to ${this.dir}: ${(e as Error).message} — pass a writable --out DIR`);
    }
    this.openedAt = this.now();
    this.linesInFile = 0;
    if (this.header !== null) this.append(this.header);
  }

  private append(line: string): void {
    // A UTF-16 code unit is at most 3 UTF-8 bytes.
    if (this.used + line.length * 3 + 1 > this.buf.length) {
      this.writeBuffer();
      if (line.length * 3 + 1 > this.buf.length) {
        writeSync(this.fd, line + '\n');
        return;
      }
    }
    this.used += this.buf.write(line, this.used, 'utf8');
    this.buf[this.used++] = 10;
  }

  private writeBuffer(): void {
    let off = 0;
    while (off < this.used) off += writeSync(this.fd, this.buf, off, this.used - off);
    this.used = 0;
  }

  private finish(): void {
    this.writeBuffer();
    closeSync(this.fd);
    this.fd = -1;
    renameSync(this.tmpPath, join(this.dir, this.finalName));
    this.files.push(this.finalName);
  }
}

/**
 * mkdir -p, one level at a time: `mkdirSync(…, { recursive: true })` can spin forever on some
 * pseudo file systems (e.g. under /proc).
 */
export function makeDirs(dir: string): void {
  const missing: string[] = [];
  let d = resolve(dir);
  while (!existsSync(d)) {
    missing.push(d);
    const up = dirname(d);
    if (up === d) break;
    d = up;
  }
  for (const m of missing.reverse()) {
    try {
      mkdirSync(m);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}

/** 1 + the highest `<prefix>-N.<ndjson|csv>` number in dir (1 when none). */
export function nextFileNumber(dir: string, prefix: string): number {
  const re = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-(\\d+)\\.(ndjson|csv)$`);
  let max = 0;
  for (const name of readdirSync(dir)) {
    const m = re.exec(name);
    if (m) max = Math.max(max, Number(m[1]));
  }
  return max + 1;
}

const STREAM_CHUNK = 1 << 20;

export class StreamSink implements EventSink {
  readonly files: string[] = [];
  private parts: string[] = [];
  private size = 0;
  private isBroken = false;

  constructor(
    private readonly stream: NodeJS.WritableStream,
    header: string | null,
  ) {
    // EPIPE (e.g. `| head`) or any other write error: stop producing instead of crashing.
    stream.on('error', () => {
      this.isBroken = true;
    });
    if (header !== null) this.write(header);
  }

  get broken(): boolean {
    return this.isBroken;
  }

  write(line: string): void {
    this.parts.push(line);
    this.size += line.length + 1;
  }

  async flush(): Promise<void> {
    if (this.parts.length === 0 || this.isBroken) return;
    const chunk = this.parts.join('\n') + '\n';
    this.parts = [];
    this.size = 0;
    if (!this.stream.write(chunk)) {
      try {
        await Promise.race([once(this.stream, 'drain'), once(this.stream, 'close')]);
      } catch {
        this.isBroken = true; // 'error' while waiting (e.g. EPIPE)
      }
    }
  }

  /** Whether enough is buffered to be worth a write. */
  get full(): boolean {
    return this.size >= STREAM_CHUNK;
  }

  rollIfOlderThan(): void {}

  msUntilRoll(): number {
    return Number.POSITIVE_INFINITY;
  }

  async close(): Promise<void> {
    await this.flush();
  }
}
