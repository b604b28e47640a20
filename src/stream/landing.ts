/**
 * The landing directory: which files exist, which are complete ("stable") and which are done.
 *
 * Producers should write `name.tmp` (or `.name`) and rename it into place; such temporary names
 * are ignored. A file is stable when its size and mtime have not changed for `stableMs` (or its
 * mtime is already that old), so a file still being appended to is not read early. New files are
 * reported as they arrive (the directory's own watch; chokidar for a pattern over subdirectories);
 * a directory listing at start (and every 30 s) is the safety net.
 *
 * A stable file whose last line is unfinished (no newline yet) is read up to its last complete
 * line while some process has it open for writing (the writer paused mid-line, or is stuck on a
 * full disk); the file is then "held" and looked at again when it changes or its writer goes.
 */
import type { FSWatcher } from 'chokidar';
import { watch as watchDirectory, type FSWatcher as DirectoryWatcher, type Stats } from 'node:fs';
import { mkdir, readFile, readdir, readlink, realpath, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { globToRegExp, splitGlobPath } from './glob.js';
import { StreamLoadError, errorMessage } from './stream-errors.js';

export const ARCHIVE_DIR = '_archive';

export interface LandingEntry {
  path: string;
  /** Path relative to the landing directory, with `/` separators. */
  rel: string;
  size: number;
  mtimeMs: number;
  /** When the current (size, mtime) was first observed. */
  observedAt: number;
  state: 'pending' | 'active' | 'done';
  notBefore: number;
  doneSize: number;
  /** Read up to an unfinished last line whose writer was still there, at this size and mtime (-1: not held). */
  heldSize: number;
  heldMtime: number;
}

export interface LandingOptions {
  path: string;
  pattern?: string;
  watch: boolean;
  stableMs: number;
  log: (kind: string, message: string, extra?: Record<string, unknown>) => void;
}

const RESCAN_MS = 30_000;
/** How often a held file (unfinished last line, writer still there) is looked at again when it does not change. */
const HOLD_RECHECK_MS = 500;

/**
 * True when some process has the file open for writing (Linux: /proc/<pid>/fd and fdinfo of
 * every process this user may see). Elsewhere false: there, stability alone says a file is complete.
 */
export async function openForWriting(path: string): Promise<boolean> {
  let real: string;
  let pids: string[];
  try {
    real = await realpath(path);
    pids = (await readdir('/proc')).filter((p) => /^\d+$/.test(p));
  } catch {
    return false;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = await readdir(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if ((await readlink(`/proc/${pid}/fd/${fd}`)) !== real) continue;
        const info = await readFile(`/proc/${pid}/fdinfo/${fd}`, 'utf8');
        const flags = /^flags:\s*([0-7]+)/m.exec(info);
        if (flags && (parseInt(flags[1]!, 8) & 3) !== 0) return true; // O_WRONLY or O_RDWR
      } catch {
        /* closed meanwhile */
      }
    }
  }
  return false;
}

export class Landing {
  base: string;
  private recursive: boolean;
  private matchers: RegExp[] = [];
  private readonly entries = new Map<string, LandingEntry>();
  private watcher: FSWatcher | null = null;
  private directoryWatcher: DirectoryWatcher | null = null;
  private lastScan = 0;

  constructor(private readonly opts: LandingOptions) {
    const { base, glob } = splitGlobPath(opts.path);
    this.base = resolve(base);
    const globs: string[] = [];
    if (glob) globs.push(glob);
    if (opts.pattern) globs.push(opts.pattern);
    this.recursive = globs.some((g) => g.includes('/'));
    for (const g of globs) this.matchers.push(g.includes('/') ? globToRegExp(g) : globToRegExp(g.startsWith('**') ? g : `**/${g}`));
  }

