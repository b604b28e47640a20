import { homedir } from 'node:os';
import { join } from 'node:path';

export interface ProfileOptions {
  profilesDir?: string;
  target?: string;
}

// Apart from profiles.ts so that checking an unchanged compile does not load Handlebars.

/** Where profiles.yml is looked for, in dbt's order (flag, env, project, home). */
export function profileSearchPath(projectDir: string, opts: ProfileOptions): string[] {
  const dirs: string[] = [];
  if (opts.profilesDir) return [opts.profilesDir];
  if (process.env.FT_PROFILES_DIR) dirs.push(process.env.FT_PROFILES_DIR);
  dirs.push(projectDir, join(homedir(), '.ft'));
  return dirs;
}
