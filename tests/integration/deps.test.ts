import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { createProject, type TestProject } from '../helpers/project-builder.js';

/**
 * ft deps: local and npm packages installed into dbt_packages/ with their macros usable in
 * models (also as <package>.<macro>); dbt hub/git packages said to be covered by the built-in
 * library or to be converted.
 */
describe('ft deps', () => {
  let p: TestProject | undefined;
  afterEach(async () => {
    await p?.cleanup();
    p = undefined;
  });

  it('installs a local and an npm package whose macros a model then uses on the server', async () => {
    p = await createProject({
      label: 'deps',
      models: { 'a.sql': 'select 1 as x' },
      files: {
        'packages.yml': 'packages:\n  - local: vendor/helpers\n  - package: dbt-labs/dbt_utils\n    version: [">=1.0.0"]\n  - npm: ./npmfix/ft-pkg-npmfix-1.0.0.tgz\n',
        'vendor/helpers/project.yml': 'name: my_helpers\n',
        'vendor/helpers/macros/cents.sql': '({{column}} / 100)',
        'vendor/helpers/macros/shout.js': 'export function shout(col) { return `upper(${col})`; }\n',
        'vendor/helpers/target/junk.txt': 'not copied',
        'vendor/helpers/models/pkg_numbers.sql': '{{config materialized="table"}}\nselect 5 as n',
        'vendor/helpers/models/schema.yml': 'version: 2\nmodels:\n  - name: pkg_numbers\n    description: numbers from the package\n    columns:\n      - name: n\n        tests: [not_null]\n',
        'npmsrc/package.json': JSON.stringify({ name: 'ft-pkg-npmfix', version: '1.0.0', files: ['macros', 'project.yml'] }),
        'npmsrc/project.yml': 'name: npmfix\n',
        'npmsrc/macros/npm_macro.sql': '7',
        'npmfix/.keep': '',
      },
    });
    execFileSync('npm', ['pack', '--pack-destination', `${p.dir}/npmfix`, '--loglevel=error'], { cwd: `${p.dir}/npmsrc`, stdio: 'pipe', env: { ...process.env, npm_config_cache: `${p.dir}/.npm-cache` } });
    // before ft deps: the load says the local package is not installed; dbt_utils is built in
    const before = await p.ft(['parse']);
    expect(before.code, before.output).toBe(0);
    expect(before.output).toMatch(/packages\.yml:2: package "vendor\/helpers" is not installed: run ft deps/);
    expect(before.output).not.toMatch(/dbt_utils/);

    const d = await p.ft(['deps'], { env: { npm_config_cache: `${p.dir}/.npm-cache` } });
    expect(d.code, d.output).toBe(0);
    expect(d.output).toMatch(/Installed my_helpers from vendor\/helpers into dbt_packages\/my_helpers: 2 macro files; 1 model /);
    expect(d.output).toMatch(/dbt-labs\/dbt_utils: covered by ft's built-in library/);
    expect(d.output).toMatch(/Installed npmfix from npm \(ft-pkg-npmfix\) into dbt_packages\/npmfix/);
    expect(p.exists('dbt_packages/my_helpers/target')).toBe(false);

    // a model using the packages' macros: by name, namespaced, and partials
    p.write(
      'models/priced.sql',
      '{{config materialized="table"}}\nselect {{> cents column="amount"}} as dollars, {{my_helpers.shout "name"}} as loud, {{shout "name"}} as loud2, {{> npm_macro}} as seven, (select n from {{ref "my_helpers" "pkg_numbers"}}) as n\nfrom (select 250 as amount, \'ann\' as name) s',
    );
    const b = await p.ft(['build']);
    expect(b.code, b.output).toBe(0);
    expect(b.output).not.toMatch(/not installed/);
    expect(await p.query(`select dollars, loud, loud2, seven, n from ${p.rel('priced')}`)).toEqual([{ dollars: '2.5000', loud: 'ANN', loud2: 'ANN', seven: 7, n: 5 }]);
    // the package's model is a node of its own package, built before the model that refs it
    const manifest = JSON.parse(p.read('target/manifest.json')) as { nodes: Record<string, { package_name: string; fqn: string[]; description: string }> };
    expect(manifest.nodes['model.my_helpers.pkg_numbers']).toMatchObject({ package_name: 'my_helpers', fqn: ['my_helpers', 'pkg_numbers'], description: 'numbers from the package' });
    // its YAML's test ran in the build
    expect(b.output).toMatch(/not_null_pkg_numbers_n/);
    expect(await p.query(`select n from ${p.rel('pkg_numbers')}`)).toEqual([{ n: 5 }]);

    // a package file changed after ft deps: the next compile sees it (not a reuse of the last one)
    const c1 = await p.ft(['compile']);
    expect(c1.code, c1.output).toBe(0);
    expect(p.read('target/compiled/proj/models/priced.sql')).toContain('(amount / 100)');
    p.write('dbt_packages/my_helpers/macros/cents.sql', '({{column}} / 1000)');
    const c2 = await p.ft(['compile']);
    expect(c2.code, c2.output).toBe(0);
    expect(p.read('target/compiled/proj/models/priced.sql')).toContain('(amount / 1000)');
  });

  it('says which dbt packages to convert, with exit 1', async () => {
    p = await createProject({
      label: 'depsconv',
      models: { 'a.sql': 'select 1 as x' },
      files: { 'packages.yml': 'packages:\n  - package: calogica/dbt_date\n    version: 0.10.0\n  - git: "https://github.com/someone/dbt-vendor.git"\n    revision: main\n' },
    });
    const d = await p.ft(['deps']);
    expect(d.code, d.output).toBe(1);
    expect(d.output).toMatch(/calogica\/dbt_date: covered by ft's built-in library — call its macros as \{\{dbt_date\.<macro>/);
    expect(d.output).toMatch(/packages\.yml:4: https:\/\/github\.com\/someone\/dbt-vendor\.git: not in ft's built-in library\. .*ft convert <its folder> --out <folder>.*- local: <folder>/);
    expect(d.output).toMatch(/1 package needs converting/);
  });
});
