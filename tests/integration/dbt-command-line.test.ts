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
    const other = await p.ft(['build', '--favor-state']);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain("--favor-state is a dbt flag: ft's --defer takes a parent from --state only when this target does not have it");
  });

  it("--warn-error-options as dbt reads it: error all but a named warning, a named warning alone, silence; a wrong key is exit 2", async () => {
    p.write('models/schema.yml', 'models:\n  - name: a\n    data_tests:\n      - dbt_utils.expression_is_true: {expression: "id > 1", config: {severity: warn}}\n');
    // a criterion that matches nothing stays a warning; the test of severity warn fails
    const all = await p.ft(['build', '-s', 'a', 'nothing_here', '--warn-error-options', '{"error": "all", "warn": ["NoNodesForSelectionCriteria"]}']);
    expect(all.code, all.output).toBe(1);
    expect(all.stderr).toContain("The selection criterion 'nothing_here' does not match any enabled nodes");
    expect((p.readJson('target/run_results.json').results as Array<{ status: string }>).map((r) => r.status).sort()).toEqual(['fail', 'success']);
    const named = await p.ft(['build', '-s', 'nothing_here', '--warn-error-options', "{include: [NoNodesForSelectionCriteria]}"]);
    expect(named.code, named.output).toBe(1);
    expect(named.stderr).toContain('no enabled node; nothing was run');
    const quiet = await p.ft(['build', '-s', 'a', 'nothing_here', '--warn-error-options', '{"silence": ["NoNodesForSelectionCriteria"]}']);
    expect(quiet.code, quiet.output).toBe(0);
    expect(quiet.stderr).not.toContain('nothing_here');
    const bad = await p.ft(['build', '--warn-error-options', '{"errors": "all"}']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--warn-error-options has no key "errors": use error (or include), warn (or exclude) and silence.');
  });
});
