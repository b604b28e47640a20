import { closeSync, existsSync, openSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MANIFEST_SCHEMA } from '../artifacts/manifest.js';
import { invocationId } from '../util/invocation-id.js';
import { startsWith, type NodeOffsets } from '../artifacts/manifest-file.js';
import { writeJsonFile } from '../artifacts/json-pieces.js';
import { cannotWrite, writeAll } from '../artifacts/write-json.js';
import { discover, type Listings } from '../project/discovery.js';
import { RACY_MS, type KnownStamps } from '../project/parse-cache.js';
import { sameStamp, settled, stampOf, type Stamp } from '../project/file-stamp.js';
import { profileSearchPath } from '../project/profile-search-path.js';
import { loadProjectConfig, PACKAGE_FILES, PROJECT_FILES } from '../project/project-config.js';
import { installedPackages } from '../project/packages.js';
import type { Project } from '../project/project.js';
import { analysisShape } from '../template/analysis-shape.js';
import { defaultSelectorName, loadSelectors, SELECTORS_FILE } from '../graph/yaml-selectors.js';
import { macroReads, templateReads, withMacros } from '../template/template-reads.js';
import { envFingerprint, envFingerprints, envNamesRead, wholeEnvHash } from '../util/env-reads.js';
import { sha256 } from '../util/hash.js';
import { FT_VERSION } from '../version.js';
import type { CompileFlags } from './compile-flags.js';
import { COMPILE_RECORD } from './compile-record-file.js';

/** target/compile_record.json: what the last successful `ft compile` read and wrote. */
export interface CompileRecord {
  version: 7;
  /** flags, working folder and ft's version */
  key: string;
  /**
   * the environment variables the compile read or its templates and macros name (env_var), with
   * the hash of their values then (null: unset); not the whole environment, which changes with
   * every `cd`
   */
  env: Record<string, string | null>;
  /** a hash of the whole environment, when a JS helper may read any of it */
  envAll: string | null;
  /** every file the load could read (project files, profiles, resource folders), by absolute path */
  stamps: Record<string, Stamp>;
  /**
   * resource folders and their entries (names, folders ending in /), for those whose stamp
   * was settled: while a folder's stamp is unchanged, no entry was added, removed or renamed
   */
  folders: Record<string, [Stamp, string]>;
  /** files changed within RACY_MS of their stamp: their stamp cannot vouch for them, they are read again */
  unsure: string[];
  /** template files whose SQL reads run_started_at or invocation_id: rendered again by every compile */
  volatile: string[];
  /** model files by absolute path: [unique id, analysisShape] (the text's checksum is the manifest's) */
  models: Record<string, [string, string]>;
  /** target/compiled and its folders: their stamp (null if it was not settled) and the hash of their listing */
  compiled: Record<string, [Stamp, string | null]>;
  manifest: { stamp: Stamp; metadata: string };
  /** where each node other than a test is in the manifest's bytes */
  offsets: NodeOffsets;
  count: number;
  warnings: string[];
}

/** What the compile saw before it read anything: enough to record it once it succeeds. */
export interface CompileInputs extends KnownStamps {
  key: string;
  listings: Listings;
  /** stamps of the folders listed, taken before their listing was read or trusted */
  folderStamps: Record<string, Stamp>;
  /** the last compile's record, if it was made with the same key */
  previous: CompileRecord | undefined;
  /**
   * every input file (project files, profiles, everything under the resource folders); with no
   * record to compare with, those under the folders are stamped by the load as it reads them
   * (before reading them, on the thread that reads them) and the rest when the compile is recorded
   */
  files: string[];
  root: string;
  targetDir: string;
  /** --select/--exclude given: only part of the project is compiled */
  partial: boolean;
}

const RECORD = COMPILE_RECORD;
/** The record's maps, written entry by entry. */
const RECORD_MAPS = new Set(['stamps', 'folders', 'models', 'compiled', 'offsets']);

/** A hash of entry names, as listingOf gives it. */
const listingHash = (names: string[]): string => sha256(names.sort().join('\n'));

/** A hash of a folder's entry names, or null when it is gone. */
function listingOf(dir: string): string | null {
  try {
    return listingHash(readdirSync(dir));
  } catch {
    return null;
  }
}

/**
 * target/compiled and every folder below it, with the hash of its listing: a compiled file
 * deleted (or a folder added) shows as a changed listing. Content is not checked, as a full
 * compile does not rewrite an existing file whose SQL is unchanged either.
 */
