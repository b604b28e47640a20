import type { Expr } from './jinja-expr.js';
import { Untranslatable } from './leftovers.js';

/** A project macro's parameters, in order, with their defaults. */
export interface MacroSig {
  name: string;
  params: { name: string; dflt?: Expr }[];
  /** a macro that only returns a value: its JS helper module (macros/<name>.js) */
  js?: string;
}

/** What a name means where it is used. */
export type Binding =
  | { kind: 'param' } // a block parameter: `as |x|` (ft Handlebars written by hand)
  | { kind: 'loop'; depth: number; key?: boolean } // a for loop's item (`this`) or key (`@key`), `depth` the loop's
  | { kind: 'arg'; depth: number; dflt?: Expr } // a macro argument (a partial's hash value)
  | { kind: 'set'; expr: Expr; prev?: Binding | null } // `{% set x = … %}`: inlined where used; `prev`: what x meant inside its own value
  | { kind: 'block'; text: string }; // `{% set x %}…{% endset %}`: its text, inlined where printed

export interface ExprScope {
  lookup(name: string): Binding | undefined;
  /** enclosing `{{#each}}` blocks translated from `{% for %}` */
  eachDepth: number;
  /** inside a `for` (so `loop.*` means something) */
  inLoop: boolean;
  /** `this`/`target` are read through @root (inside blocks and partials) */
  viaRoot: boolean;
  /** the innermost loop is a `{{#each}}` already in the text: a bare `this` is its item */
  hbsEach?: boolean;
  /** an ft partial already: a bare name is one of its arguments, whatever dbt meant by it */
  namesAreArgs?: boolean;
  macros: ReadonlyMap<string, MacroSig>;
  projectName: string;
  /** quote for Handlebars string literals: `'` inside a double-quoted YAML value */
  quote: '"' | "'";
  /** a translated construct that loses something (e.g. a ref's version): reported, not fatal */
  note(construct: string, why: string): void;
}

/** dbt's cross-database macros, called bare in older projects; ft has them as `dbt.<name>`. */
const CROSS_DB = new Set(
  'date_trunc dateadd datediff last_day safe_cast cast_bool_to_text concat hash split_part replace position length right listagg any_value bool_or escape_single_quotes string_literal type_string type_timestamp type_int type_bigint type_float type_numeric type_boolean current_timestamp current_timestamp_backcompat except intersect array_construct array_append array_concat date cast equals generate_series get_powers_of_two'.split(' '),
);

/** dbt context names with no ft counterpart: using them needs a human. */
const CONTEXT_ONLY: Record<string, string> = {
  graph: 'the project graph is not available to ft templates',
  model: "the node's own manifest entry is not available to ft templates",
  modules: 'Python modules (datetime, re, …) are not available: write a JS helper in macros/*.js',
  flags: "dbt's run flags are not available to ft templates",
  builtins: 'dbt builtins are not available',
  context: 'the Jinja context is not available',
  schemas: 'on-run-end schemas are not available',
  database: 'MySQL has no database above the schema',
  selected_resources: 'the selection is not available to templates',
  varargs: 'a macro with *varargs has no Handlebars form',
  kwargs: 'a macro with **kwargs has no Handlebars form',
  caller: 'call blocks have no Handlebars form',
  adapter: 'adapter methods other than get_columns_in_relation/get_relation have no ft helper',
  api: 'dbt.api is not available',
  statement: 'statement blocks have no Handlebars form',
};

/** dbt context names that an ft partial may well use as argument names (`model` in a test) */
const MAY_BE_ARGS = new Set(['model', 'database', 'schemas', 'context', 'statement', 'api', 'selected_resources']);

