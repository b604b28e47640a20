import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { FtError } from '../util/errors.js';

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
  const tmp = `${file}.${process.pid}.tmp`;
  let fd: number | undefined;
  try {
    mkdirSync(dirname(file), { recursive: true });
    fd = openSync(tmp, 'w');
    fill(fd);
    closeSync(fd);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    rmSync(tmp, { force: true });
    throw e instanceof FtError ? e : cannotWrite(file, (e as Error).message);
  }
  return {
    file,
    commit: () => {
      try {
        renameSync(tmp, file);
      } catch (e) {
        throw cannotWrite(file, (e as Error).message);
      }
    },
    discard: () => rmSync(tmp, { force: true }),
  };
}

/** The error for a file ft could not write (a full disk, a read-only target folder). */
export function cannotWrite(file: string, message: string): FtError {
  return new FtError(`cannot write ${file}: ${message}. Check that the target folder (target-path in project.yml) is writable and the disk has space.`, 2);
}

/**
 * Writes a file through a temporary file and a rename, so readers never see half of it.
 * `data` may come in pieces (written one after the other, without joining them first).
 */
export function writeFileAtomic(file: string, data: string | Uint8Array | readonly Uint8Array[]): void {
  // writeFileSync on a descriptor writes all of each piece, at the current position
  stageFile(file, (fd) => {
    for (const piece of typeof data === 'string' || data instanceof Uint8Array ? [data] : data) writeFileSync(fd, piece);
  }).commit();
}

/** Writes JSON with writeFileAtomic. */
export function writeJsonAtomic(file: string, value: unknown, pretty = false): void {
  writeFileAtomic(file, pretty ? JSON.stringify(value, null, 2) : JSON.stringify(value));
}
