import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { discover, type Listings } from './discovery.js';
import { PACKAGE_FILES } from './project-config.js';
import type { ProjectConfig } from './types.js';
import { parseYaml } from './yaml-file.js';
import { packageWarnings } from './packages.js';

/**
 * Warns of the files of a dbt project that ft does not act on: each package of packages.yml
 * and dependencies.yml, and each file under the analysis folders, with its line.
 */
export function warnIgnoredFiles(root: string, config: ProjectConfig, listings: Listings, warn: (msg: string) => void): void {
  // packages: installed (ft deps) or covered by the built-in library say nothing; the others say what to do
  packageWarnings(root, warn);
  for (const file of PACKAGE_FILES) {
    const abs = join(root, file);
    if (!existsSync(abs)) continue;
    const doc = parseYaml(readFileSync(abs, 'utf8'), file);
    const top = doc.value && typeof doc.value === 'object' && !Array.isArray(doc.value) ? (doc.value as Record<string, unknown>) : {};
    // dbt Mesh's projects: other projects' public models, which ft cannot ref
    const list = top.projects;
    if (!Array.isArray(list)) continue;
    const lines = doc.itemLines.get(list) ?? [];
    list.forEach((entry, i) => {
      const e = entry && typeof entry === 'object' ? (entry as Record<string, unknown>) : {};
      warn(`${file}:${lines[i] || 1}: project "${String(e.name ?? JSON.stringify(entry))}": ft does not read other projects' models; it is ignored.`);
    });
  }
  const own = new Set([...config.modelPaths, ...config.seedPaths, ...config.testPaths, ...config.macroPaths, ...config.snapshotPaths]);
  const warnFiles = (folders: string[], exts: string[], opener: RegExp, what: string): void => {
    const mine = [...new Set(folders)].filter((f) => !own.has(f));
    for (const f of discover(root, mine, exts, listings)) {
      const text = readFileSync(f.abs, 'utf8');
      const at = opener.exec(text);
      const line = at ? text.slice(0, at.index).split('\n').length : 1;
      warn(`${f.rel}:${line}: ${what}; this file is ignored.`);
    }
  };
  warnFiles(config.analysisPaths, ['.sql'], /\S/, 'ft does not compile analyses yet');
}
