import { existsSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** A file found under one of the project's resource paths. */
export interface FoundFile {
  /** absolute path */
  abs: string;
  /** path relative to the project root, with forward slashes */
  rel: string;
  /** path relative to the resource folder (models/, seeds/…) it was found under */
  inResource: string;
}

/** Folder listings already read, by absolute path (hidden entries left out, sorted by name). */
export type Listings = Map<string, Array<{ name: string; dir: boolean }>>;

/**
 * Files under each resource folder whose name ends with one of `exts`, in a stable order.
 * With `listings`, each folder is read once for all the calls that share it (a load walks
 * the model folders for templates, then for schema files); `beforeRead` is called before a
 * folder is read.
 */
export function discover(root: string, folders: string[], exts: string[], listings?: Listings, beforeRead?: (dir: string) => void): FoundFile[] {
  const out: FoundFile[] = [];
  const list = (dir: string): Array<{ name: string; dir: boolean }> => {
    let entries = listings?.get(dir);
    if (!entries) {
      beforeRead?.(dir);
      entries = readdirSync(dir, { withFileTypes: true })
        .filter((e) => !e.name.startsWith('.') && e.name !== 'node_modules')
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
        .map((e) => ({ name: e.name, dir: e.isDirectory() }));
      listings?.set(dir, entries);
    }
    return entries;
  };
  for (const folder of folders) {
    let base = join(root, folder);
    // folder paths are built by appending names: no separator at the end ('models/')
    if (base.length > 1 && base.endsWith(sep)) base = base.slice(0, -1);
    if (!listings?.has(base) && !existsSync(base)) continue;
    // Relative paths are built by appending names (path.relative per file was a hot spot).
    const baseRel = toPosix(relative(root, base));
    const walk = (dir: string, inDir: string): void => {
      for (const e of list(dir)) {
        // paths only for what is walked or kept: the other calls of a load skip most entries
        if (!e.dir && !exts.some((x) => e.name.endsWith(x))) continue;
        const abs = `${dir}${sep}${e.name}`;
        const inResource = inDir ? `${inDir}/${e.name}` : e.name;
        if (e.dir) walk(abs, inResource);
        else out.push({ abs, rel: baseRel ? `${baseRel}/${inResource}` : inResource, inResource });
      }
    };
    walk(base, '');
  }
  return out;
}

export function toPosix(p: string): string {
  return sep === '/' ? p : p.split(sep).join('/');
}
