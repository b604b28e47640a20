import { execFile, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// ft ls (--output name|path|json, --select, --exclude, --resource-type) and the flags every
// command takes (--project-dir, --profiles-dir, --target, --vars), through the real CLI.

const repo = resolve(import.meta.dirname, '../..');
const bin = join(repo, 'bin', 'ft.js');
const work = mkdtempSync(join(tmpdir(), 'ft-cli-'));
let dir: string;
let profilesDir: string;

beforeAll(() => {
  if (!existsSync(join(repo, 'dist', 'cli', 'main.js'))) {
    try {
      execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: repo, stdio: 'ignore' });
    } catch {
      // type errors elsewhere still emit JavaScript
    }
  }
  dir = join(work, 'shop');
  cpSync(join(repo, 'tests', 'fixtures', 'shop'), dir, { recursive: true, filter: (f) => !f.includes('/target') });
  profilesDir = join(work, 'profiles');
  mkdirSync(profilesDir);
  writeFileSync(
    join(profilesDir, 'profiles.yml'),
    'shop:\n  target: dev\n  outputs:\n    dev: {type: mysql, database: elsewhere_dev}\n    ci: {type: mysql, database: elsewhere_ci}\n',
  );
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function ft(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [bin, ...args], { cwd: work, env: { PATH: process.env.PATH, HOME: work, NO_COLOR: '1' } }, (err, stdout, stderr) =>
      done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

const lines = (s: string): string[] => s.trim().split('\n').filter(Boolean);

describe.concurrent('ft ls', () => {
  it('--output name (default) with --select', async () => {
    const r = await ft('ls', '--project-dir', dir, '--select', '+customer_orders', '--resource-type', 'model');
    expect(r.code, r.stderr).toBe(0);
    expect(lines(r.stdout)).toEqual(['customer_orders', 'stg_customers', 'stg_orders']);
  });

  it('--output path', async () => {
    const r = await ft('ls', '--project-dir', dir, '-s', 'tag:staging', '--output', 'path', '--resource-type', 'model');
    expect(lines(r.stdout)).toEqual(['models/staging/stg_customers.sql', 'models/staging/stg_orders.sql']);
  });

  it('lists the tests of selected models with them, as dbt ls does', async () => {
    const r = await ft('ls', '--project-dir', dir, '-s', 'customer_orders');
    expect(lines(r.stdout)).toEqual(['customer_orders', 'unique_customer_orders_customer_id']);
  });

  it('--output json, one object per line', async () => {
    const r = await ft('ls', '--project-dir', dir, '--select', 'config.materialized:incremental', '--output', 'json');
    const objs = lines(r.stdout).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(objs).toEqual([
      {
        unique_id: 'model.shop.orders_inc',
        name: 'orders_inc',
        resource_type: 'model',
        original_file_path: 'models/marts/orders_inc.sql',
        config: { materialized: 'incremental', tags: [] },
        depends_on: { nodes: ['model.shop.stg_orders'], macros: [] },
      },
    ]);
  });

  it('union, intersection and --exclude', async () => {
    const r = await ft('ls', '--project-dir', dir, '--select', 'stg_orders+,resource_type:model customers', '--exclude', 'orders_inc', '--resource-type', 'model', '--resource-type', 'seed');
    expect(lines(r.stdout).sort()).toEqual(['customer_orders', 'customers', 'stg_orders']);
  });

  it('--selector takes a selection named in selectors.yml, and not together with --select', async () => {
    const own = join(work, 'shop-selectors');
    cpSync(dir, own, { recursive: true });
    writeFileSync(join(own, 'selectors.yml'), 'selectors:\n  - name: marts\n    definition: {method: path, value: models/marts, parents: true}\n');
    const r = await ft('ls', '--project-dir', own, '--selector', 'marts', '--resource-type', 'model');
    expect(r.code, r.stderr).toBe(0);
    expect(lines(r.stdout)).toEqual(['customer_orders', 'orders_inc', 'stg_customers', 'stg_orders']);
    const both = await ft('ls', '--project-dir', own, '--selector', 'marts', '-s', 'customers');
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('error: --selector and --select cannot be used together');
    const unknown = await ft('compile', '--project-dir', own, '--selector', 'mart');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/error: unknown selector "mart": selectors\.yml defines marts\. Did you mean "marts"/);
  });

  it('a selector marked default: true selects for a command given no --select or --selector', async () => {
    const own = join(work, 'shop-default');
    cpSync(dir, own, { recursive: true });
    writeFileSync(join(own, 'selectors.yml'), 'selectors:\n  - name: staging\n    default: true\n    definition: "tag:staging"\n  - name: marts\n    definition: "path:models/marts"\n');
    const byDefault = await ft('ls', '--project-dir', own, '--resource-type', 'model');
    expect(lines(byDefault.stdout)).toEqual(['stg_customers', 'stg_orders']);
    expect(lines((await ft('ls', '--project-dir', own, '--selector', 'marts', '--resource-type', 'model')).stdout)).toEqual(['customer_orders', 'orders_inc']);
    expect(lines((await ft('ls', '--project-dir', own, '-s', 'orders_inc')).stdout)).toEqual(['orders_inc']);
    // compile too: only the default selection is written
    expect((await ft('compile', '--project-dir', own)).code).toBe(0);
    expect(readdirSync(join(own, 'target/compiled/shop/models'))).toEqual(['staging']);
    writeFileSync(join(own, 'selectors.yml'), 'selectors:\n  - name: a\n    default: true\n    definition: "tag:staging"\n  - name: b\n    default: true\n    definition: "tag:x"\n');
    const two = await ft('ls', '--project-dir', own);
    expect(two.code).toBe(2);
    expect(two.stderr).toContain('error: selectors.yml:5: selectors "a" and "b" both say default: true; keep one.');
  });

  it('compile --inline prints the SQL of a template rendered in the project, ephemeral parents as CTEs, and writes no compiled file', async () => {
    const own = join(work, 'shop-inline');
    cpSync(dir, own, { recursive: true });
    const r = await ft('compile', '--project-dir', own, '--inline', 'select count(*) as n from {{ref "stg_customers"}} where {{var "min_amount" 0}} = 0');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^WITH `__ft_cte__stg_customers` AS \(\n[\s\S]+\)\nselect count\(\*\) as n from `__ft_cte__stg_customers` where 0 = 0\n$/);
    expect(existsSync(join(own, 'target', 'compiled'))).toBe(false);
    const bad = await ft('compile', '--project-dir', own, '--inline', 'select * from {{ref "stg_custmers"}}');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('error: --inline: ref "stg_custmers" matches no model or seed. Did you mean "stg_customers"');
  });

  it('a selection matching nothing prints a warning and exits 0', async () => {
    const r = await ft('ls', '--project-dir', dir, '--select', 'tag:nothing');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('matched no nodes');
  });
});

