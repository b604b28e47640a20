// Typed reads of one YAML mapping of the semantic sections, each error naming the file and
// line of the key (or of the entry) and what to write instead.
import { keyLine } from '../project/not-supported.js';
import type { YamlWithLines } from '../project/yaml-file.js';
import { FtError } from '../util/errors.js';
import { didYouMean } from '../util/suggest.js';

export class YamlFields {
  constructor(
    readonly doc: YamlWithLines,
    readonly file: string,
    readonly text: string,
    /** warnings for the file, as `file:line: …` */
    readonly warnings: string[],
  ) {}

  lineOf(v: unknown, fallback = 1): number {
    return (v && typeof v === 'object' ? this.doc.lines.get(v) : undefined) || fallback;
  }

  /** Line of `key:` inside the mapping `o` (declared at `line`). */
  keyLine(key: string, line: number): number {
    return keyLine(this.text, key, line);
  }

  fail(message: string, line: number): never {
    throw new FtError(message, 2, this.file, line);
  }

  /** The items of a list, each with its line. */
  items(v: unknown, what: string, line: number): Array<{ value: unknown; line: number }> {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) this.fail(`${what} must be a list (items start with "- ").`, line);
    const lines = this.doc.itemLines.get(v) ?? [];
    return v.map((value, i) => ({ value, line: this.lineOf(value, lines[i] || line) }));
  }

  mapping(v: unknown, what: string, line: number): Record<string, unknown> {
    if (v === undefined || v === null) return {};
    if (typeof v !== 'object' || Array.isArray(v)) this.fail(`${what} must be a mapping (key: value lines).`, line);
    return v as Record<string, unknown>;
  }

  /** A list entry that must be a mapping with a `name:`. */
  named(v: unknown, what: string, line: number): Record<string, unknown> {
    const o = this.mapping(v, `each entry of ${what}`, line);
    if (typeof o.name !== 'string' || !o.name.trim()) this.fail(`each entry of ${what} needs a \`name:\`.`, line);
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(o.name)) this.fail(`${what} name "${o.name}" must be letters, digits and underscores, starting with a letter.`, line);
    return o;
  }

  str(o: Record<string, unknown>, key: string, line: number, required = false): string | undefined {
    const v = o[key];
    if (v === undefined || v === null) {
      if (required) this.fail(`\`${key}:\` is required here.`, line);
      return undefined;
    }
    if (typeof v === 'object') this.fail(`\`${key}:\` must be a single value, not a ${Array.isArray(v) ? 'list' : 'mapping'}.`, this.keyLine(key, line));
    return String(v);
  }

  /** One of `allowed` (the message lists them and suggests the nearest). */
  oneOf<T extends string>(o: Record<string, unknown>, key: string, allowed: readonly T[], line: number, fallback?: T): T {
    const v = this.str(o, key, line, fallback === undefined);
    if (v === undefined) return fallback!;
    const lower = v.toLowerCase() as T;
    if (!allowed.includes(lower)) this.fail(`\`${key}: ${v}\` is not one of ${allowed.join(', ')}.${didYouMean(lower, allowed)}`, this.keyLine(key, line));
    return lower;
  }

  /** A filter as dbt writes it: one string or a list of strings. */
  filters(v: unknown, line: number): string[] {
    if (v === undefined || v === null) return [];
    if (typeof v === 'string') return v.trim() ? [v] : [];
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
    return this.fail('`filter:` must be a string, or a list of strings, like "{{ Dimension(\'customer__country\') }} = \'FR\'".', line);
  }

  /** Keys of an entry not in `known`: a warning each, with the nearest known key. */
  checkKeys(o: Record<string, unknown>, known: readonly string[], what: string, line: number, unsupported: Record<string, string> = {}): void {
    for (const key of Object.keys(o)) {
      if (known.includes(key)) continue;
      const at = `${this.file}:${this.keyLine(key, line)}`;
      if (unsupported[key]) this.warnings.push(`${at}: ${what} "${key}": ${unsupported[key]}; ignored.`);
      else this.warnings.push(`${at}: unknown key "${key}" in ${what} ignored.${didYouMean(key, known)}`);
    }
  }
}

/** `ref('orders')`, `{{ ref('orders') }}`, `{{ref "orders"}}` or a bare name → `orders`. */
export function refName(v: string): string | undefined {
  const m = /^\s*(?:\{\{-?\s*)?ref\s*(?:\(\s*['"]([^'"]+)['"]\s*\)|\s+["']([^'"]+)["'])\s*(?:-?\}\})?\s*$/.exec(v);
  if (m) return m[1] ?? m[2];
  return /^[A-Za-z0-9_]+$/.test(v.trim()) ? v.trim() : undefined;
}
