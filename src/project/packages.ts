import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseYaml } from './yaml-file.js';

/**
 * packages.yml / dependencies.yml as ft reads them. `ft deps` installs `local:` packages and
 * `npm:` packages into dbt_packages/<name>/ (their macros then load with the project's, also
 * callable as `<package>.<macro>`, and their models are built as model.<package>.<name>); dbt
 * hub and git packages are either covered by ft's built-in
 * library (dbt_utils, dbt_date: nothing to install) or to be converted with `ft convert`.
 */

export const PACKAGES_DIR = 'dbt_packages';

export interface PackageSpec {
  kind: 'local' | 'npm' | 'hub' | 'git' | 'tarball' | 'unknown';
  /** the path, npm spec, hub name or git URL as written */
  spec: string;
  file: string;
  line: number;
}

/** Hub and git packages whose macros ft renders itself, by the package's last name part. */
const COVERED: Record<string, string> = {
  dbt_utils: 'dbt_utils',
  dbt_date: 'dbt_date',
};

/** The packages listed in packages.yml and dependencies.yml, with their line. */
export function readPackageSpecs(root: string): PackageSpec[] {
  const out: PackageSpec[] = [];
  for (const file of ['packages.yml', 'dependencies.yml']) {
    const abs = join(root, file);
    if (!existsSync(abs)) continue;
    const doc = parseYaml(readFileSync(abs, 'utf8'), file);
    const top = doc.value && typeof doc.value === 'object' && !Array.isArray(doc.value) ? (doc.value as Record<string, unknown>) : {};
    const list = top.packages;
    if (!Array.isArray(list)) continue;
    const lines = doc.itemLines.get(list) ?? [];
    list.forEach((entry, i) => {
      const e = entry && typeof entry === 'object' ? (entry as Record<string, unknown>) : {};
      const line = lines[i] || 1;
      const kind: PackageSpec['kind'] =
        e.local !== undefined ? 'local' : e.npm !== undefined ? 'npm' : e.package !== undefined ? 'hub' : e.git !== undefined ? 'git' : e.tarball !== undefined ? 'tarball' : 'unknown';
      const spec = String(e.local ?? e.npm ?? e.package ?? e.git ?? e.tarball ?? JSON.stringify(entry));
      out.push({ kind, spec, file, line });
    });
  }
  return out;
}

/** The built-in namespace that covers a hub/git package, or undefined. */
export function coveredBy(p: PackageSpec): string | undefined {
  if (p.kind !== 'hub' && p.kind !== 'git' && p.kind !== 'tarball') return undefined;
  // dbt-labs/dbt_utils, https://github.com/dbt-labs/dbt-utils.git, calogica/dbt_date …
  const last = p.spec.replace(/\.git$/, '').split(/[/:]/).pop()!.replace(/-/g, '_').toLowerCase();
  return COVERED[last];
}

/** A package's name: `name:` of its project.yml or dbt_project.yml, else its folder's name. */
export function packageName(dir: string, fallback: string): string {
  for (const f of ['project.yml', 'dbt_project.yml']) {
    const abs = join(dir, f);
    if (!existsSync(abs)) continue;
    try {
      const v = parseYaml(readFileSync(abs, 'utf8'), f).value as { name?: unknown } | null;
      if (v && typeof v.name === 'string' && v.name) return v.name;
    } catch {
      // a broken package file: named after its folder
    }
  }
  return fallback;
}

/** Packages installed under dbt_packages/ (by ft deps), with their folder relative to the project. */
export function installedPackages(root: string): Array<{ name: string; dir: string }> {
  const base = join(root, PACKAGES_DIR);
  if (!existsSync(base)) return [];
  return readdirSync(base, { withFileTypes: true })
    .filter((e) => (e.isDirectory() || e.isSymbolicLink()) && !e.name.startsWith('.'))
    .map((e) => ({ name: e.name, dir: `${PACKAGES_DIR}/${e.name}` }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * What the load says of the project's packages: nothing for those installed or covered; a
 * warning naming the line and the fix for the others.
 */
export function packageWarnings(root: string, warn: (msg: string) => void): void {
  const installed = new Set(installedPackages(root).map((p) => p.name));
  for (const p of readPackageSpecs(root)) {
    const at = `${p.file}:${p.line}`;
    if (coveredBy(p)) continue;
    if (p.kind === 'local' || p.kind === 'npm') {
      const name = p.kind === 'local' ? packageName(join(root, p.spec), p.spec.split('/').filter(Boolean).pop() ?? p.spec) : undefined;
      if (name && installed.has(name)) continue;
      if (!name && installed.size) continue;
      warn(`${at}: package "${p.spec}" is not installed: run ft deps.`);
      continue;
    }
    warn(`${at}: package "${p.spec}": ft does not have it built in (its library covers ${Object.keys(COVERED).join(', ')}): get its source and convert it with ft convert <its folder> --out <folder>, then list the folder as \`- local: <folder>\` and run ft deps.`);
  }
}
