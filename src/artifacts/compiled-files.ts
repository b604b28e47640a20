import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { mkdirSync, readdirSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import type { Project } from '../project/project.js';
import type { FileBatchWriter } from './file-batch-writer.js';
import type { Node } from '../project/types.js';
import type { CompileCache } from '../template/compile-cache.js';
import { removeLeftovers, removeLeftoversOnce, stagingName, sweptLeftovers } from './staging-names.js';
import { cannotWrite } from './write-error.js';
import { writeFileAtomic } from './write-json.js';

/** target/<kind>/<project> of each loaded project: resolved once, not once per node. */
const bases = new WeakMap<object, Partial<Record<'compiled' | 'run', string>>>();

/** target/<kind>/<project>/<file>.sql — where a node's compiled (or executed) SQL is written. */
export function sqlArtifactPath(project: Pick<Project, 'root' | 'config'>, node: Node, kind: 'compiled' | 'run'): string {
  let known = bases.get(project);
  if (!known) bases.set(project, (known = {}));
  const base = (known[kind] ??= join(resolve(project.root, project.config.targetPath), kind, project.config.name));
  // original_file_path is relative with forward slashes (discovery builds it so): appended, not
  // joined — 15,000 joins were a hot spot of compile
  const rel = node.original_file_path;
  // generic tests and YAML-declared snapshots share their YAML file: a file each under it
  const inYaml = node.test_metadata !== undefined || (node.resource_type === 'snapshot' && !rel.endsWith('.sql'));
  if (sep !== '/') return inYaml ? join(base, rel, `${node.name}.sql`) : join(base, rel);
  return inYaml ? `${base}/${rel}/${node.name}.sql` : `${base}/${rel}`;
}

/**
 * Names of the files in each compiled folder, listed once per loaded project: thousands of
 * compiled files share a few folders, so one readdir replaces a stat and a mkdir per file.
 * Every file is written under a temporary name and renamed (a reader never sees half of one);
 * those a killed command left are removed here, before the folder is written again.
 */
const listings = new WeakMap<Project, Map<string, Set<string>>>();

function folderListing(project: Project, dir: string): Set<string> {
  let byDir = listings.get(project);
  if (!byDir) listings.set(project, (byDir = new Map()));
  let names = byDir.get(dir);
  if (!names) {
    try {
      names = new Set(readdirSync(dir));
      removeLeftovers(dir, names);
    } catch {
      try {
        mkdirSync(dir, { recursive: true });
      } catch (e) {
        throw cannotWrite(dir, e);
      }
      names = new Set();
    }
    sweptLeftovers(dir);
    byDir.set(dir, names);
  }
  return names;
}

/** What a compiled or run SQL file holds: the SQL, ending with a newline. */
export function sqlFileText(sql: string): string {
  return sql.endsWith('\n') ? sql : `${sql}\n`;
}

export function writeSqlArtifact(file: string, sql: string): void {
  writeFileAtomic(file, sqlFileText(sql));
}

/**
 * Writes compiled SQL unless the file exists and the SQL came unchanged from the cache;
 * through `writer` when given (on disk once the writer is closed). `cache` is told before a
 * file is written (CompileCache.writing), so it vouches for no file until it is saved.
 */
export function writeCompiled(project: Project, node: Node, sql: string, fresh: boolean, cache: Pick<CompileCache, 'writing'>, writer?: FileBatchWriter): string {
  const file = sqlArtifactPath(project, node, 'compiled');
  const names = folderListing(project, dirname(file));
  const name = basename(file);
  if (fresh || !names.has(name)) {
    const text = sqlFileText(sql);
    cache.writing();
    if (writer) writer.write(file, text);
    else writeFileAtomic(file, text);
    names.add(name);
  }
  return file;
}

const madeDirs = new Set<string>();
/** numbers the temporary names of run files: a node's file may be written twice at once (a retry) */
let writes = 0;

/**
 * Writes a target/run file without blocking the event loop (threads keep running), under a
 * temporary name renamed over it; the promise never rejects: it resolves to what failed, or
 * null, and the run awaits it before run_results.json.
 */
export function writeSqlArtifactLater(file: string, sql: string, pending?: Array<Promise<string | null>>): void {
  const dir = dirname(file);
  const tmp = stagingName(file, ++writes);
  const write = (async (): Promise<string | null> => {
    try {
      if (!madeDirs.has(dir)) {
        await mkdir(dir, { recursive: true });
        removeLeftoversOnce(dir);
        madeDirs.add(dir);
      }
      await writeFile(tmp, sql);
      await rename(tmp, file);
      return null;
    } catch (e) {
      await rm(tmp, { force: true }).catch(() => undefined);
      return cannotWrite(file, e).message;
    }
  })();
  pending?.push(write);
}
