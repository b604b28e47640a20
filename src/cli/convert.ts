import { relative } from 'node:path';
import { convertProject } from '../convert/convert-project.js';
import { formatLeftovers } from '../convert/leftovers.js';
import { createOutput } from './output.js';

export interface ConvertFlags {
  out?: string;
  inPlace?: boolean;
  profile?: string;
  logFormat?: string;
}

/**
 * ft convert <dbt-project-dir>: the project's Jinja templates to ft's Handlebars, MySQL traps
 * fixed where one rewrite is safe, and every leftover at once. Exit 0: nothing left to do by
 * hand; 1: the leftovers listed need a human; 2: ft could not convert (bad input).
 */
export async function convertCommand(dir: string, flags: ConvertFlags): Promise<number> {
  const out = createOutput({ logFormat: flags.logFormat });
  const r = convertProject({ projectDir: dir, out: flags.out, inPlace: flags.inPlace, profile: flags.profile });
  const where = relative(process.cwd(), r.outDir) || '.';
  out.info(`Converted ${dir} into ${where}: ${r.written.length} file${r.written.length === 1 ? '' : 's'} written, ${r.translated} translated${r.removed.length ? `, ${r.removed.length} macro file${r.removed.length === 1 ? '' : 's'} split into one file per macro` : ''}.`, {
    out: r.outDir,
    written: r.written.length,
    translated: r.translated,
  });
  for (const n of r.notes) out.info(`note: ${n}`);
  if (out.json) {
    out.event('convert_leftovers', { leftovers: r.leftovers });
  } else {
    out.info(formatLeftovers(r.leftovers));
  }
  return r.leftovers.length ? 1 : 0;
}
