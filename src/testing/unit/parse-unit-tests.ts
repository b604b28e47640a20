// `unit_tests:` of a schema YAML file, read as dbt 1.8+ writes them. Every shape error names the
// file, the line and what to write instead; the parsed tests are plain JSON (the parse cache keeps them).
import { keyLine } from '../../project/not-supported.js';
import type { YamlWithLines } from '../../project/yaml-file.js';
import { FtError } from '../../util/errors.js';
import { didYouMean } from '../../util/suggest.js';
import type { FixtureSpec, GivenSpec, InputRef, UnitTestSpec } from './unit-test-spec.js';

const TEST_KEYS = new Set(['name', 'model', 'description', 'given', 'expect', 'overrides', 'config', 'versions']);
const GIVEN_KEYS = new Set(['input', 'rows', 'format', 'fixture']);
const EXPECT_KEYS = new Set(['rows', 'format', 'fixture']);
const OVERRIDE_KEYS = new Set(['vars', 'env_vars', 'macros']);
const CONFIG_KEYS = new Set(['tags', 'enabled', 'meta']);
const FORMATS = ['dict', 'csv', 'sql'];

/** ref('x'), ref("x"), ref('package', 'x'), source('s', 't'), this — or ft's {{ref "x"}}, {{source "s" "t"}}, {{this}}. */
export function parseInput(text: string): InputRef | undefined {
  const t = text.trim();
  if (/^(\{\{\s*this\s*\}\}|this)$/.test(t)) return { kind: 'this' };
  const q = `\\s*['"]([^'"]+)['"]\\s*`;
  const ref = new RegExp(`^ref\\(${q}(?:,${q})?(?:,\\s*v(?:ersion)?\\s*=[^)]*)?\\)$`).exec(t);
  if (ref) return { kind: 'ref', name: ref[2] ?? ref[1]! };
  const src = new RegExp(`^source\\(${q},${q}\\)$`).exec(t);
  if (src) return { kind: 'source', source: src[1]!, table: src[2]! };
  const hbRef = /^\{\{\s*ref\s+"([^"]+)"(?:\s+"([^"]+)")?\s*\}\}$/.exec(t);
  if (hbRef) return { kind: 'ref', name: hbRef[2] ?? hbRef[1]! };
  const hbSrc = /^\{\{\s*source\s+"([^"]+)"\s+"([^"]+)"\s*\}\}$/.exec(t);
  if (hbSrc) return { kind: 'source', source: hbSrc[1]!, table: hbSrc[2]! };
  return undefined;
}

/**
 * Reads the `unit_tests:` list of one schema file. `warn` hears what is accepted but not acted
 * on (`versions:`), as `file:line: …`.
 */
