import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROJECT_FILES } from '../project/project-config.js';
import { FtError } from '../util/errors.js';

export interface InitFlags {
  host?: string;
  port?: string;
  user?: string;
  database?: string;
}

/** The package's scaffold/ folder: beside dist/ when installed, beside src/ in the repository. */
const SCAFFOLD = fileURLToPath(new URL('../../scaffold/', import.meta.url));
const PACKAGE_JSON = new URL('../../package.json', import.meta.url);

// npm leaves `.gitignore` out of a package and dot-folders are easy to lose, so the scaffold
// stores them without their dot.
const DOTTED: Record<string, string> = { gitignore: '.gitignore', github: '.github' };

const DEFAULTS = { name: 'my_project', host: '127.0.0.1', port: '3306', user: 'root' };

/** ft init [name]: writes a new project that `ft build` builds green, in a new folder. */
export async function initCommand(nameArg: string | undefined, flags: InitFlags): Promise<number> {
  const here = process.cwd();
  // `ft init` in a project folder (or `ft init x` there): say what exists instead of nesting one project in another
  const parent = nameArg === undefined ? here : dirname(resolve(here, nameArg));
  const existing = PROJECT_FILES.find((f) => existsSync(join(parent, f)));
  if (existing) throw new FtError(describeExisting(parent, existing));

  const ask = process.stdin.isTTY ? await prompter() : null;
  try {
    const target = nameArg ?? (ask ? await ask('project name', DEFAULTS.name) : DEFAULTS.name);
    const dir = resolve(here, target);
    const name = basename(dir);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new FtError(`"${name}" cannot be a project name: use letters, digits and underscores, starting with a letter or underscore (e.g. ${name.replace(/[^A-Za-z0-9_]/g, '_').replace(/^(?=\d)/, 'p_') || DEFAULTS.name}).`);
    if (existsSync(dir) && (!statSync(dir).isDirectory() || readdirSync(dir).length > 0)) {
      throw new FtError(`${relative(here, dir) || dir} already exists and is not empty; ft init writes a new project only into a new or empty folder: choose another name, or move that folder away.`);
    }
    const value = async (flag: string | undefined, label: string, fallback: string): Promise<string> => flag ?? (ask ? await ask(label, fallback) : fallback);
    const host = await value(flags.host, 'host', DEFAULTS.host);
    const port = await value(flags.port, 'port', DEFAULTS.port);
    const user = await value(flags.user, 'user', DEFAULTS.user);
    const database = await value(flags.database, 'database (models land in it and in <database>_<schema>)', name);
    const values = checkValues({ name, host, port, user, database });
    const written = writeScaffold(dir, values);
    const rel = relative(here, dir);
    const shown = !rel ? '.' : rel.startsWith('..') ? dir : rel;
    process.stdout.write(
      [
        `Created the ft project ${name} in ${shown}:`,
        ...written.map((f) => `  ${f}`),
        '',
        'Next:',
        `  cd ${shown}`,
        '  export FT_PASSWORD=…   # when the server needs a password (profiles.yml reads it from the environment only)',
        '  ft debug               # check the connection',
        '  ft build               # seeds, models and tests',
        '',
      ].join('\n'),
    );
    return 0;
  } finally {
    ask?.close();
  }
}

interface ScaffoldValues {
  name: string;
  host: string;
  port: string;
  user: string;
  database: string;
}

function checkValues(v: ScaffoldValues): ScaffoldValues {
  const port = Number(v.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new FtError(`--port must be a port number (1-65535), not "${v.port}".`);
  if (!v.host || /[\s"'{}#]/.test(v.host)) throw new FtError(`--host must be a host name or address, not "${v.host}".`);
  if (!v.user || /["{}\\]/.test(v.user)) throw new FtError(`--user must be a user name without quotes, braces or backslashes, not "${v.user}".`);
  // <database>_<schema> must fit MySQL's 64 characters too; leave room for the schema
  if (!/^[A-Za-z0-9_$]{1,48}$/.test(v.database)) throw new FtError(`--database must be 1-48 letters, digits, _ or $ (models with a schema land in <database>_<schema>), not "${v.database}".`);
  return { ...v, port: String(port) };
}

/** Copies scaffold/ into dir, filling in the names; returns the files written, relative to dir. */
function writeScaffold(dir: string, v: ScaffoldValues): string[] {
  const pkg = JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { name: string; version: string };
  const fill = (text: string): string =>
    text
      .replaceAll('__NAME__', v.name)
      .replaceAll('__HOST__', v.host)
      .replaceAll('__PORT__', v.port)
      .replaceAll('__USER__', JSON.stringify(v.user))
      .replaceAll('__DATABASE__', v.database)
      .replaceAll('__PACKAGE__', pkg.name)
      .replaceAll('__VERSION__', pkg.version);
  const written: string[] = [];
  const copy = (from: string, to: string, rel: string): void => {
    for (const entry of readdirSync(from, { withFileTypes: true })) {
      const outName = rel === '' ? (DOTTED[entry.name] ?? entry.name) : entry.name;
      const src = join(from, entry.name);
      const dest = join(to, outName);
      const relOut = rel ? `${rel}/${outName}` : outName;
      if (entry.isDirectory()) {
        mkdirSync(dest, { recursive: true });
        copy(src, dest, relOut);
      } else {
        // 'wx': never overwrite, even a file that appeared since the check
        writeFileSync(dest, fill(readFileSync(src, 'utf8')), { flag: 'wx' });
        written.push(relOut);
      }
    }
  };
  mkdirSync(dir, { recursive: true });
  copy(SCAFFOLD, dir, '');
  return written.sort();
}

/** What `ft init` found in a project folder, and what to do instead. */
function describeExisting(dir: string, file: string): string {
  const count = (folder: string, ext: string): number => {
    let n = 0;
    const walk = (d: string): void => {
      if (!existsSync(d)) return;
      for (const e of readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(d, e.name));
        else if (e.name.endsWith(ext)) n++;
      }
    };
    walk(join(dir, folder));
    return n;
  };
  const nameLine = /^name:\s*["']?([^"'\s#]+)/m.exec(readFileSync(join(dir, file), 'utf8'));
  const some = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;
  const parts = [
    some(count('models', '.sql'), 'model'),
    some(count('seeds', '.csv'), 'seed'),
    some(count('macros', ''), 'macro file'),
    existsSync(join(dir, 'profiles.yml')) ? 'a profiles.yml' : 'no profiles.yml here (ft also looks in FT_PROFILES_DIR and ~/.ft)',
  ];
  return [
    `${dir} already holds an ft project: ${file}${nameLine ? ` (name: ${nameLine[1]})` : ''} with ${parts.join(', ')}.`,
    'ft init creates a new project in a new folder; here, use the project as it is (ft debug, ft build),',
    'or run ft init <name> from a folder that is not a project.',
  ].join('\n');
}

/** Questions on the terminal, each with a default taken on Enter. */
async function prompter(): Promise<((label: string, fallback: string) => Promise<string>) & { close(): void }> {
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  const ask = async (label: string, fallback: string): Promise<string> => (await rl.question(`${label} [${fallback}]: `)).trim() || fallback;
  return Object.assign(ask, { close: () => rl.close() });
}
