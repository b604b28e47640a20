import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TemplateAnalysis } from '../template/template-analysis.js';
import type { SchemaFile } from './schema-files.js';

interface CacheFile {
  version: 2;
  globalKey: string;
  files: Record<string, { checksum: string; analysis: TemplateAnalysis }>;
  /** schema YAML files, read into patches (YAML parsing is the costliest part of a load) */
  schemas: Record<string, { checksum: string; json: string }>;
}

/**
 * Partial parsing: a template's analysis is reused while its content hash and the
 * global key (vars, target, macros) are unchanged. Lives in target/partial_parse.json.
 */
export class ParseCache {
  private data: CacheFile;
  private dirty = false;
  private readonly file: string;
  hits = 0;
  misses = 0;

  constructor(private readonly targetDir: string, globalKey: string, private readonly enabled: boolean) {
    this.file = join(targetDir, 'partial_parse.json');
    this.data = { version: 2, globalKey, files: {}, schemas: {} };
    if (!enabled || !existsSync(this.file)) return;
    try {
      const loaded = JSON.parse(readFileSync(this.file, 'utf8')) as CacheFile;
      if (loaded.version === 2 && loaded.globalKey === globalKey) this.data = loaded;
      else this.dirty = true;
    } catch {
      // A corrupt cache is only a slower parse.
      this.dirty = true;
    }
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
    writeFileSync(this.file, JSON.stringify(this.data));
  }
}
