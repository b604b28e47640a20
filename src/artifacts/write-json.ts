import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { removeLeftoversOnce, stagingName } from './staging-names.js';
import { cannotWrite } from './write-error.js';

export { cannotWrite };

/** A file written under a temporary name: `commit()` renames it into place, `discard()` removes it. */
export interface StagedFile {
  file: string;
  commit(): void;
  discard(): void;
}

/**
 * Writes a file under a temporary name next to it, through `fill` (given the open descriptor),
 * to be renamed into place later: readers never see half of it, and a file that must not
 * appear before others are written can wait for them.
 */
export function stageFile(file: string, fill: (fd: number) => void): StagedFile {
  const tmp = stagingName(file);
  const dir = dirname(file);
  removeLeftoversOnce(dir);
  let fd: number | undefined;
  try {
    try {
      fd = openSync(tmp, 'w');
    } catch (e) {
      // the folder is made only when missing: thousands of compiled files share a few folders
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      mkdirSync(dir, { recursive: true });
      fd = openSync(tmp, 'w');
    }
    fill(fd);
    const open = fd;
    fd = undefined;
    closeSync(open);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    removeQuietly(tmp);
    throw cannotWrite(file, e);
  }
  return {
    file,
    commit: () => {
      try {
        renameSync(tmp, file);
      } catch (e) {
        removeQuietly(tmp);
        throw cannotWrite(file, e);
      }
    },
    discard: () => removeQuietly(tmp),
  };
}

/** Removes a temporary file if it is there; the error that made it useless is the one to report. */
function removeQuietly(file: string): void {
  try {
    rmSync(file, { force: true });
  } catch {
    // its folder is gone or is not a folder: there is nothing to remove
  }
}

let scratch: Buffer | undefined;

/**
 * A 1 MB buffer for writing text in pieces, reused by every write of this thread. Why: a
 * string's UTF-8 copy is fresh memory, and on a virtual machine each new page is a trap to
 * the host; a 10 MB JSON file written whole costs twice the time of one written through this.
 */
export function scratchBuffer(): Buffer {
  return (scratch ??= Buffer.allocUnsafeSlow(1 << 20));
}

/** Writes all of `length` bytes of `buffer` at `position`, or at the descriptor's position. */
export function writeAll(fd: number, buffer: Uint8Array, length: number, position?: number): void {
  for (let done = 0; done < length; ) done += writeSync(fd, buffer, done, length - done, position === undefined ? null : position + done);
}

/** Text written to a file through the scratch buffer; `put` says where its text lands, in bytes. */
export class BufferedText {
  private readonly buffer = scratchBuffer();
  /** bytes of the buffer in use */
  private used = 0;
  /** bytes written to the file before the buffer's */
  private written = 0;

  constructor(private readonly fd: number) {}

  /** Bytes put so far. */
  get position(): number {
    return this.written + this.used;
  }

  /** Appends text; returns the byte position it starts at. */
  put(text: string): number {
    const start = this.position;
    // a UTF-16 unit is at most 3 bytes of UTF-8: write only what surely fits
    if (this.used + 3 * text.length > this.buffer.length) this.flush();
    if (3 * text.length <= this.buffer.length) {
      this.used += this.buffer.write(text, this.used);
      return start;
    }
    // longer than the buffer: in pieces, none ending between the halves of a surrogate pair
    const step = Math.floor(this.buffer.length / 3);
    for (let i = 0; i < text.length; ) {
      let end = Math.min(text.length, i + step);
      const last = text.charCodeAt(end - 1);
      if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
      this.used = this.buffer.write(text.slice(i, end), 0);
      this.flush();
      i = end;
    }
    return start;
  }

  flush(): void {
    writeAll(this.fd, this.buffer, this.used);
    this.written += this.used;
    this.used = 0;
  }
}

/** Writes text through a temporary file and a rename, so readers never see half of it. */
export function writeFileAtomic(file: string, text: string): void {
  stageFile(file, (fd) => {
    const out = new BufferedText(fd);
    out.put(text);
    out.flush();
  }).commit();
}

/** Writes JSON with writeFileAtomic. */
export function writeJsonAtomic(file: string, value: unknown, pretty = false): void {
  writeFileAtomic(file, pretty ? JSON.stringify(value, null, 2) : JSON.stringify(value));
}