export function readUnitTests(value: unknown, doc: YamlWithLines, file: string, text: string, warn: (msg: string) => void): UnitTestSpec[] {
  if (value === undefined || value === null) return [];
  const top = keyLine(text, 'unit_tests', 1, true);
  if (!Array.isArray(value)) throw new FtError('unit_tests must be a list (items start with "- name: …").', 2, file, top);
  const lineOf = (o: unknown, fallback: number): number => (o && typeof o === 'object' ? doc.lines.get(o) ?? fallback : fallback);
  const items = doc.itemLines.get(value) ?? [];
  const fail = (msg: string, line: number): never => {
    throw new FtError(msg, 2, file, line);
  };
  const mapping = (v: unknown, what: string, line: number, example: string): Record<string, unknown> => {
    if (v === undefined || v === null) return {};
    if (typeof v !== 'object' || Array.isArray(v)) fail(`${what} must be a mapping, e.g. ${example}.`, line);
    return v as Record<string, unknown>;
  };
  const onlyKeys = (o: Record<string, unknown>, known: Set<string>, where: string, line: number): void => {
    for (const key of Object.keys(o)) {
      if (!known.has(key)) fail(`unknown key "${key}" in ${where}.${didYouMean(key, known)} Allowed: ${[...known].join(', ')}.`, keyLine(text, key, line));
    }
  };

  const fixture = (o: Record<string, unknown>, where: string, line: number): FixtureSpec => {
    const format = o.format === undefined || o.format === null ? 'dict' : String(o.format);
    if (!FORMATS.includes(format)) fail(`${where}: format "${format}" is not one of dict, csv, sql.${didYouMean(format, FORMATS)}`, keyLine(text, 'format', line));
    const hasRows = 'rows' in o && o.rows !== null;
    const hasFixture = o.fixture !== undefined && o.fixture !== null;
    if (hasRows && hasFixture) fail(`${where}: give either rows: or fixture:, not both.`, keyLine(text, 'fixture', line));
    if (hasFixture) {
      if (format === 'dict') fail(`${where}: fixture: needs format: csv or format: sql (a file under tests/fixtures/).`, keyLine(text, 'fixture', line));
      if (typeof o.fixture !== 'string' || !o.fixture.trim()) fail(`${where}: fixture: must be a file name, e.g. fixture: my_rows (tests/fixtures/my_rows.${format}).`, keyLine(text, 'fixture', line));
      return { format: format as FixtureSpec['format'], fixture: String(o.fixture).trim(), line };
    }
    if (!hasRows) {
      // `rows:` left empty is no rows, as in dbt; a missing key is a mistake
      if ('rows' in o) return { format: format as FixtureSpec['format'], rows: format === 'dict' ? [] : '', line };
      fail(`${where}: no rows. Add rows: (a list like - {id: 1}), rows: [] for none, or format: csv with fixture: <file>.`, line);
    }
    const rowsLine = keyLine(text, 'rows', line);
    if (format === 'dict') {
      if (!Array.isArray(o.rows)) fail(`${where}: rows: must be a list of mappings, e.g. - {id: 1, name: a} (or set format: csv / sql for text).`, rowsLine);
      const rows = o.rows as unknown[];
      const rowLines = doc.itemLines.get(rows) ?? [];
      rows.forEach((r, i) => {
        if (!r || typeof r !== 'object' || Array.isArray(r)) fail(`${where}: row ${i + 1} must be a mapping of column to value, e.g. - {id: 1, name: a}.`, rowLines[i] ?? rowsLine);
      });
      return { format: 'dict', rows: rows as Array<Record<string, unknown>>, line };
    }
    if (typeof o.rows !== 'string') fail(`${where}: with format: ${format}, rows: is text (a block: rows: |), not a ${Array.isArray(o.rows) ? 'list' : typeof o.rows}.`, rowsLine);
    return { format: format as FixtureSpec['format'], rows: o.rows as string, line };
  };

  const out: UnitTestSpec[] = [];
  value.forEach((entry, i) => {
    const line = lineOf(entry, items[i] ?? top);
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) fail('each entry under unit_tests must be a mapping with name:, model:, given: and expect:.', line);
    const e = entry as Record<string, unknown>;
    if (typeof e.name !== 'string' || !e.name) fail('each unit test needs a `name:`.', line);
    const name = e.name as string;
    onlyKeys(e, TEST_KEYS, `unit test ${name}`, line);
    if (typeof e.model !== 'string' || !e.model) fail(`unit test ${name} needs \`model: <model name>\` (the model whose SQL it runs).`, line);
    if ('versions' in e) warn(`${file}:${keyLine(text, 'versions', line)}: unit test ${name}: "versions": ft does not build model versions; ignored.`);
    const givenLine = keyLine(text, 'given', line);
    if (e.given !== undefined && e.given !== null && !Array.isArray(e.given)) fail(`unit test ${name}: given: must be a list of inputs (- input: ref('x') with rows:).`, givenLine);
    const givenList = (e.given ?? []) as unknown[];
    const givenLines = doc.itemLines.get(givenList) ?? [];
    const seen = new Map<string, number>();
    const given: GivenSpec[] = givenList.map((g, j) => {
      const gl = lineOf(g, givenLines[j] ?? givenLine);
      const o = mapping(g, `unit test ${name}: each given`, gl, "- input: ref('orders')");
      onlyKeys(o, GIVEN_KEYS, `a given of unit test ${name}`, gl);
      if (typeof o.input !== 'string' || !o.input.trim()) fail(`unit test ${name}: each given needs input: ref('model'), source('source', 'table') or this.`, gl);
      const input = parseInput(o.input as string);
      if (!input) fail(`unit test ${name}: cannot read input "${String(o.input)}"; write ref('model'), source('source', 'table'), this, or {{ref "model"}}.`, keyLine(text, 'input', gl));
      const key = JSON.stringify(input);
      if (seen.has(key)) fail(`unit test ${name}: input ${String(o.input)} is given twice (also at line ${seen.get(key)}). Keep one.`, gl);
      seen.set(key, gl);
      return { ...fixture(o, `unit test ${name}, input ${String(o.input)}`, gl), input: input!, text: String(o.input).trim() };
    });
    if (e.expect === undefined || e.expect === null) fail(`unit test ${name} needs expect: with the rows the model must return (expect: {rows: [...]}).`, line);
    const expectLine = lineOf(e.expect, keyLine(text, 'expect', line));
    const ex = mapping(e.expect, `unit test ${name}: expect`, expectLine, 'expect: {rows: [{id: 1}]}');
    onlyKeys(ex, EXPECT_KEYS, `expect of unit test ${name}`, expectLine);
    const expect = fixture(ex, `unit test ${name}, expect`, expectLine);
    const ovLine = lineOf(e.overrides, keyLine(text, 'overrides', line));
    const ov = mapping(e.overrides, `unit test ${name}: overrides`, ovLine, 'overrides: {macros: {is_incremental: true}}');
    onlyKeys(ov, OVERRIDE_KEYS, `overrides of unit test ${name}`, ovLine);
    const vars = mapping(ov.vars, `unit test ${name}: overrides.vars`, ovLine, 'vars: {days: 7}');
    const envRaw = mapping(ov.env_vars, `unit test ${name}: overrides.env_vars`, ovLine, 'env_vars: {REGION: eu}');
    const macros = mapping(ov.macros, `unit test ${name}: overrides.macros`, ovLine, 'macros: {is_incremental: true}');
    const env_vars: Record<string, string> = {};
    for (const [k, v] of Object.entries(envRaw)) env_vars[k] = v === null || v === undefined ? '' : String(v);
    const cfgLine = lineOf(e.config, keyLine(text, 'config', line));
    const cfg = mapping(e.config, `unit test ${name}: config`, cfgLine, 'config: {tags: [kpi]}');
    onlyKeys(cfg, CONFIG_KEYS, `config of unit test ${name}`, cfgLine);
    const tags = cfg.tags === undefined || cfg.tags === null ? [] : Array.isArray(cfg.tags) ? cfg.tags.map(String) : [String(cfg.tags)];
    if (cfg.enabled !== undefined && typeof cfg.enabled !== 'boolean') fail(`unit test ${name}: config.enabled must be true or false.`, keyLine(text, 'enabled', cfgLine));
    out.push({
      name,
      model: e.model as string,
      description: e.description === undefined || e.description === null ? '' : String(e.description),
      given,
      expect,
      overrides: { vars, env_vars, macros },
      config: { tags, enabled: cfg.enabled !== false, meta: mapping(cfg.meta, `unit test ${name}: config.meta`, cfgLine, 'meta: {owner: data}') },
      file,
      line,
    });
  });
  return out;
}