  async start(): Promise<void> {
    let st: Stats | null = null;
    try {
      st = await stat(this.base);
    } catch {
      st = null;
    }
    if (st && st.isFile()) {
      // a single file: its directory, that name only
      const name = basename(this.base);
      this.base = dirname(this.base);
      this.recursive = false;
      this.matchers = [new RegExp('^' + name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '$')];
      st = await stat(this.base);
    }
    if (!st) {
      if (!this.opts.watch) throw new StreamLoadError(`landing directory ${this.base} does not exist (loader.path). Create it, or fix loader.path in the schema YAML.`);
      await mkdir(this.base, { recursive: true });
      this.opts.log('info', `created landing directory ${this.base}`);
    } else if (!st.isDirectory()) {
      throw new StreamLoadError(`loader.path ${this.base} is not a directory.`);
    }
    if (this.opts.watch && !this.recursive) {
      // One directory: its own watch (inotify), which names the file that changed. chokidar
      // lists and lstat()s the whole directory on every change to it, so a landing directory that
      // keeps its loaded files (no cleanSource) cost a continuous loader more CPU every minute:
      // a fifth of its busy time (4 of 21 s a minute) at 180 files, at 5,000 events/s.
      this.directoryWatcher = watchDirectory(this.base, { persistent: true }, (_kind, name) => this.changed(name));
      this.directoryWatcher.on('error', (e) => this.opts.log('warn', `watching ${this.base}: ${errorMessage(e)}`));
    } else if (this.opts.watch) {
      // loaded only to watch subdirectories: `--once` does without it
      const { watch } = await import('chokidar');
      this.watcher = watch(this.base, {
        ignoreInitial: true,
        persistent: true,
        depth: this.recursive ? undefined : 0,
        alwaysStat: true,
        ignored: (p: string, stats?: Stats) => this.ignored(p, stats),
      });
      this.watcher.on('add', (p, s) => this.upsert(p, s));
      this.watcher.on('change', (p, s) => this.upsert(p, s));
      this.watcher.on('unlink', (p) => this.remove(p));
      this.watcher.on('error', (e) => this.opts.log('warn', `watching ${this.base}: ${errorMessage(e)}`));
      await new Promise<void>((res) => this.watcher!.once('ready', () => res()));
    }
    await this.scan();
  }

  private relOf(p: string): string {
    return relative(this.base, p).split(sep).join('/');
  }

  /** Name-based filter; `isFile` false/undefined means a directory or unknown. */
  accepts(rel: string): boolean {
    if (!rel || rel.startsWith('..')) return false;
    const parts = rel.split('/');
    if (parts[0] === ARCHIVE_DIR) return false;
    if (parts.some((s) => s.startsWith('.'))) return false;
    const name = parts[parts.length - 1]!;
    if (/\.(tmp|temp|part|partial|crdownload)$/i.test(name) || name.startsWith('~') || name.endsWith('~')) return false;
    return this.matchers.every((m) => m.test(rel));
  }

  private ignored(p: string, stats?: Stats): boolean {
    const rel = this.relOf(p);
    if (rel === '') return false;
    const parts = rel.split('/');
    if (parts[0] === ARCHIVE_DIR || parts.some((s) => s.startsWith('.'))) return true;
    if (stats && stats.isFile()) return !this.accepts(rel);
    return false;
  }

  /** The directory's watch named a file that appeared, changed, moved or went. */
  private changed(name: string | Buffer | null): void {
    // the platform did not say which: list the directory
    if (name === null) {
      void this.scan();
      return;
    }
    const p = join(this.base, String(name));
    if (!this.accepts(this.relOf(p))) return;
    stat(p).then(
      (st) => {
        if (st.isFile()) this.upsert(p, st);
      },
      () => this.remove(p),
    );
  }

  private upsert(p: string, s?: Stats): void {
    const rel = this.relOf(p);
    if (!this.accepts(rel)) return;
    const now = Date.now();
    const size = s?.size ?? -1;
    const mtimeMs = s?.mtimeMs ?? 0;
    const e = this.entries.get(p);
    if (!e) {
      this.entries.set(p, { path: p, rel, size, mtimeMs, observedAt: now, state: 'pending', notBefore: 0, doneSize: -1, heldSize: -1, heldMtime: 0 });
    } else if (e.size !== size || e.mtimeMs !== mtimeMs) {
      e.size = size;
      e.mtimeMs = mtimeMs;
      e.observedAt = now;
      if (e.state === 'done' && size !== e.doneSize) e.state = 'pending';
    }
  }

  private remove(p: string): void {
    const e = this.entries.get(p);
    if (e && e.state !== 'active') this.entries.delete(p);
  }

  private async scan(): Promise<void> {
    this.lastScan = Date.now();
    let names: string[];
    try {
      const list = await readdir(this.base, { recursive: this.recursive, withFileTypes: true });
      names = list.filter((d) => d.isFile()).map((d) => join(d.parentPath ?? (d as unknown as { path: string }).path, d.name));
    } catch (e) {
      this.opts.log('warn', `listing ${this.base}: ${errorMessage(e)}`);
      return;
    }
    for (const p of names) {
      if (this.entries.has(p) || !this.accepts(this.relOf(p))) continue;
      try {
        this.upsert(p, await stat(p));
      } catch {
        /* vanished */
      }
    }
  }