const UNSUPPORTED_CALLS: Record<string, string> = {
  return: 'a macro that returns a value needs a JS helper (macros/*.js) in ft: partials only print text',
  range: 'range() has no Handlebars form: list the values, or write a JS helper',
  zip: 'zip() has no Handlebars form',
  tojson: 'tojson() has no Handlebars form: write a JS helper',
  fromjson: 'fromjson() has no Handlebars form: write a JS helper',
  toyaml: 'toyaml() has no Handlebars form',
  fromyaml: 'fromyaml() has no Handlebars form',
  local_md5: 'local_md5() has no ft helper: write a JS helper',
  set: 'set() has no Handlebars form',
  dict: 'dict() with arguments: write the literal {…}',
  'adapter.dispatch': "adapter.dispatch picks a macro per database: call the MySQL one directly",
  'adapter.quote': 'adapter.quote: write the backquoted name',
  'adapter.get_missing_columns': 'no ft helper reads missing columns',
  'config.get': "config.get reads the node's config, which templates cannot read in ft",
  'config.require': "config.require reads the node's config, which templates cannot read in ft",
  'exceptions.raise_compiler_error': 'raising an error from a template has no Handlebars form: a data test or a JS helper that throws',
  'exceptions.warn': 'warnings from a template have no Handlebars form',
};

const FILTERS = new Set(['lower', 'upper', 'trim', 'join', 'default', 'd', 'replace', 'length', 'count']);
const IDENTITY_FILTERS = new Set(['as_bool', 'as_number', 'as_native', 'as_text', 'list', 'string']);
const METHODS: Record<string, string> = { upper: 'upper', lower: 'lower', strip: 'trim', replace: 'replace' };
const COMPARE: Record<string, string> = { '==': 'eq', '!=': 'ne', '<': 'lt', '>': 'gt', '<=': 'le', '>=': 'ge', and: 'and', or: 'or', in: 'in' };

/** `a.b.c` when the expression is a dotted name, else undefined. */
export function dotted(e: Expr): string | undefined {
  if (e.t === 'name') return e.n;
  if (e.t === 'attr') {
    const o = dotted(e.o);
    return o === undefined ? undefined : `${o}.${e.n}`;
  }
  return undefined;
}

export function hbString(s: string, quote: '"' | "'"): string {
  let q = quote;
  if (quote === '"' && s.includes('"') && !s.includes("'")) q = "'";
  return `${q}${s.replace(new RegExp(q, 'g'), `\\${q}`)}${q}`;
}

export function isLiteral(e: Expr): boolean {
  if (e.t === 'lit') return true;
  if (e.t === 'list' || e.t === 'tuple') return e.items.every(isLiteral);
  if (e.t === 'dict') return e.items.every(([k, v]) => k.t === 'lit' && typeof k.v === 'string' && isLiteral(v));
  return false;
}

export function literalValue(e: Expr): unknown {
  if (e.t === 'lit') return e.v;
  if (e.t === 'list' || e.t === 'tuple') return e.items.map(literalValue);
  if (e.t === 'dict') return Object.fromEntries(e.items.map(([k, v]) => [String((k as { v: unknown }).v), literalValue(v)]));
  return undefined;
}

/** `{'a': 1}['a']`, `{'a': 1}.a`, `['x', 'y'][0]` (a set's literal, inlined): the value itself. */
function fold(o: Expr, key: Expr): Expr | undefined {
  if (key.t !== 'lit') return undefined;
  if (o.t === 'dict') return o.items.find(([k]) => k.t === 'lit' && k.v === key.v)?.[1];
  if ((o.t === 'list' || o.t === 'tuple') && typeof key.v === 'number') return o.items[key.v];
  return undefined;
}

/** `365 * 10`: arithmetic on number literals is done now. */
function foldArithmetic(e: Expr): number | undefined {
  if (e.t === 'lit') return typeof e.v === 'number' ? e.v : undefined;
  if (e.t !== 'bin') return undefined;
  const l = foldArithmetic(e.l);
  const r = foldArithmetic(e.r);
  if (l === undefined || r === undefined) return undefined;
  switch (e.op) {
    case '+':
      return l + r;
    case '-':
      return l - r;
    case '*':
      return l * r;
    case '/':
      return r === 0 ? undefined : l / r;
    case '//':
      return r === 0 ? undefined : Math.floor(l / r);
    case '%':
      return r === 0 ? undefined : l % r;
    case '**':
      return l ** r;
    default:
      return undefined;
  }
}

const sub = (name: string, parts: string[]): string => `(${[name, ...parts].join(' ')})`;

