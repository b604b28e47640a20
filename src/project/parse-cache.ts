import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonFile } from '../artifacts/json-pieces.js';
import type { TemplateAnalysis } from '../template/template-analysis.js';
import { sha256 } from '../util/hash.js';
import type { Listings } from './discovery.js';
import type { PrefetchedFile } from './file-prefetch.js';
import { sameStamp, settled, stampOf, type Stamp } from './file-stamp.js';
import type { SchemaFile } from './schema-files.js';

/** What a stat says about a file's content without reading it (git's index keeps the same). */
interface FileStamp {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  checksum: string;
  /** the content, for files whose text the loader keeps (templates) */
  text?: string;
}

interface CacheFile {
  /** 6: schema patches carry models' time_spine and columns' granularity */
  version: 6;
  globalKey: string;
  files: Record<string, { checksum: string; analysis: TemplateAnalysis }>;
  /** schema YAML files, read into patches (YAML parsing is the costliest part of a load) */
  schemas: Record<string, { checksum: string; json: string }>;
  /** project files by path, so a warm run reads and hashes only files whose stat changed */
  stamps: Record<string, FileStamp>;
}

// a file's stamp lives in file-stamp.ts (file-prefetch.ts takes it from there); kept here for the callers that read it with the cache
export { sameStamp, settled, stampOf, type Stamp };

/**
 * Stamps someone took before the load (ft compile does), so files are not stat'ed twice.
 * The load adds the stamps it takes of files not in it, so the caller has them all after.
 */
export interface KnownStamps {
  stamps: Record<string, Stamp>;
  /** Date.now() - RACY_MS when they were taken */
  settledBefore: number;
  /** the folders listed to find those files */
  listings?: Listings;
}

/**
 * A stamp is trusted only for a file last changed this long before it was read: a write in
 * the same timestamp tick as our read (1 s on some filesystems, 2 s on FAT) could leave size
 * and times unchanged ("racily clean" in git), so such a file is hashed again next time.
 */
export const RACY_MS = 2000;

/** The cache file's maps, written entry by entry. */
const CACHE_MAPS = new Set(['files', 'schemas', 'stamps']);

/**
 * Partial parsing: a template's analysis is reused while its content hash and the
 * global key (vars, target, macros) are unchanged. Lives in target/partial_parse.json.
 */
export class ParseCache {
  private data: CacheFile;
  private dirty = false;
  private readonly file: string;
  /** files found unchanged by their stat are not read; anything older than this is settled */
  private readonly settledBefore: number;
  hits = 0;
  misses = 0;
  /** project files read from disk (not vouched for by their stamp) */
  reads = 0;
  /** stamps taken in this load, each before its file was read: the caller's known ones, added to */
  private readonly stamps: Record<string, Stamp>;

  constructor(
    private readonly targetDir: string,
    globalKey: string,
    private readonly enabled: boolean,
    known?: KnownStamps,
  ) {
    this.settledBefore = known?.settledBefore ?? Date.now() - RACY_MS;
    this.stamps = known?.stamps ?? {};
    this.file = join(targetDir, 'partial_parse.json');
    this.data = { version: 6, globalKey, files: {}, schemas: {}, stamps: {} };
    if (!enabled || !existsSync(this.file)) return;
    try {
      const loaded = JSON.parse(readFileSync(this.file, 'utf8')) as CacheFile;
      if (loaded.version === 6 && loaded.globalKey === globalKey) this.data = loaded;
      else this.dirty = true;
    } catch {
      // A corrupt cache is only a slower parse.
      this.dirty = true;
    }
  }

  /**
   * A project file's text and SHA-256. A file whose size, mtime and ctime match those of
   * its last read, long enough after it last changed, is taken from the cache unread.
   * `keepText: false` (seeds, which can be large) returns the checksum with empty text.
   */
  read(abs: string, rel: string, keepText = true, prefetched?: PrefetchedFile): { text: string; checksum: string } {
    const st = prefetched ? this.remember(abs, prefetched.stamp) : this.stamp(abs);
    const prev = this.data.stamps[rel];
    if (this.vouches(st, prev, keepText)) return { text: prev!.text ?? '', checksum: prev!.checksum };
    this.reads++;
    const text = prefetched?.text ?? readFileSync(abs, 'utf8');
    const checksum = prefetched?.checksum ?? sha256(text);
    if (st) {
      const vouches = settled(st, this.settledBefore);
      if (vouches) this.data.stamps[rel] = { size: st[0], mtimeMs: st[1], ctimeMs: st[2], checksum, ...(keepText ? { text } : {}) };
      else delete this.data.stamps[rel];
      if (vouches || prev) this.dirty = true;
    }
    return { text: keepText ? text : '', checksum };
  }

  /** Whether `read` would open the file (its stamp does not vouch for the cached text). */
  needsRead(abs: string, rel: string): boolean {
    const prev = this.data.stamps[rel];
    // nothing cached for it (a cold load): no stamp needed to know
    return !prev || !this.vouches(this.stamp(abs), prev, true);
  }

  /** A file's stamp, taken once per load (needsRead and read ask for the same file). */
  private stamp(abs: string): Stamp {
    if (!this.enabled) return null;
    return abs in this.stamps ? this.stamps[abs]! : this.remember(abs, stampOf(abs));
  }

  /** Keeps the first stamp taken of a file (before it was read), for the rest of the load and the caller. */
  private remember(abs: string, stamp: Stamp): Stamp {
    if (!this.enabled) return null;
    if (!(abs in this.stamps)) this.stamps[abs] = stamp;
    return this.stamps[abs]!;
  }

  private vouches(st: Stamp, prev: FileStamp | undefined, keepText: boolean): boolean {
    return !!(st && prev && prev.size === st[0] && prev.mtimeMs === st[1] && prev.ctimeMs === st[2] && (!keepText || prev.text !== undefined));
  }

  get(path: string, checksum: string): TemplateAnalysis | undefined {
    const e = this.data.files[path];
    if (this.enabled && e && e.checksum === checksum) {
      this.hits++;
      return e.analysis;
    }
    this.misses++;
    return undefined;
  }

  set(path: string, checksum: string, analysis: TemplateAnalysis): void {
    this.data.files[path] = { checksum, analysis };
    this.dirty = true;
  }

  /** A schema file's patches, as read last time its content had this checksum. */
  getSchema(path: string, checksum: string): SchemaFile | undefined {
    const e = this.data.schemas[path];
    if (this.enabled && e && e.checksum === checksum) {
      this.hits++;
      // A fresh copy: the loader keeps references to parts of it.
      return JSON.parse(e.json) as SchemaFile;
    }
    this.misses++;
    return undefined;
  }

  setSchema(path: string, checksum: string, schema: SchemaFile): void {
    this.data.schemas[path] = { checksum, json: JSON.stringify(schema) };
    this.dirty = true;
  }

  save(): void {
    if (!this.enabled || !this.dirty) return;
    mkdirSync(this.targetDir, { recursive: true });
    writeJsonFile(this.file, this.data as unknown as Record<string, unknown>, CACHE_MAPS);
  }
}