  /** Re-stats files not done yet (stability), lists the directory now and then. */
  async refresh(): Promise<void> {
    if (this.opts.watch && Date.now() - this.lastScan > RESCAN_MS) await this.scan();
    const now = Date.now();
    for (const e of this.entries.values()) {
      if (e.state !== 'pending') continue;
      let s: Stats;
      try {
        s = await stat(e.path);
      } catch {
        this.entries.delete(e.path);
        continue;
      }
      // taken or loaded meanwhile: its size is the watch's to tell (a done file that grows is pending again)
      if (e.state !== 'pending') continue;
      if (s.size !== e.size || s.mtimeMs !== e.mtimeMs) {
        e.size = s.size;
        e.mtimeMs = s.mtimeMs;
        e.observedAt = now;
      }
    }
  }

  private isStable(e: LandingEntry, now: number): boolean {
    return e.size >= 0 && (now - e.observedAt >= this.opts.stableMs || now - e.mtimeMs >= this.opts.stableMs);
  }

  /** The oldest stable pending file, now marked active; empty files are marked done. */
  takeReady(): LandingEntry | null {
    const now = Date.now();
    let best: LandingEntry | null = null;
    for (const e of this.entries.values()) {
      if (e.state !== 'pending' || now < e.notBefore || !this.isStable(e, now)) continue;
      if (e.size === 0) {
        e.state = 'done';
        e.doneSize = 0;
        continue;
      }
      if (!best || e.mtimeMs < best.mtimeMs || (e.mtimeMs === best.mtimeMs && e.rel < best.rel)) best = e;
    }
    if (best) best.state = 'active';
    return best;
  }

  /** Gives a file back (it will be offered again after `delayMs`). */
  release(e: LandingEntry, delayMs = 0): void {
    if (this.entries.get(e.path) !== e) return;
    e.state = 'pending';
    e.notBefore = Date.now() + delayMs;
  }

  /**
   * A file read up to an unfinished last line (its writer still there): pending again, looked
   * at after a while, or as soon as it changes. `size`: the size it was read at (default: as now).
   */
  hold(e: LandingEntry, size = e.size): void {
    if (this.entries.get(e.path) !== e) return;
    e.state = 'pending';
    e.heldSize = size;
    e.heldMtime = e.size === size ? e.mtimeMs : -1;
    e.notBefore = Date.now() + HOLD_RECHECK_MS;
  }

  /** Held and unchanged since (only the writer's going away can make it complete). */
  isHeld(e: LandingEntry): boolean {
    return e.heldSize >= 0 && e.size === e.heldSize && e.mtimeMs === e.heldMtime;
  }

  markDone(e: LandingEntry, size: number): void {
    e.heldSize = -1;
    e.state = 'done';
    e.doneSize = size;
    if (e.size !== size) e.state = 'pending';
  }

  forget(e: LandingEntry): void {
    if (this.entries.get(e.path) === e) this.entries.delete(e.path);
  }

  /** After a failed session: every file being read goes back to pending. */
  resetActive(): void {
    for (const e of this.entries.values()) if (e.state === 'active') e.state = 'pending';
  }

  /** Files waiting only because they are still being written (changing, or held), or null when any other waits. */
  onlyUnsettled(): string[] | null {
    const now = Date.now();
    const out: string[] = [];
    for (const e of this.entries.values()) {
      if (e.state === 'done') continue;
      if (e.state !== 'pending' || (this.isStable(e, now) && !this.isHeld(e))) return null;
      out.push(e.rel);
    }
    return out;
  }

  /** True when no file waits to be (fully) loaded. */
  allDone(): boolean {
    for (const e of this.entries.values()) if (e.state !== 'done') return false;
    return true;
  }

  pendingCount(): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.state !== 'done') n++;
    return n;
  }

  /** mtime of the oldest file not loaded yet (for the lag metric), or null. */
  oldestPendingMtime(): number | null {
    let m: number | null = null;
    for (const e of this.entries.values()) if (e.state !== 'done' && (m === null || e.mtimeMs < m)) m = e.mtimeMs;
    return m;
  }

  /** Moves a fully loaded file into `_archive/` or deletes it. Failures are logged, not fatal. */
  async clean(e: LandingEntry, mode: 'archive' | 'delete'): Promise<void> {
    try {
      if (mode === 'delete') await unlink(e.path);
      else {
        let dest = join(this.base, ARCHIVE_DIR, e.rel);
        await mkdir(dirname(dest), { recursive: true });
        for (let i = 1; ; i++) {
          try {
            await stat(dest);
            dest = join(this.base, ARCHIVE_DIR, `${e.rel}.${i}`);
          } catch {
            break;
          }
        }
        await rename(e.path, dest);
      }
      this.forget(e);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') this.forget(e);
      else this.opts.log('warn', `could not ${mode} ${e.rel}: ${errorMessage(err)}`);
    }
  }

  async close(): Promise<void> {
    await this.watcher?.close();
    this.watcher = null;
    this.directoryWatcher?.close();
    this.directoryWatcher = null;
  }
}
