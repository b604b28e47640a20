import { afterEach, describe, expect, it } from 'vitest';
import { queryRows } from '../helpers/db.js';
import { createProject, type TestProject } from '../helpers/project-builder.js';

/**
 * An installed package's sources are the package's, as in dbt: `source.<package>.<source>.<table>`
 * in the manifest, selected and built by that id; the project's own declaration of the same
 * source wins for the project's models.
 */
describe('sources of installed packages', () => {
  let p: TestProject | undefined;
  afterEach(async () => {
    await p?.cleanup();
    p = undefined;
  });

  it('carry the package name in their ids, resolve from the package and the project, and build', async () => {
    p = await createProject({
      label: 'pkgsrc',
      models: { 'mine.sql': 'select id from {{source "pkg_raw" "items"}}' },
    });
    const raw = `${p.prefix}_pkgraw`;
    await queryRows(`CREATE DATABASE \`${raw}\``);
    await queryRows(`CREATE TABLE \`${raw}\`.items AS SELECT 1 AS id UNION ALL SELECT 2`);
    p.write('dbt_packages/shop_pkg/models/sources.yml', `version: 2
sources:
  - name: pkg_raw
    schema: ${raw}
    tables:
      - name: items
        columns:
          - name: id
            tests: [not_null]
`);
    p.write('dbt_packages/shop_pkg/models/pkg_items.sql', 'select id * 10 as id from {{source "pkg_raw" "items"}}');
    const parsed = await p.ft(['parse']);
    expect(parsed.code, parsed.output).toBe(0);
    const manifest = p.readJson('target/manifest.json') as { sources: Record<string, { package_name: string; fqn: string[] }>; nodes: Record<string, { depends_on: { nodes: string[] } }> };
    expect(Object.keys(manifest.sources)).toEqual(['source.shop_pkg.pkg_raw.items']);
    expect(manifest.sources['source.shop_pkg.pkg_raw.items']).toMatchObject({ package_name: 'shop_pkg', fqn: ['shop_pkg', 'pkg_raw', 'items'] });
    expect(manifest.nodes['model.shop_pkg.pkg_items']!.depends_on.nodes).toEqual(['source.shop_pkg.pkg_raw.items']);
    expect(manifest.nodes['model.proj.mine']!.depends_on.nodes).toEqual(['source.shop_pkg.pkg_raw.items']);
    const built = await p.ft(['build']);
    expect(built.code, built.output).toBe(0);
    expect(built.output).toMatch(/PASS=3\b/);
    expect(await queryRows(`SELECT SUM(id) AS s FROM ${p.rel('pkg_items')}`)).toEqual([{ s: '30' }]);
    const listed = await p.ft(['ls', '-s', 'source:shop_pkg.pkg_raw.items+', '--output', 'name']);
    expect(listed.code, listed.output).toBe(0);
    expect(listed.stdout.trim().split('\n').sort()).toEqual(['mine', 'pkg_items', 'pkg_raw.items', 'source_not_null_pkg_raw_items_id']);
    // source:package.source.table (dbt's three-part form) selects by the package too
    const other = await p.ft(['ls', '-s', 'source:proj.pkg_raw.items']);
    expect(other.stdout.trim()).toBe('');
    expect(other.output).toMatch(/does not match any enabled nodes/);
  }, 120_000);
});
