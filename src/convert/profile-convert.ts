import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { FtError } from '../util/errors.js';

/** A literal Jinja env_var in a dbt profile value, as ft's Handlebars; else undefined. */
function envVarOf(v: unknown): string | undefined {
  const m = typeof v === 'string' ? /^\s*\{\{\s*env_var\(\s*['"]([^'"]+)['"]\s*(?:,\s*['"]([^'"]*)['"]\s*)?\)\s*(\|\s*as_number\s*)?\}\}\s*$/.exec(v) : null;
  if (!m) {
    // ft's own form (a converted profile converted again) stays as it is
    return typeof v === 'string' && /^\s*\{\{env_var "[^"]+"( "[^"]*")?\}\}\s*$/.test(v) ? v.trim() : undefined;
  }
  return m[2] !== undefined ? `{{env_var "${m[1]}" "${m[2]}"}}` : `{{env_var "${m[1]}"}}`;
}

/** A YAML scalar; single-quoted when it holds double quotes (`'{{env_var "X" ""}}'`), which read as they are. */
const yamlString = (s: string): string => (s.includes('"') ? `'${s.replace(/'/g, "''")}'` : JSON.stringify(s));

/**
 * ft's profiles.yml from a dbt profile: the same targets, pointed at MySQL. A password is
 * never copied: it becomes an env_var (the dbt profile's own env_var name when it used one).
 */
export function convertProfile(path: string, profileName: string | undefined): { text: string; notes: string[] } {
  let doc: Record<string, unknown>;
  try {
    doc = (parse(readFileSync(path, 'utf8')) ?? {}) as Record<string, unknown>;
  } catch (e) {
    throw new FtError(`cannot read this dbt profile: ${(e as Error).message.split('\n')[0]}. Fix the YAML, or leave out --profile.`, 2, path);
  }
  const names = Object.keys(doc).filter((k) => k !== 'config');
  const name = profileName && doc[profileName] ? profileName : names.length === 1 ? names[0] : undefined;
  if (!name) throw new FtError(`no profile ${profileName ? `"${profileName}" ` : ''}in this file (it has ${names.join(', ') || 'none'}). Name the profile in dbt_project.yml's profile:.`, 2, path);
  const profile = doc[name] as { target?: string; outputs?: Record<string, Record<string, unknown>> };
  const outputs = profile.outputs ?? {};
  const notes: string[] = [];
  const lines = ['# Converted from a dbt profile by ft convert: MySQL/MariaDB targets.', `${name}:`, `  target: ${profile.target ?? Object.keys(outputs)[0] ?? 'dev'}`, '  outputs:'];
  for (const [target, o] of Object.entries(outputs)) {
    const envPassword = envVarOf(o.password ?? o.pass);
    const passwordVar = `${name}_${target}_PASSWORD`.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
    const value = (v: unknown, dflt: string): string => envVarOf(v) ?? (v === undefined || v === null ? dflt : String(v));
    if (o.type !== 'mysql' && o.type !== 'mariadb') notes.push(`target ${target} was ${String(o.type)}: its host, port and user are kept where they exist; check them against the MySQL server.`);
    lines.push(
      `    ${target}:`,
      '      type: mysql',
      `      host: ${yamlString(value(o.host ?? o.server, '127.0.0.1'))}`,
      `      port: ${o.port === undefined || o.port === null ? '3306' : /^\d+$/.test(String(o.port)) ? String(o.port) : yamlString(value(o.port, '3306'))}`,
      `      user: ${yamlString(value(o.user ?? o.username, 'root'))}`,
      `      password: ${yamlString(envPassword ?? `{{env_var "${passwordVar}" ""}}`)}`,
      // ft's database is dbt's target schema: models land in <database>_<custom schema>, as dbt's <schema>_<custom schema>
      `      database: ${yamlString(value(o.schema ?? o.database ?? o.dbname, name))}`,
      `      threads: ${Number(o.threads ?? 4) || 4}`,
    );
    if (!envPassword && (o.password !== undefined || o.pass !== undefined)) notes.push(`target ${target}: the password is read from the environment variable ${passwordVar} (it was written in the dbt profile; not copied).`);
  }
  return { text: `${lines.join('\n')}\n`, notes };
}
