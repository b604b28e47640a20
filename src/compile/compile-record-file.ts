import { rmSync } from 'node:fs';
import { join } from 'node:path';

/** target/compile_record.json: what the last successful `ft compile` read and wrote (unchanged-compile.ts). */
export const COMPILE_RECORD = 'compile_record.json';

/**
 * Removes the compile record before a file under target/compiled is written. The record vouches
 * for those files: the next compile leaves the file of a model whose text is what the manifest
 * says was compiled, and a command killed while it wrote may have left that file half written
 * (or holding other SQL). Without a record the next compile is a full one; a successful compile
 * writes a new record once its files are on disk.
 */
export function withdrawCompileRecord(targetDir: string): void {
  try {
    rmSync(join(targetDir, COMPILE_RECORD), { force: true });
  } catch {
    // unremovable: the write that follows reports the folder
  }
}
