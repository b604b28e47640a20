import { readEnv } from '../util/env-reads.js';
import { FtError } from '../util/errors.js';
import type { ResolvedTarget } from './types.js';
import type { YamlWithLines } from './yaml-file.js';

/**
 * Templates in schema YAML values rendered as dbt renders Jinja in YAML, in dbt's form and in
 * ft's: `enabled: "{{ var('load_source_data', false) }}"` or `"{{var 'load_source_data' false}}"`,
 * a source's `schema: "{{ env_var('RAW_SCHEMA', 'raw') }}"`, `identifier: "{{ target.name }}_orders"`.
 *
 * What is rendered: var, env_var and target.* (with dbt's as_bool/as_number/as_native/as_text,
 * lower/upper/trim filters in the Jinja form). A value that is one expression takes the value's
 * own type (`false` stays a boolean, so `enabled:` is off); in a longer text it is spliced in.
 * Other expressions (`{{ this }}` in a hook, `{{doc "x"}}`, a macro call) are left as written, for
 * the stage that renders them; Jinja left after this is reported by not-supported.ts.
 * Descriptions are rendered later (doc blocks), the semantic sections by src/metrics/.
 */

export interface YamlTemplateContext {
  vars: Record<string, unknown>;
  target: Pick<ResolvedTarget, 'targetName' | 'database' | 'type' | 'profileName'>;
}

const SKIP_TOP = new Set(['semantic_models', 'metrics', 'saved_queries']);

/** One `{{ … }}`: its inner text. */
const EXPR = /\{\{-?\s*([\s\S]*?)\s*-?\}\}/g;

type Tok = { t: 'str'; v: string } | { t: 'num'; v: number } | { t: 'word'; v: string } | { t: 'p'; v: string };

function tokenize(src: string): Tok[] | undefined {
  const out: Tok[] = [];
  const re = /\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'|(-?\d+(?:\.\d+)?)(?![\w.])|([A-Za-z_][\w.]*)|([(),|=]))/y;
  let at = 0;
  while (at < src.length) {
    if (/^\s*$/.test(src.slice(at))) break;
    re.lastIndex = at;
    const m = re.exec(src);
    if (!m) return undefined;
    at = re.lastIndex;
    if (m[1] !== undefined || m[2] !== undefined) out.push({ t: 'str', v: (m[1] ?? m[2]!).replace(/\\(.)/g, '$1') });
    else if (m[3] !== undefined) out.push({ t: 'num', v: Number(m[3]) });
    else if (m[4] !== undefined) out.push({ t: 'word', v: m[4] });
    else out.push({ t: 'p', v: m[5]! });
  }
  return out;
}

const NOT_OURS = Symbol('not rendered here');

interface Site {
  file: string;
  line: number;
}

/** A literal word: true/false/none in either spelling. */
function wordLiteral(w: string): { v: unknown } | undefined {
  if (w === 'true' || w === 'True') return { v: true };
  if (w === 'false' || w === 'False') return { v: false };
  if (w === 'none' || w === 'None' || w === 'null') return { v: null };
  return undefined;
}

