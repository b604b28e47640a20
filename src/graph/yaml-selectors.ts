import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseYaml } from '../project/yaml-file.js';
import { FtError } from '../util/errors.js';
import { didYouMean } from '../util/suggest.js';
import { INDIRECT_SELECTION_MODES, isIndirectSelection, type IndirectSelection } from './indirect-selection.js';

/**
 * selectors.yml, as in dbt: named selections for `--selector name` (or `selector:name`
 * inside a selection). A definition is a selection string (`tag:nightly +orders`), a
 * method (`{method: tag, value: nightly, children: true}` or `{tag: nightly}`), or a
 * `union:` / `intersection:` of definitions, either of which may hold `exclude:` items.
 */
export const SELECTORS_FILE = 'selectors.yml';

interface Named {
  definition: unknown;
  line: number;
  /** `default: true`: the selection of a command given no --select or --selector */
  isDefault: boolean;
  /** the definition's `indirect_selection`, which overrides the command's for this selector */
  indirect?: IndirectSelection;
}

/** What evaluating a definition needs: the selection syntax, and every node (for an `exclude` alone). */
export interface SelectionContext {
  evaluate(spec: string): Set<string>;
  all(): Set<string>;
}

const FORM = 'Write a selection string, {method: tag, value: x}, or union:/intersection: lists (exclude: inside them).';

/** The selectors of a project's selectors.yml, by name (empty without the file). */
export function loadSelectors(root: string): Map<string, Named> {
  const file = join(root, SELECTORS_FILE);
  const out = new Map<string, Named>();
  if (!existsSync(file)) return out;
  const { value, lines, itemLines } = parseYaml(readFileSync(file, 'utf8'), SELECTORS_FILE);
  const list = (value as { selectors?: unknown } | null)?.selectors;
  if (!Array.isArray(list)) throw new FtError(`expected a top-level "selectors:" list of {name, definition}.`, 2, SELECTORS_FILE, 1);
  list.forEach((entry, i) => {
    const line = (entry && typeof entry === 'object' ? lines.get(entry) : undefined) ?? itemLines.get(list)?.[i] ?? 1;
    const e = entry as { name?: unknown; definition?: unknown; default?: unknown } | null;
    if (!e || typeof e.name !== 'string' || !e.name) throw new FtError(`each selector needs a name (and a definition).`, 2, SELECTORS_FILE, line);
    if (e.definition === undefined || e.definition === null) throw new FtError(`selector "${e.name}" has no definition. ${FORM}`, 2, SELECTORS_FILE, line);
    if (out.has(e.name)) throw new FtError(`selector "${e.name}" is defined twice. Rename one.`, 2, SELECTORS_FILE, line);
    if (e.default !== undefined && typeof e.default !== 'boolean') throw new FtError(`selector "${e.name}": default must be true or false.`, 2, SELECTORS_FILE, line);
    const other = defaultSelectorName(out);
    if (e.default === true && other) throw new FtError(`selectors "${other}" and "${e.name}" both say default: true; keep one.`, 2, SELECTORS_FILE, line);
    out.set(e.name, { definition: e.definition, line, isDefault: e.default === true, indirect: indirectOf(e.name, e.definition, line) });
  });
  return out;
}

/**
 * The node ids a named selector picks; `selector:other` inside it goes back through the
 * selection syntax (`ctx.evaluate`), which guards against cycles.
 */
export function evaluateSelector(selectors: Map<string, Named>, name: string, ctx: SelectionContext): Set<string> {
  const named = selectors.get(name);
  if (!named) {
    const where = selectors.size ? `${SELECTORS_FILE} defines ${[...selectors.keys()].join(', ')}.` : `there is no ${SELECTORS_FILE} in the project folder.`;
    throw new FtError(`unknown selector "${name}": ${where}${didYouMean(name, selectors.keys())}`);
  }
  return definitionSet(named.definition, ctx, name, named.line);
}

/**
 * The `indirect_selection` a definition sets (on any of its methods). dbt applies it to the
 * criterion that carries it; ft applies one mode to a whole selection, so two different ones
 * in one selector are refused rather than one silently read as the other.
 */
