/** Defaults and parsers for the `loader:` block (`16MB`, `1s`…), for the CLI / project loader. */
import { parseDuration as parseDurationText } from '../util/duration.js';
import { StreamLoadError } from './stream-errors.js';
import type { StreamLoadOptions } from './types.js';

export const STREAM_DEFAULTS = {
  format: 'ndjson' as const,
  maxBatchRows: 50_000,
  maxBatchBytes: 16 * 1024 * 1024,
  triggerIntervalMs: 1000,
  maxLineBytes: 1024 * 1024,
  statusIntervalMs: 10_000,
  stableMs: 250,
  logFormat: 'text' as const,
};

const BYTE_UNITS: Record<string, number> = {
  '': 1, b: 1,
  k: 1024, kb: 1024, kib: 1024,
  m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2,
  g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3,
};

/** `16MB`, `512 KiB`, `1048576` → bytes (binary units: 1 MB = 1 MiB, like Spark's maxBytesPerTrigger). */
export function parseByteSize(v: string | number, what = 'size'): number {
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) return Math.floor(v);
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(String(v));
  const unit = m ? BYTE_UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined || Number(m[1]) <= 0) {
    throw new StreamLoadError(`${what}: "${v}" is not a size; write e.g. 16MB, 512KB or a number of bytes.`);
  }
  return Math.floor(Number(m[1]) * unit);
}

/** `1s`, `500ms`, `2 minutes`, `250` (ms) → milliseconds. */
export function parseDuration(v: string | number, what = 'duration'): number {
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0) return v;
  const ms = parseDurationText(String(v), 'ms');
  if (ms === null) throw new StreamLoadError(`${what}: "${v}" is not a duration; write e.g. 1s, 500ms or 2 minutes.`);
  return ms;
}

/** Throws a StreamLoadError for an option that cannot work. */
export function checkOptions(o: StreamLoadOptions): void {
  const bad = (msg: string) => {
    throw new StreamLoadError(`stream-load: ${msg}`);
  };
  if (o.format !== 'ndjson' && o.format !== 'csv') bad(`format must be ndjson or csv, not "${String(o.format)}".`);
  if (!o.path) bad('no path: set loader.path in the schema YAML (a directory, a glob, or - for stdin).');
  for (const [k, v] of [
    ['maxBatchRows', o.maxBatchRows],
    ['maxBatchBytes', o.maxBatchBytes],
    ['maxLineBytes', o.maxLineBytes],
  ] as const) {
    if (!Number.isInteger(v) || v <= 0) bad(`${k} must be a positive integer (got ${v}).`);
  }
  if (!(o.triggerIntervalMs >= 0)) bad(`triggerIntervalMs must be ≥ 0 (got ${o.triggerIntervalMs}).`);
  if (!(o.statusIntervalMs > 0)) bad(`statusIntervalMs must be > 0 (got ${o.statusIntervalMs}).`);
  if (o.cleanSource !== undefined && o.cleanSource !== 'archive' && o.cleanSource !== 'delete') bad(`cleanSource must be archive or delete (got "${String(o.cleanSource)}").`);
  if (o.path === '-' && o.cleanSource) bad('cleanSource does not apply to stdin.');
}