/** Jinja expression → a Handlebars parameter (a literal, a path or a `(helper …)` sub-expression). */
export class ExprTranslator {
  constructor(private readonly s: ExprScope) {}

  literal(v: string | number | boolean | null): string {
    if (typeof v === 'string') return hbString(v, this.s.quote);
    if (v === null) return 'null';
    return String(v);
  }

  /** A project macro (a partial) that a call names, if any. */
  macroOf(callee: string): MacroSig | undefined {
    const name = callee.startsWith(`${this.s.projectName}.`) ? callee.slice(this.s.projectName.length + 1) : callee;
    return name.includes('.') ? undefined : this.s.macros.get(name);
  }

  param(e: Expr): string {
    switch (e.t) {
      case 'lit':
        return this.literal(e.v);
      case 'name':
        return this.name(e.n);
      case 'attr':
        return this.attr(e);
      case 'index': {
        const folded = fold(e.o, e.i);
        if (folded) return this.param(folded);
        const key = e.i.t === 'lit' ? this.literal(e.i.v) : this.param(e.i);
        return sub('lookup', [this.param(e.o), key]);
      }
      case 'call':
        return this.call(e);
      case 'filter':
        return this.filter(e);
      case 'test':
        return this.test(e);
      case 'not':
        return sub('not', [this.param(e.e)]);
      case 'bin': {
        if (e.op === '~') return sub('cat', this.chain(e, '~').map((x) => this.param(x)));
        const h = COMPARE[e.op];
        const folded = foldArithmetic(e);
        if (folded !== undefined) return String(folded);
        if (!h) throw new Untranslatable('arithmetic', `"${e.op}" has no Handlebars form: compute it in SQL, or write a JS helper`);
        if (e.op === 'and' || e.op === 'or') return sub(h, this.chain(e, e.op).map((x) => this.param(x)));
        return sub(h, [this.param(e.l), this.param(e.r)]);
      }
      case 'unary':
        throw new Untranslatable('arithmetic', `unary "${e.op}" has no Handlebars form`);
      case 'list':
      case 'tuple':
        return sub('array', e.items.map((x) => this.param(x)));
      case 'dict':
        // keys and values in turn: the order of a Jinja dict is kept
        return sub('dict', e.items.flatMap(([k, v]) => [this.param(k), this.param(v)]));
      case 'cond':
        return sub('iif', [this.param(e.c), this.param(e.a), ...(e.b ? [this.param(e.b)] : [])]);
    }
  }

  /** `a ~ b ~ c` as [a, b, c] */
  private chain(e: Expr, op: string): Expr[] {
    return e.t === 'bin' && e.op === op ? [...this.chain(e.l, op), ...this.chain(e.r, op)] : [e];
  }

  private root(path: string): string {
    if (!this.s.viaRoot) return path;
    return path === 'this' ? '@root' : `@root.${path.replace(/^this\./, '')}`;
  }

  /** names whose meaning is, for a while, the one before their `{% set %}` (inside that set's own value) */
  private shadowed = new Map<string, Binding | null>();

  name(n: string): string {
    const b = this.shadowed.has(n) ? (this.shadowed.get(n) ?? undefined) : this.s.lookup(n);
    if (b) {
      if (b.kind === 'param') return n;
      if (b.kind === 'loop') {
        const up = this.s.eachDepth - b.depth;
        if (b.key) {
          if (up > 0) throw new Untranslatable('loop key', `"${n}", the key of an outer loop, has no Handlebars form inside an inner loop: set it aside in the outer loop's text`);
          return '@key';
        }
        return up > 0 ? `${'../'.repeat(up)}this` : 'this';
      }
      if (b.kind === 'set') {
        if (b.prev === undefined) return this.param(b.expr);
        const had = this.shadowed.has(n);
        const before = this.shadowed.get(n);
        this.shadowed.set(n, b.prev);
        try {
          return this.param(b.expr);
        } finally {
          if (had) this.shadowed.set(n, before!);
          else this.shadowed.delete(n);
        }
      }
      if (b.kind === 'block') throw new Untranslatable('set block', `"${n}" is a {% set %} block: it can only be printed ({{ ${n} }}), not used as a value`);
      const path = `${'../'.repeat(Math.max(0, this.s.eachDepth - b.depth))}${n}`;
      return b.dflt ? sub('default', [path, this.param(b.dflt)]) : path;
    }
    if (n === 'this') return this.s.hbsEach ? 'this' : this.root('this');
    if (n === 'target' || n === 'run_started_at' || n === 'invocation_id') return this.root(n);
    if (n === 'execute') return 'true'; // ft renders only when it runs or compiles: dbt's execute is then true
    if (n === 'loop') throw new Untranslatable('loop variable', this.s.inLoop ? 'only loop.first, loop.last and loop.index0 have a Handlebars form (@first, @last, @index)' : 'loop outside a for');
    if (n in CONTEXT_ONLY && !(this.s.namesAreArgs && MAY_BE_ARGS.has(n))) throw new Untranslatable(`context: ${n}`, CONTEXT_ONLY[n]!);
    return n;
  }

