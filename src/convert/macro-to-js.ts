import type { Expr } from './jinja-expr.js';
import { Untranslatable } from './leftovers.js';
import type { MacroSig } from './translate-expr.js';

/**
 * A dbt macro whose whole body is `{{ return(expr) }}` gives a value, not text: ft's form of it
 * is a JS helper (macros/<name>.js), callable where a value is needed (`{{#if (is_eu c)}}`,
 * `(cat (prefix) "_x")`). Only pure expressions of its arguments, literals, `var()` and
 * `target.*` are translated; anything else stays a leftover.
 */
const JS_RESERVED = new Set('break case catch class const continue debugger default delete do else export extends finally for function if import in instanceof new return super switch this throw try typeof var void while with yield let static enum await implements package protected interface private public arguments eval'.split(' '));

const ident = (n: string) => (JS_RESERVED.has(n) ? `${n}_` : n);

const FILTER_JS: Record<string, (v: string, args: string[]) => string> = {
  lower: (v) => `String(${v}).toLowerCase()`,
  upper: (v) => `String(${v}).toUpperCase()`,
  trim: (v) => `String(${v}).trim()`,
  join: (v, a) => `(Array.isArray(${v}) ? ${v}.join(${a[0] ?? "''"}) : String(${v}))`,
  default: (v, a) => `(${v} === undefined ? ${a[0] ?? "''"} : ${v})`,
  replace: (v, a) => `String(${v}).split(${a[0]}).join(${a[1]})`,
  as_bool: (v) => v,
  as_number: (v) => v,
  as_text: (v) => v,
  as_native: (v) => v,
  string: (v) => `String(${v})`,
};

function jsExpr(e: Expr, params: Set<string>): string {
  const r = (x: Expr) => jsExpr(x, params);
  switch (e.t) {
    case 'lit':
      return e.v === null ? 'null' : JSON.stringify(e.v);
    case 'name':
      if (params.has(e.n)) return ident(e.n);
      if (e.n === 'target') return 'root.target';
      throw new Untranslatable('return()', `"${e.n}" in a returned value has no JS form here: write the helper by hand in macros/*.js`);
    case 'attr':
      return `(${r(e.o)})?.[${JSON.stringify(e.n)}]`;
    case 'index':
      return `(${r(e.o)})?.[${r(e.i)}]`;
    case 'list':
    case 'tuple':
      return `[${e.items.map(r).join(', ')}]`;
    case 'dict':
      return `{ ${e.items.map(([k, v]) => `[${r(k)}]: ${r(v)}`).join(', ')} }`;
    case 'not':
      return `!truthy(${r(e.e)})`;
    case 'unary':
      return `(${e.op}${r(e.e)})`;
    case 'cond':
      return `(truthy(${r(e.c)}) ? ${r(e.a)} : ${e.b ? r(e.b) : "''"})`;
    case 'test':
      if (e.n === 'none') return `${e.neg ? '!' : ''}(${r(e.e)} == null)`;
      if (e.n === 'defined') return `${e.neg ? '!' : ''}(${r(e.e)} !== undefined)`;
      throw new Untranslatable('return()', `"is ${e.n}" in a returned value: write the helper by hand in macros/*.js`);
    case 'filter': {
      const f = FILTER_JS[e.n === 'd' ? 'default' : e.n];
      if (!f || e.kw.length) throw new Untranslatable('return()', `the ${e.n} filter in a returned value: write the helper by hand in macros/*.js`);
      return f(r(e.e), e.args.map(r));
    }
    case 'call': {
      const callee = e.f.t === 'name' ? e.f.n : undefined;
      if (callee === 'var' && e.args.length >= 1) return `variable(${e.args.map(r).join(', ')})`;
      throw new Untranslatable('return()', 'a returned value that calls a macro or function: write the helper by hand in macros/*.js');
    }
    case 'bin': {
      const l = r(e.l);
      const rr = r(e.r);
      switch (e.op) {
        case 'and':
          return `(truthy(${l}) ? ${rr} : ${l})`;
        case 'or':
          return `(truthy(${l}) ? ${l} : ${rr})`;
        case '==':
          return `eq(${l}, ${rr})`;
        case '!=':
          return `!eq(${l}, ${rr})`;
        case 'in':
          return `contains(${rr}, ${l})`;
        case '~':
          return `(text(${l}) + text(${rr}))`;
        case '//':
          return `Math.floor(${l} / ${rr})`;
        case '**':
          return `(${l} ** ${rr})`;
        default:
          return `(${l} ${e.op} ${rr})`;
      }
    }
  }
}

/** The JS module of a value-returning macro, or an Untranslatable saying why not. */
export function macroToJs(sig: MacroSig, value: Expr, file: string, line: number): string {
  if (JS_RESERVED.has(sig.name)) throw new Untranslatable('return()', `"${sig.name}" cannot name a JS function`);
  const params = new Set(sig.params.map((p) => p.name));
  const body = jsExpr(value, params);
  const defaults = sig.params.map((p) => (p.dflt ? jsExpr(p.dflt, new Set()) : 'undefined'));
  const lines = [
    `// ${sig.name}: converted by ft convert from ${file}:${line}, a macro that returned a value.`,
    `const truthy = (v) => (Array.isArray(v) ? v.length > 0 : v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype ? Object.keys(v).length > 0 : Boolean(v));`,
    `const eq = (a, b) => (a == null ? b == null : a === b);`,
    `const text = (v) => (v == null ? '' : String(v));`,
    `const contains = (hay, x) => (Array.isArray(hay) ? hay.some((y) => eq(y, x)) : typeof hay === 'string' ? hay.includes(text(x)) : hay != null && Object.prototype.hasOwnProperty.call(hay, text(x)));`,
    '',
    `export function ${sig.name}(...args) {`,
    '  const options = args.pop();',
    '  const hash = options?.hash ?? {};',
    '  const root = options?.data?.root ?? {};',
    '  const variable = (name, dflt) => { const v = options?.data?.ft?.lookupVar(name); return v === undefined ? dflt : v; };',
    ...sig.params.map((p, i) => `  const ${ident(p.name)} = args.length > ${i} ? args[${i}] : ${JSON.stringify(p.name)} in hash ? hash[${JSON.stringify(p.name)}] : ${defaults[i]};`),
    `  return ${body};`,
    '}',
    '',
  ];
  return lines.join('\n');
}
