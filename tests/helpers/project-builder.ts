/**
 * project-builder — a throwaway ft project on disk, pointed at its own databases, plus a
 * way to run the real CLI on it. Meant for any integration test that drives `ft` end to end.
 *
 *   const p = await createProject({
 *     label: 'incr',                                   // goes into the unique prefix
 *     models: { 'orders.sql': 'select 1 as id', 'silver/x.sql': '…' },   // under models/
 *     yaml: { 'schema.yml': 'models: …' },              // under models/
 *     seeds: { 'customers.csv': 'id,name\n1,a\n' },    // under seeds/
 *     macros: { 'generate_schema_name.sql': '…' },      // under macros/
 *     tests: { 'no_neg.sql': '…' },                     // singular tests, under tests/
 *     files: { 'anything/else.txt': '…' },              // paths relative to the project root
 *     project: { vars: { x: 1 }, 'on-run-start': ['…'] }, // extra project.yml keys (YAML text or object)
 *     profile: { threads: 2, port: 1, password: 'x' },  // overrides of the generated profiles.yml
 *   });
 *   const r = await p.ft(['run', '--threads', '2']);    // → { code, stdout, stderr, output, ms }
 *   const rows = await p.query('select * from ' + p.rel('orders'));
 *   await p.cleanup();                                  // drops `<prefix>%` databases, removes the dir
 *
 * - The target database is the unique prefix itself (e.g. `ftt_incr_ab12cd`); a model with
 *   `schema: silver` lands in `<prefix>_silver` (`p.schema('silver')`), so `dropSchemas(prefix)`
 *   in cleanup() removes everything the test built.
 * - The CLI runs as a child process (`node bin/ft.js … --project-dir <dir>`) from dist/, so run
 *   `npm run build` first (npm test does). Set FT_TEST_CLI=src to run src/ through tsx instead
 *   (slower start, no build needed).
 * - `p.spawn(args)` starts the CLI without waiting, for signals and concurrency tests; its
 *   `waitFor(/regex/)` resolves once the output matches.
 * - Output is plain: NO_COLOR=1 and CI=1 are set, so there is no progress bar.
 *
 * Golden files (at the end of this file): `expectGolden('materializations/x.sql', text)` compares
 * with tests/goldens/<path>, UPDATE_GOLDENS=1 rewrites it; `normaliseRunSql(sql, p.prefix)` makes
 * target/run SQL comparable (prefix → `<db>`, MariaDB/MySQL differences smoothed).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { expect } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type mysql from 'mysql2/promise';
import { stringify } from 'yaml';
import { connect, dropSchemas, TEST_DB, uniquePrefix } from './db.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = join(REPO_ROOT, 'bin', 'ft.js');
const SRC_MAIN = join(REPO_ROOT, 'src', 'cli', 'main.ts');

export interface ProjectSpec {
  /** a short word for the unique prefix (letters and digits) */
  label: string;
  /** project name and profile name (default `proj`) */
  name?: string;
  models?: Record<string, string>;
  yaml?: Record<string, string>;
  seeds?: Record<string, string>;
  macros?: Record<string, string>;
  tests?: Record<string, string>;
  files?: Record<string, string>;
  /** extra project.yml content: YAML text appended, or an object merged over the defaults */
  project?: string | Record<string, unknown>;
  profile?: Partial<{ host: string; port: number; user: string; password: string; threads: number; database: string }>;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr together */
  output: string;
  ms: number;
}

export interface RunningCli {
  child: ChildProcess;
  /** resolves when the process exits */
  done: Promise<CliResult>;
  /** resolves when stdout+stderr so far match, rejects on exit or timeout */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** stdout+stderr so far */
  output(): string;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  /** kill the CLI after this long (default 120 s) */
  timeoutMs?: number;
  /** pass --project-dir (default true) */
  projectDir?: boolean;
  /** 'pipe' to write to the CLI's stdin through `child.stdin` (default: none) */
  stdin?: 'pipe';
}