  private attr(e: Extract<Expr, { t: 'attr' }>): string {
    if (e.o.t === 'name' && e.o.n === 'loop' && !this.s.lookup('loop')) {
      const map: Record<string, string> = { first: '@first', last: '@last', index0: '@index' };
      if (this.s.inLoop && map[e.n]) return map[e.n]!;
      throw new Untranslatable('loop variable', `loop.${e.n} has no Handlebars form (there are @first, @last and @index, which counts from 0)`);
    }
    if (e.o.t === 'name' && e.o.n === 'this' && this.s.hbsEach) return `this.${e.n}`;
    if (e.o.t === 'name' && e.o.n === 'this' && !this.s.lookup('this')) {
      if (e.n === 'database') throw new Untranslatable('this.database', 'MySQL has no database above the schema: use this.schema');
      const part = e.n === 'identifier' || e.n === 'table' ? 'name' : e.n;
      return this.s.viaRoot ? `@root.${part}` : `this.${part}`;
    }
    const folded = fold(e.o, { t: 'lit', v: e.n });
    if (folded) return this.param(folded);
    const d = dotted(e);
    if (d && CONTEXT_ONLY[d.split('.')[0]!] && !this.s.lookup(d.split('.')[0]!)) throw new Untranslatable(`context: ${d.split('.')[0]}`, CONTEXT_ONLY[d.split('.')[0]!]!);
    const o = this.param(e.o);
    const outer = /^((?:\.\.\/)+)this$/.exec(o);
    if (outer) return `${outer[1]}${e.n}`; // an outer loop's item: ../name
    if (/^[@.\w/]+$/.test(o)) return `${o}.${e.n}`;
    return sub('lookup', [o, this.literal(e.n)]);
  }

  /** A macro call's arguments by name, positional ones named after its parameters. */
  namedArgs(sig: MacroSig, e: Extract<Expr, { t: 'call' }>): string[] {
    if (e.args.length > sig.params.length) throw new Untranslatable('macro call', `${sig.name}() takes ${sig.params.length} arguments, ${e.args.length} given`);
    return [...e.args.map((a, i) => `${sig.params[i]!.name}=${this.param(a)}`), ...e.kw.map(([k, v]) => `${k}=${this.param(v)}`)];
  }

  private args(e: Extract<Expr, { t: 'call' | 'filter' }>, skipFirst = false): string[] {
    const out = e.args.slice(skipFirst ? 1 : 0).map((a) => this.param(a));
    for (const [k, v] of e.kw) out.push(`${k}=${this.param(v)}`);
    return out;
  }

