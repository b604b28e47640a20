import { existsSync, rmSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { loadProjectConfig } from '../project/project-config.js';
import { FtError } from '../util/errors.js';
import type { GlobalFlags } from './context.js';
import { createOutput } from './output.js';

/** Whether `path` is `dir` or inside it. */
function within(dir: string, path: string): boolean {
  const r = relative(dir, path);
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
}

/**
 * ft clean: deletes the project's clean-targets (default: the target path), as `dbt clean`.
 * Only folders inside the project, and never the project itself or a folder ft reads from.
 */
export async function cleanCommand(flags: GlobalFlags): Promise<number> {
  const out = createOutput({ logFormat: flags.logFormat });
  const root = resolve(flags.projectDir ?? process.cwd());
  const config = loadProjectConfig(root, (w) => out.warn(w));
  const sources = [...config.modelPaths, ...config.seedPaths, ...config.testPaths, ...config.macroPaths, ...config.docsPaths].map((p) => resolve(root, p));
  const targets = config.cleanTargets.map((t) => {
    const abs = resolve(root, t);
    if (abs === root || !within(root, abs)) {
      throw new FtError(`clean-targets: "${t}" is not a folder inside the project (${root}); ft clean deletes only those. Fix clean-targets in ${config.file}.`, 2, config.file);
    }
    const read = sources.find((s) => within(abs, s));
    if (read) throw new FtError(`clean-targets: "${t}" holds ${relative(root, read) || t}, which the project reads; ft clean will not delete it. Fix clean-targets in ${config.file}.`, 2, config.file);
    return { t, abs };
  });
  const cleaned = targets.filter(({ abs }) => existsSync(abs));
  for (const { abs } of cleaned) rmSync(abs, { recursive: true, force: true });
  out.info(cleaned.length ? `Cleaned ${cleaned.map((c) => `${c.t}/`).join(', ')}` : `Nothing to clean (${targets.map((c) => `${c.t}/`).join(', ')} not there)`);
  return 0;
}