/** The command line that starts the ft CLI (dist by default, src through tsx with FT_TEST_CLI=src). */
export function cliCommand(args: string[]): { cmd: string; argv: string[] } {
  if (process.env.FT_TEST_CLI === 'src') {
    const code = `const { main } = await import(${JSON.stringify(SRC_MAIN)}); process.exitCode = await main(process.argv.slice(1));`;
    return { cmd: process.execPath, argv: ['--import', 'tsx', '--input-type=module', '-e', code, ...args] };
  }
  if (!existsSync(join(REPO_ROOT, 'dist', 'cli', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` before the integration tests (or set FT_TEST_CLI=src).');
  return { cmd: process.execPath, argv: [BIN, ...args] };
}

/** Starts the ft CLI with these arguments (cwd: the repository). */
export function spawnCli(args: string[], opts: RunOptions = {}): RunningCli {
  const { cmd, argv } = cliCommand(args);
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', CI: '1', FORCE_COLOR: '0' };
  delete env.GITHUB_ACTIONS;
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const started = Date.now();
  const child = spawn(cmd, argv, { cwd: REPO_ROOT, env, stdio: [opts.stdin ?? 'ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let all = '';
  const listeners = new Set<() => void>();
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    all += d;
    for (const l of listeners) l();
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    all += d;
    for (const l of listeners) l();
  });
  const timeout = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
  const done = new Promise<CliResult>((resolveDone) => {
    child.on('close', (code, signal) => {
      clearTimeout(timeout);
      for (const l of listeners) l();
      resolveDone({ code, signal, stdout, stderr, output: all, ms: Date.now() - started });
    });
  });
  let exited = false;
  void done.then(() => {
    exited = true;
  });
  const waitFor = (pattern: RegExp, timeoutMs = 30_000): Promise<void> =>
    new Promise((ok, fail) => {
      const check = (): void => {
        if (pattern.test(all)) {
          cleanupWait();
          ok();
        } else if (exited) {
          cleanupWait();
          fail(new Error(`ft exited before printing ${pattern}:\n${all}`));
        }
      };
      const timer = setTimeout(() => {
        cleanupWait();
        fail(new Error(`timed out waiting for ${pattern}:\n${all}`));
      }, timeoutMs);
      const cleanupWait = (): void => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      listeners.add(check);
      void done.then(check);
      check();
    });
  return { child, done, waitFor, output: () => all };
}

export class TestProject {
  private conn: mysql.Connection | null = null;

  constructor(
    /** absolute path of the project folder */
    readonly dir: string,
    /** unique prefix: also the target database */
    readonly prefix: string,
    readonly name: string,
  ) {}

  /** the target database */
  get database(): string {
    return this.prefix;
  }

  /** `<prefix>` or `<prefix>_<custom>`: where a model with `schema: custom` lands */
  schema(custom?: string): string {
    return custom ? `${this.prefix}_${custom}` : this.prefix;
  }

  /** a quoted `schema`.`table` for queries; `custom` as in schema() */
  rel(table: string, custom?: string): string {
    const q = (s: string) => `\`${s.replace(/`/g, '``')}\``;
    return `${q(this.schema(custom))}.${q(table)}`;
  }

  path(...parts: string[]): string {
    return join(this.dir, ...parts);
  }

  /** writes (or overwrites) a file relative to the project root */
  write(file: string, content: string): void {
    const abs = join(this.dir, file);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, content);
  }

  remove(file: string): void {
    rmSync(join(this.dir, file), { force: true, recursive: true });
  }

  read(file: string): string {
    return readFileSync(join(this.dir, file), 'utf8');
  }

  exists(file: string): boolean {
    return existsSync(join(this.dir, file));
  }

  readJson<T = any>(file: string): T {
    return JSON.parse(this.read(file)) as T;
  }

  /** every file under a folder of the project, as root-relative paths with forward slashes */
  list(folder: string): string[] {
    const base = join(this.dir, folder);
    if (!existsSync(base)) return [];
    const out: string[] = [];
    const walk = (d: string): void => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const abs = join(d, e.name);
        if (e.isDirectory()) walk(abs);
        else out.push(relative(this.dir, abs).split('\\').join('/'));
      }
    };
    walk(base);
    return out.sort();
  }

  /** runs `ft <args> --project-dir <dir>` and waits for it */
  ft(args: string[], opts: RunOptions = {}): Promise<CliResult> {
    return this.spawn(args, opts).done;
  }

  /** starts `ft <args> --project-dir <dir>` without waiting */
  spawn(args: string[], opts: RunOptions = {}): RunningCli {
    return spawnCli(opts.projectDir === false ? args : [...args, '--project-dir', this.dir], opts);
  }

  /** a query on the test server (one shared connection per project) */
  async query<T = Record<string, any>>(sql: string, params?: unknown[]): Promise<T[]> {
    this.conn ??= await connect();
    const [rows] = await this.conn.query(sql, params);
    return rows as T[];
  }

  /** table and view names of a schema (default: the target database), sorted */
  async tables(custom?: string): Promise<string[]> {
    const rows = await this.query<{ n: string }>('SELECT table_name AS n FROM information_schema.tables WHERE table_schema = ? ORDER BY table_name', [this.schema(custom)]);
    return rows.map((r) => r.n);
  }

  /** 'table' | 'view' | null */
  async relationType(table: string, custom?: string): Promise<'table' | 'view' | null> {
    const rows = await this.query<{ t: string }>('SELECT table_type AS t FROM information_schema.tables WHERE table_schema = ? AND table_name = ?', [this.schema(custom), table]);
    return rows.length ? (rows[0]!.t === 'VIEW' ? 'view' : 'table') : null;
  }

  /** drops every `<prefix>%` database, closes the connection and removes the folder */
  async cleanup(): Promise<void> {
    await this.conn?.end().catch(() => undefined);
    this.conn = null;
    await dropSchemas(this.prefix);
    if (!process.env.FT_TEST_KEEP) rmSync(this.dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  }
}

