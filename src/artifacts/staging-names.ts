import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Temporary names of files being written (written whole under one, then renamed over the
 * file), and the removal of those a killed writer left behind.
 *
 * `<file>.<pid>.tmp`, or `<file>.<pid>-<n>.tmp` when one process may write the same file twice
 * at once: the name ends in .tmp, so nothing that lists target/ takes it for a compiled .sql
 * file or a JSON artifact, and it carries the writer's pid, so a leftover can be told from a
 * file another command is writing right now.
 */
export const stagingSuffix = (seq?: number): string => (seq === undefined ? `.${process.pid}.tmp` : `.${process.pid}-${seq}.tmp`);

export const stagingName = (file: string, seq?: number): string => `${file}${stagingSuffix(seq)}`;

const STAGING = /\.(\d+)(?:-\d+)?\.tmp$/;

/** Whether a folder entry is a file being written (or left half written): never an artifact. */
export const isStagingName = (name: string): boolean => STAGING.test(name);

function writerAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it runs, as another user
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes from `dir` the temporary files whose writer is gone (a command killed mid-write);
 * `names`, the folder's listing when the caller has read it, loses them too. A file of a writer
 * still running is kept: two commands may write one target folder at once.
 */
export function removeLeftovers(dir: string, names?: Set<string>): void {
  let list: string[];
  try {
    list = names ? [...names] : readdirSync(dir);
  } catch {
    return;
  }
  for (const name of list) {
    const m = STAGING.exec(name);
    if (!m || writerAlive(Number(m[1]))) continue;
    try {
      rmSync(join(dir, name), { force: true });
      names?.delete(name);
    } catch {
      // a folder by that name, or no right to remove it: left as it is, and ignored as a staging name
    }
  }
}

const swept = new Set<string>();

/** removeLeftovers, once per folder in this process: the first write of a folder pays one listing. */
export function removeLeftoversOnce(dir: string): void {
  if (swept.has(dir)) return;
  swept.add(dir);
  removeLeftovers(dir);
}

/** Marks a folder as swept (its caller listed it and called removeLeftovers). */
export function sweptLeftovers(dir: string): void {
  swept.add(dir);
}
