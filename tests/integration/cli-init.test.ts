import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { countRows, dropSchemas, TEST_DB, uniquePrefix } from '../helpers/db.js';
import { cliCommand, REPO_ROOT, spawnCli } from '../helpers/project-builder.js';

/** ft init: a new project that builds green, written only where nothing is, with no question off a terminal. */
describe('ft init', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ft-init-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const ft = (args: string[]) => spawnCli(args, { env: { FT_PASSWORD: TEST_DB.password, FT_DATABASE: undefined } }).done;

  it('scaffolds project.yml, profiles.yml from the flags, staging and marts with tests, a seed, a macro, .gitignore and CI; it builds green', async () => {
    const db = uniquePrefix('init');
    try {
      const r = await ft(['init', join(dir, 'shop'), '--host', TEST_DB.host, '--port', String(TEST_DB.port), '--user', TEST_DB.user, '--database', db]);
      expect(r.code, r.output).toBe(0);
      const root = join(dir, 'shop');
      for (const f of ['project.yml', 'profiles.yml', '.gitignore', '.github/workflows/ft-build.yml', 'models/staging/staging.yml', 'models/marts/marts.yml', 'seeds/raw_payments.csv', 'macros/cents_to_amount.sql']) {
        expect(existsSync(join(root, f)), f).toBe(true);
      }
      expect(readFileSync(join(root, 'project.yml'), 'utf8')).toMatch(/^name: shop$/m);
      const profiles = readFileSync(join(root, 'profiles.yml'), 'utf8');
      expect(profiles).toContain(`host: ${TEST_DB.host}\n`);
      expect(profiles).toContain(`port: ${TEST_DB.port}\n`);
      expect(profiles).toContain(`"{{env_var "FT_DATABASE" "${db}"}}"`);
      // the password only from the environment
      expect(profiles).toMatch(/password: "\{\{env_var "FT_PASSWORD" ""\}\}"/);
      expect(readFileSync(join(root, '.github/workflows/ft-build.yml'), 'utf8')).toMatch(/run: ft build/);
      const build = await ft(['build', '--project-dir', root]);
      expect(build.code, build.output).toBe(0);
      expect(build.output).toMatch(/PASS=11 WARN=0 ERROR=0 FAIL=0 SKIP=0 TOTAL=11/);
      expect(await countRows(`select count(*) as n from \`${db}\`.stg_payments`)).toBe(6);
    } finally {
      await dropSchemas(db);
    }
  });

  it('off a terminal, asks nothing and uses the defaults', async () => {
    const r = await ft(['init', join(dir, 'plain')]);
    expect(r.code, r.output).toBe(0);
    const profiles = readFileSync(join(dir, 'plain', 'profiles.yml'), 'utf8');
    expect(profiles).toContain('host: 127.0.0.1\n');
    expect(profiles).toContain('port: 3306\n');
    expect(profiles).toContain('user: "root"\n');
    expect(profiles).toContain('"{{env_var "FT_DATABASE" "plain"}}"');
    expect(r.output).not.toMatch(/\[.*\]: /);
  });

  it.skipIf(!existsSync('/usr/bin/script'))('on a terminal, asks only for what the flags leave out', async () => {
    const { cmd, argv } = cliCommand(['init', join(dir, 'asked'), '--host', 'db.example', '--port', '3307', '--user', 'me']);
    const line = [cmd, ...argv].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    // script gives ft a pseudo-terminal; the answer comes through it
    const out = await new Promise<string>((ok, fail) => {
      const child = execFile('/usr/bin/script', ['-qec', line, '/dev/null'], (e, stdout) => (e ? fail(e) : ok(stdout)));
      child.stdin!.end('warehouse\n');
    });
    // the terminal's cursor moves out, one question left: the database's
    const text = out.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '');
    expect(text.match(/\[[^\]\n]*\]: /g)).toEqual(['[asked]: ']);
    expect(out).toContain('database (models land in it and in <database>_<schema>) [asked]: ');
    const profiles = readFileSync(join(dir, 'asked', 'profiles.yml'), 'utf8');
    expect(profiles).toContain('host: db.example\n');
    expect(profiles).toContain('port: 3307\n');
    expect(profiles).toContain('"{{env_var "FT_DATABASE" "warehouse"}}"');
  });

  it('refuses to write into a folder that holds something', async () => {
    mkdirSync(join(dir, 'taken'));
    writeFileSync(join(dir, 'taken', 'notes.txt'), 'mine');
    const r = await ft(['init', join(dir, 'taken')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/taken already exists and is not empty.*choose another name/);
    expect(readFileSync(join(dir, 'taken', 'notes.txt'), 'utf8')).toBe('mine');
    expect(existsSync(join(dir, 'taken', 'project.yml'))).toBe(false);
  });

  it('inside an existing project, says what is there instead of nesting a new one', async () => {
    // the repository itself is a project (the CLI runs from it)
    const r = await ft(['init']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${REPO_ROOT} already holds an ft project: project.yml (name: flash_sale) with`);
    expect(r.stderr).toMatch(/\d+ models, \d+ seeds?, .*a profiles\.yml/);
    expect(r.stderr).toContain('ft init <name> from a folder that is not a project');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('bad names and flags are refused, naming the fix', async () => {
    const name = await ft(['init', join(dir, 'my-shop')]);
    expect(name.code).toBe(2);
    expect(name.stderr).toMatch(/"my-shop" cannot be a project name.*e\.g\. my_shop/);
    const port = await ft(['init', join(dir, 'p'), '--port', 'abc']);
    expect(port.code).toBe(2);
    expect(port.stderr).toContain('--port must be a port number (1-65535), not "abc"');
    const db = await ft(['init', join(dir, 'd'), '--database', 'a-b']);
    expect(db.stderr).toContain('--database must be 1-48 letters, digits, _ or $');
    // nothing half-written
    expect(existsSync(join(dir, 'p'))).toBe(false);
    expect(existsSync(join(dir, 'd'))).toBe(false);
  });
});