  call(e: Extract<Expr, { t: 'call' }>): string {
    // methods on a value: `x.upper()`
    if (e.f.t === 'attr' && METHODS[e.f.n] && !dotted(e.f)?.match(/^(dbt|dbt_utils|dbt_date|adapter|exceptions|config)\./)) {
      const target = e.f.o;
      if (dotted(target) === undefined || !this.isNamespace(dotted(target)!)) return sub(METHODS[e.f.n]!, [this.param(target), ...e.args.map((a) => this.param(a))]);
    }
    const callee = dotted(e.f);
    if (!callee) throw new Untranslatable('call', 'calling the result of an expression has no Handlebars form');
    if (UNSUPPORTED_CALLS[callee]) throw new Untranslatable(`${callee}()`, UNSUPPORTED_CALLS[callee]!);
    switch (callee) {
      case 'ref': {
        const version = e.kw.find(([k]) => k === 'v' || k === 'version');
        if (version) this.s.note('ref version', `ref(…, ${version[0]}=…): ft has no model versions; the ref points at the unversioned model`);
        if (e.args.length < 1 || e.args.length > 2 || e.args.some((a) => a.t !== 'lit' || typeof a.v !== 'string')) {
          if (e.args.length >= 1 && e.args.length <= 2) return sub('ref', e.args.map((a) => this.param(a)));
          throw new Untranslatable('ref', 'ref() takes one or two names');
        }
        return sub('ref', e.args.map((a) => this.param(a)));
      }
      case 'source':
        if (e.args.length !== 2) throw new Untranslatable('source', 'source() takes a source name and a table name');
        return sub('source', e.args.map((a) => this.param(a)));
      case 'var':
      case 'env_var':
      case 'doc':
        return sub(callee, this.args(e));
      case 'is_incremental':
        return '(is_incremental)';
      case 'adapter.get_columns_in_relation':
        return sub('get_columns_in_relation', this.args(e));
      case 'adapter.get_relation':
        return sub('get_relation', this.args(e));
      case 'load_relation':
      case 'run_query':
        return sub(callee, this.args(e));
      case 'config':
        throw new Untranslatable('config()', 'config() is only translated as a statement of its own: {{ config(…) }}');
      case 'log':
      case 'print':
        throw new Untranslatable(`${callee}()`, 'logging from a template has no value to use');
    }
    const sig = this.macroOf(callee);
    if (sig?.js) return sub(sig.name, this.args(e));
    // a macro whose text is a value (an argument, a part of a ~): ft's macro helper renders it
    if (sig) return sub('macro', [this.literal(sig.name), ...this.namedArgs(sig, e)]);
    if (!callee.includes('.') && CROSS_DB.has(callee)) return sub(`dbt.${callee}`, this.args(e));
    return sub(callee, this.args(e));
  }

  private isNamespace(name: string): boolean {
    return ['dbt', 'dbt_utils', 'dbt_date', 'adapter', 'exceptions', 'modules'].includes(name);
  }

  private filter(e: Extract<Expr, { t: 'filter' }>): string {
    if (IDENTITY_FILTERS.has(e.n)) return this.param(e.e);
    if (!FILTERS.has(e.n)) throw new Untranslatable(`filter |${e.n}`, `the ${e.n} filter has no ft helper (there are lower, upper, trim, join, default, replace, length): write a JS helper`);
    const name = e.n === 'd' ? 'default' : e.n === 'count' ? 'length' : e.n;
    if (name === 'default' && (e.args[1] || e.kw.length)) throw new Untranslatable('filter |default', 'default(…, true) has no ft form');
    return sub(name, [this.param(e.e), ...this.args(e)]);
  }

  private test(e: Extract<Expr, { t: 'test' }>): string {
    const v = this.param(e.e);
    let out: string;
    if (e.n === 'none') out = sub('eq', [v, 'null']);
    else if (e.n === 'defined') out = sub('ne', [v, 'undefined']);
    else if (e.n === 'undefined') out = sub('eq', [v, 'undefined']);
    else if ((e.n === 'eq' || e.n === 'equalto' || e.n === 'sameas') && e.args[0]) out = sub('eq', [v, this.param(e.args[0])]);
    else throw new Untranslatable(`test "is ${e.n}"`, `"is ${e.n}" has no ft helper: write a JS helper`);
    return e.neg ? sub('not', [out]) : out;
  }
}

/** `(x y)` → `x y`, for the inside of a `{{ }}`; a literal or path stays as it is. */
export function unwrap(param: string): string {
  return param.startsWith('(') && param.endsWith(')') ? param.slice(1, -1) : param;
}
