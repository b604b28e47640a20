import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fastParse } from '../template/fast-parse.js';
import { createHandlebarsEnv } from '../template/handlebars-lib.js';
import { AstRenderer, canInterpret } from '../template/render-ast.js';
import { parseTemplate } from '../template/template-analysis.js';
import { readEnv } from '../util/env-reads.js';
import { FtError } from '../util/errors.js';
import { didYouMean } from '../util/suggest.js';
import { profileSearchPath, type ProfileOptions } from './profile-search-path.js';
import type { ResolvedTarget } from './types.js';
import { parseYaml } from './yaml-file.js';

export { profileSearchPath, type ProfileOptions };


/** `{{env_var "NAME" "default"}}` inside profiles.yml, rendered before YAML parsing. */
function renderEnvVars(text: string, file: string): string {
  if (!text.includes('{{')) return text;
  const hb = createHandlebarsEnv();
  hb.registerHelper('env_var', (name: unknown, ...rest: unknown[]) => {
    const dflt = rest.length > 1 ? rest[0] : undefined;
    const v = readEnv(String(name));
    if (v !== undefined) return v;
    if (dflt !== undefined) return String(dflt);
    throw new FtError(`environment variable ${String(name)} is not set and has no default. Export it, or write {{env_var "${String(name)}" "default"}}.`, 2, file);
  });
  try {
    // Handlebars' own compiler only for what the AST interpreter cannot render
    const ast = fastParse(text);
    if (ast && canInterpret(ast)) return new AstRenderer(hb, (source, name) => parseTemplate(source, name)).render(ast, {}, {});
    return hb.compile(text, { noEscape: true, strict: false })({});
  } catch (e) {
    if (e instanceof FtError) throw e;
    throw new FtError(`cannot render profiles.yml: ${(e as Error).message.split('\n')[0]}`, 2, file);
  }
}

export function loadTarget(projectDir: string, profileName: string, opts: ProfileOptions): ResolvedTarget {
  const dirs = profileSearchPath(projectDir, opts);
  const dir = dirs.find((d) => existsSync(join(d, 'profiles.yml')));
  if (!dir) {
    throw new FtError(
      `no profiles.yml found (looked in ${dirs.join(', ')}). Create one with \`${profileName}: {target: dev, outputs: {dev: {type: mysql, host: 127.0.0.1, port: 3306, user: root, password: "", database: ft_dev}}}\` or pass --profiles-dir.`,
    );
  }
  const file = join(dir, 'profiles.yml');
  const { value } = parseYaml(renderEnvVars(readFileSync(file, 'utf8'), file), file);
  const profiles = (value ?? {}) as Record<string, unknown>;
  const profile = profiles[profileName] as Record<string, unknown> | undefined;
  if (!profile || typeof profile !== 'object') {
    throw new FtError(
      `profile "${profileName}" (named by project.yml's \`profile:\`) is not in ${file}.${didYouMean(profileName, Object.keys(profiles))} Add it or change \`profile:\` in project.yml.`,
    );
  }
  const outputs = (profile.outputs ?? {}) as Record<string, Record<string, unknown>>;
  const targetName = opts.target ?? (typeof profile.target === 'string' ? profile.target : 'dev');
  const out = outputs[targetName];
  if (!out || typeof out !== 'object') {
    throw new FtError(
      `target "${targetName}" is not defined under ${profileName}.outputs in ${file}.${didYouMean(targetName, Object.keys(outputs))} Known targets: ${Object.keys(outputs).join(', ') || 'none'}.`,
    );
  }
  const type = String(out.type ?? 'mysql');
  if (!['mysql', 'mariadb'].includes(type)) {
    throw new FtError(`target "${targetName}" has type "${type}"; ft supports type: mysql (MySQL 8.0+ and MariaDB 10.6+).`, 2, file);
  }
  // dbt-mysql spells host/user/database as server/username/schema.
  const database = out.database ?? out.schema;
  if (typeof database !== 'string' || !database) {
    throw new FtError(`target "${targetName}" in ${file} needs \`database:\` (or \`schema:\`), the MySQL database models are built in.`);
  }
  const threads = Number(out.threads ?? 4);
  return {
    profileName,
    targetName,
    type,
    host: String(out.host ?? out.server ?? '127.0.0.1'),
    port: Number(out.port ?? 3306),
    user: String(out.user ?? out.username ?? 'root'),
    password: out.password === null || out.password === undefined ? '' : String(out.password),
    database,
    threads: Number.isFinite(threads) && threads > 0 ? Math.floor(threads) : 4,
    profilesFile: file,
  };
}

/** The target as it may be shown: everything but the password. */
export function describeTarget(t: ResolvedTarget): Record<string, unknown> {
  return {
    profile: t.profileName,
    target: t.targetName,
    type: t.type,
    host: t.host,
    port: t.port,
    user: t.user,
    password: t.password ? '****' : '(empty)',
    database: t.database,
    threads: t.threads,
  };
}
