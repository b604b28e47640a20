import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FAMILIES } from '../fixtures/dbt-macros/cases.js';
import { docsPage } from '../fixtures/dbt-macros/docs-page.js';
import { goldenText, renderCases } from '../fixtures/dbt-macros/render-cases.js';
import { expectGolden, GOLDEN_DIR, REPO_ROOT } from '../helpers/project-builder.js';

// The SQL of every macro of ft's library of dbt macros, pinned per family in
// tests/goldens/dbt-macros/<family>.sql (the cases: tests/fixtures/dbt-macros/cases.ts), and the
// reference page docs/dbt-macros.md written from the same renders. After an intended change:
//
//   UPDATE_GOLDENS=1 npx vitest run tests/unit/dbt-macros-golden.test.ts
//
// then review `git diff tests/goldens/dbt-macros docs/dbt-macros.md`.

describe('dbt macro library goldens', () => {
  it('renders each family as its golden file pins it (profile type: mysql)', async () => {
    const rendered = await renderCases('mysql');
    for (const f of FAMILIES) expectGolden(`dbt-macros/${f.family}.sql`, goldenText(f, rendered.get(f.family)!));
  });

  it('renders what only MariaDB has for type: mariadb, the same SQL for everything else', async () => {
    const [mysql, mariadb] = [await renderCases('mysql'), await renderCases('mariadb')];
    const diff: string[] = [];
    for (const f of FAMILIES) f.cases.forEach((c, i) => mysql.get(f.family)![i] !== mariadb.get(f.family)![i] && diff.push(c.template));
    expect(diff).toEqual([`{{dbt.listagg "x" "', '" "order by x" 2}}`]);
    expect(mariadb.get('cross-database')!.find((s) => s.includes(' limit 2'))).toBe("group_concat(x order by x separator ', ' limit 2)");
  });

  it('docs/dbt-macros.md shows what the library renders', async () => {
    const introspect = join(GOLDEN_DIR, 'dbt-macros', 'dbt-utils-introspect.sql');
    const page = docsPage(await renderCases('mysql'), existsSync(introspect) ? readFileSync(introspect, 'utf8') : '');
    const file = join(REPO_ROOT, 'docs', 'dbt-macros.md');
    if (process.env.UPDATE_GOLDENS === '1' || !existsSync(file)) writeFileSync(file, page);
    expect(page, 'docs/dbt-macros.md differs from the renders (UPDATE_GOLDENS=1 rewrites it)').toBe(readFileSync(file, 'utf8'));
    // every macro of the library is on the page
    const { LIBRARY_HELPER_NAMES } = await import('../../src/template/library/library-helpers.js');
    const missing = LIBRARY_HELPER_NAMES.filter((n) => !page.includes(`\`${n}\``));
    expect(missing).toEqual([]);
  });
});
