import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonFile } from '../artifacts/json-pieces.js';
import { withdrawCompileRecord } from '../compile/compile-record-file.js';

/**
 * Rendered SQL reused across runs while its key (raw SQL hash, globals, parent relations,
 * is_incremental) is unchanged: a warm compile renders nothing. target/compile_cache.json.
 * It also vouches for target/compiled: a file whose SQL comes unchanged from it is not rewritten.
 */
export class CompileCache {
  private entries: Record<string, { key: string; sql: string }> = {};
  private dirty = false;
  /** the file on disk was removed: a compiled file is being written */
  private withdrawn = false;
  private readonly file: string;

  constructor(private readonly targetDir: string, private readonly enabled = true) {
    this.file = join(targetDir, 'compile_cache.json');
    if (enabled && existsSync(this.file)) {
      try {
        this.entries = JSON.parse(readFileSync(this.file, 'utf8')) as typeof this.entries;
      } catch {
        this.entries = {};
      }
    }
  }

  get(id: string, key: string): string | undefined {
    const e = this.entries[id];
    return this.enabled && e?.key === key ? e.sql : undefined;
  }

  set(id: string, key: string, sql: string): void {
    this.entries[id] = { key, sql };
    this.dirty = true;
  }

  /**
   * Called before a compiled file is written. Until save(), no cache (nor compile record) on disk
   * vouches for target/compiled: a command killed while it writes (a half file, or a whole file of SQL the
   * cache does not hold) leaves no cache, and the next compile renders and rewrites every file
   * instead of trusting one the old cache says is current.
   */
  writing(): void {
    if (this.withdrawn) return;
    this.withdrawn = true;
    // the compile record vouches for the files too (compile-record-file.ts)
    withdrawCompileRecord(this.targetDir);
    if (!this.enabled) return;
    try {
      rmSync(this.file, { force: true });
    } catch {
      // unremovable: save() will report the folder
    }
    this.dirty = true;
  }

  save(): void {
    if (!this.enabled || !this.dirty) return;
    mkdirSync(this.targetDir, { recursive: true });
    writeJsonFile(this.file, this.entries, 'entries');
    this.dirty = false;
  }
}
