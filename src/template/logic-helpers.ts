import type Handlebars from 'handlebars';
import { FtError } from '../util/errors.js';
import { ALLOWED_PROTO_PROPERTIES } from './render-ast.js';

/**
 * Small helpers that Jinja has as operators, tests and filters, so templates converted from
 * dbt (`ft convert`) read as they did: `{{#if (and (eq target.name "prod") (not (is_incremental)))}}`,
 * `{{#each (array "a" "b")}}`, `(dict "k" 1)`, `{{cat "a_" m}}`, `{{lower x}}`, `{{default arg 2}}`, `(iif cond a b)`, `(length l)`.
 * Truth is Python's, as in Jinja: an empty string, list or dict is false.
 */
type Fn = (...args: unknown[]) => unknown;

/** Handlebars passes its options object last. */
const params = (all: unknown[]): unknown[] => all.slice(0, -1);

export function truthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) return Object.keys(v).length > 0;
  return Boolean(v);
}

const text = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

const eq = (a: unknown, b: unknown): boolean => (a === undefined || a === null ? b === undefined || b === null : a === b);

export const LOGIC_HELPERS: Record<string, Fn> = {
  eq: (...a) => eq(a[0], a[1]),
  ne: (...a) => !eq(a[0], a[1]),
  lt: (...a) => (a[0] as number) < (a[1] as number),
  gt: (...a) => (a[0] as number) > (a[1] as number),
  le: (...a) => (a[0] as number) <= (a[1] as number),
  ge: (...a) => (a[0] as number) >= (a[1] as number),
  /** Python's `and`: the first false value, else the last */
  and: (...all) => {
    const p = params(all);
    for (const v of p) if (!truthy(v)) return v;
    return p[p.length - 1];
  },
  /** Python's `or`: the first true value, else the last (so `(or (var "x") "d")` is a default) */
  or: (...all) => {
    const p = params(all);
    for (const v of p) if (truthy(v)) return v;
    return p[p.length - 1];
  },
  not: (...a) => !truthy(a[0]),
  /** `needle in haystack`: an item of a list, a key of a dict, a part of a string */
  in: (...a) => {
    const [needle, hay] = a;
    if (Array.isArray(hay)) return hay.some((x) => eq(x, needle));
    if (typeof hay === 'string') return hay.includes(text(needle));
    if (hay && typeof hay === 'object') return Object.prototype.hasOwnProperty.call(hay, text(needle));
    return false;
  },
  /** Jinja's `~`: every argument as text, joined */
  cat: (...all) => params(all).map(text).join(''),
  /** Jinja's `default` filter: the value, or the fallback when it is not defined */
  default: (...a) => (a[0] === undefined ? (a.length > 2 ? a[1] : '') : a[0]),
  lower: (...a) => text(a[0]).toLowerCase(),
  upper: (...a) => text(a[0]).toUpperCase(),
  trim: (...a) => text(a[0]).trim(),
  replace: (...a) => text(a[0]).split(text(a[1])).join(text(a[2])),
  join: (...a) => (Array.isArray(a[0]) ? a[0].map(text).join(a.length > 2 ? text(a[1]) : '') : text(a[0])),
  /** Jinja's `length` filter: items of a list, keys of a dict, characters of a string */
  length: (...a) => (Array.isArray(a[0]) ? a[0].length : a[0] && typeof a[0] === 'object' ? Object.keys(a[0]).length : text(a[0]).length),
  /** Jinja's inline `a if cond else b`: `(iif cond a b)` */
  iif: (...a) => (truthy(a[0]) ? a[1] : a.length > 3 ? a[2] : ''),
  array: (...all) => params(all),
  /** `(dict "a" 1 "b" 2)`: keys and values in turn, in their order (a hash's order is not kept by Handlebars); key=value pairs too */
  dict: (...all) => {
    const p = params(all);
    const out: Record<string, unknown> = {};
    for (let i = 0; i + 1 < p.length; i += 2) out[text(p[i])] = p[i + 1];
    return Object.assign(out, (all[all.length - 1] as { hash?: Record<string, unknown> }).hash ?? {});
  },
};

export const LOGIC_HELPER_NAMES = [...Object.keys(LOGIC_HELPERS), 'macro'];

export function registerLogicHelpers(hb: typeof Handlebars): void {
  for (const [name, fn] of Object.entries(LOGIC_HELPERS)) hb.registerHelper(name, fn as Handlebars.HelperDelegate);
  // `(macro "name" arg=…)`: a macro's text as a value, where a partial ({{> name}}) cannot go —
  // as a dbt macro's call gives its text (`{{dbt.date_trunc "month" (macro "local_date" column="at")}}`)
  const compiled = new Map<string, HandlebarsTemplateDelegate>();
  hb.registerHelper('macro', function (this: unknown, ...all: unknown[]) {
    const options = all[all.length - 1] as { hash?: Record<string, unknown>; data?: Record<string, unknown> };
    const name = String(all[0]);
    const body = hb.partials[name] as unknown;
    if (body === undefined) {
      const file = (options.data?.ft as { file?: string } | undefined)?.file;
      throw new FtError(`(macro "${name}"): there is no macro ${name}. Create macros/${name}.sql or fix the name.`, 2, file);
    }
    let fn = typeof body === 'function' ? (body as HandlebarsTemplateDelegate) : compiled.get(body as string);
    if (!fn) compiled.set(body as string, (fn = hb.compile(body as string, { noEscape: true })));
    // a partial's context: the caller's, with the arguments over it
    const context = { ...(this && typeof this === 'object' ? this : {}), ...(options.hash ?? {}) };
    return fn(context, { data: options.data, allowedProtoProperties: ALLOWED_PROTO_PROPERTIES } as RuntimeOptions).trim();
  });
}