/** Evaluates one expression's text, or NOT_OURS when it is not var/env_var/target. */
function evaluate(src: string, ctx: YamlTemplateContext, site: Site, reads: { env: boolean }): unknown {
  const toks = tokenize(src);
  if (!toks?.length) return NOT_OURS;
  let i = 0;
  const peek = (): Tok | undefined => toks[i];
  const fail = (): never => {
    throw NOT_OURS;
  };
  const value = (): unknown => {
    const t = toks[i++];
    if (!t) return fail();
    if (t.t === 'str' || t.t === 'num') return t.v;
    if (t.t !== 'word') return fail();
    const lit = wordLiteral(t.v);
    if (lit) return lit.v;
    if (t.v.startsWith('target.')) return targetValue(t.v.slice(7), ctx, site);
    return fail();
  };
  const call = (name: string, args: unknown[]): unknown => {
    if (name === 'var') {
      const n = String(args[0]);
      if (Object.prototype.hasOwnProperty.call(ctx.vars, n) && ctx.vars[n] !== undefined) return ctx.vars[n];
      if (args.length > 1) return args[1];
      throw new FtError(`required var "${n}" is not defined (in a YAML value). Set it under \`vars:\` in project.yml, pass --vars '{${n}: …}', or give a default: {{ var('${n}', default) }}.`, 2, site.file, site.line);
    }
    reads.env = true;
    const n = String(args[0]);
    const v = readEnv(n);
    if (v !== undefined) return v;
    if (args.length > 1) return args[1];
    throw new FtError(`environment variable ${n} is not set and has no default (in a YAML value). Export it or give a default: {{ env_var('${n}', 'value') }}.`, 2, site.file, site.line);
  };
  let result: unknown;
  try {
    const head = toks[i++]!;
    if (head.t === 'word' && (head.v === 'var' || head.v === 'env_var')) {
      const args: unknown[] = [];
      if (peek()?.t === 'p' && peek()!.v === '(') {
        // Jinja: var('x', default)
        i++;
        while (!(peek()?.t === 'p' && peek()!.v === ')')) {
          args.push(value());
          if (peek()?.t === 'p' && peek()!.v === ',') i++;
          else if (!(peek()?.t === 'p' && peek()!.v === ')')) fail();
        }
        i++;
      } else {
        // Handlebars: var "x" default
        while (peek() && !(peek()!.t === 'p' && peek()!.v === '|')) args.push(value());
      }
      if (args.length < 1 || args.length > 2) fail();
      result = call(head.v, args);
    } else if (head.t === 'word' && head.v.startsWith('target.')) {
      result = targetValue(head.v.slice(7), ctx, site);
    } else {
      return NOT_OURS;
    }
    while (i < toks.length) {
      const bar = toks[i++]!;
      const f = toks[i++];
      if (bar.t !== 'p' || bar.v !== '|' || f?.t !== 'word') fail();
      result = filter(String(f!.v), result);
    }
  } catch (e) {
    if (e === NOT_OURS) return NOT_OURS;
    throw e;
  }
  return result;
}

function targetValue(part: string, ctx: YamlTemplateContext, site: Site): unknown {
  const t = ctx.target;
  const values: Record<string, string> = { name: t.targetName, schema: t.database, database: t.database, type: t.type, profile_name: t.profileName };
  if (part in values) return values[part];
  throw new FtError(`target.${part} (in a YAML value) is not known; ft's target has name, schema, database, type and profile_name.`, 2, site.file, site.line);
}

function native(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const lit = wordLiteral(v.trim());
  if (lit) return lit.v;
  if (/^-?\d+(?:\.\d+)?$/.test(v.trim())) return Number(v);
  return v;
}

function filter(name: string, v: unknown): unknown {
  switch (name) {
    case 'as_bool':
    case 'as_native':
      return native(v);
    case 'as_number':
    case 'int':
    case 'float':
      return typeof v === 'number' ? v : Number(v);
    case 'as_text':
    case 'string':
      return v === null || v === undefined ? '' : String(v);
    case 'lower':
      return String(v).toLowerCase();
    case 'upper':
      return String(v).toUpperCase();
    case 'trim':
      return String(v).trim();
    default:
      throw NOT_OURS;
  }
}