/** Writes a project folder under the OS temp dir with a profiles.yml aimed at a unique database. */
export async function createProject(spec: ProjectSpec): Promise<TestProject> {
  const prefix = uniquePrefix(spec.label);
  const name = spec.name ?? 'proj';
  const dir = mkdtempSync(join(tmpdir(), `ft-${spec.label.replace(/[^a-z0-9]/gi, '')}-`));
  const p = new TestProject(dir, prefix, name);
  const base: Record<string, unknown> = {
    name,
    version: '1.0.0',
    profile: name,
    'model-paths': ['models'],
    'seed-paths': ['seeds'],
    'test-paths': ['tests'],
    'macro-paths': ['macros'],
  };
  let projectYml: string;
  if (typeof spec.project === 'string') projectYml = `${stringify(base)}${spec.project.endsWith('\n') ? spec.project : `${spec.project}\n`}`;
  else projectYml = stringify({ ...base, ...(spec.project ?? {}) });
  p.write('project.yml', projectYml);
  const profile = spec.profile ?? {};
  p.write(
    'profiles.yml',
    stringify({
      [name]: {
        target: 'dev',
        outputs: {
          dev: {
            type: 'mysql',
            host: profile.host ?? TEST_DB.host,
            port: profile.port ?? TEST_DB.port,
            user: profile.user ?? TEST_DB.user,
            password: profile.password ?? TEST_DB.password,
            database: profile.database ?? prefix,
            threads: profile.threads ?? 4,
          },
        },
      },
    }),
  );
  const put = (folder: string, files?: Record<string, string>): void => {
    for (const [f, text] of Object.entries(files ?? {})) p.write(folder ? `${folder}/${f}` : f, text);
  };
  put('models', spec.models);
  put('models', spec.yaml);
  put('seeds', spec.seeds);
  put('macros', spec.macros);
  put('tests', spec.tests);
  put('', spec.files);
  mkdirSync(join(dir, 'models'), { recursive: true });
  return p;
}

/** The lines of `ft` output that report a node (`N of M …`), without the leading timestamp. */
export function nodeLines(output: string): string[] {
  return output
    .split('\n')
    .map((l) => l.replace(/^\d\d:\d\d:\d\d\s+/, ''))
    .filter((l) => /^\d+ of \d+ /.test(l));
}

export const GOLDEN_DIR = join(REPO_ROOT, 'tests', 'goldens');

/**
 * Compares text with the golden file tests/goldens/<file>; UPDATE_GOLDENS=1 rewrites it instead.
 * A missing golden is written and the test fails, so every new golden is looked at once.
 */
export function expectGolden(file: string, actual: string): void {
  const path = join(GOLDEN_DIR, file);
  const text = actual.endsWith('\n') ? actual : `${actual}\n`;
  if (process.env.UPDATE_GOLDENS === '1') {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    return;
  }
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
    throw new Error(`golden ${file} did not exist; it has been written: review it and run again (or set UPDATE_GOLDENS=1).`);
  }
  expect(text, `golden ${file} differs (UPDATE_GOLDENS=1 rewrites it)`).toBe(readFileSync(path, 'utf8'));
}

/**
 * SQL from a real run, made comparable across runs and servers: the unique prefix becomes `<db>`;
 * integer display widths (MariaDB `int(11)`, MySQL `int`) and default collations are normalised.
 */
export function normaliseRunSql(sql: string, prefix: string): string {
  return sql
    .split(prefix)
    .join('<db>')
    .replace(/\b(tiny|small|medium|big)?int\(\d+\)/gi, (_m, size: string | undefined) => `${size ?? ''}int`)
    .replace(/COLLATE [A-Za-z0-9_]+/g, 'COLLATE <collation>');
}
