import { cpSync, existsSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { convertProject } from '../../src/convert/convert-project.js';
import { formatLeftovers } from '../../src/convert/leftovers.js';
import { expectGolden, REPO_ROOT } from '../helpers/project-builder.js';

/**
 * Whole dbt projects (tests/fixtures/dbt-convert/, written in dbt's syntax for these tests)
 * converted: every output file pinned by a golden (tests/goldens/convert/), the leftovers
 * report too; converting the output again changes nothing.
 */
const FIXTURES = join(REPO_ROOT, 'tests/fixtures/dbt-convert');
const temps: string[] = [];
const temp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'ft-convert-'));
  temps.push(d);
  return d;
};
afterEach(() => {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
});

function files(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d).sort()) {
      const abs = join(d, e);
      if (statSync(abs).isDirectory()) walk(abs);
      else out.set(relative(dir, abs), readFileSync(abs, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

describe('ft convert on fixture projects', () => {
  for (const name of ['constructs', 'shop']) {
    it(`${name}: each converted file and the leftovers report match their goldens`, () => {
      const out = join(temp(), `${name}-ft`);
      const profile = name === 'constructs' ? join(FIXTURES, name, 'profiles.yml') : undefined;
      const r = convertProject({ projectDir: join(FIXTURES, name), out, profile });
      const converted = files(out);
      for (const [rel, text] of converted) {
        if (rel.endsWith('.csv')) continue;
        expectGolden(`convert/${name}/${rel}`, text);
      }
      // the report, with the list of written files: a file that appears or goes away shows here
      expectGolden(`convert/${name}.report.txt`, `${[...converted.keys()].join('\n')}\n\n${formatLeftovers(r.leftovers)}`);
    });

    it(`${name}: converting the converted project again changes nothing`, () => {
      const once = join(temp(), 'once');
      const twice = join(temp(), 'twice');
      convertProject({ projectDir: join(FIXTURES, name), out: once });
      const r = convertProject({ projectDir: once, out: twice });
      expect(r.translated).toBe(0);
      expect(files(twice)).toEqual(files(once));
    });
  }

  it('shop converts with nothing left to do by hand; dbt_project.yml, schema YAML without Jinja and seeds are copied as they are', () => {
    const out = join(temp(), 'shop-ft');
    const r = convertProject({ projectDir: join(FIXTURES, 'shop'), out });
    expect(r.leftovers).toEqual([]);
    for (const f of ['dbt_project.yml', 'seeds/raw_orders.csv', 'seeds/raw_payments.csv']) {
      expect(readFileSync(join(out, f), 'utf8')).toBe(readFileSync(join(FIXTURES, 'shop', f), 'utf8'));
    }
    // a macro file holding two macros becomes one partial per macro, a generic test a test_ partial
    expect(existsSync(join(out, 'macros/shop_macros.sql'))).toBe(false);
    expect(existsSync(join(out, 'macros/cents_to_dollars.sql'))).toBe(true);
    expect(existsSync(join(out, 'macros/test_is_positive.sql'))).toBe(true);
    expect(existsSync(join(out, 'tests/generic/test_is_positive.sql'))).toBe(false);
  });

  it('every leftover names its file, line, construct and why', () => {
    const r = convertProject({ projectDir: join(FIXTURES, 'constructs'), out: join(temp(), 'c') });
    const at = (file: string, construct: string) => r.leftovers.filter((l) => l.file === file && l.construct === construct).map((l) => l.line);
    expect(at('models/marts/dialect.sql', 'full outer join')).toEqual([13]);
    expect(at('models/marts/dialect.sql', 'ilike')).toEqual([14]);
    expect(at('models/staging/refs_and_config.sql', 'ref version')).toEqual([21]);
    expect(at('macros/money.sql', 'context: varargs')).toEqual([19]);
    expect(at('models/marts/leftovers.sql', 'loop variable')).toEqual([12]);
    for (const l of r.leftovers) expect(l.why.length).toBeGreaterThan(10);
    // postgres__rounded is never called on MySQL (dispatch picks default__rounded): its ::numeric and + are not listed
    expect(r.leftovers.filter((l) => l.file === 'macros/dispatched.sql')).toEqual([]);
    expect(r.notes).toContain("1 construct without a Handlebars form in other databases' versions of dispatched macros (postgres__x, snowflake__x, …) is not listed: ft calls mysql__x or default__x.");
  });

  it('the default output folder is <project>-ft next to the project; a non-empty one is refused', () => {
    const base = temp();
    cpSync(join(FIXTURES, 'shop'), join(base, 'shop'), { recursive: true });
    const r = convertProject({ projectDir: join(base, 'shop') });
    expect(r.outDir).toBe(join(base, 'shop-ft'));
    expect(existsSync(join(base, 'shop-ft/models/marts/orders.sql'))).toBe(true);
    expect(() => convertProject({ projectDir: join(base, 'shop') })).toThrow(/shop-ft is not empty: ft convert will not overwrite it/);
    mkdirSync(join(base, 'empty'));
    expect(() => convertProject({ projectDir: join(base, 'shop'), out: join(base, 'empty') })).not.toThrow();
  });

  it('--in-place rewrites the project, removes the macro files it split, and a second run writes nothing', () => {
    const dir = join(temp(), 'shop');
    cpSync(join(FIXTURES, 'shop'), dir, { recursive: true });
    convertProject({ projectDir: dir, inPlace: true });
    expect(existsSync(join(dir, 'macros/shop_macros.sql'))).toBe(false);
    expect(readFileSync(join(dir, 'models/staging/stg_payments.sql'), 'utf8')).toContain('{{> cents_to_dollars column_name="amount"}}');
    const before = files(dir);
    const again = convertProject({ projectDir: dir, inPlace: true });
    expect(again.written).toEqual([]);
    expect(files(dir)).toEqual(before);
  });

  it('--profile writes profiles.yml for MySQL without copying a literal password', () => {
    const out = join(temp(), 'c');
    convertProject({ projectDir: join(FIXTURES, 'constructs'), out, profile: join(FIXTURES, 'constructs/profiles.yml') });
    const text = readFileSync(join(out, 'profiles.yml'), 'utf8');
    expect(text).not.toContain('s3cret');
    expect(text).toContain(`password: '{{env_var "CONSTRUCTS_DEV_PASSWORD" ""}}'`);
    expect(text).toContain(`password: '{{env_var "PROD_PASSWORD"}}'`);
    expect(text).toMatch(/type: mysql[\s\S]*type: mysql/);
  });

  it('packages.yml: dbt_utils is built in; another package is a leftover to convert from its folder (the project cannot run without it)', () => {
    const r = convertProject({ projectDir: join(FIXTURES, 'constructs'), out: join(temp(), 'c') });
    expect(r.notes.filter((n) => n.startsWith('packages.yml'))).toEqual(['packages.yml: dbt-labs/dbt_utils is built into ft ({{dbt_utils.…}}): nothing to install.']);
    expect(r.leftovers.filter((l) => l.file === 'packages.yml').map((l) => [l.construct, l.text, l.why])).toEqual([
      ['package', 'https://github.com/example-org/dbt-shop-macros.git', 'not built into ft: get its source, convert it with ft convert <its folder> --out <folder>, list that folder as `- local: <folder>` and run ft deps'],
    ]);
  });

  it('a folder without dbt_project.yml, or a broken one, is refused with the fix', () => {
    const dir = temp();
    expect(() => convertProject({ projectDir: dir, out: join(dir, 'o') })).toThrow(/holds no dbt_project.yml/);
    expect(() => convertProject({ projectDir: dir, out: join(dir, 'o'), inPlace: true })).toThrow(/give --out <dir> or --in-place, not both/);
    writeFileSync(join(dir, 'dbt_project.yml'), 'name: [unclosed\n');
    expect(() => convertProject({ projectDir: dir, out: join(dir, 'o') })).toThrow(/cannot read dbt_project.yml/);
  });
});