function compiledFolders(targetDir: string, settledBefore: number): CompileRecord['compiled'] {
  const out: CompileRecord['compiled'] = {};
  const walk = (dir: string): void => {
    const stamp = stampOf(dir);
    const entries = readdirSync(dir, { withFileTypes: true });
    out[dir] = [settled(stamp, settledBefore) ? stamp : null, listingHash(entries.map((e) => e.name))];
    for (const e of entries) if (e.isDirectory()) walk(join(dir, e.name));
  };
  const top = join(targetDir, 'compiled');
  if (existsSync(top)) walk(top);
  return out;
}

/** A folder's entries as the record keeps them: names, one per line, folders ending in /. */
const entriesText = (entries: Array<{ name: string; dir: boolean }>): string => entries.map((e) => (e.dir ? `${e.name}/` : e.name)).join('\n');
const entriesOf = (text: string): Array<{ name: string; dir: boolean }> =>
  text === '' ? [] : text.split('\n').map((n) => (n.endsWith('/') ? { name: n.slice(0, -1), dir: true } : { name: n, dir: false }));

/** The record of the last compile made with this key, or undefined. */
function readRecord(targetDir: string, key: string): CompileRecord | undefined {
  try {
    const rec = JSON.parse(readFileSync(join(targetDir, RECORD), 'utf8')) as CompileRecord;
    return rec.version === 7 && rec.key === key ? rec : undefined;
  } catch {
    return undefined;
  }
}

/** The manifest's first bytes, up to the end of its metadata object (as JSON.stringify wrote it). */
const metadataPrefix = (metadata: string): string => `{"$schema":${JSON.stringify(MANIFEST_SCHEMA)},"metadata":${metadata}`;

/**
 * The inputs of a compile: flags, environment, project and profiles files and every file
 * under the resource folders, stamped (with no record to compare with, the load stamps the
 * folders' files as it reads them: see CompileInputs.files). Undefined when project.yml cannot
 * be read (the full load reports that).
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
  // Flags that change the outputs are in the key (not --debug or --log-format); the
  // environment variables the last compile read are in its record.
  const { debug: _debug, logFormat: _logFormat, ...outputFlags } = flags;
  const key = sha256(JSON.stringify([FT_VERSION, outputFlags, process.cwd()]));
  const targetDir = resolve(root, config.targetPath);
  const previous = readRecord(targetDir, key);
  const settledBefore = Date.now() - RACY_MS;
  // A folder whose stamp is the one recorded with its entries is not read again (the
  // recorded stamps are settled ones); any other is stamped, then read.
  const listings: Listings = new Map();
  const folderStamps: Record<string, Stamp> = {};
  for (const [dir, [stamp, entries]] of Object.entries(previous?.folders ?? {})) {
    const now = stampOf(dir);
    if (!sameStamp(now, stamp)) continue;
    folderStamps[dir] = now;
    listings.set(dir, entriesOf(entries));
  }
  const stamps: Record<string, Stamp> = {};
  const files: string[] = [];
  const add = (file: string): void => {
    files.push(file);
    stamps[file] = stampOf(file);
  };
  // packages.yml and the snapshot and analysis folders only to be warned of, but a warning is an output too
  for (const f of [...PROJECT_FILES, SELECTORS_FILE, ...PACKAGE_FILES]) add(join(root, f));
  for (const d of profileSearchPath(root, flags)) add(resolve(d, 'profiles.yml'));
  // with the models and macros of the packages ft deps installed: a new install compiles in full
  const packages = installedPackages(root).flatMap((p) => [`${p.dir}/models`, `${p.dir}/macros`]);
  const folders = [...config.modelPaths, ...config.seedPaths, ...config.testPaths, ...config.macroPaths, ...config.docsPaths, ...config.snapshotPaths, ...config.analysisPaths, ...packages];
  const beforeRead = (dir: string): void => {
    folderStamps[dir] = stampOf(dir);
  };
  for (const f of discover(root, [...new Set(folders)], [''], listings, beforeRead)) {
    if (previous) add(f.abs);
    else files.push(f.abs);
  }
  const partial = (flags.select?.length ?? 0) > 0 || (flags.exclude?.length ?? 0) > 0 || flags.selector !== undefined || hasDefaultSelector(root);
  return { key, stamps, settledBefore, listings, folderStamps, files, root, targetDir, partial, previous };
}

/** Whether selectors.yml names a default selection (then a compile is of part of the project); a broken file counts as yes, the load reports it. */
function hasDefaultSelector(root: string): boolean {
  try {
    return defaultSelectorName(loadSelectors(root)) !== undefined;
  } catch {
    return true;
  }
}

