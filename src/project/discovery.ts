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

/** Files under each resource folder whose name ends with one of `exts`, in a stable order. */
export function discover(root: string, folders: string[], exts: string[]): FoundFile[] {
  const out: FoundFile[] = [];
  for (const folder of folders) {
    const base = join(root, folder);
    if (!existsSync(base)) continue;
    // Relative paths are built by appending names (path.relative per file was a hot spot).
    const baseRel = toPosix(relative(root, base));
    const walk = (dir: string, inDir: string): void => {
      const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const e of entries) {
        if (e.name.startsWith('.') || e.name === 'node_modules') continue;
        const abs = join(dir, e.name);
        const inResource = inDir ? `${inDir}/${e.name}` : e.name;
        if (e.isDirectory()) walk(abs, inResource);
        else if (exts.some((x) => e.name.endsWith(x))) {
          out.push({ abs, rel: baseRel ? `${baseRel}/${inResource}` : inResource, inResource });
        }
      }
    };
    walk(base, '');
  }
  return out;
}

export function toPosix(p: string): string {
  return sep === '/' ? p : p.split(sep).join('/');
}
