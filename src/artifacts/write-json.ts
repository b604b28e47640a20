import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Writes JSON through a temporary file and a rename, so readers never see half an artifact. */
export function writeJsonAtomic(file: string, value: unknown, pretty = false): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, pretty ? JSON.stringify(value, null, 2) : JSON.stringify(value));
  renameSync(tmp, file);
}
