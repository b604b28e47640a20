import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { convertProject } from '../../src/convert/convert-project.js';
import { dropSchemas, queryRows, uniquePrefix } from '../helpers/db.js';
import { REPO_ROOT, spawnCli } from '../helpers/project-builder.js';

/**
 * A dbt project (tests/fixtures/dbt-convert/shop, written in dbt's syntax) converted by
 * `ft convert` builds on MariaDB with `ft build` and renders the SQL dbt would render for the
 * same inputs: the expected SQL (tests/fixtures/dbt-convert/shop-expected/) was written by
 * hand from dbt's documented semantics. Compared up to whitespace: Jinja and Handlebars keep
 * different blank space around tags.
 */
const FIXTURES = join(REPO_ROOT, 'tests/fixtures/dbt-convert');
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const squash = (sql: string) => sql.replace(/\s+/g, ' ').replace(/\( /g, '(').replace(/ \)/g, ')').trim();

function find(dir: string, name: string): string {
  for (const e of readdirSync(dir)) {
    const abs = join(dir, e);
    if (statSync(abs).isDirectory()) {
      const hit = find(abs, name);
      if (hit) return hit;
    } else if (e === name) return abs;
  }
  return '';
}

async function convertedShop(): Promise<{ dir: string; prefix: string }> {
  const base = mkdtempSync(join(tmpdir(), 'ft-convert-build-'));
  const prefix = uniquePrefix('conv');
  cleanups.push(async () => {
    rmSync(base, { recursive: true, force: true });
    await dropSchemas(prefix);
  });
  const dir = join(base, 'shop-ft');
  const r = convertProject({ projectDir: join(FIXTURES, 'shop'), out: dir });
  expect(r.leftovers).toEqual([]);
  writeFileSync(join(dir, 'profiles.yml'), `shop:\n  target: dev\n  outputs:\n    dev:\n      type: mysql\n      host: 127.0.0.1\n      port: 3306\n      user: root\n      password: ""\n      database: ${prefix}\n      threads: 2\n`);
  return { dir, prefix };
}

describe('a converted dbt project builds on MariaDB', () => {
  it('ft build passes, each model renders the SQL dbt would, and the tables hold what dbt would build', async () => {
    const { dir, prefix } = await convertedShop();
    const r = await spawnCli(['build', '--project-dir', dir]).done;
    expect(r.output).toMatch(/PASS=\d+ WARN=0 ERROR=0 FAIL=0 SKIP=0/);
    expect(r.code).toBe(0);

    const compiled = join(dir, 'target/compiled');
    const expected = (name: string) => squash(readFileSync(join(FIXTURES, 'shop-expected', `${name}.sql`), 'utf8').replaceAll('<db>', prefix));
    for (const name of ['stg_orders', 'stg_payments', 'orders', 'customers']) {
      const file = find(compiled, `${name}.sql`);
      expect(file, `compiled ${name}.sql`).not.toBe('');
      expect(squash(readFileSync(file, 'utf8')), name).toBe(expected(name));
    }
    // the generic test, inside ft's failure count
    const test = squash(readFileSync(find(join(dir, 'target/run'), 'is_positive_orders_amount.sql'), 'utf8'));
    expect(test).toBe(`SELECT COUNT(*) AS failures FROM (${expected('is_positive_orders_amount')}) AS ft_test;`);

    const customers = await queryRows<{ customer_id: number; full_name: string; order_count: number; delivered_amount: string; built_for: string }>(
      `select customer_id, full_name, order_count, delivered_amount, built_for from \`${prefix}\`.customers order by customer_id`,
    );
    expect(customers.map((c) => [c.customer_id, c.full_name, Number(c.order_count), Number(c.delivered_amount), c.built_for])).toEqual([
      [1, 'ADA Byron', 2, 32.49, 'dev'],
      [2, 'ALAN Turing', 1, 0, 'dev'],
      [3, 'GRACE Hopper', 1, 8.75, 'dev'],
    ]);
    const orders = await queryRows<{ order_id: number; status: string; card_amount: string; voucher_amount: string; amount: string }>(
      `select order_id, status, card_amount, voucher_amount, amount from \`${prefix}\`.orders order by order_id`,
    );
    expect(orders.map((o) => [o.order_id, o.status, Number(o.card_amount), Number(o.voucher_amount), Number(o.amount)])).toEqual([
      [1, 'completed', 10, 2.5, 12.5],
      [2, 'shipped', 0, 0, 19.99],
      [3, 'returned', 5, 0, 5],
      [4, 'completed', 7.5, 0, 8.75],
    ]);
  }, 240_000);

  it('on the second build the incremental model takes its {% if is_incremental() %} branch, reading {{ this }}', async () => {
    const { dir, prefix } = await convertedShop();
    expect((await spawnCli(['build', '--project-dir', dir]).done).code).toBe(0);
    const r = await spawnCli(['run', '--project-dir', dir, '-s', 'orders']).done;
    expect(r.code, r.output).toBe(0);
    const expected = readFileSync(join(FIXTURES, 'shop-expected', 'orders.incremental.sql'), 'utf8').replaceAll('<db>', prefix);
    expect(squash(readFileSync(find(join(dir, 'target/compiled'), 'orders.sql'), 'utf8'))).toBe(squash(expected));
    expect(Number((await queryRows<{ n: number }>(`select count(*) as n from \`${prefix}\`.orders`))[0]!.n)).toBe(4);
  }, 240_000);
});

describe('ft convert on the command line', () => {
  it('exit 1 with every leftover and a summary table when a human is needed; exit 0 when nothing is left; exit 2 on a non-empty --out', async () => {
    const base = mkdtempSync(join(tmpdir(), 'ft-convert-cli-'));
    cleanups.push(() => rmSync(base, { recursive: true, force: true }));
    const leftovers = await spawnCli(['convert', join(FIXTURES, 'constructs'), '--out', join(base, 'c')]).done;
    expect(leftovers.code).toBe(1);
    expect(leftovers.stdout).toContain('models/marts/dialect.sql:13: full outer join');
    expect(leftovers.stdout).toMatch(/\d+ leftovers in \d+ files need a human:\nconstruct +count\n-+ +-----\n/);
    expect(leftovers.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace

    const clean = await spawnCli(['convert', join(FIXTURES, 'shop'), '--out', join(base, 's')]).done;
    expect(clean.code).toBe(0);
    expect(clean.stdout).toContain('Nothing left to do by hand.');

    const refused = await spawnCli(['convert', join(FIXTURES, 'shop'), '--out', join(base, 's')]).done;
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/is not empty: ft convert will not overwrite it\. Give an empty or new folder with --out, or convert in place with --in-place\./);
  }, 120_000);
});
