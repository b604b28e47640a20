import type Handlebars from 'handlebars';
import { runtime } from './handlebars-lib.js';

/**
 * Renders a parsed Handlebars template by walking its AST, with Handlebars' runtime
 * semantics (helper/ambiguous/simple mustaches, blockHelperMissing, partial hash and
 * indentation, @data frames, ../ depths, prototype-access rules) and `noEscape`.
 *
 * Why: Handlebars.compile generates and evals JavaScript per template, which costs
 * about 1 ms each — most of a cold `ft compile` of thousands of models. Models are
 * rendered once per run, so interpreting the AST (already parsed to find the
 * dependencies) is much cheaper. Templates using features this walker does not
 * implement (decorators, inline partials, partial blocks, block params, dynamic
 * partials, `@../x`) are rendered by Handlebars itself: see `canInterpret`.
 */

type HbNode = hbs.AST.Node;
type Program = hbs.AST.Program;
type Env = typeof Handlebars;
type Data = Record<string, unknown>;
type Fn = (...args: unknown[]) => unknown;

/** Prototype properties templates may read (`{{this.identifier}}`), for both renderers. */
export const ALLOWED_PROTO_PROPERTIES: Record<string, boolean> = { identifier: true };

const KNOWN_HELPERS = new Set(['helperMissing', 'blockHelperMissing', 'each', 'if', 'unless', 'with', 'log', 'lookup']);

/** Handlebars' lookupProperty: own properties, or whitelisted prototype properties. */
export function lookupProperty(parent: unknown, name: string): unknown {
  if (parent === null || parent === undefined) return parent;
  const result = (parent as Record<string, unknown>)[name];
  if (result === null || result === undefined) return result;
  if (Object.prototype.hasOwnProperty.call(parent, name)) {
    if (!(name === 'constructor' && typeof result === 'function' && parent === (result as { prototype?: unknown }).prototype)) return result;
  }
  if (typeof result !== 'function' && ALLOWED_PROTO_PROPERTIES[name] === true) return result;
  return undefined;
}

function createFrame(obj: Data): Data {
  const frame: Data = Object.assign({}, obj);
  frame._parent = obj;
  return frame;
}

const supported = new WeakMap<Program, boolean>();

/** Whether the AST uses only what `renderAst` implements. */
export function canInterpret(ast: Program): boolean {
  let known = supported.get(ast);
  if (known === undefined) supported.set(ast, (known = interpretable(ast)));
  return known;
}

const LITERALS = new Set(['StringLiteral', 'NumberLiteral', 'BooleanLiteral', 'NullLiteral', 'UndefinedLiteral']);

function allInterpretable(nodes: readonly HbNode[] | undefined): boolean {
  if (nodes) for (const n of nodes) if (!interpretable(n)) return false;
  return true;
}

function pairsInterpretable(hash: hbs.AST.Hash | undefined): boolean {
  if (hash) for (const pair of hash.pairs) if (!interpretable(pair.value)) return false;
  return true;
}

function interpretable(n: HbNode | null | undefined): boolean {
  if (!n) return true;
  switch (n.type) {
    case 'Program': {
      const p = n as Program;
      return !p.blockParams?.length && allInterpretable(p.body);
    }
    case 'MustacheStatement':
    case 'SubExpression':
    case 'BlockStatement': {
      const m = n as hbs.AST.MustacheStatement | hbs.AST.BlockStatement;
      if (m.path.type !== 'PathExpression' && !LITERALS.has(m.path.type)) return false;
      if (!interpretable(m.path) || !allInterpretable(m.params) || !pairsInterpretable(m.hash)) return false;
      if (n.type !== 'BlockStatement') return true;
      const b = n as hbs.AST.BlockStatement;
      return interpretable(b.program) && interpretable(b.inverse);
    }
    case 'PathExpression': {
      const p = n as hbs.AST.PathExpression;
      return !(p.data && p.depth > 0);
    }
    case 'PartialStatement': {
      const p = n as hbs.AST.PartialStatement;
      if (p.name.type !== 'PathExpression' || (p.name as hbs.AST.PathExpression).data) return false;
      if ((p.params?.length ?? 0) > 1) return false;
      return allInterpretable(p.params) && pairsInterpretable(p.hash);
    }
    case 'ContentStatement':
    case 'CommentStatement':
      return true;
    default:
      // literals; decorators, inline partials and partial blocks are not
      return LITERALS.has(n.type);
  }
}

