import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createProject, REPO_ROOT, type TestProject } from '../helpers/project-builder.js';

/**
 * SQL ported from other databases that MySQL reads differently, through the real CLI on
 * MariaDB: dbt's jaffle-shop writes section comments as `----------  ids`, which MySQL reads
 * as minus signs applied to the next column — its UUID keys became numbers without an error.
 * ft warns with the source file's line, --warn-error stops it, lint_ignore allows a deliberate use.
 */

/** jaffle-shop's stg_customers, as dbt writes it (section comments with no space after `--`) */
const STG_CUSTOMERS = [
  '{{config materialized="view"}}',
  'with source as (',
  '    select * from {{ref "raw_customers"}}',
  '),',
  'renamed as (',
  '    select',
  '        ----------  ids',
  '        id as customer_id,',
  '',
  '        ---------- text',
  '        name as customer_name',
  '    from source',
  ')',
  'select * from renamed',
  '',
].join('\n');
const RAW_CUSTOMERS = 'id,name\n50a2d1c4-d788-4498-a6f7-dd75d4db588f,Michael\n438005c2-dc14-4cfb-b25e-a9a9a3c0e9c3,Shawn\n';

describe('MySQL traps in ported SQL', { timeout: 180_000 }, () => {
  let p: TestProject | undefined;
  afterEach(async () => {
    await p?.cleanup();
    p = undefined;
  });

  it('jaffle-shop’s `----------  ids` through ft run: warned with the source line (the data it builds is corrupted), --warn-error runs nothing', async () => {
    p = await createProject({ label: 'trapjaffle', models: { 'staging/stg_customers.sql': STG_CUSTOMERS }, seeds: { 'raw_customers.csv': RAW_CUSTOMERS } });
    expect((await p.ft(['seed'])).code).toBe(0);

    const strict = await p.ft(['run', '--warn-error']);
    expect(strict.code, strict.output).toBe(1);
    expect(strict.output).toMatch(/models\/staging\/stg_customers\.sql:7: MySQL trap: `----------  ids` is not a comment/);
    expect(strict.output).toMatch(/--warn-error: 2 MySQL traps .*nothing was run/);
    expect(await p.tables()).toEqual(['raw_customers']);

    const r = await p.ft(['run']);
    expect(r.code, r.output).toBe(0);
    const warnings = r.output.split('\n').filter((l) => l.includes('MySQL trap'));
    expect(warnings).toEqual([
      expect.stringMatching(/^warning: models\/staging\/stg_customers\.sql:7: MySQL trap: `----------  ids` .*put a space after the two dashes/),
      expect.stringMatching(/^warning: models\/staging\/stg_customers\.sql:10: MySQL trap: `---------- text`/),
    ]);
    // what the warning is about: MariaDB read the dashes as minus signs and the UUIDs as numbers
    const rows = await p.query<{ customer_id: unknown }>(`select customer_id from ${p.rel('stg_customers')} order by customer_name`);
    expect(rows.map((x) => String(x.customer_id))).toEqual(['50', '438005']);
  });

  it('each construct in models, singular tests and macros’ output; not inside strings or comments; lint_ignore per model, in YAML and per folder', async () => {
    p = await createProject({
      label: 'trapkinds',
      models: {
        'a.sql': ["select 'x||y' as s, -- fine || ok", "  1 as n # x::int", '  /* "q" */', "  concat('a', 'b') as c"].join('\n'),
        'b.sql': ['select', '  n || c as joined,', '  n::char as casted', 'from {{ref "a"}}'].join('\n'),
        'c.sql': ['select x.n', 'from {{ref "a"}} x', 'full outer join {{ref "a"}} y on x.n = y.n', 'where x.c ilike {{> pattern}}'].join('\n'),
        'ignored_inline.sql': '{{config lint_ignore="pipe_concat"}}\nselect n || 1 as o from {{ref "a"}}',
        'ignored_yaml.sql': 'select "n" as q from {{ref "a"}}',
        'legacy/old.sql': 'select n::char as q from {{ref "a"}}',
      },
      yaml: { 'schema.yml': 'models:\n  - name: ignored_yaml\n    config:\n      lint_ignore: [double_quotes]\n' },
      macros: { 'pattern.sql': '"ab%"' },
      tests: { 'no_bad.sql': 'select *\nfrom {{ref "b"}}\nwhere joined ilike \'%x\'\n' },
      project: { models: { proj: { legacy: { '+lint_ignore': ['cast_operator'] } } } },
    });
    const r = await p.ft(['compile']);
    expect(r.code, r.output).toBe(0);
    const warnings = r.output
      .split('\n')
      .filter((l) => l.includes('MySQL trap'))
      .map((l) => /^warning: (\S+): MySQL trap: `([^`]*)`/.exec(l)?.slice(1).join(' '))
      .sort();
    expect(warnings).toEqual(
      [
        'models/b.sql:2 ||',
        'models/b.sql:3 ::char',
        'models/c.sql:3 full outer join',
        'models/c.sql:4 "ab%"',
        'models/c.sql:4 ilike',
        'tests/no_bad.sql:3 ilike',
      ].sort(),
    );
    expect(r.output).toMatch(/models\/c\.sql:4: MySQL trap: `"ab%"` .*\(in the output of \{\{> pattern\}\}\)/);

    // an unchanged project: the warnings are replayed as the cold compile printed them
    const warm = await p.ft(['compile']);
    expect(warm.code).toBe(0);
    const only = (out: string): string => out.split('\n').filter((l) => l.startsWith('warning:')).join('\n');
    expect(only(warm.output)).toBe(only(r.output));

    // an edit of one model's body that adds a trap (a patch compile otherwise) warns too
    p.write('models/a.sql', `${p.read('models/a.sql')}\n, 2 as m -- ok\n, 'a' || 'b' as t`);
    const edited = await p.ft(['compile']);
    expect(edited.output).toMatch(/warning: models\/a\.sql:6: MySQL trap: `\|\|`/);

    const failing = await p.ft(['compile', '--warn-error']);
    expect(failing.code, failing.output).toBe(1);
    expect(failing.output).toMatch(/--warn-error: 7 MySQL traps in the compiled SQL/);
    // not recorded as a good compile: the next one looks again and fails again
    expect((await p.ft(['compile', '--warn-error'])).code).toBe(1);
  });

  it('a lint_ignore naming no rule is an error naming the file, exit 2', async () => {
    p = await createProject({ label: 'trapbadign', models: { 'a.sql': "{{config lint_ignore='[\"double-dash\"]'}}\nselect 1 as n" } });
    const r = await p.ft(['compile']);
    expect(r.code).toBe(2);
    expect(r.output).toMatch(/models\/a\.sql: lint_ignore of model a names no lint rule: "double-dash"/);
  });
});

describe('the flagship project', () => {
  it('lints clean: no MySQL trap in its compiled SQL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ft-flag-lint-'));
    try {
      for (const f of ['project.yml', 'profiles.yml', 'selectors.yml', 'models', 'macros', 'seeds', 'snapshots', 'tests/data']) {
        try {
          cpSync(join(REPO_ROOT, f), join(dir, f), { recursive: true });
        } catch {
          // a file the project does not have
        }
      }
      const out = await new Promise<{ code: number; stderr: string }>((done) =>
        execFile('node', [join(REPO_ROOT, 'bin/ft.js'), 'compile', '--warn-error', '--project-dir', dir], { cwd: dir, env: { ...process.env, NO_COLOR: '1' } }, (err, _o, stderr) =>
          done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr }),
        ),
      );
      expect(out.stderr).not.toContain('MySQL trap');
      expect(out.code, out.stderr).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
