import { closeSync, openSync } from 'node:fs';
import { scratchBuffer, writeAll } from './write-json.js';

/**
 * Text written to a file through the scratch buffer; `put` says where its text landed, in bytes.
 *
 * Why: a large JSON.stringify result is fresh memory twice over (V8 builds it in parts and
 * flattens them when it is read), then once more as UTF-8; on a virtual machine each new page
 * is a trap to the host. Pieces a node or a cache entry long go out through one warm buffer.
 */
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
    // a UTF-16 unit is at most 3 bytes of UTF-8: make sure it all fits
    if (this.used + 3 * text.length > this.buffer.length) this.flush();
    const start = this.position;
    if (3 * text.length > this.buffer.length) {
      // larger than the buffer (a very large model): written as it is
      const bytes = Buffer.from(text);
      writeAll(this.fd, bytes, bytes.length);
      this.written += bytes.length;
    } else this.used += this.buffer.write(text, this.used);
    return start;
  }

  flush(): void {
    writeAll(this.fd, this.buffer, this.used);
    this.written += this.used;
    this.used = 0;
  }
}

/** Called with each entry written alone, and the byte range of its JSON. */
export type OnEntry = (key: string, value: unknown, start: number, end: number) => void;

/** An object's JSON as JSON.stringify writes it, each entry stringified alone. */
export function putJsonEntries(out: BufferedText, object: Record<string, unknown>, onEntry?: OnEntry): void {
  let open = '{';
  for (const [key, value] of Object.entries(object)) {
    const json = JSON.stringify(value);
    if (json === undefined) continue;
    out.put(`${open}${JSON.stringify(key)}:`);
    open = ',';
    const start = out.put(json);
    onEntry?.(key, value, start, out.position);
  }
  out.put(open === '{' ? '{}' : '}');
}

/**
 * An object's JSON as JSON.stringify writes it, byte for byte (plain data: no toJSON), with
 * the objects under the `streamed` keys written entry by entry.
 */
export function putJson(out: BufferedText, object: Record<string, unknown>, streamed: ReadonlySet<string>, onEntry?: OnEntry): void {
  let open = '{';
  for (const [key, value] of Object.entries(object)) {
    const whole = streamed.has(key) && value !== null && typeof value === 'object' ? undefined : JSON.stringify(value);
    if (whole === undefined && !streamed.has(key)) continue;
    out.put(`${open}${JSON.stringify(key)}:`);
    open = ',';
    if (whole !== undefined) out.put(whole);
    else putJsonEntries(out, value as Record<string, unknown>, onEntry);
  }
  out.put(open === '{' ? '{}' : '}');
}

/**
 * Writes a cache file in place (caches are checked when read): the objects under `streamed`
 * entry by entry, or with 'entries' the object's own entries one by one.
 */
export function writeJsonFile(file: string, object: Record<string, unknown>, streamed: ReadonlySet<string> | 'entries'): void {
  const fd = openSync(file, 'w');
  try {
    const out = new BufferedText(fd);
    if (streamed === 'entries') putJsonEntries(out, object);
    else putJson(out, object, streamed);
    out.flush();
  } finally {
    closeSync(fd);
  }
}
