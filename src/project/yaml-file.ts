import { createRequire } from 'node:module';
import type { Alias, Node as YamlNode, Pair, YAMLMap } from 'yaml';
import { FtError } from '../util/errors.js';
import { fastParseYaml, MAX_YAML_DEPTH } from './yaml-fast.js';

// The yaml library loads only for a file the fast reader hands over (~50 ms of start-up otherwise).
let loaded: typeof import('yaml') | undefined;
export const yamlLibrary = (): typeof import('yaml') => (loaded ??= createRequire(import.meta.url)('yaml') as typeof import('yaml'));

/**
 * YAML parsed to plain JS, with the line each mapping, sequence and sequence item
 * starts on, so messages and CI annotations can point at the declaring line.
 */
export interface YamlWithLines {
  value: unknown;
  /** line of a parsed object or array */
  lines: Map<object, number>;
  /** line of each item of a parsed array (scalars have no identity of their own) */
  itemLines: Map<unknown[], number[]>;
  /** 'fast': read by the fast reader (yaml-fast.ts); 'library': by the yaml library */
  via?: 'fast' | 'library';
}

/** Values an alias may add to a file in all (its anchored content copied at each alias): beyond, an alias bomb. */
const MAX_ALIAS_VALUES = 200_000;

/**
 * A key written twice in one mapping. PyYAML (dbt's reader) keeps the last one without a word;
 * ft names both lines, so the one not meant is removed rather than silently lost.
 */
function duplicateKey(text: string, file: string, pos: number, line: number): FtError {
  const key = /^(?:"([^"]*)"|'([^']*)'|([^:,}\n]+?))\s*:/.exec(text.slice(pos));
  const name = (key?.[1] ?? key?.[2] ?? key?.[3] ?? '').trim();
  const lines = text.split('\n');
  const indent = /^\s*(?:- )?/.exec(lines[line - 1] ?? '')![0].length;
  let first = 0;
  for (let i = line - 2; i >= 0 && name; i--) {
    const l = lines[i]!;
    if (!l.trim() || l.trim().startsWith('#')) continue;
    const at = /^\s*(?:- )?/.exec(l)![0].length;
    if (at === indent && new RegExp(`^\\s*(?:- )?["']?${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}["']?\\s*:`).test(l)) {
      first = i + 1;
      break;
    }
    if (at < indent) break;
  }
  const where = first ? ` (first at line ${first})` : '';
  return new FtError(`the key "${name}" is written twice in one mapping${where}. dbt's YAML reader keeps the last one silently; remove the one you do not mean.`, 2, file, line);
}