/** A value spliced into text, as Jinja prints it. */
function printed(v: unknown): string {
  if (v === null || v === undefined) return v === null ? 'None' : '';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Renders one string value; the string itself when it holds nothing to render. */
function renderString(s: string, ctx: YamlTemplateContext, site: Site, reads: { env: boolean }): unknown {
  if (!s.includes('{{')) return s;
  const whole = /^\s*\{\{-?\s*([\s\S]*?)\s*-?\}\}\s*$/.exec(s);
  if (whole && !whole[1]!.includes('}}')) {
    const v = evaluate(whole[1]!, ctx, site, reads);
    // a whole value that is text reads as YAML would ("false" → false): dbt's native rendering
    return v === NOT_OURS ? s : typeof v === 'string' ? native(v) : v;
  }
  return s.replace(EXPR, (all, inner: string) => {
    const v = evaluate(inner, ctx, site, reads);
    return v === NOT_OURS ? all : printed(v);
  });
}

/**
 * Renders var/env_var/target templates in a parsed schema YAML file, in place. Returns whether
 * it read the environment (the caller then keeps no cached copy of the result).
 */
export function renderYamlTemplates(doc: YamlWithLines, text: string, file: string, ctx: YamlTemplateContext): boolean {
  const reads = { env: false };
  if (!text.includes('{{')) return false;
  const walk = (v: unknown, line: number, top: boolean): void => {
    if (Array.isArray(v)) {
      const items = doc.itemLines.get(v);
      v.forEach((x, i) => {
        const at = items?.[i] || doc.lines.get(v) || line;
        if (typeof x === 'string') v[i] = renderString(x, ctx, { file, line: at }, reads);
        else walk(x, at, false);
      });
    } else if (v && typeof v === 'object') {
      const own = doc.lines.get(v) || line;
      const o = v as Record<string, unknown>;
      for (const [k, x] of Object.entries(o)) {
        if (k === 'description' || (top && SKIP_TOP.has(k))) continue;
        // the key's own line is looked for only when a message needs it
        if (typeof x === 'string' && x.includes('{{')) o[k] = renderString(x, ctx, { file, get line() { return keyLineFrom(text, k, own); } }, reads);
        else walk(x, own, false);
      }
    }
  };
  walk(doc.value, 1, true);
  return reads.env;
}

/** The line of `key:` at or after `from` (messages only). */
function keyLineFrom(text: string, key: string, from: number): number {
  const lines = text.split('\n');
  const re = new RegExp(`(?:^|[\\s{,-])["']?${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}["']?\\s*:`);
  for (let i = Math.max(0, from - 1); i < lines.length; i++) if (re.test(lines[i]!)) return i + 1;
  return from;
}

/** Whether every `{{ … }}` of a string is one this module renders (var, env_var, target). */
export function rendersFully(s: string): boolean {
  if (!s.includes('{{') || s.includes('{%')) return false;
  const ctx: YamlTemplateContext = { vars: new Proxy({}, { get: () => 'x', has: () => true, getOwnPropertyDescriptor: () => ({ value: 'x', enumerable: true, configurable: true }) }), target: { targetName: 'x', database: 'x', type: 'x', profileName: 'x' } };
  let all = true;
  for (const m of s.matchAll(EXPR)) {
    try {
      if (evaluate(m[1]!, ctx, { file: '', line: 0 }, { env: false }) === NOT_OURS) all = false;
    } catch {
      // a missing variable is still one this module renders (and then reports)
    }
  }
  return all;
}

/**
 * Renders var/env_var/target templates in a project.yml mapping (folder-level config such as
 * `+enabled: "{{ var('x', false) }}"` or `+schema: "{{ env_var('S') }}"`), in place, once the
 * vars are known. Hooks' other templates (`{{ this }}`) are left for their render.
 */
export function renderConfigTemplates(value: unknown, ctx: YamlTemplateContext, file: string): void {
  const reads = { env: false };
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) {
      v.forEach((x, i) => {
        if (typeof x === 'string' && x.includes('{{')) v[i] = renderString(x, ctx, { file, line: 0 }, reads);
        else walk(x);
      });
    } else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      for (const [k, x] of Object.entries(o)) {
        if (typeof x === 'string' && x.includes('{{')) o[k] = renderString(x, ctx, { file, line: 0 }, reads);
        else walk(x);
      }
    }
  };
  walk(value);
}
