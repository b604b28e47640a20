import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, dropSchemas, TEST_DB, uniquePrefix } from '../helpers/db.js';
import { REPO_ROOT } from '../helpers/project-builder.js';

const run = promisify(execFile);

/**
 * The package as a user gets it: `npm pack`, installed globally into a temporary prefix, used
 * from a folder outside the repository — nothing of the repository but the tarball.
 */
describe('npm package', () => {
  let work: string;
  let prefix: string;
  let tarball: string;
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { name: string; version: string };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'ft-pkg-'));
    prefix = join(work, 'prefix');
    // dist/ is built by `npm test` (and by prepack when packing for real): packing without
    // scripts here does not rebuild the tree other suites are running from
    const packed = await run(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: REPO_ROOT, maxBuffer: 64 << 20 });
    tarball = join(work, (JSON.parse(packed.stdout) as Array<{ filename: string }>)[0]!.filename);
    // dependencies from npm's cache when it holds them (the registry otherwise)
    await run(npm, ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: work, maxBuffer: 64 << 20 });
  }, 240_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** runs the installed `ft` from `cwd`, with only the server's password from the environment */
  const ft = async (args: string[], cwd: string): Promise<{ code: number; out: string }> => {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', CI: '1', FT_PASSWORD: TEST_DB.password, PATH: `${join(prefix, 'bin')}:${process.env.PATH}` };
    delete env.FT_DATABASE;
    delete env.FT_PROFILES_DIR;
    try {
      const r = await run(join(prefix, 'bin', 'ft'), args, { cwd, env, maxBuffer: 64 << 20 });
      return { code: 0, out: r.stdout + r.stderr };
    } catch (e) {
      const err = e as { code: number; stdout: string; stderr: string };
      return { code: err.code, out: `${err.stdout}${err.stderr}` };
    }
  };

  it('ships the built CLI, the scaffold and the docs site, and no sources, maps or dev tools', async () => {
    const listed = await run('tar', ['tzf', tarball], { maxBuffer: 64 << 20 });
    const files = listed.stdout.split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));
    expect(files).toEqual(expect.arrayContaining(['bin/ft.js', 'dist/cli/main.js', 'dist/cli/init.js', 'dist/docs/site/app.js', 'scaffold/project.yml', 'scaffold/gitignore', 'scaffold/github/workflows/ft-build.yml']));
    expect(files.filter((f) => f.startsWith('src/') || f.endsWith('.map') || f.startsWith('dist/generator/') || f.startsWith('tests/'))).toEqual([]);
    const installed = JSON.parse(readFileSync(join(prefix, 'lib', 'node_modules', pkg.name, 'package.json'), 'utf8')) as { devDependencies?: Record<string, string> };
    // dev tools are not installed with it (type packages may be: mysql2 depends on @types/node)
    for (const dev of Object.keys(installed.devDependencies ?? {}).filter((d) => !d.startsWith('@types/'))) expect(existsSync(join(prefix, 'lib', 'node_modules', pkg.name, 'node_modules', dev)), dev).toBe(false);
  });

  it('ft --version, then ft init and ft build against the server, from outside the repository', async () => {
    const db = uniquePrefix('npmpkg');
    try {
      const version = await ft(['--version'], work);
      expect(version).toEqual({ code: 0, out: `${pkg.version}\n` });
      const init = await ft(['init', 'demo', '--host', TEST_DB.host, '--port', String(TEST_DB.port), '--user', TEST_DB.user, '--database', db], work);
      expect(init.code, init.out).toBe(0);
      expect(init.out).toContain('Created the ft project demo in demo');
      const dir = join(work, 'demo');
      const build = await ft(['build'], dir);
      expect(build.code, build.out).toBe(0);
      expect(build.out).toMatch(/Done\. PASS=11 WARN=0 ERROR=0 FAIL=0 SKIP=0 TOTAL=11/);
      expect(await countRows(`select count(*) as n from \`${db}\`.customer_payments`)).toBe(4);
      // the docs site's browser code comes built in the package (no TypeScript at run time)
      const docs = await ft(['docs', 'generate'], dir);
      expect(docs.code, docs.out).toBe(0);
      expect(existsSync(join(dir, 'target', 'docs', 'index.html'))).toBe(true);
      // the workflow installs this very package
      expect(readFileSync(join(dir, '.github', 'workflows', 'ft-build.yml'), 'utf8')).toContain(`npm install -g ${pkg.name}@${pkg.version}`);
    } finally {
      await dropSchemas(db);
    }
  });
});
