import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject, type TestProject } from '../helpers/project-builder.js';

/** A dbt CI script's flags through the real CLI: run as dbt's, or stopped with what to write. */
describe('dbt command lines through ft', () => {
  let p: TestProject;
  beforeAll(async () => {
    p = await createProject({ label: 'dbtcli', models: { 'a.sql': 'select 1 as id', 'b.sql': 'select id from {{ref "a"}}' } });
  });
  afterAll(async () => {
    await p?.cleanup();
  });

  it('global flags before the command, -m, and flags ft has no use for', async () => {
    const r = await p.ft(['--log-format', 'json', '--no-use-colors', 'ls', '-m', 'b', '--printer-width=100']);
    expect(r.code, r.output).toBe(0);
    expect(r.stdout.trim()).toBe('b');
    expect(r.stderr).toContain("ft ignores dbt's --printer-width");
    const build = await p.ft(['--debug', 'build', '-x', '-f', '-s', 'a']);
    expect(build.code, build.output).toBe(0);
    expect(p.readJson('target/run_results.json').args).toMatchObject({ fail_fast: true });
  });

  it('a dbt flag ft does not take: exit 2, nothing run, and what to write instead', async () => {
    const r = await p.ft(['build', '--empty']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("error: unknown option '--empty'\n--empty is a dbt flag: ft cannot build with empty refs yet; leave it out (ft compile checks every template without a server; a build on a CI target runs the SQL).\n");
    const other = await p.ft(['build', '--warn-error-options', '{"include": "all"}']);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('--warn-error-options is a dbt flag: ft has --warn-error');
  });
});
