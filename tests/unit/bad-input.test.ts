import { execFile, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Every kind of bad input, through the real CLI (node bin/ft.js) on the small broken projects
// of tests/fixtures/bad: a one-paragraph message naming the file (and line) and the fix,
// exit code 2, and no stack trace unless --debug.

const repo = resolve(import.meta.dirname, '../..');
const bin = join(repo, 'bin', 'ft.js');
const fixtures = join(repo, 'tests', 'fixtures', 'bad');
const work = mkdtempSync(join(tmpdir(), 'ft-bad-'));
const home = join(work, 'home'); // an empty HOME: no ~/.ft/profiles.yml

beforeAll(() => {
  mkdirSync(home, { recursive: true });
  if (!existsSync(join(repo, 'dist', 'cli', 'main.js'))) {
    try {
      execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: repo, stdio: 'ignore' });
    } catch {
      // type errors elsewhere still emit JavaScript
    }
  }
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

let n = 0;
/** Copies a fixture to a fresh folder and runs `ft <args> --project-dir <copy>` there. */
function ft(fixture: string, args: string[]): Promise<Result & { dir: string }> {
  const dir = join(work, `${fixture}-${++n}`);
  cpSync(join(fixtures, fixture), dir, { recursive: true });
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, NO_COLOR: '1' };
  return new Promise((done) => {
    execFile(process.execPath, [bin, ...args, '--project-dir', dir], { cwd: dir, env }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      done({ code, stdout, stderr, dir });
    });
  });
}

/** The checks every bad input shares. */
function expectCleanError(r: Result, ...parts: Array<string | RegExp>): void {
  expect(r.code, r.stderr).toBe(2);
  const lines = r.stderr.trimEnd().split('\n');
  const err = lines.filter((l) => l.startsWith('error: '));
  expect(err, r.stderr).toHaveLength(1);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stderr).not.toContain('--debug for details'); // an FtError, not an unexpected crash
  for (const p of parts) {
    if (typeof p === 'string') expect(err[0]).toContain(p);
    else expect(err[0]).toMatch(p);
  }
  expect(r.stderr).not.toContain('s3cret-pw');
}

