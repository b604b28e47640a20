import { createRequire } from 'node:module';
import type { Node as YamlNode } from 'yaml';
import { FtError } from '../util/errors.js';
import { fastParseYaml } from './yaml-fast.js';

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
}

export function parseYaml(text: string, file: string): YamlWithLines {
  // Plain files (nearly all) take the fast path; anything else, and every error, the yaml library.
  const fast = fastParseYaml(text);
  if (fast) return fast;
  const { isMap, isScalar, isSeq, LineCounter, parseDocument } = yamlLibrary();
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    const err = doc.errors[0]!;
    let line = err.linePos?.[0]?.line ?? lineCounter.linePos(err.pos[0]).line;
    const what = err.message.split('\n')[0]!;
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
  const convert = (n: unknown): unknown => {
    if (isMap(n)) {
      const obj: Record<string, unknown> = {};
      for (const pair of n.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        obj[key] = convert(pair.value);
      }
      lines.set(obj, lineOf(n));
      return obj;
    }
    if (isSeq(n)) {
      const arr = n.items.map((item) => convert(item));
      lines.set(arr, lineOf(n));
      itemLines.set(arr, n.items.map((item) => lineOf(item as YamlNode)));
      return arr;
    }
    if (isScalar(n)) return n.value;
    return n ?? null;
  };
  return { value: convert(doc.contents), lines, itemLines };
}
