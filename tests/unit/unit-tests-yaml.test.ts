import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadProject } from '../../src/project/load-project.js';
import { FtError } from '../../src/util/errors.js';

// unit_tests: in schema YAML become test nodes; a mistake in one is an error naming the file,
// the line and what to write.

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const PROFILES = 'p:\n  target: dev\n  outputs:\n    dev: {type: mysql, host: 127.0.0.1, port: 3306, user: root, password: "", database: db_dev}\n';
const MODELS = {
  'models/orders.sql': 'select 1 as id, 2 as amount\n',
  'models/totals.sql': 'select sum(amount) as total from {{ref "orders"}} join {{source "raw" "fx"}} on 1 = 1\n',
  'models/off.sql': '{{config enabled=false}}\nselect 1 as id\n',
  'models/sources.yml': 'sources:\n  - name: raw\n    tables: [{name: fx}]\n',
};

function project(schema: string): string {
  const root = mkdtempSync(join(tmpdir(), 'ft-unit-yaml-'));
  dirs.push(root);
  const all: Record<string, string> = { 'profiles.yml': PROFILES, 'project.yml': 'name: p\nprofile: p\n', ...MODELS, 'models/unit.yml': schema };
  for (const [rel, text] of Object.entries(all)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

async function loadError(schema: string): Promise<string> {
  try {
    await loadProject({ projectDir: project(schema), partialParse: false, warn: () => undefined });
  } catch (e) {
    expect(e).toBeInstanceOf(FtError);
    expect((e as FtError).exitCode).toBe(2);
    return (e as FtError).format();
  }
  throw new Error('the project loaded');
}

const GOOD = [
  'unit_tests:', // 1
  '  - name: sums', // 2
  '    model: totals', // 3
  '    description: adds amounts', // 4
  '    config: {tags: [finance], meta: {owner: a}}', // 5
  '    given:', // 6
  "      - input: ref('orders')", // 7
  '        rows: [{amount: 1}]', // 8
  '      - input: \'{{source "raw" "fx"}}\'', // 9
  '        rows: []', // 10
  '    expect:', // 11
  '      rows: [{total: 1}]', // 12
];

describe('unit_tests: in schema YAML', () => {
  it('become test nodes named as dbt names them, attached to their model, with no warning', async () => {
    const warnings: string[] = [];
    const p = await loadProject({ projectDir: project(GOOD.join('\n')), partialParse: false, warn: (w) => warnings.push(w) });
    const node = p.nodes.get('unit_test.p.totals.sums')!;
    expect(node.resource_type).toBe('test');
    expect(node.attached_node).toBe('model.p.totals');
    expect(node.depends_on.nodes).toEqual(['model.p.totals']);
    expect(node.tags).toEqual(['finance']);
    expect(node.declared_at).toEqual({ file: 'models/unit.yml', line: 2 });
    expect(node.unit_test!.input_ids).toEqual(['model.p.orders', 'source.p.raw.fx']);
    expect(warnings).toEqual([]);
  });

  it('one on a disabled model, or disabled itself, is left out; versions: is warned of', async () => {
    const warnings: string[] = [];
    const yaml = [...GOOD, '  - {name: off_test, model: off, given: [], expect: {rows: []}}', '  - name: not_now', '    model: totals', '    versions: {include: [1]}', '    config: {enabled: false}', '    given: []', '    expect: {rows: []}'].join('\n');
    const p = await loadProject({ projectDir: project(yaml), partialParse: false, warn: (w) => warnings.push(w) });
    expect([...p.nodes.keys()].filter((k) => k.startsWith('unit_test.'))).toEqual(['unit_test.p.totals.sums']);
    expect(warnings).toEqual([expect.stringMatching(/^models\/unit\.yml:16: unit test not_now: "versions": ft does not build model versions; ignored\.$/)]);
  });

  it('an unknown key names its line and the key meant', async () => {
    const yaml = [...GOOD.slice(0, 10), '    expected:', '      rows: [{total: 1}]'].join('\n');
    expect(await loadError(yaml)).toBe('models/unit.yml:11: unknown key "expected" in unit test sums. Did you mean "expect"? Allowed: name, model, description, given, expect, overrides, config, versions.');
  });

  it('a missing expect, an unreadable input, a bad format and rows of the wrong shape name their lines', async () => {
    expect(await loadError(GOOD.slice(0, 10).join('\n'))).toMatch(/^models\/unit\.yml:2: unit test sums needs expect: with the rows/);
    const badInput = GOOD.map((l, i) => (i === 6 ? '      - input: orders' : l)).join('\n');
    expect(await loadError(badInput)).toMatch(/^models\/unit\.yml:7: unit test sums: cannot read input "orders"; write ref\('model'\)/);
    const badFormat = [...GOOD.slice(0, 10), '    expect:', '      format: json', '      rows: x'].join('\n');
    expect(await loadError(badFormat)).toMatch(/^models\/unit\.yml:12: unit test sums, expect: format "json" is not one of dict, csv, sql\./);
    const csvAsList = [...GOOD.slice(0, 10), '    expect:', '      format: csv', '      rows: [{total: 1}]'].join('\n');
    expect(await loadError(csvAsList)).toMatch(/^models\/unit\.yml:13: unit test sums, expect: with format: csv, rows: is text \(a block: rows: \|\), not a list\./);
    const rowNotMap = GOOD.map((l, i) => (i === 7 ? '        rows:\n          - 1' : l)).join('\n');
    expect(await loadError(rowNotMap)).toMatch(/^models\/unit\.yml:9: unit test sums, input ref\('orders'\): row 1 must be a mapping/);
  });

  it('a model, input or macro that does not exist, and an input left out, are errors with the fix', async () => {
    expect(await loadError(GOOD.map((l, i) => (i === 2 ? '    model: total' : l)).join('\n'))).toBe('models/unit.yml:2: unit test sums: model "total" does not exist. Did you mean "totals"? Fix model: to name a model of this project.');
    expect(await loadError(GOOD.map((l, i) => (i === 6 ? "      - input: ref('order')" : l)).join('\n'))).toMatch(/^models\/unit\.yml:7: unit test sums: input ref\('order'\) names no model or seed\. Did you mean "orders"\?/);
    const missing = [...GOOD.slice(0, 8), ...GOOD.slice(10)].join('\n');
    expect(await loadError(missing)).toMatch(/^models\/unit\.yml:2: unit test sums: totals reads source\('raw', 'fx'\), which the test does not give\. Add a given for each/);
    const macro = [...GOOD, '    overrides: {macros: {cents: 1}}'].join('\n');
    expect(await loadError(macro)).toMatch(/^models\/unit\.yml:2: unit test sums: overrides\.macros names "cents", which is no macro of this project\./);
    const incNoThis = [...GOOD, '    overrides: {macros: {is_incremental: true}}'].join('\n');
    expect(await loadError(incNoThis)).toMatch(/is_incremental is true, so totals reads \{\{this\}\}; add a given for it \(- input: this/);
  });
});