describe.concurrent('bad input: message, exit code 2, no stack trace', () => {
  it('no project.yml', async () => {
    const r = await ft('no-project', ['compile']);
    expectCleanError(r, 'no project.yml in', '--project-dir');
  });

  it('malformed YAML in a schema file names the file and the line where the quote opens', async () => {
    expectCleanError(await ft('malformed-yaml', ['compile']), 'models/schema.yml:4:', 'malformed YAML', 'Missing closing "quote', 'Fix the syntax');
  });

  it('malformed project.yml names project.yml and the line', async () => {
    expectCleanError(await ft('malformed-project-yml', ['parse']), 'project.yml:5:', 'malformed YAML');
  });

  it('a schema YAML entry for a model that does not exist', async () => {
    expectCleanError(await ft('schema-unknown-model', ['compile']), 'models/schema.yml:5:', 'model "custmers" is described here but no custmers.sql exists', 'Did you mean "customers"', 'Fix the name or remove the entry');
  });

  it('an unknown config key is a warning with the closest key, not an error', async () => {
    const r = await ft('unknown-config-key', ['compile']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('warning: models/orders.sql:1: unknown config key "materialised" ignored. Did you mean "materialized"?');
    expect(r.stderr).not.toContain('error:');
  });

  it('duplicate model names name both files', async () => {
    expectCleanError(await ft('duplicate-models', ['compile']), 'two models are named "orders"', 'models/marts/orders.sql', 'models/staging/orders.sql', 'rename one');
  });

  it('two models building the same relation (an alias) name both files', async () => {
    expectCleanError(await ft('duplicate-relations', ['compile']), 'models/marts/orders.sql', 'models/staging/stg_orders.sql', 'would both build `bad_dev`.`stg_orders`', 'another alias or schema');
  });

  it('a Handlebars syntax error names the file and line', async () => {
    expectCleanError(await ft('handlebars-syntax', ['compile']), 'models/orders.sql:3:', 'Handlebars syntax error', '{{var "x"}');
  });

  it('an unknown helper names the file, line and column and suggests the closest helper', async () => {
    expectCleanError(await ft('unknown-helper', ['compile']), 'models/orders.sql:2:', 'unknown helper "safe_divde" at column 3', 'Did you mean "safe_divide"', 'macros/*.js');
  });

  it('an unknown partial names the file and line and suggests the closest macro', async () => {
    expectCleanError(await ft('unknown-partial', ['compile']), 'models/orders.sql:2:', 'unknown partial "cent"', 'Did you mean "cents"', 'Create macros/cent.sql');
  });

  it('a macro helper file that is not valid JavaScript', async () => {
    expectCleanError(await ft('bad-helper-js', ['compile']), 'macros/helpers.js:', 'cannot load macro helpers', 'Fix the JavaScript');
  });

  it('Jinja left in a model names the file and line and gives the Handlebars to write', async () => {
    expectCleanError(await ft('jinja-syntax', ['compile']), 'models/orders.sql:2:', `"{{ ref('customers') }}" is Jinja`, 'write {{ref "customers"}}');
  });

  it('Jinja in a YAML description names the YAML line and gives the Handlebars to write', async () => {
    expectCleanError(await ft('jinja-doc', ['compile']), 'models/schema.yml:3:', 'cannot render this description', `"{{ doc('customers') }}" is Jinja`, 'write {{doc "customers"}}');
  });

  it('a ref to a disabled model says so, naming the disabled model\'s file', async () => {
    expectCleanError(await ft('disabled-ref', ['compile']), 'models/orders.sql:2:', 'ref "customers" names a disabled model (models/customers.sql', 'Enable it, or remove the ref');
  });

  it('an unknown ref names the file and line and suggests the closest names', async () => {
    expectCleanError(await ft('unknown-ref', ['compile']), 'models/report.sql:3:', 'ref "custmers" matches no model or seed', 'Did you mean "customers"');
  });

  it('an unknown source names the file and line and suggests the closest source', async () => {
    expectCleanError(await ft('unknown-source', ['ls']), 'models/report.sql:2:', 'source "raw.event" is not declared', 'Did you mean "raw.events"', 'sources:');
  });

  it('a cycle prints its path and the ref closing it', async () => {
    expectCleanError(await ft('cycle', ['compile']), 'models/a.sql:2:', 'dependency cycle: a -> b -> c -> a');
  });

  it('bad --vars', async () => {
    expectCleanError(await ft('ok', ['compile', '--vars', '{limit: [1']), '--vars is not valid YAML or JSON', "--vars '{");
    expectCleanError(await ft('ok', ['ls', '--vars', 'just-a-string']), '--vars must be a mapping');
  });

  it('a bad selector', async () => {
    expectCleanError(await ft('ok', ['ls', '--select', 'tga:kpi']), 'unknown selector method "tga:"', 'Did you mean "tag"');
    expectCleanError(await ft('ok', ['compile', '--select', 'state:modified']), '--state');
  });

  it('a profile missing from profiles.yml', async () => {
    expectCleanError(await ft('missing-profile', ['compile']), 'profile "nope"', 'profiles.yml', "change `profile:` in project.yml");
  });

  it('a target missing from the profile', async () => {
    expectCleanError(await ft('ok', ['compile', '--target', 'prod']), 'target "prod" is not defined under bad.outputs', 'profiles.yml', 'Known targets: dev');
  });

  it('no profiles.yml anywhere', async () => {
    expectCleanError(await ft('no-profiles', ['parse']), 'no profiles.yml found', '.ft', '--profiles-dir');
  });

  it('--debug adds the stack trace', async () => {
    const r = await ft('unknown-ref', ['compile', '--debug']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^\s+at /m);
  });
});
