import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonFile } from '../artifacts/json-pieces.js';

/**
 * Rendered SQL reused across runs while its key (raw SQL hash, globals, parent relations,
 * is_incremental) is unchanged: a warm compile renders nothing. target/compile_cache.json.
 */
export class CompileCache {
  private entries: Record<string, { key: string; sql: string }> = {};
  private dirty = false;
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

  save(): void {
    if (!this.enabled || !this.dirty) return;
    mkdirSync(this.targetDir, { recursive: true });
    writeJsonFile(this.file, this.entries, 'entries');
    this.dirty = false;
  }
}