interface Scope {
  ctx: unknown;
  data: Data;
  depths: unknown[];
}

/** What a mustache/block names: a path, or a literal used as a name (`{{"x"}}`). */
function pathOf(n: hbs.AST.MustacheStatement | hbs.AST.BlockStatement | hbs.AST.SubExpression): hbs.AST.PathExpression {
  const p = n.path as HbNode;
  if (p.type === 'PathExpression') return p as hbs.AST.PathExpression;
  const v = String((p as hbs.AST.StringLiteral).value);
  return { type: 'PathExpression', data: false, depth: 0, parts: [v], original: v, loc: p.loc } as hbs.AST.PathExpression;
}

function isScoped(p: hbs.AST.PathExpression): boolean {
  return /^\.|this\b/.test(p.original);
}

function isSimpleId(p: hbs.AST.PathExpression): boolean {
  return p.parts.length === 1 && !isScoped(p) && !p.depth && !p.data;
}

/** Renders Handlebars templates for one environment (helpers and partials). */
export class AstRenderer {
  constructor(
    private readonly env: Env,
    private readonly parse: (source: string, name: string) => Program,
  ) {}

  render(ast: Program, context: unknown, data: Data): string {
    const root: Data = 'root' in data ? data : Object.assign(createFrame(data), { root: context });
    return this.program(ast, { ctx: context, data: root, depths: [context] });
  }

  private get helpers(): Record<string, Fn> {
    return this.env.helpers as unknown as Record<string, Fn>;
  }

  private program(p: Program, s: Scope): string {
    let out = '';
    for (const st of p.body) {
      switch (st.type) {
        case 'ContentStatement':
          out += (st as hbs.AST.ContentStatement).value;
          break;
        case 'MustacheStatement': {
          const v = this.mustache(st as hbs.AST.MustacheStatement, s);
          if (v !== null && v !== undefined) out += v as string;
          break;
        }
        case 'BlockStatement': {
          const v = this.block(st as hbs.AST.BlockStatement, s);
          if (v !== null && v !== undefined) out += v as string;
          break;
        }
        case 'PartialStatement':
          out += this.partial(st as hbs.AST.PartialStatement, s);
          break;
        default:
          break;
      }
    }
    return out;
  }

  private lookupPath(p: hbs.AST.PathExpression, s: Scope): unknown {
    let cur: unknown = p.data ? s.data : p.depth ? s.depths[p.depth] : s.ctx;
    for (const part of p.parts) cur = cur !== null && cur !== undefined ? lookupProperty(cur, part) : cur;
    return cur;
  }

  private expr(n: HbNode, s: Scope): unknown {
    switch (n.type) {
      case 'StringLiteral':
      case 'NumberLiteral':
      case 'BooleanLiteral':
        return (n as hbs.AST.StringLiteral).value;
      case 'NullLiteral':
        return null;
      case 'UndefinedLiteral':
        return undefined;
      case 'PathExpression':
        return this.lookupPath(n as hbs.AST.PathExpression, s);
      case 'SubExpression':
        return this.callHelper(n as hbs.AST.SubExpression, pathOf(n as hbs.AST.SubExpression), s, {});
      default:
        throw new runtime.Exception(`unsupported expression ${n.type}`);
    }
  }

  private hash(h: hbs.AST.Hash | undefined, s: Scope): Data {
    const out: Data = {};
    // Handlebars fills the hash from the last pair to the first; keep its key order.
    const pairs = h?.pairs ?? [];
    for (let i = pairs.length - 1; i >= 0; i--) out[pairs[i]!.key] = this.expr(pairs[i]!.value, s);
    return out;
  }

  private options(n: hbs.AST.MustacheStatement | hbs.AST.BlockStatement | hbs.AST.SubExpression, name: string, s: Scope, extra: Data): Data {
    return { name, hash: this.hash(n.hash, s), data: s.data, loc: { start: n.loc?.start, end: n.loc?.end }, lookupProperty, ...extra };
  }