export function parseYaml(text: string, file: string): YamlWithLines {
  // Plain files (nearly all) take the fast path; anything else, and every error, the yaml library.
  const fast = fastParseYaml(text);
  if (fast) {
    (fast as YamlWithLines).via = 'fast';
    return fast;
  }
  const { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument } = yamlLibrary();
  const lineCounter = new LineCounter();
  // merge: `<<` merge keys as PyYAML (dbt's reader) reads them, values still by the 1.2 core schema
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: true });
  if (doc.errors.length) {
    const err = doc.errors[0]!;
    let line = err.linePos?.[0]?.line ?? lineCounter.linePos(err.pos[0]).line;
    const what = err.message.split('\n')[0]!;
    if (/Maximum call stack size exceeded/.test(what)) throw tooDeep(file, line);
    if (err.code === 'DUPLICATE_KEY') throw duplicateKey(text, file, err.pos[0], line);
    // An unclosed quote or bracket is reported where the file ends; point at where it opens.
    const opener = /closing "quote/.test(what) ? '"' : /closing 'quote/.test(what) ? "'" : /end with a \]/.test(what) ? '[' : /end with a \}/.test(what) ? '{' : '';
    if (opener) {
      const lines = text.split('\n');
      for (let i = Math.min(line, lines.length) - 1; i >= 0; i--) {
        if (lines[i]!.includes(opener)) {
          line = i + 1;
          break;
        }
      }
    }
    throw new FtError(
      `malformed YAML: ${what}. Fix the syntax at this line (indentation, a missing ':' or an unclosed quote are the usual causes).`,
      2,
      file,
      line,
    );
  }
  const lines = new Map<object, number>();
  const itemLines = new Map<unknown[], number[]>();
  const lineOf = (n: YamlNode | null | undefined): number => (n?.range ? lineCounter.linePos(n.range[0]).line : 0);
  let aliasValues = 0;
  /** anchored nodes being converted through an alias: one met again refers to itself */
  const open = new Set<unknown>();
  const resolveAlias = (a: Alias): unknown => {
    const target = a.resolve(doc);
    if (target === undefined) throw new FtError(`the alias *${a.source} has no anchor &${a.source} before it. Define the anchor first, or fix the name.`, 2, file, lineOf(a));
    if (open.has(target)) throw new FtError(`the alias *${a.source} is inside the value it refers to (&${a.source}); a value cannot contain itself.`, 2, file, lineOf(a));
    return target;
  };
  /**
   * A mapping's entries with its `<<` merge keys applied as PyYAML applies them: the keys of a
   * merged mapping (or of each in a list, the earlier ones winning) come first, and the
   * mapping's own keys override them, wherever they stand. Each value is a node still to
   * convert, with whether it is reached through an alias (a copy of anchored content).
   */
  const entriesOf = (n: YAMLMap, depth: number, copied: boolean): Map<string, [unknown, boolean]> => {
    if (depth > MAX_YAML_DEPTH) throw tooDeep(file, lineOf(n as unknown as YamlNode));
    const merged = new Map<string, [unknown, boolean]>();
    const own: Array<[string, unknown]> = [];
    for (const pair of n.items as Pair[]) {
      const k = pair.key;
      if (!(isScalar(k) && typeof k.value === 'symbol')) {
        own.push([isScalar(k) ? String(k.value) : String(k), pair.value]);
        continue;
      }
      const sources: Array<[unknown, boolean]> = [];
      let v: unknown = pair.value;
      let viaAlias = copied;
      if (isAlias(v)) {
        v = resolveAlias(v);
        viaAlias = true;
      }
      if (isSeq(v)) {
        for (const item of v.items) sources.push(isAlias(item) ? [resolveAlias(item), true] : [item, viaAlias]);
        sources.reverse(); // the first listed wins: it is applied last
      } else sources.push([v, viaAlias]);
      for (const [s, sCopied] of sources) {
        if (!isMap(s)) {
          throw new FtError('a `<<` merge key takes a mapping, an alias of one (<<: *name) or a list of them (<<: [*a, *b]).', 2, file, lineOf((s as YamlNode | null) ?? (k as YamlNode)));
        }
        open.add(s);
        for (const [key, entry] of entriesOf(s, depth + 1, sCopied)) merged.set(key, entry);
        open.delete(s);
      }
    }
    for (const [key, value] of own) merged.set(key, [value, copied]);
    return merged;
  };
  const convert = (n: unknown, depth: number, copied: boolean): unknown => {
    if (depth > MAX_YAML_DEPTH) throw tooDeep(file, lineOf(n as YamlNode));
    if (isAlias(n)) {
      const target = resolveAlias(n);
      open.add(target);
      const v = convert(target, depth, true);
      open.delete(target);
      return v;
    }
    if (copied && ++aliasValues > MAX_ALIAS_VALUES) {
      throw new FtError(`aliases in this file expand to more than ${MAX_ALIAS_VALUES} values (aliases of aliases, many times over). Write the values out, or use fewer levels of aliases.`, 2, file, lineOf(n as YamlNode));
    }
    if (isMap(n)) {
      const obj: Record<string, unknown> = {};
      for (const [key, [value, c]] of entriesOf(n, depth, copied)) obj[key] = convert(value, depth + 1, c);
      lines.set(obj, lineOf(n));
      return obj;
    }
    if (isSeq(n)) {
      const arr = n.items.map((item) => convert(item, depth + 1, copied));
      lines.set(arr, lineOf(n));
      itemLines.set(arr, n.items.map((item) => lineOf(item as YamlNode)));
      return arr;
    }
    if (isScalar(n)) return n.value;
    return n ?? null;
  };
  try {
    return { value: convert(doc.contents, 0, false), lines, itemLines, via: 'library' };
  } catch (e) {
    if (e instanceof RangeError) throw tooDeep(file, 0);
    throw e;
  }
}

function tooDeep(file: string, line: number): FtError {
  return new FtError(
    `YAML nested more than ${MAX_YAML_DEPTH} levels deep (mappings and lists inside each other, or aliases of them). Flatten the structure; no dbt or ft file needs that depth.`,
    2,
    file,
    line || undefined,
  );
}
