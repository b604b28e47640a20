import { statSync } from 'node:fs';

// A file's stamp: what the parse cache, the prefetch thread and the compile record compare
// to know a file unchanged without reading it. Kept apart from parse-cache.ts so that
// file-prefetch.ts, which parse-cache.ts imports, can name it too.

/** size, mtime and ctime of a file (null: it does not exist), taken by one stat. */
export type Stamp = [number, number, number] | null;

export function stampOf(file: string): Stamp {
  try {
    const st = statSync(file);
    return [st.size, st.mtimeMs, st.ctimeMs];
  } catch {
    return null;
  }
}

/** Whether a stamp says its file last changed before `before` (so that the stamp can vouch for it). */
export const settled = (stamp: Stamp, before: number): boolean => stamp !== null && Math.max(stamp[1], stamp[2]) < before;

/** Whether two stamps are the same (both null: the file was missing both times). */
export const sameStamp = (a: Stamp, b: Stamp): boolean => a === b || (a !== null && b !== null && a[0] === b[0] && a[1] === b[1] && a[2] === b[2]);
