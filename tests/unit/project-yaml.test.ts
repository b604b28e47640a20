import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { generateProject } from '../../bench/gen-project.js';
import { fastParseYaml, resolvePlain } from '../../src/project/yaml-fast.js';
import { parseYaml } from '../../src/project/yaml-file.js';
import { FtError } from '../../src/util/errors.js';

// The fast YAML reader must give exactly what the yaml library gives (values, and the line of
// every mapping, sequence and sequence item), or decline (null) so the library reads the file.

const repo = resolve(import.meta.dirname, '../..');

/** The reference: the yaml library, converted as yaml-file.ts does it. */
function reference(text: string): { value: unknown; lines: Map<string, number> } {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) throw new Error(doc.errors[0]!.message);
  const lines = new Map<string, number>();
  const lineOf = (n: YamlNode | null | undefined): number => (n?.range ? lc.linePos(n.range[0]).line : 0);
  const convert = (n: unknown, path: string): unknown => {
    if (isMap(n)) {
      lines.set(path, lineOf(n));
      const o: Record<string, unknown> = {};
      for (const p of n.items) {
        const k = isScalar(p.key) ? String(p.key.value) : String(p.key);
        o[k] = convert(p.value, `${path}.${k}`);
      }
      return o;
    }
    if (isSeq(n)) {
      lines.set(path, lineOf(n));
      return n.items.map((it, i) => {
        lines.set(`${path}[${i}]#item`, lineOf(it as YamlNode));
        return convert(it, `${path}[${i}]`);
      });
    }
    if (isScalar(n)) return n.value;
    return n ?? null;
  };
  return { value: convert(doc.contents, '$'), lines };
}

/** The same line map from the fast reader's WeakMaps. */
function fastLines(r: NonNullable<ReturnType<typeof fastParseYaml>>): Map<string, number> {
  const lines = new Map<string, number>();
  const walk = (v: unknown, path: string): void => {
    if (Array.isArray(v)) {
      lines.set(path, r.lines.get(v) ?? -1);
      const items = r.itemLines.get(v) ?? [];
      v.forEach((x, i) => {
        lines.set(`${path}[${i}]#item`, items[i] ?? -1);
        walk(x, `${path}[${i}]`);
      });
    } else if (v && typeof v === 'object') {
      lines.set(path, r.lines.get(v) ?? -1);
      for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
    }
  };
  walk(r.value, '$');
  return lines;
}

function same(text: string): 'fast' | 'declined' {
  const fast = fastParseYaml(text);
  if (!fast) return 'declined';
  const ref = reference(text);
  expect(fast.value).toEqual(ref.value);
  expect(fastLines(fast)).toEqual(ref.lines);
  return 'fast';
}

function yamlFilesUnder(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist' || name === 'target' || name === 'out' || name.startsWith('.')) continue;
    const p = join(dir, name);
    let isDir: boolean;
    try {
      isDir = statSync(p).isDirectory();
    } catch {
      continue; // a dangling link
    }
    if (isDir) yamlFilesUnder(p, out);
    else if (/\.ya?ml$/.test(name)) out.push(p);
  }
  return out;
}

