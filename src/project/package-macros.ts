import { loadMacros, type Macros } from './macros.js';
import { installedPackages } from './packages.js';
import type { Listings } from './discovery.js';
import type { ProjectConfig } from './types.js';

/**
 * The project's macros and those of the packages ft deps installed (dbt_packages/<name>/macros):
 * a package's macro is callable by its name, unless the project has one of that name, and as
 * `<package>.<name>` (a JS helper; dbt's namespaced call).
 */
export async function loadProjectMacros(root: string, config: ProjectConfig, listings?: Listings): Promise<Macros> {
  const own = await loadMacros(root, config, listings);
  for (const pkg of installedPackages(root)) {
    const theirs = await loadMacros(root, { ...config, macroPaths: [`${pkg.dir}/macros`] }, listings);
    for (const [name, body] of theirs.partials) {
      if (own.partials.has(name)) continue;
      own.partials.set(name, body);
      own.partialFiles.set(name, theirs.partialFiles.get(name)!);
    }
    for (const [name, fn] of theirs.helpers) {
      if (!own.helpers.has(name)) own.helpers.set(name, fn);
      if (!name.includes('.')) own.helpers.set(`${pkg.name}.${name}`, fn);
    }
    own.macroTexts.push(...theirs.macroTexts);
    own.helpersReadEnv ||= theirs.helpersReadEnv;
  }
  return own;
}