function indirectOf(name: string, definition: unknown, line: number): IndirectSelection | undefined {
  const found = new Set<unknown>();
  const walk = (d: unknown): void => {
    if (Array.isArray(d)) d.forEach(walk);
    else if (d && typeof d === 'object') {
      for (const [k, v] of Object.entries(d)) {
        if (k === 'indirect_selection') found.add(v);
        else walk(v);
      }
    }
  };
  walk(definition);
  for (const v of found) {
    if (!isIndirectSelection(v)) throw new FtError(`selector "${name}": indirect_selection must be ${INDIRECT_SELECTION_MODES.join(', ')}, not ${JSON.stringify(v)}.`, 2, SELECTORS_FILE, line);
  }
  if (found.size > 1) {
    throw new FtError(`selector "${name}" sets indirect_selection to ${[...found].join(' and ')}; ft applies one mode to a whole selection. Split it into one selector per mode and run each, or keep one mode.`, 2, SELECTORS_FILE, line);
  }
  return found.values().next().value as IndirectSelection | undefined;
}

/** The `indirect_selection` a named selector sets, if any. */
export const selectorIndirectSelection = (selectors: Map<string, Named>, name: string): IndirectSelection | undefined => selectors.get(name)?.indirect;

/** The selector marked `default: true`, if any. */
export const defaultSelectorName = (selectors: Map<string, Named>): string | undefined => [...selectors].find(([, n]) => n.isDefault)?.[0];

/** The line of a selector's definition, for messages. */
export const selectorLine = (selectors: Map<string, Named>, name: string): number | undefined => selectors.get(name)?.line;

function definitionSet(def: unknown, ctx: SelectionContext, name: string, line: number): Set<string> {
  const bad = (why: string): FtError => new FtError(`selector "${name}": ${why} ${FORM}`, 2, SELECTORS_FILE, line);
  if (typeof def === 'string') return ctx.evaluate(def);
  if (!def || typeof def !== 'object' || Array.isArray(def)) throw bad(`cannot read the definition ${JSON.stringify(def)}.`);
  const d = def as Record<string, unknown>;
  for (const op of ['union', 'intersection'] as const) {
    if (!(op in d)) continue;
    const items = d[op];
    if (!Array.isArray(items) || items.length === 0) throw bad(`"${op}" needs a list of definitions.`);
    const excluded = new Set<string>();
    let acc: Set<string> | undefined;
    for (const item of items) {
      if (item && typeof item === 'object' && !Array.isArray(item) && 'exclude' in item) {
        const ex = (item as { exclude: unknown }).exclude;
        for (const x of Array.isArray(ex) ? ex : [ex]) for (const id of definitionSet(x, ctx, name, line)) excluded.add(id);
        continue;
      }
      const s = definitionSet(item, ctx, name, line);
      acc = acc === undefined ? s : op === 'union' ? new Set([...acc, ...s]) : new Set([...acc].filter((id) => s.has(id)));
    }
    // a list of excludes alone takes them from everything
    const base = acc ?? ctx.all();
    return new Set([...base].filter((id) => !excluded.has(id)));
  }
  // a method: {method: tag, value: x, ...} or its shorthand {tag: x}
  let method = d.method;
  let value = d.value;
  if (method === undefined) {
    const keys = Object.keys(d).filter((k) => !['parents', 'children', 'parents_depth', 'children_depth', 'childrens_parents', 'indirect_selection', 'description'].includes(k));
    if (keys.length !== 1) throw bad(`cannot read ${JSON.stringify(def)}: name one method.`);
    method = keys[0];
    value = d[keys[0]!];
  }
  if (typeof method !== 'string' || (typeof value !== 'string' && typeof value !== 'number')) throw bad(`"method" and "value" must be text (got ${JSON.stringify(def)}).`);
  const parents = d.parents === true ? `${d.parents_depth ?? ''}+` : '';
  const children = d.children === true ? `+${d.children_depth ?? ''}` : '';
  const at = d.childrens_parents === true ? '@' : '';
  const body = method === 'fqn' ? String(value) : `${method}:${value}`;
  return ctx.evaluate(`${at}${at ? '' : parents}${body}${at ? '' : children}`);
}
