import { closeSync, copyFileSync, existsSync, openSync, readFileSync, readSync, readdirSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { invocationId, MANIFEST_SCHEMA } from '../artifacts/manifest.js';
import { discover } from '../project/discovery.js';
import { RACY_MS, stampOf, type KnownStamps, type Stamp } from '../project/parse-cache.js';
import { profileSearchPath } from '../project/profile-search-path.js';
import { loadProjectConfig, PROJECT_FILES } from '../project/project-config.js';
import { sha256 } from '../util/hash.js';
import { FT_VERSION } from '../version.js';
import type { CompileFlags } from '../cli/compile.js';

/** target/compile_record.json: what the last successful `ft compile` read and wrote. */
interface CompileRecord {
  version: 1;
  key: string;
  /** every file the load could read (project files, profiles, resource folders), by absolute path */
  stamps: Record<string, Stamp>;
  /** target/compiled and its folders, with the hash of each listing */
  compiled: Record<string, string | null>;
  manifest: { stamp: Stamp; metadata: string };
  count: number;
  warnings: string[];
}

/** What the compile saw before it read anything: enough to record it once it succeeds. */
export interface CompileInputs extends KnownStamps {
  key: string;
  /** every file last changed long enough ago that a later change must show in its stamp */
  settled: boolean;
  targetDir: string;
}

const RECORD = 'compile_record.json';

/** A hash of a folder's entry names, or null when it is gone. */
function listingOf(dir: string): string | null {
  try {
    return sha256(readdirSync(dir).sort().join('\n'));
  } catch {
    return null;
  }
}

/**
 * target/compiled and every folder below it, with the hash of its listing: a compiled file
 * deleted (or a folder added) shows as a changed listing. Content is not checked, as a full
 * compile does not rewrite an existing file whose SQL is unchanged either.
 */
function compiledFolders(targetDir: string): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  const walk = (dir: string): void => {
    out[dir] = listingOf(dir);
    for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) walk(join(dir, e.name));
  };
  const top = join(targetDir, 'compiled');
  if (existsSync(top)) walk(top);
  return out;
}

/** The manifest's first bytes, up to the end of its metadata object (as JSON.stringify wrote it). */
const metadataPrefix = (metadata: string): string => `{"$schema":${JSON.stringify(MANIFEST_SCHEMA)},"metadata":${metadata}`;

/**
 * Stamps every input of a compile: flags, environment, project and profiles files and every
 * file under the resource folders. Undefined when project.yml cannot be read (the full load
 * reports that).
 */
export function compileInputs(flags: CompileFlags): CompileInputs | undefined {
  if (flags.state || flags.partialParse === false) return undefined;
  const root = resolve(flags.projectDir ?? process.cwd());
  let config;
  try {
    config = loadProjectConfig(root, () => undefined);
  } catch {
    return undefined;
  }
  const settledBefore = Date.now() - RACY_MS;
  const stamps: Record<string, Stamp> = {};
  let settled = true;
  const add = (file: string): void => {
    const s = stampOf(file);
    stamps[file] = s;
    if (s && Math.max(s[1], s[2]) >= settledBefore) settled = false;
  };
  for (const f of PROJECT_FILES) add(join(root, f));
  for (const d of profileSearchPath(root, flags)) add(resolve(d, 'profiles.yml'));
  const folders = [...config.modelPaths, ...config.seedPaths, ...config.testPaths, ...config.macroPaths, ...config.docsPaths];
  for (const f of discover(root, [...new Set(folders)], [''])) add(f.abs);
  // Anything a template or profile reads (env_var) or a flag changes is in the key.
  const key = sha256(JSON.stringify([FT_VERSION, flags, process.cwd(), Object.entries(process.env).sort()]));
  return { key, stamps, settledBefore, settled, targetDir: resolve(root, config.targetPath) };
}

/**
 * When the inputs are exactly those of the last compile and its outputs are untouched, the
 * compiled files are current and a new manifest would differ only in generated_at and
 * invocation_id: those are rewritten in a copy of the manifest, and the last compile's node
 * count and warnings returned. Otherwise undefined (compile in full).
 */
export function reuseUnchangedCompile(inputs: CompileInputs): { count: number; warnings: string[]; manifest: string } | undefined {
  if (!inputs.settled) return undefined;
  const recordFile = join(inputs.targetDir, RECORD);
  let rec: CompileRecord;
  try {
    rec = JSON.parse(readFileSync(recordFile, 'utf8')) as CompileRecord;
  } catch {
    return undefined;
  }
  const manifest = join(inputs.targetDir, 'manifest.json');
  if (
    rec.version !== 1 ||
    rec.key !== inputs.key ||
    JSON.stringify(rec.stamps) !== JSON.stringify(inputs.stamps) ||
    JSON.stringify(rec.manifest.stamp) !== JSON.stringify(stampOf(manifest)) ||
    !Object.entries(rec.compiled).every(([dir, listing]) => listingOf(dir) === listing)
  ) {
    return undefined;
  }
  const metadata = refreshMetadata(manifest, rec.manifest.metadata);
  if (!metadata) return undefined;
  writeFileSync(recordFile, JSON.stringify({ ...rec, manifest: { stamp: stampOf(manifest), metadata } }));
  return { count: rec.count, warnings: rec.warnings, manifest };
}

/** Rewrites the manifest's generated_at and invocation_id in place of the old ones (same length), atomically. */
function refreshMetadata(file: string, old: string): string | undefined {
  const prefix = Buffer.from(metadataPrefix(old));
  const head = Buffer.alloc(prefix.length);
  const fd = openSync(file, 'r');
  try {
    if (readSync(fd, head, 0, head.length, 0) !== head.length || !head.equals(prefix)) return undefined;
  } finally {
    closeSync(fd);
  }
  const next = JSON.stringify({ ...(JSON.parse(old) as object), generated_at: new Date().toISOString(), invocation_id: invocationId });
  const bytes = Buffer.from(next);
  if (bytes.length !== Buffer.byteLength(old)) return undefined;
  const tmp = `${file}.${process.pid}.tmp`;
  copyFileSync(file, tmp);
  const out = openSync(tmp, 'r+');
  try {
    writeSync(out, bytes, 0, bytes.length, prefix.length - bytes.length);
  } finally {
    closeSync(out);
  }
  renameSync(tmp, file);
  return next;
}

/** After a full compile: remember its inputs and outputs, if a later change is sure to show in the stamps. */
export function recordCompile(inputs: CompileInputs | undefined, count: number, warnings: string[], manifestFile: string, metadata: unknown): void {
  if (!inputs) return;
  const recordFile = join(inputs.targetDir, RECORD);
  if (!inputs.settled) {
    rmSync(recordFile, { force: true });
    return;
  }
  const rec: CompileRecord = {
    version: 1,
    key: inputs.key,
    stamps: inputs.stamps,
    compiled: compiledFolders(inputs.targetDir),
    manifest: { stamp: stampOf(manifestFile), metadata: JSON.stringify(metadata) },
    count,
    warnings,
  };
  writeFileSync(recordFile, JSON.stringify(rec));
}