/**
 * The last compile's record when its outputs are untouched and the same files exist, with the
 * files changed since (stamp differs, or it could not vouch for them). Undefined when the
 * project must be compiled in full.
 */
export function lastCompile(inputs: CompileInputs): { rec: CompileRecord; changed: string[] } | undefined {
  const rec = inputs.previous;
  if (!rec || !sameEnvironment(rec)) return undefined;
  if (!sameStamp(rec.manifest.stamp, stampOf(join(inputs.targetDir, 'manifest.json')))) return undefined;
  // a compiled folder whose settled stamp is unchanged has the same entries; any other is listed
  const compiled: CompileRecord['compiled'] = {};
  for (const [dir, [stamp, listing]] of Object.entries(rec.compiled)) {
    const now = stampOf(dir);
    if (!stamp || !sameStamp(now, stamp)) {
      if (listingOf(dir) !== listing) return undefined;
    }
    compiled[dir] = [settled(now, inputs.settledBefore) ? now : null, listing];
  }
  if (inputs.files.length !== Object.keys(rec.stamps).length) return undefined;
  const changed = new Set([...rec.unsure, ...rec.volatile]);
  for (const p of inputs.files) {
    const was = rec.stamps[p];
    const now = inputs.stamps[p]!;
    // a file that appeared or disappeared: compile in full
    if (was === undefined || (was === null) !== (now === null)) return undefined;
    if (!sameStamp(was, now)) changed.add(p);
  }
  return { rec: { ...rec, compiled }, changed: [...changed] };
}

/** Whether the environment variables the record names still have their recorded values. */
function sameEnvironment(rec: CompileRecord): boolean {
  for (const [name, value] of Object.entries(rec.env)) if (envFingerprint(name) !== value) return false;
  return rec.envAll === null || rec.envAll === wholeEnvHash();
}

/**
 * What a compile of these templates read from outside the project: the environment variables
 * read while loading (profiles.yml, schema YAML, ft's own) and those its templates and macros
 * name, even where the compile cache spared their rendering — all of it when a JS helper, or
 * an env_var whose name is computed, may read any; and the template files whose SQL is new in
 * every invocation.
 */
export function outsideReadsOf(project: Pick<Project, 'root' | 'nodes' | 'partials' | 'helpersReadEnv' | 'target'>, also: Iterable<string> = []): Pick<CompileRecord, 'env' | 'envAll' | 'volatile'> {
  // the macros' own, also for generic tests (no template of their own: they call a macro)
  const macros = macroReads(project.partials.values());
  const names = new Set([...envNamesRead(), ...also, ...macros.envNames]);
  let any = project.helpersReadEnv || macros.anyEnv;
  const volatile: string[] = [];
  for (const node of project.nodes.values()) {
    if (node.raw_code === undefined) continue;
    const reads = withMacros(templateReads(node.raw_code), macros);
    for (const n of reads.envNames) names.add(n);
    any ||= reads.anyEnv;
    if (reads.invocation) volatile.push(resolve(project.root, node.original_file_path));
  }
  return { env: envFingerprints(names, project.target.password), envAll: any ? wholeEnvHash() : null, volatile };
}

/** The manifest's head as recorded (up to the end of its metadata), and as it is to be rewritten. */
export interface ManifestHead {
  recorded: Buffer;
  next: Buffer;
  /** the new metadata object's JSON */
  metadata: string;
}

/** The manifest the record describes, open for reading and writing (the caller closes `fd`). */
export interface RecordedManifest {
  file: string;
  fd: number;
  head: ManifestHead;
}

/** Opens the manifest if it still starts with the head the record describes; undefined: compile in full. */
export function openRecordedManifest(inputs: CompileInputs, rec: CompileRecord): RecordedManifest | undefined {
  const head = manifestHead(rec.manifest.metadata);
  if (!head) return undefined;
  const file = join(inputs.targetDir, 'manifest.json');
  let fd: number;
  try {
    fd = openSync(file, 'r+');
  } catch {
    return undefined;
  }
  if (startsWith(fd, head.recorded)) return { file, fd, head };
  closeSync(fd);
  return undefined;
}

/**
 * When nothing changed since the last compile, the compiled files are current and a new
 * manifest would differ only in generated_at and invocation_id: those are rewritten in the
 * manifest, and the last compile's node count and warnings returned. Undefined when
 * the manifest is not the one the record describes (compile in full).
 */
