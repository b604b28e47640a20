import { homedir } from 'node:os';
import { join } from 'node:path';
import { readEnv } from '../util/env-reads.js';

export interface ProfileOptions {
  profilesDir?: string;
  target?: string;
}

// Apart from profiles.ts so that checking an unchanged compile does not load Handlebars.

/** Where profiles.yml is looked for, in dbt's order (flag, env, project, home). */
export function profileSearchPath(projectDir: string, opts: ProfileOptions): string[] {
  const dirs: string[] = [];
  if (opts.profilesDir) return [opts.profilesDir];
  const fromEnv = readEnv('FT_PROFILES_DIR');
  if (fromEnv) dirs.push(fromEnv);
  dirs.push(projectDir, join(homedir(), '.ft'));
  return dirs;
}