  /** `helpers.name || context value || helperMissing`, called with params and options. */
  private callHelper(n: hbs.AST.MustacheStatement | hbs.AST.BlockStatement | hbs.AST.SubExpression, p: hbs.AST.PathExpression, s: Scope, extra: Data): unknown {
    const params = (n.params ?? []).map((x) => this.expr(x, s));
    const name = p.original;
    const options = this.options(n, isSimpleId(p) ? p.parts[0]! : name, s, extra);
    const fn = ((isSimpleId(p) ? lookupProperty(this.helpers, p.parts[0]!) : undefined) || this.lookupPath(p, s) || this.helpers.helperMissing) as Fn;
    if (typeof fn !== 'function') throw new TypeError(`"${name}" is not a function`);
    return fn.call(s.ctx, ...params, options);
  }

  private kind(n: hbs.AST.MustacheStatement | hbs.AST.BlockStatement, p: hbs.AST.PathExpression): 'helper' | 'ambiguous' | 'simple' {
    const simple = isSimpleId(p);
    if ((n.params?.length ?? 0) > 0 || n.hash) return 'helper';
    if (simple) return KNOWN_HELPERS.has(p.parts[0]!) ? 'helper' : 'ambiguous';
    return 'simple';
  }

  private mustache(n: hbs.AST.MustacheStatement, s: Scope): unknown {
    const p = pathOf(n);
    const kind = this.kind(n, p);
    if (kind === 'helper') return this.callHelper(n, p, s, {});
    if (kind === 'ambiguous') {
      const name = p.parts[0]!;
      const h = lookupProperty(this.helpers, name) || this.lookupPath(p, s);
      const helper = h !== null && h !== undefined ? h : this.helpers.helperMissing;
      return typeof helper === 'function' ? (helper as Fn).call(s.ctx, this.options(n, name, s, {})) : helper;
    }
    const v = this.lookupPath(p, s);
    return typeof v === 'function' ? (v as Fn).call(s.ctx) : v;
  }

  private programFn(prog: Program | undefined, s: Scope): Fn {
    if (!prog) return () => '';
    return (context?: unknown, opts?: unknown) => {
      const o = (opts ?? {}) as { data?: Data };
      const depths = context !== s.depths[0] ? [context, ...s.depths] : s.depths;
      return this.program(prog, { ctx: context, data: o.data || s.data, depths });
    };
  }

  private block(n: hbs.AST.BlockStatement, s: Scope): unknown {
    const p = pathOf(n);
    const extra = { fn: this.programFn(n.program, s), inverse: this.programFn(n.inverse, s) };
    const kind = this.kind(n, p);
    if (kind === 'helper') return this.callHelper(n, p, s, extra);
    const options = this.options(n, isSimpleId(p) ? p.parts[0]! : p.original, s, extra);
    let value: unknown;
    if (kind === 'ambiguous') {
      const name = p.parts[0]!;
      const registered = lookupProperty(this.helpers, name);
      const h = registered || this.lookupPath(p, s);
      const helper = h !== null && h !== undefined ? h : this.helpers.helperMissing;
      value = typeof helper === 'function' ? (helper as Fn).call(s.ctx, options) : helper;
      if (registered) return value;
    } else {
      value = this.lookupPath(p, s);
    }
    return this.helpers.blockHelperMissing!.call(s.ctx, value, options);
  }

  private partial(n: hbs.AST.PartialStatement, s: Scope): string {
    const name = (n.name as hbs.AST.PathExpression).original;
    let context: unknown = n.params?.length ? this.expr(n.params[0]!, s) : s.ctx;
    if (n.hash) context = Object.assign({}, context, this.hash(n.hash, s));
    const partials = this.env.partials as Record<string, unknown>;
    const body = Object.prototype.hasOwnProperty.call(partials, name) ? partials[name] : undefined;
    let result: string;
    if (typeof body === 'string') {
      const ast = this.parse(body, name);
      result = canInterpret(ast)
        ? this.program(ast, { ctx: context, data: s.data, depths: [context] })
        : this.env.compile(ast, { noEscape: true })(context, { data: s.data, allowedProtoProperties: ALLOWED_PROTO_PROPERTIES });
    } else if (typeof body === 'function') {
      result = String((body as Fn)(context, { data: s.data, helpers: this.env.helpers, partials: this.env.partials, name }));
    } else {
      throw new runtime.Exception(`The partial ${name} could not be found`);
    }
    const indent = (n as { indent?: string }).indent;
    if (indent) {
      const lines = result.split('\n');
      for (let i = 0, l = lines.length; i < l; i++) {
        if (!lines[i] && i + 1 === l) break;
        lines[i] = indent + lines[i];
      }
      result = lines.join('\n');
    }
    return result;
  }
}