export function reuseUnchangedCompile(inputs: CompileInputs, rec: CompileRecord): CompileOutcome | undefined {
  const manifest = openRecordedManifest(inputs, rec);
  if (!manifest) return undefined;
  try {
    return refreshMetadata(inputs, rec, manifest);
  } finally {
    closeSync(manifest.fd);
  }
}

/**
 * Rewrites the manifest's head in place and records the compile. In place: the new head has
 * the old one's length and is a few hundred bytes in one page, so a reader sees the old or
 * the new timestamps, always valid JSON; copying 20 MB to rename a new file over it cost more
 * than the rest of the compile whenever the disk was busy.
 */
export function refreshMetadata(inputs: CompileInputs, rec: CompileRecord, manifest: RecordedManifest): CompileOutcome {
  try {
    writeAll(manifest.fd, manifest.head.next, manifest.head.next.length, 0);
  } catch (e) {
    throw cannotWrite(manifest.file, e);
  }
  writeRecord(inputs, { ...rec, manifest: { stamp: stampOf(manifest.file), metadata: manifest.head.metadata } });
  return { count: rec.count, warnings: rec.warnings, manifest: manifest.file };
}

export interface CompileOutcome {
  count: number;
  warnings: string[];
  /** path of the manifest */
  manifest: string;
}

/**
 * The manifest's first bytes as the record describes them (up to the end of its metadata),
 * and the same bytes with a new generated_at and invocation_id. The new metadata has the same
 * length, so nothing after it moves; undefined if it would not.
 */
function manifestHead(old: string): ManifestHead | undefined {
  const metadata = JSON.stringify({ ...(JSON.parse(old) as object), generated_at: new Date().toISOString(), invocation_id: invocationId });
  const recorded = Buffer.from(metadataPrefix(old));
  const next = Buffer.from(metadataPrefix(metadata));
  return next.length === recorded.length ? { recorded, next, metadata } : undefined;
}

/**
 * After a full compile: remember its inputs and outputs, each model file's analysis shape and
 * where each node is in the manifest. `introspecting`: nodes whose SQL read the database —
 * volatile like those reading run_started_at, as what they read may change with no file changing.
 */
export function recordCompile(inputs: CompileInputs | undefined, project: Project, count: number, manifestFile: string, metadata: unknown, offsets: NodeOffsets, introspecting: Iterable<string> = []): void {
  if (!inputs) return;
  const models: CompileRecord['models'] = {};
  for (const node of project.nodes.values()) {
    const analysis = project.analyses.get(node.unique_id);
    if (node.resource_type !== 'model' || !analysis) continue;
    models[resolve(project.root, node.original_file_path)] = [node.unique_id, analysisShape(analysis)];
  }
  const outside = outsideReadsOf(project);
  for (const id of introspecting) {
    const node = project.nodes.get(id);
    if (node) outside.volatile.push(resolve(project.root, node.original_file_path));
  }
  writeRecord(inputs, {
    version: 7,
    key: inputs.key,
    ...outside,
    models,
    compiled: compiledFolders(inputs.targetDir, inputs.settledBefore),
    manifest: { stamp: stampOf(manifestFile), metadata: JSON.stringify(metadata) },
    offsets,
    count,
    warnings: project.warnings,
  });
}

/**
 * Writes the record, with the stamps of this compile's inputs (a file the load did not read is
 * stamped now), those too recent to vouch for their file, and the folders the stamps vouch for.
 */
export function writeRecord(inputs: CompileInputs, rec: Omit<CompileRecord, 'stamps' | 'unsure' | 'folders'>): void {
  const stamps: CompileRecord['stamps'] = {};
  const unsure: string[] = [];
  for (const f of inputs.files) {
    const stamp = (stamps[f] = inputs.stamps[f] !== undefined ? inputs.stamps[f]! : stampOf(f));
    if (stamp && !settled(stamp, inputs.settledBefore)) unsure.push(f);
  }
  const folders: CompileRecord['folders'] = {};
  for (const [dir, stamp] of Object.entries(inputs.folderStamps)) {
    const entries = inputs.listings.get(dir);
    if (entries && settled(stamp, inputs.settledBefore)) folders[dir] = [stamp, entriesText(entries)];
  }
  const full: CompileRecord = { ...rec, stamps, unsure, folders };
  writeJsonFile(join(inputs.targetDir, RECORD), full as unknown as Record<string, unknown>, RECORD_MAPS);
}