describe.concurrent('flags on every command', () => {
  for (const cmd of ['compile', 'ls', 'parse']) {
    it(`${cmd} takes --project-dir, --profiles-dir, --target and --vars`, async () => {
      const project = join(work, `flags-${cmd}`);
      cpSync(dir, project, { recursive: true });
      const r = await ft(cmd, '--project-dir', project, '--profiles-dir', profilesDir, '--target', 'ci', '--vars', '{min_amount: 3}', ...(cmd === 'ls' ? ['--output', 'json'] : []));
      expect(r.code, r.stderr).toBe(0);
      if (cmd === 'ls') {
        expect(r.stdout).toContain('"model.shop.stg_orders"');
        // ls renders nothing, so its listing is the same whatever the target and vars: what
        // shows that it reads the flags is a profiles.yml whose default target is not defined,
        // and --vars that are not YAML. Ignoring --profiles-dir (the project's profiles.yml
        // has no `ci`), --target (`dev` is not in this one) or --vars would exit 0.
        const onlyCi = join(work, 'profiles-only-ci');
        mkdirSync(onlyCi, { recursive: true });
        writeFileSync(join(onlyCi, 'profiles.yml'), 'shop:\n  target: dev\n  outputs:\n    ci: {type: mysql, database: elsewhere_ci}\n');
        const ok = await ft('ls', '--project-dir', project, '--profiles-dir', onlyCi, '--target', 'ci', '--vars', '{min_amount: 3}');
        expect(ok.code, ok.stderr).toBe(0);
        expect(ok.stdout.split('\n')).toContain('stg_orders');
        const noTarget = await ft('ls', '--project-dir', project, '--profiles-dir', onlyCi);
        expect(noTarget.code).toBe(2);
        expect(noTarget.stderr).toContain('target "dev" is not defined');
        const noProfilesDir = await ft('ls', '--project-dir', project, '--target', 'ci');
        expect(noProfilesDir.code).toBe(2);
        expect(noProfilesDir.stderr).toContain('target "ci" is not defined');
        const badVars = await ft('ls', '--project-dir', project, '--profiles-dir', onlyCi, '--target', 'ci', '--vars', '{min_amount: [3');
        expect(badVars.code).toBe(2);
        expect(badVars.stderr).toContain('--vars is not valid YAML or JSON');
        return;
      }
      const m = JSON.parse(readFileSync(join(project, 'target', 'manifest.json'), 'utf8')) as {
        metadata: { target_name: string };
        vars: Record<string, unknown>;
        nodes: Record<string, { relation_name: string; compiled_code?: string }>;
      };
      expect(m.metadata.target_name).toBe('ci');
      expect(m.vars.min_amount).toBe(3);
      expect(m.nodes['model.shop.stg_orders']!.relation_name).toBe('`elsewhere_ci`.`stg_orders`');
      if (cmd === 'compile') {
        expect(readFileSync(join(project, 'target/compiled/shop/models/staging/stg_orders.sql'), 'utf8')).toContain('where amount >= 3');
      }
    });
  }

  it('compile --select writes only the selected nodes', async () => {
    const project = join(work, 'compile-select');
    cpSync(dir, project, { recursive: true });
    const r = await ft('compile', '--project-dir', project, '--select', 'stg_orders');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Compiled 1 nodes/);
    expect(existsSync(join(project, 'target/compiled/shop/models/staging/stg_orders.sql'))).toBe(true);
    expect(existsSync(join(project, 'target/compiled/shop/models/marts/customer_orders.sql'))).toBe(false);
  });
});
