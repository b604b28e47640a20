import { BufferedText, stageFile } from './write-json.js';

// JSON written in pieces through the scratch buffer (BufferedText): a large JSON.stringify
// result is fresh memory twice over (V8 builds it in parts and flattens them when it is read),
// then once more as UTF-8; on a virtual machine each new page is a trap to the host.

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
    const inPieces = streamed.has(key) && value !== null && typeof value === 'object';
    const whole = inPieces ? undefined : JSON.stringify(value);
    // JSON.stringify leaves out a key whose value it cannot write (undefined, a function)
    if (!inPieces && whole === undefined) continue;
    out.put(`${open}${JSON.stringify(key)}:`);
    open = ',';
    if (inPieces) putJsonEntries(out, value as Record<string, unknown>, onEntry);
    else out.put(whole!);
  }
  out.put(open === '{' ? '{}' : '}');
}

/**
 * Writes a cache file (partial_parse.json, compile_cache.json, compile_record.json) under a
 * temporary name renamed over it, so a reader never meets half of one: the objects under
 * `streamed` entry by entry, or with 'entries' the object's own entries one by one.
 */
export function writeJsonFile(file: string, object: Record<string, unknown>, streamed: ReadonlySet<string> | 'entries'): void {
  stageFile(file, (fd) => {
    const out = new BufferedText(fd);
    if (streamed === 'entries') putJsonEntries(out, object);
    else putJson(out, object, streamed);
    out.flush();
  }).commit();
}