describe('fast YAML reader', () => {
  it('reads every valid YAML file of the repository exactly like the yaml library (or declines)', () => {
    const files = yamlFilesUnder(repo);
    expect(files.length).toBeGreaterThan(5);
    let fast = 0;
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      try {
        reference(text);
      } catch {
        expect(fastParseYaml(text), f).toBeNull(); // broken files go to the library for its message
        continue;
      }
      if (same(text) === 'fast') fast++;
    }
    expect(fast).toBeGreaterThan(files.length / 2);
  });

  it('reads the benchmark project\'s schema files and project.yml on the fast path, identically', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ft-yaml-'));
    try {
      generateProject(dir, 250);
      const files = [join(dir, 'project.yml'), join(dir, 'profiles.yml'), ...readdirSync(join(dir, 'models')).map((d) => join(dir, 'models', d, 'schema.yml'))];
      for (const f of files) expect(same(readFileSync(f, 'utf8')), f).toBe('fast');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const cases: string[] = [
    'version: 2\nmodels:\n  - name: a\n    description: The A model.\n    columns:\n      - name: id\n        tests: [unique, not_null]\n',
    'models:\n- name: a\n  config:\n    materialized: table\n    tags: [x, "y z", \'q\']\n- name: b\n',
    'a: 1\nb: -2\nc: 0o17\nd: 0x1F\ne: 1.50\nf: 1e3\ng: .inf\nh: -.Inf\ni: .nan\nj: ~\nk:\nl: null\nm: True\nn: FALSE\no: yes\np: 2026-11-01\nq: 1.2.3\nr: +5\n',
    'key: "double \\"q\\" \\\\ \\n \\t \\u00e9 \\x41"\nother: \'it\'\'s\'\n',
    'tests:\n  - relationships: {to: ref(\'customers\'), field: customer_id}\n  - accepted_values:\n      values: [placed, shipped]\n      config: {severity: warn}\n',
    'nested:\n  - [a, [b, c], {d: e}]\n  - {}\n  - []\n',
    '# comment\nmodels:   # trailing\n  p:\n    +materialized: view  # why\n    silver:\n      +tags: [silver]\n\n\n    gold:\n      materialized: table\n',
    'url: https://example.com/a#b\npath: a:b\nexpr: "x > 0"\n',
    '1: one\ntrue: t\n1.5: f\nnull: n\n',
    '- a\n- b: 1\n  c: 2\n-\n  d: 3\n',
    'k:\n- x\n- y\nz: 1\n',
    'just a scalar\n',
    'models:\n  - name: a\n    description: >\n      Folded text\n      on two lines.\n\n      New paragraph, # not a comment.\n\n\n      After two blanks.\n    columns:\n      - name: id\n        description: |\n          Literal\n            indented\n          # kept\n\n        tests: [unique]\n',
    'a: >-\n  stripped\n  text\n\nb: |-\n  x\nc: >\n\n  leading blank\nd: |\n\ne: 1\n',
    '- >\n  item text\n- |\n  literal item\n- plain\n',
    'k: >\n  x\n',
    'a: |\n  line one\n  line two\n',
    'a: >-\n  folded\n',
    'k: |\n  x\n\n\n',
    '',
    '# only a comment\n',
  ];
  // each is one the fast reader must take (a reader declining everything would pass a mere comparison)
  for (const c of cases) it(`same result for ${JSON.stringify(c).slice(0, 70)}, on the fast path`, () => expect(same(c)).toBe('fast'));

  const declined: string[] = [
    'a: &x 1\nb: *x\n',
    'a: plain\n  continued\n',
    'a: !!str 1\n',
    '---\na: 1\n',
    'a:\n\tb: 1\n',
    'a: "x # y"\n',
    'a: 1\na: 2\n',
    '1: one\ntrue: t\n1.0: f\nnull: n\n', // 1 and 1.0 are the same key
    'a: [1,\n  2]\n',
    'a b: 1\n',
    '? complex\n: key\n',
    'a:\n  - - nested\n',
    'a: b: c\n',
    'a: 1\n  b: 2\n',
    'a: "unclosed\n',
    'a: |+\n  keep\n\n',
    'a: >\n  x\n    more indented\n  y\n',
    'a: |2\n   x\n',
    '---\n',
    '&a\n',
    // `<<` merge keys are applied by the library (as PyYAML does), in blocks, flows and list items
    'm:\n  <<: {a: 1}\n  b: 2\n',
    'm: {<<: {a: 1}, b: 2}\n',
    'm: {"<<": 1}\n',
    '- <<: {a: 1}\n  b: 2\n',
    'a: &x {b: 1}\nm:\n  <<: *x\n',
    'a: [*x]\n',
    '- *x\n',
    'a: &x\n  b: 1\n',
    // deeper than MAX_YAML_DEPTH: the library reports it
    Array.from({ length: 300 }, (_, i) => `${' '.repeat(i)}k:`).join('\n') + ' 1\n',
    `a: ${'['.repeat(300)}${']'.repeat(300)}\n`,
  ];
  for (const c of declined) it(`declines ${JSON.stringify(c).slice(0, 70)}`, () => expect(fastParseYaml(c)).toBeNull());

  it('resolves plain scalars like the YAML 1.2 core schema', () => {
    expect([resolvePlain('0o10'), resolvePlain('010'), resolvePlain('0x10'), resolvePlain('1_000'), resolvePlain('Null'), resolvePlain('.5')]).toEqual([8, 10, 16, '1_000', null, 0.5]);
  });

  it('parseYaml still reports malformed YAML with the file and line', () => {
    expect(() => parseYaml('a:\n  b: [1, 2\n', 'models/x.yml')).toThrowError(FtError);
    expect(formatOf(() => parseYaml('a: 1\nb: "open\n', 'models/x.yml'))).toMatch(/^models\/x\.yml:2: malformed YAML/);
  });

  it('a key written twice in one mapping names both lines and the fix (dbt keeps the last one silently)', () => {
    const err = (text: string): string => {
      try {
        parseYaml(text, 'models/s.yml');
      } catch (e) {
        return (e as FtError).format();
      }
      return 'no error';
    };
    expect(err('models:\n  - name: m\n    data_type: int\n    columns: []\n    data_type: bigint\n')).toBe(
      'models/s.yml:5: the key "data_type" is written twice in one mapping (first at line 3). dbt\'s YAML reader keeps the last one silently; remove the one you do not mean.',
    );
    expect(err('m: {a: 1, a: 2}\n')).toMatch(/^models\/s\.yml:1: the key "a" is written twice in one mapping\. /);
  });

  it('says which reader took a file', () => {
    expect(parseYaml('a: 1\n', 'x.yml').via).toBe('fast');
    expect(parseYaml('a: &x 1\nb: *x\n', 'x.yml').via).toBe('library');
  });
});

/** The message an FtError thrown by `fn` prints (fails the test when nothing, or something else, is thrown). */
function formatOf(fn: () => unknown): string {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(FtError);
  return (thrown as FtError).format();
}

/** What PyYAML 6 (dbt's reader) gives for the same text, key order included: `yaml.safe_load`. */
const asPyYaml = (text: string): unknown => {
  const v = parseYaml(text, 'models/x.yml').value;
  return JSON.parse(JSON.stringify(v)) as unknown;
};
const keysOf = (o: unknown): string[] => Object.keys(o as object);

describe('anchors, aliases and merge keys, read as PyYAML reads them', () => {
  it('an alias is the anchored value: config: *cfg, tests: *std', () => {
    const text = 'version: 2\nx-defaults:\n  cfg: &cfg {materialized: table, tags: [a]}\n  std: &std [unique, not_null]\nmodels:\n  - name: a\n    config: *cfg\n    columns:\n      - name: id\n        tests: *std\n';
    const v = asPyYaml(text) as { models: Array<{ config: unknown; columns: Array<{ tests: unknown }> }> };
    expect(v.models[0]!.config).toEqual({ materialized: 'table', tags: ['a'] });
    expect(v.models[0]!.columns[0]!.tests).toEqual(['unique', 'not_null']);
  });

  it('an alias is a copy: changing one use leaves the others', () => {
    const { value } = parseYaml('a: &x {k: [1]}\nb: *x\nc: *x\n', 'x.yml');
    const v = value as Record<string, { k: number[] }>;
    v.b!.k.push(2);
    expect([v.a!.k, v.c!.k]).toEqual([[1], [1]]);
  });

  it('<<: *cfg merges, and the mapping\'s own keys win wherever they stand', () => {
    // python3 -c "import yaml,json;print(json.dumps(yaml.safe_load(open(0))))"
    expect(asPyYaml('base: &cfg\n  materialized: table\n  alias: b\nm:\n  <<: *cfg\n  alias: x\n')).toEqual({ base: { materialized: 'table', alias: 'b' }, m: { materialized: 'table', alias: 'x' } });
    expect(asPyYaml('a: &a {x: 1}\nm:\n  x: 2\n  <<: *a\n')).toEqual({ a: { x: 1 }, m: { x: 2 } });
    expect(asPyYaml('m:\n  <<: {a: 1}\n  b: 2\n')).toEqual({ m: { a: 1, b: 2 } });
  });

  it('<<: [*a, *b]: the first listed wins, keys in PyYAML\'s order', () => {
    const v = asPyYaml('a: &a {x: 1, y: 1}\nb: &b {y: 2, z: 2}\nm:\n  <<: [*a, *b]\n  z: 3\n') as Record<string, unknown>;
    expect(v.m).toEqual({ y: 1, z: 3, x: 1 });
    expect(keysOf(v.m)).toEqual(['y', 'z', 'x']);
  });

  it('merges inside merged mappings, and a quoted "<<" is an ordinary key', () => {
    const v = asPyYaml('a: &a {x: 1, <<: {q: 5}}\nm: {<<: *a, y: 1}\nq:\n  "<<": 1\n') as Record<string, unknown>;
    expect(v).toEqual({ a: { q: 5, x: 1 }, m: { q: 5, x: 1, y: 1 }, q: { '<<': 1 } });
    expect(keysOf(v.m)).toEqual(['q', 'x', 'y']);
  });

  it('keeps lines: a merged mapping at its own line, aliased items at the alias', () => {
    const doc = parseYaml('std: &std [unique]\nm:\n  <<: {a: 1}\n  tests:\n    - *std\n', 'x.yml');
    const v = doc.value as { m: { tests: unknown[] } };
    expect(doc.lines.get(v.m)).toBe(3);
    expect(doc.itemLines.get(v.m.tests)).toEqual([5]);
  });

  it('a merge of something else than mappings, an unknown alias or a value containing itself: the file and line', () => {
    expect(formatOf(() => parseYaml('a: &a 1\nm:\n  <<: *a\n', 'models/x.yml'))).toMatch(/^models\/x\.yml:\d+: a `<<` merge key takes a mapping/);
    expect(formatOf(() => parseYaml('a: 1\nb: *nope\n', 'models/x.yml'))).toMatch(/^models\/x\.yml:2: /);
    expect(formatOf(() => parseYaml('a: &a\n  b: *a\n', 'models/x.yml'))).toMatch(/^models\/x\.yml:2: the alias \*a is inside the value it refers to/);
  });

  it('an alias bomb is an error, not a hang', () => {
    const lines = ['l0: &l0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) lines.push(`l${i}: &l${i} [${Array(10).fill(`*l${i - 1}`).join(', ')}]`);
    expect(formatOf(() => parseYaml(`${lines.join('\n')}\n`, 'models/x.yml'))).toMatch(/^models\/x\.yml:\d+: aliases in this file expand to more than/);
  });
});

describe('deep nesting', () => {
  const deepBlock = (n: number): string => Array.from({ length: n }, (_, i) => `${' '.repeat(i)}k:`).join('\n') + ' 1\n';
  const deepFlow = (n: number): string => `a: ${'['.repeat(n)}${']'.repeat(n)}\n`;
  const deepSeq = (n: number): string => Array.from({ length: n }, (_, i) => `${' '.repeat(i * 2)}- `).join('\n') + 'x\n';
  for (const [what, text] of [
    ['mappings, 300 deep', deepBlock(300)],
    ['mappings, 20,000 deep', deepBlock(20_000)],
    ['flow lists, 300 deep', deepFlow(300)],
    ['flow lists, 50,000 deep', deepFlow(50_000)],
    ['block lists, 2,000 deep', deepSeq(2000)],
  ] as const) {
    it(`${what}: an FtError with the file and a line, no stack overflow`, () => {
      expect(formatOf(() => parseYaml(text, 'models/deep.yml'))).toMatch(/^models\/deep\.yml:\d+: YAML nested more than 256 levels deep/);
    });
  }
  it('200 levels are read', () => {
    expect(parseYaml(deepBlock(200), 'x.yml').via).toBe('fast');
    expect(parseYaml(deepFlow(200), 'x.yml').via).toBe('fast');
  });
});
