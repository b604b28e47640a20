import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';
import { coveredBy, packageName, PACKAGES_DIR, readPackageSpecs, type PackageSpec } from '../project/packages.js';
import { loadProjectConfig } from '../project/project-config.js';
import { FtError } from '../util/errors.js';
import type { GlobalFlags } from './context.js';
import { createOutput } from './output.js';

/** What is not copied with a local package: its build output, its own packages, VCS data. */
const SKIP = new Set(['target', PACKAGES_DIR, 'node_modules', '.git', 'logs']);

/** Copies a package folder to dbt_packages/<name>, replacing what was there. */
function install(root: string, src: string, name: string): string {
  const dest = join(root, PACKAGES_DIR, name);
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(join(root, PACKAGES_DIR), { recursive: true });
  cpSync(src, dest, { recursive: true, dereference: true, filter: (p) => p === src || !SKIP.has(relative(src, p).split(sep)[0]!) });
  return dest;
}

/** How many macros and models a package brings, for the report. */
function contents(dir: string): string {
  const count = (sub: string, re: RegExp): number => {
    const base = join(dir, sub);
    if (!existsSync(base)) return 0;
    return (readdirSync(base, { recursive: true }) as string[]).filter((f) => re.test(f)).length;
  };
  const macros = count('macros', /\.(sql|m?js)$/);
  const models = count('models', /\.sql$/);
  const parts = [`${macros} macro file${macros === 1 ? '' : 's'}`];
  if (models) parts.push(`${models} model${models === 1 ? '' : 's'} (model.<package>.<name>; ref them as {{ref "<package>" "<name>"}} or by name)`);
  return parts.join('; ');
}

/**
 * ft deps: installs the `local:` and `npm:` packages of packages.yml/dependencies.yml into
 * dbt_packages/ (their macros load with the project's), and says of each dbt hub or git package
 * whether ft's built-in library covers it or it is to be converted with ft convert. Exit 1 when
 * a package needs a human.
 */
export async function depsCommand(flags: GlobalFlags): Promise<number> {
  const out = createOutput({ logFormat: flags.logFormat });
  const root = resolve(flags.projectDir ?? process.cwd());
  loadProjectConfig(root, () => undefined);
  const specs = readPackageSpecs(root);
  if (!specs.length) {
    out.info('No packages: packages.yml and dependencies.yml list none.');
    return 0;
  }
  let needsHuman = 0;
  const at = (p: PackageSpec): string => `${p.file}:${p.line}`;
  for (const p of specs) {
    if (p.kind === 'local') {
      const src = resolve(root, p.spec);
      if (!existsSync(src)) throw new FtError(`local package "${p.spec}" is not there (${src}). Fix the path (relative to the project).`, 2, p.file, p.line);
      const name = packageName(src, basename(src));
      const dest = install(root, src, name);
      out.info(`Installed ${name} from ${p.spec} into ${PACKAGES_DIR}/${name}: ${contents(dest)}.`);
    } else if (p.kind === 'npm') {
      const prefix = join(root, PACKAGES_DIR, '.npm');
      mkdirSync(prefix, { recursive: true });
      const r = spawnSync('npm', ['install', '--prefix', prefix, '--no-audit', '--no-fund', '--loglevel=error', p.spec], { cwd: root, encoding: 'utf8' });
      if (r.status !== 0) throw new FtError(`npm could not install "${p.spec}": ${(r.stderr || r.stdout || String(r.error)).trim().split('\n').slice(-3).join(' ')}. Check the name, version or path.`, 2, p.file, p.line);
      const deps = Object.keys((JSON.parse(readFileSync(join(prefix, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }).dependencies ?? {});
      for (const dep of deps) {
        const src = join(prefix, 'node_modules', dep);
        const name = packageName(src, dep.split('/').pop()!.replace(/-/g, '_'));
        const dest = install(root, src, name);
        out.info(`Installed ${name} from npm (${dep}) into ${PACKAGES_DIR}/${name}: ${contents(dest)}.`);
      }
    } else {
      const ns = coveredBy(p);
      if (ns) {
        out.info(`${p.spec}: covered by ft's built-in library — call its macros as {{${ns}.<macro> …}} (docs/dbt-macros.md); nothing to install.`);
      } else {
        needsHuman++;
        out.warn(`${at(p)}: ${p.spec}: not in ft's built-in library. Get its source (git clone, or the hub's tarball), convert it with ft convert <its folder> --out <folder>, then list the folder as \`- local: <folder>\` and run ft deps again.`);
      }
    }
  }
  if (needsHuman) {
    out.error(`${needsHuman} package${needsHuman === 1 ? ' needs' : 's need'} converting (listed above); the rest is installed or built in.`);
    return 1;
  }
  return 0;
}
