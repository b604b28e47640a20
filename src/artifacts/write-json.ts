import { closeSync, mkdirSync, openSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Writes a file through a temporary file and a rename, so readers never see half of it.
 * `data` may come in pieces (written one after the other, without joining them first).
 */
export function writeFileAtomic(file: string, data: string | Uint8Array | readonly Uint8Array[]): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    // writeFileSync on a descriptor writes all of each piece, at the current position
    for (const piece of typeof data === 'string' || data instanceof Uint8Array ? [data] : data) writeFileSync(fd, piece);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

/** Writes JSON with writeFileAtomic. */
export function writeJsonAtomic(file: string, value: unknown, pretty = false): void {
  writeFileAtomic(file, pretty ? JSON.stringify(value, null, 2) : JSON.stringify(value));
}
