import { FtError } from '../util/errors.js';

/** What a system error code means for a file ft writes, and what to do about it. */
const REASONS: Record<string, [string, string]> = {
  ENOSPC: ['no space left on device', 'Free space on the disk that holds the target folder, or point target-path (project.yml) at another disk.'],
  EDQUOT: ['disk quota exceeded', 'Free space within your quota, or point target-path (project.yml) at another disk.'],
  EFBIG: ['the file is too large for this file system', 'Point target-path (project.yml) at another disk.'],
  EACCES: ['permission denied', 'Make the target folder writable by this user, or point target-path (project.yml) elsewhere.'],
  EPERM: ['operation not permitted', 'Make the target folder writable by this user, or point target-path (project.yml) elsewhere.'],
  EROFS: ['the file system is read-only', 'Point target-path (project.yml) at a writable disk.'],
  EEXIST: ['it is a file, not a folder', 'Remove or rename that file.'],
  ENOTDIR: ['one of its parents is a file, not a folder', 'Remove or rename that file.'],
  EISDIR: ['a folder is in the way where the file should be', 'Remove or rename that folder.'],
  EMFILE: ['too many open files', 'Raise the open-file limit (ulimit -n).'],
  ENFILE: ['too many open files in the system', 'Raise the system open-file limit.'],
  EIO: ['input/output error from the disk', 'Check the disk.'],
};

/** System calls that write; and codes that, from an open, can only mean it was for writing. */
const WRITE_CALLS = new Set(['mkdir', 'rename', 'write', 'copyfile', 'symlink', 'link', 'unlink', 'rmdir', 'ftruncate', 'fsync', 'close']);
const WRITE_ONLY_CODES = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EFBIG']);

/** The system error code of an error from node:fs (undefined if it has none). */
export function errorCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) ? code : undefined;
}

/**
 * The error for a file ft could not write (a full disk, a read-only or misplaced target
 * folder): names the file, the reason with its system code, and the fix; exit code 2.
 */
export function cannotWrite(file: string, cause: unknown): FtError {
  if (cause instanceof FtError) return cause;
  const code = errorCode(cause);
  const known = code ? REASONS[code] : undefined;
  const raw = (cause as Error | undefined)?.message ?? String(cause);
  // the folder for the file could not be made: that folder is the one to name
  const { syscall, path } = (cause ?? {}) as { syscall?: unknown; path?: unknown };
  const what = syscall === 'mkdir' && typeof path === 'string' ? `create the folder ${path}${path === file ? '' : ` for ${file}`}` : `write ${file}`;
  if (known) return new FtError(`cannot ${what}: ${known[0]} (${code}). ${known[1]}`, 2);
  // a code ft has no words for: the system's own message, which carries it
  const reason = raw.replace(/,\s*\w+\s*(['"].*)?$/, '').trim();
  return new FtError(`cannot ${what}: ${reason}. Check that the target folder (target-path in project.yml) is writable and the disk has space.`, 2);
}

/**
 * A file-system error that reached the top without a writer naming its file: the path the
 * system names (for a write on an open file it names none), as cannotWrite words it.
 */
export function fileSystemError(e: unknown): FtError | undefined {
  const code = errorCode(e);
  if (!code) return undefined;
  const path = (e as { path?: unknown }).path;
  const syscall = (e as { syscall?: unknown }).syscall;
  if (typeof path !== 'string') return undefined;
  // an open may have been for reading: only the codes that mean the writing failed
  if (syscall === 'open' ? !WRITE_ONLY_CODES.has(code) : !WRITE_CALLS.has(String(syscall))) return undefined;
  return cannotWrite(path, e);
}
