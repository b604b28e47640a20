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
    '1: one\ntrue: t\n1.0: f\nnull: n\n',
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
  for (const c of cases) it(`same result for ${JSON.stringify(c).slice(0, 70)}`, () => same(c));

  const declined: string[] = [
    'a: &x 1\nb: *x\n',
    'a: plain\n  continued\n',
    'a: !!str 1\n',
    '---\na: 1\n',
    'a:\n\tb: 1\n',
    'a: "x # y"\n',
    'a: 1\na: 2\n',
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
  ];
  for (const c of declined) it(`declines ${JSON.stringify(c)}`, () => expect(fastParseYaml(c)).toBeNull());

  it('resolves plain scalars like the YAML 1.2 core schema', () => {
    expect([resolvePlain('0o10'), resolvePlain('010'), resolvePlain('0x10'), resolvePlain('1_000'), resolvePlain('Null'), resolvePlain('.5')]).toEqual([8, 10, 16, '1_000', null, 0.5]);
  });

  it('parseYaml still reports malformed YAML with the file and line', () => {
    expect(() => parseYaml('a:\n  b: [1, 2\n', 'models/x.yml')).toThrowError(FtError);
    try {
      parseYaml('a: 1\nb: "open\n', 'models/x.yml');
    } catch (e) {
      expect((e as FtError).format()).toMatch(/^models\/x\.yml:2: malformed YAML/);
    }
  });
});
