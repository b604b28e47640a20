import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fastParse } from '../template/fast-parse.js';
import { createHandlebarsEnv } from '../template/handlebars-lib.js';
import { AstRenderer, canInterpret } from '../template/render-ast.js';
import { parseTemplate } from '../template/template-analysis.js';
import { readEnv } from '../util/env-reads.js';
import { describeHosts, parseHostList } from '../adapters/mysql/mysql-hosts.js';
import { FtError } from '../util/errors.js';
import { didYouMean } from '../util/suggest.js';
import { profileSearchPath, type ProfileOptions } from './profile-search-path.js';
import type { ResolvedTarget } from './types.js';
import { parseYaml } from './yaml-file.js';

export { profileSearchPath, type ProfileOptions };


/**
 * `{{env_var "NAME" "default"}}` inside profiles.yml, rendered into the parsed values — never into
 * the YAML text, where a value holding `"`, `\`, `: ` or `#` would break the file or silently
 * change it. Each `{{…}}` is swapped for a plain placeholder word (valid in any YAML scalar,
 * quoted or not), the file is parsed, and each string holding placeholders gets their rendered
 * text. A template in a comment is never rendered.
 */
function parseProfiles(text: string, file: string): unknown {
  if (!text.includes('{{')) return parseYaml(text, file).value;
  const token = `ftpl${randomBytes(6).toString('hex')}`;
  const templates: string[] = [];
  const masked = text.replace(/\{\{\{?[\s\S]*?\}?\}\}/g, (m) => `${token}x${templates.push(m) - 1}z`);
  const { value } = parseYaml(masked, file);
  const rendered = new Map<number, string>();
  const hb = createHandlebarsEnv();
  hb.registerHelper('env_var', (name: unknown, ...rest: unknown[]) => {
    const dflt = rest.length > 1 ? rest[0] : undefined;
    const v = readEnv(String(name));
    if (v !== undefined) return v;
    if (dflt !== undefined) return String(dflt);
    throw new FtError(`environment variable ${String(name)} is not set and has no default. Export it, or write {{env_var "${String(name)}" "default"}}.`, 2, file);
  });
  const render = (i: number): string => {
    let out = rendered.get(i);
    if (out !== undefined) return out;
    const tpl = templates[i]!;
    try {
      // Handlebars' own compiler only for what the AST interpreter cannot render
      const ast = fastParse(tpl);
      out = ast && canInterpret(ast) ? new AstRenderer(hb, (source, name) => parseTemplate(source, name)).render(ast, {}, {}) : hb.compile(tpl, { noEscape: true, strict: false })({});
    } catch (e) {
      if (e instanceof FtError) throw e;
      throw new FtError(`cannot render ${tpl} in profiles.yml: ${(e as Error).message.split('\n')[0]}`, 2, file);
    }
    rendered.set(i, out);
    return out;
  };
  const placeholder = new RegExp(`${token}x(\\d+)z`, 'g');
  const fill = (v: unknown): unknown => {
    if (typeof v === 'string') return v.includes(token) ? v.replace(placeholder, (_m, i: string) => render(Number(i))) : v;
    if (Array.isArray(v)) return v.map(fill);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [fill(k) as string, fill(x)]));
    return v;
  };
  return fill(value);
}

/** `port:` as a number 1-65535 (a number, or a string of digits from env_var); anything else is refused. */
function portOf(raw: unknown, where: string, file: string): number {
  if (raw === undefined || raw === null) return 3306;
  const text = typeof raw === 'string' ? raw.trim() : raw;
  const port = typeof text === 'number' ? text : typeof text === 'string' && /^\d+$/.test(text) ? Number(text) : NaN;
  if (Number.isInteger(port) && port >= 1 && port <= 65535) return port;
  const hint = raw === '' ? ' (an env_var that is not set renders empty: export it or give it a default)' : '';
  throw new FtError(`${where}.port is ${JSON.stringify(raw)}, not a port number (1-65535)${hint}. Fix \`port:\` in ${file}.`, 2, file);
}

/** `sql_mode:` of a target: the text to set, a list joined with commas; absent: ft's strict default. */
function sqlModeOf(raw: unknown, where: string, file: string): string | undefined {
  if (raw === undefined) return undefined;
  if (raw === null) return '';
  if (Array.isArray(raw) && raw.every((m) => typeof m === 'string')) return raw.join(',');
  if (typeof raw === 'string') return raw.trim();
  throw new FtError(`${where}.sql_mode is ${JSON.stringify(raw)}; write the modes as text ("STRICT_ALL_TABLES,NO_ZERO_DATE") or a list. Fix \`sql_mode:\` in ${file}.`, 2, file);
}

/**
 * `host:` of a target: one host, or several in the order ft tries them — `db1,db2:3307` (the form
 * MySQL's connectors accept) or a YAML list. A host without its own port gets `port:`.
 */
function hostsOf(raw: unknown, port: number, where: string, file: string): Array<{ host: string; port: number }> {
  if (raw === undefined || raw === null) return [{ host: '127.0.0.1', port }];
  const hosts = parseHostList(raw, port);
  if (typeof hosts !== 'string') return hosts;
  throw new FtError(
    `${where}.host is ${JSON.stringify(raw)}: ${hosts}. Write one host, or several in the order to try them as "db1:3306,db2:3306" or a YAML list [db1, "db2:3307"] (a host without :port uses \`port:\`). Fix \`host:\` in ${file}.`,
    2,
    file,
  );
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
  const value = parseProfiles(readFileSync(file, 'utf8'), file);
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
  const where = `${profileName}.outputs.${targetName}`;
  const port = portOf(out.port, where, file);
  const sqlMode = sqlModeOf(out.sql_mode, where, file);
  const hosts = hostsOf(out.host ?? out.server, port, where, file);
  return {
    profileName,
    targetName,
    type,
    host: hosts[0]!.host,
    port: hosts[0]!.port,
    ...(hosts.length > 1 ? { hosts } : {}),
    user: String(out.user ?? out.username ?? 'root'),
    password: out.password === null || out.password === undefined ? '' : String(out.password),
    database,
    threads: Number.isFinite(threads) && threads > 0 ? Math.floor(threads) : 4,
    ...(sqlMode !== undefined ? { sqlMode } : {}),
    profilesFile: file,
  };
}

/** The target as it may be shown: everything but the password. */
export function describeTarget(t: ResolvedTarget): Record<string, unknown> {
  return {
    profile: t.profileName,
    target: t.targetName,
    type: t.type,
    host: t.hosts ? describeHosts(t.hosts) : t.host,
    port: t.port,
    user: t.user,
    password: t.password ? '****' : '(empty)',
    database: t.database,
    threads: t.threads,
    sql_mode: t.sqlMode ?? '(ft strict default)',
  };
}
