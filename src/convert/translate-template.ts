import { handlebars } from '../template/handlebars-lib.js';
import { Emitter } from './emitter.js';
import { ExprParser, JinjaSyntaxError, parseExpr, type Expr } from './jinja-expr.js';
import { lexJinja, type Token } from './jinja-lexer.js';
import { macroToJs } from './macro-to-js.js';
import { shorten, Untranslatable, type Leftover } from './leftovers.js';
import { dotted, ExprTranslator, hbString, isLiteral, literalValue, unwrap, type Binding, type ExprScope, type MacroSig } from './translate-expr.js';

/**
 * What a file is to ft, which decides what its top level means: a model-like template
 * (models, singular tests, analyses, snapshots' bodies), a macro file (only its
 * `{% macro %}`/`{% test %}` blocks count), ft partial already (a macro file holding no
 * block: converted output), a snapshot file, a Markdown docs file, or a hook string.
 */
export type TemplateKind = 'model' | 'macro-file' | 'partial' | 'snapshot-file' | 'docs';

export interface TranslateOptions {
  file: string;
  kind: TemplateKind;
  macros: ReadonlyMap<string, MacroSig>;
  projectName: string;
  quote?: '"' | "'";
}

/** A block moved to a file of its own: a macro or generic test (a partial) or a snapshot. */
export interface ExtractedBlock {
  kind: 'macro' | 'test' | 'snapshot' | 'js';
  name: string;
  line: number;
  /** the line of its closing tag */
  endLine?: number;
  out: Emitter;
}

export interface TranslatedTemplate {
  /** the file's own text; undefined when the file only held blocks moved elsewhere */
  main?: Emitter;
  blocks: ExtractedBlock[];
  leftovers: Leftover[];
}

type Frame =
  | { type: 'if'; verbatim: boolean; line: number; sets: Map<string, Binding> }
  | { type: 'for'; verbatim: boolean; line: number; names: Map<string, Binding> }
  | { type: 'set'; name: string; line: number; prev: Emitter; out: Emitter }
  | { type: 'macro'; kind: 'macro' | 'test'; name: string; line: number; prev: Emitter; out: Emitter; names: Map<string, Binding>; js?: string; conditional: Set<string> }
  | { type: 'snapshot'; name: string; line: number; prev: Emitter; out: Emitter }
  | { type: 'docs'; line: number }
  | { type: 'verbatim'; keyword: string; line: number }
  | { type: 'hbs'; names: Map<string, Binding>; each: boolean };

const BLOCK_KEYWORDS: Record<string, string> = { call: 'endcall', filter: 'endfilter', materialization: 'endmaterialization', autoescape: 'endautoescape', with: 'endwith' };

/** Whether the expression reads the name. */
function refersTo(e: Expr, name: string): boolean {
  const r = (x: Expr | undefined): boolean => (x ? refersTo(x, name) : false);
  switch (e.t) {
    case 'name':
      return e.n === name;
    case 'attr':
      return r(e.o);
    case 'index':
      return r(e.o) || r(e.i);
    case 'call':
    case 'filter':
      return (e.t === 'call' ? r(e.f) : r(e.e)) || e.args.some(r) || e.kw.some(([, v]) => r(v));
    case 'test':
      return r(e.e) || e.args.some(r);
    case 'bin':
      return r(e.l) || r(e.r);
    case 'not':
    case 'unary':
      return r(e.e);
    case 'list':
    case 'tuple':
      return e.items.some(r);
    case 'dict':
      return e.items.some(([k, v]) => r(k) || r(v));
    case 'cond':
      return r(e.c) || r(e.a) || r(e.b);
    default:
      return false;
  }
}

/** Visits every sub-expression, replacing names bound by `{% set %}` with their value. */
function substitute(e: Expr, lookup: (n: string) => Binding | undefined): Expr {
  const s = (x: Expr) => substitute(x, lookup);
  switch (e.t) {
    case 'name': {
      const b = lookup(e.n);
      return b?.kind === 'set' && b.prev === undefined ? b.expr : e;
    }
    case 'attr':
      return { ...e, o: s(e.o) };
    case 'index':
      return { ...e, o: s(e.o), i: s(e.i) };
    case 'call':
      return { ...e, f: e.f.t === 'name' ? e.f : s(e.f), args: e.args.map(s), kw: e.kw.map(([k, v]) => [k, s(v)] as [string, Expr]) };
    case 'filter':
      return { ...e, e: s(e.e), args: e.args.map(s), kw: e.kw.map(([k, v]) => [k, s(v)] as [string, Expr]) };
    case 'test':
      return { ...e, e: s(e.e), args: e.args.map(s) };
    case 'bin':
      return { ...e, l: s(e.l), r: s(e.r) };
    case 'not':
    case 'unary':
      return { ...e, e: s(e.e) };
    case 'list':
    case 'tuple':
      return { ...e, items: e.items.map(s) };
    case 'dict':
      return { ...e, items: e.items.map(([k, v]) => [s(k), s(v)] as [Expr, Expr]) };
    case 'cond':
      return { ...e, c: s(e.c), a: s(e.a), b: e.b && s(e.b) };
    default:
      return e;
  }
}

/** Translates one dbt template (Jinja) to ft's Handlebars; what it cannot, it keeps and reports. */
export function translateTemplate(src: string, opts: TranslateOptions): TranslatedTemplate {
  const leftovers: Leftover[] = [];
  const blocks: ExtractedBlock[] = [];
  const frames: Frame[] = [];
  const fileSets = new Map<string, Binding>();
  const conditional = new Set<string>();
  const quote = opts.quote ?? '"';
  const topLevelDropped = opts.kind === 'macro-file' || opts.kind === 'snapshot-file';
  const main = new Emitter();
  let out = main;
  let line = 1;
  /** the tag being translated, for notes */
  let current = '';

  const leftover = (construct: string, text: string, why: string, at = line) => leftovers.push({ file: opts.file, line: at, construct, text: shorten(text), why });

  const conditionalSet = (n: string): Untranslatable => new Untranslatable('conditional set', `"${n}" is set inside an {% if %} and used after it: inline the value in each branch`);
  const lookup = (n: string): Binding | undefined => {
    for (let i = frames.length - 1; i >= 0; i--) {
      const f = frames[i]!;
      // set in an {% if %} of this macro that has ended: its value depends on the branch (even over an argument of that name)
      if (f.type === 'macro' && f.conditional.has(n)) throw conditionalSet(n);
      const b = f.type === 'for' || f.type === 'macro' || f.type === 'hbs' ? f.names.get(n) : f.type === 'if' ? f.sets.get(n) : undefined;
      if (b) return b;
      if (f.type === 'macro') return undefined; // a macro sees only its arguments and its own sets
    }
    const b = fileSets.get(n);
    if (!b && conditional.has(n)) throw conditionalSet(n);
    return b;
  };
  /** A name set inside an {% if %} branch that has ended: the enclosing macro's, else the file's. */
  const markConditional = (names: Iterable<string>): void => {
    const macro = [...frames].reverse().find((f): f is Extract<Frame, { type: 'macro' }> => f.type === 'macro');
    for (const n of names) (macro ? macro.conditional : conditional).add(n);
  };
  const inMacro = () => frames.some((f) => f.type === 'macro');
  const eachDepth = () => {
    let d = 0;
    for (let i = frames.length - 1; i >= 0; i--) {
      const f = frames[i]!;
      if (f.type === 'macro') break;
      if ((f.type === 'for' && !f.verbatim) || (f.type === 'hbs' && f.each)) d++;
    }
    return d;
  };
  const innermostEach = (): Frame | undefined => {
    for (let i = frames.length - 1; i >= 0; i--) {
      const f = frames[i]!;
      if (f.type === 'macro') return undefined;
      if ((f.type === 'for' && !f.verbatim) || (f.type === 'hbs' && f.each)) return f;
    }
    return undefined;
  };
  const scope = (): ExprScope => ({
    lookup,
    eachDepth: eachDepth(),
    inLoop: frames.some((f) => f.type === 'for' && !f.verbatim),
    viaRoot: inMacro() || opts.kind === 'partial' || eachDepth() > 0,
    hbsEach: innermostEach()?.type === 'hbs',
    namesAreArgs: opts.kind === 'partial',
    macros: opts.macros,
    projectName: opts.projectName,
    quote,
    note: (construct, why) => leftover(construct, current, why),
  });
  const tr = () => new ExprTranslator(scope());
  /** where `{% set %}` binds: the innermost for/macro/if, else the file */
  const setTarget = (): Map<string, Binding> => {
    for (let i = frames.length - 1; i >= 0; i--) {
      const f = frames[i]!;
      if (f.type === 'for' || f.type === 'macro') return f.names;
      if (f.type === 'if') return f.sets;
    }
    return fileSets;
  };
  const inDocs = () => frames.some((f) => f.type === 'docs');
  const dropped = () => topLevelDropped && !frames.some((f) => f.type === 'macro' || f.type === 'snapshot' || f.type === 'set');

  const emit = (text: string) => {
    if (!dropped()) out.emit(text, line);
  };

  /** Translates a value of config(): literal lists and dicts become the JSON strings ft parses. */
  const configValue = (key: string, value: Expr): string => {
    const v = substitute(value, lookup); // a {% set %} value is a literal like any other
    if ((key === 'post_hook' || key === 'pre_hook') && v.t === 'lit' && typeof v.v === 'string') return hbString(translateInline(v.v), quote);
    if ((key === 'post_hook' || key === 'pre_hook') && v.t === 'list' && v.items.every((i) => i.t === 'lit' && typeof i.v === 'string')) {
      return hbString(JSON.stringify(v.items.map((i) => translateInline((i as { v: string }).v))), quote);
    }
    if (v.t === 'lit') return tr().literal(v.v);
    if (isLiteral(v)) return hbString(JSON.stringify(literalValue(v)), quote);
    return tr().param(v);
  };
  const translateInline = (text: string): string => {
    if (!/\{[{%#]/.test(text)) return text;
    const r = translateTemplate(text, { ...opts, kind: 'model', quote: quote === '"' ? "'" : '"' });
    for (const l of r.leftovers) leftover(l.construct, l.text, l.why);
    return r.main?.text ?? '';
  };

  /** The text a `{{ expr }}` prints. */
  const output = (body: string): string => {
    let e = parseExpr(body);
    const t = tr();
    // a macro dispatched by database: `{{ return(adapter.dispatch('x')(args)) }}` calls mysql__x, else default__x
    if (e.t === 'call' && dotted(e.f) === 'return' && e.args.length === 1 && e.args[0]!.t === 'call' && e.args[0]!.f.t === 'call' && dotted(e.args[0]!.f.f) === 'adapter.dispatch') e = e.args[0]!;
    if (e.t === 'call' && e.f.t === 'call' && dotted(e.f.f) === 'adapter.dispatch') {
      const name = e.f.args[0];
      if (name?.t !== 'lit' || typeof name.v !== 'string') throw new Untranslatable('adapter.dispatch', 'a dispatched macro whose name is not a literal');
      const sig = opts.macros.get(`mysql__${name.v}`) ?? opts.macros.get(`default__${name.v}`);
      if (!sig) throw new Untranslatable('adapter.dispatch', `no mysql__${name.v} or default__${name.v} macro in the project to call`);
      return partialCall(sig, e, t);
    }
    if (e.t === 'call') {
      const callee = dotted(e.f);
      if (callee === 'config') {
        // dbt also takes one dict: config({"materialized": "table"}), its keys literal strings
        const dict = e.args.length === 1 && e.args[0]!.t === 'dict' ? e.args[0]!.items : undefined;
        if (dict && !dict.every(([k]) => k.t === 'lit' && typeof k.v === 'string' && /^[A-Za-z_][\w-]*$/.test(k.v))) {
          throw new Untranslatable('config()', 'config() with a dict whose keys are not literal names');
        }
        if (e.args.length && !dict) throw new Untranslatable('config()', 'config() takes key=value arguments or one dict');
        const kw: Array<[string, Expr]> = [...(dict ?? []).map(([k, v]) => [String((k as { v: string }).v).replace(/-/g, '_'), v] as [string, Expr]), ...e.kw];
        return `{{config${kw.map(([k, v]) => ` ${k}=${configValue(k, v)}`).join('')}}}`;
      }
      // dbt's log() and print(): Handlebars' own log prints the message as ft renders
      if ((callee === 'log' || callee === 'print') && e.args.length) return `{{log ${e.args.map((a) => t.param(substitute(a, lookup))).join(' ')}}}`;
      if (callee === 'log' || callee === 'print') return '';
      const sig = callee ? t.macroOf(callee) : undefined;
      if (sig && !sig.js) return partialCall(sig, e, t);
    }
    if (e.t === 'name') {
      const b = lookup(e.n);
      if (b?.kind === 'block') return b.text;
      // a {% set %} of a macro call, printed: the partial itself
      const v = b?.kind === 'set' && b.prev === undefined ? b.expr : undefined;
      const sig = v?.t === 'call' && dotted(v.f) ? t.macroOf(dotted(v.f)!) : undefined;
      if (sig && !sig.js && v?.t === 'call') return partialCall(sig, v, t);
    }
    if (e.t === 'lit') return e.v === null ? 'None' : String(e.v);
    const param = t.param(substitute(e, lookup));
    // a literal (a set's value inlined): its text, since Handlebars reads {{"x"}} as a name
    const str = /^(["'])((?:\\.|(?!\1)[^\\])*)\1$/.exec(param);
    if (str) return str[2]!.replace(/\\(["'])/g, '$1');
    if (/^-?\d+(\.\d+)?$/.test(param)) return param;
    return `{{${unwrap(param)}}}`;
  };

  const partialCall = (sig: MacroSig, e: Extract<Expr, { t: 'call' }>, t: ExprTranslator): string => {
    if (e.args.length > sig.params.length) throw new Untranslatable('macro call', `${sig.name}() takes ${sig.params.length} arguments, ${e.args.length} given`);
    const hash = e.args.map((a, i) => `${sig.params[i]!.name}=${t.param(substitute(a, lookup))}`);
    for (const [k, v] of e.kw) hash.push(`${k}=${t.param(substitute(v, lookup))}`);
    return `{{> ${sig.name}${hash.map((h) => ` ${h}`).join('')}}}`;
  };

  const closeFrame = (type: Frame['type']): Frame | undefined => {
    const top = frames[frames.length - 1];
    if (!top || top.type !== type) return undefined;
    return frames.pop();
  };

  const statement = (body: string, source: string): void => {
    const keyword = /^\w+/.exec(body)?.[0] ?? '';
    const rest = body.slice(keyword.length).trim();
    const top = frames[frames.length - 1];
    switch (keyword) {
      case 'if': {
        try {
          const cond = tr().param(substitute(parseExpr(rest), lookup));
          emit(`{{#if ${cond}}}`);
          frames.push({ type: 'if', verbatim: false, line, sets: new Map() });
        } catch (err) {
          fail(err, source, 'if');
          frames.push({ type: 'if', verbatim: true, line, sets: new Map() });
        }
        return;
      }
      case 'elif': {
        if (top?.type !== 'if') return unmatched(source);
        if (top.verbatim) return emit(source);
        try {
          markConditional(top.sets.keys());
          top.sets = new Map();
          emit(`{{else if ${tr().param(substitute(parseExpr(rest), lookup))}}}`);
        } catch (err) {
          fail(err, source, 'elif');
        }
        return;
      }
      case 'else': {
        if (top?.type === 'if') {
          markConditional(top.sets.keys());
          top.sets = new Map();
          return emit(top.verbatim ? source : '{{else}}');
        }
        if (top?.type === 'for') return emit(top.verbatim ? source : '{{else}}');
        return unmatched(source);
      }
      case 'endif': {
        const f = closeFrame('if');
        if (!f || f.type !== 'if') return unmatched(source);
        markConditional(f.sets.keys());
        return emit(f.verbatim ? source : '{{/if}}');
      }
      case 'for':
        return forLoop(rest, source);
      case 'endfor': {
        const f = closeFrame('for');
        if (!f) return unmatched(source);
        return emit((f as { verbatim: boolean }).verbatim ? source : '{{/each}}');
      }
      case 'set':
        return setStatement(rest, source);
      case 'endset': {
        const f = closeFrame('set');
        if (!f || f.type !== 'set') return unmatched(source);
        out = f.prev;
        // plain text is a string like any other; text with tags can only be printed where it is used
        setTarget().set(f.name, f.out.text.includes('{{') ? { kind: 'block', text: f.out.text } : { kind: 'set', expr: { t: 'lit', v: f.out.text } });
        return;
      }
      case 'macro':
      case 'test':
        return macroStart(keyword, rest, source);
      case 'endmacro':
      case 'endtest': {
        const f = closeFrame('macro');
        if (!f || f.type !== 'macro') return unmatched(source);
        out = f.prev;
        if (f.js) {
          const js = new Emitter(f.line);
          js.emit(f.js, f.line);
          blocks.push({ kind: 'js', name: f.name, line: f.line, out: js });
          return;
        }
        f.out.trimBlock();
        blocks.push({ kind: f.kind, name: f.kind === 'test' ? `test_${f.name}` : f.name, line: f.line, endLine: line, out: f.out });
        return;
      }
      case 'snapshot': {
        const name = /^\w+/.exec(rest)?.[0];
        if (!name) return fail(new Untranslatable('snapshot', 'a snapshot block needs a name'), source, 'snapshot');
        const f: Frame = { type: 'snapshot', name, line, prev: out, out: new Emitter(line) };
        frames.push(f);
        out = f.out;
        return;
      }
      case 'endsnapshot': {
        const f = closeFrame('snapshot');
        if (!f || f.type !== 'snapshot') return unmatched(source);
        out = f.prev;
        f.out.trimBlock();
        blocks.push({ kind: 'snapshot', name: f.name, line: f.line, out: f.out });
        return;
      }
      case 'docs': {
        const name = /^[\w.-]+/.exec(rest)?.[0] ?? '';
        emit(`{{#docs ${hbString(name, '"')}}}`);
        frames.push({ type: 'docs', line });
        return;
      }
      case 'enddocs':
        if (!closeFrame('docs')) return unmatched(source);
        return emit('{{/docs}}');
      case 'do': {
        try {
          const e = parseExpr(rest);
          if (e.t === 'call' && ['log', 'print'].includes(dotted(e.f) ?? '')) return; // logging only: nothing to render
        } catch {
          /* reported below */
        }
        leftover('{% do %}', source, 'a statement run for its effect has no Handlebars form: a hook, or a JS helper');
        return emit(source);
      }
      default: {
        const end = BLOCK_KEYWORDS[keyword];
        if (end) {
          leftover(`{% ${keyword} %}`, source, `${keyword} blocks have no Handlebars form${keyword === 'materialization' ? ': ft has its own materializations' : ''}`);
          frames.push({ type: 'verbatim', keyword: end, line });
          return emit(source);
        }
        if (top?.type === 'verbatim' && keyword === top.keyword) {
          frames.pop();
          return emit(source);
        }
        leftover(`{% ${keyword || '?'} %}`, source, keyword === 'include' || keyword === 'import' || keyword === 'from' ? 'templates cannot include or import others in ft: use partials ({{> name}})' : 'no Handlebars form');
        return emit(source);
      }
    }
  };

  const fail = (err: unknown, source: string, what: string) => {
    if (err instanceof Untranslatable) leftover(err.construct, source, err.why);
    else if (err instanceof JinjaSyntaxError) leftover('jinja syntax', source, `cannot read this ${what}: ${err.message}`);
    else if (err instanceof RangeError) leftover('too deep', source, `this ${what} refers to itself through {% set %} values: inline it by hand`);
    else throw err;
    emit(source);
  };
  const unmatched = (source: string) => {
    leftover('unmatched tag', source, 'no open block to close or continue');
    emit(source);
  };

  const forLoop = (rest: string, source: string) => {
    try {
      const p = new ExprParser(rest);
      const targets: string[] = [p.name()];
      while (p.isOp(',')) {
        p.expectOp(',');
        targets.push(p.name());
      }
      if (!p.isName('in')) throw new JinjaSyntaxError('expected "in"');
      p.name();
      const iter = p.expr();
      if (p.isName('recursive')) throw new Untranslatable('recursive for', 'recursive loops have no Handlebars form');
      p.end();
      if (iter.t === 'cond') throw new Untranslatable('for … if', 'a filtered loop has no Handlebars form: put the condition in an {% if %} inside the loop');
      let list: Expr = iter;
      if (targets.length === 2) {
        if (iter.t !== 'call' || iter.f.t !== 'attr' || iter.f.n !== 'items' || iter.args.length) throw new Untranslatable('for a, b', 'only `for key, value in dict.items()` unpacks in Handlebars');
        list = iter.f.o;
      } else if (targets.length > 2) throw new Untranslatable('for a, b, c', 'unpacking more than key and value has no Handlebars form');
      const param = tr().param(substitute(list, lookup));
      // no block params (`as |m|`): the item is `this` (`../this` from a loop inside), the key
      // `@key`, so ft's fast parser and its template interpreter read the loop
      emit(`{{#each ${param}}}`);
      const depth = eachDepth() + 1;
      const names = new Map<string, Binding>([[targets[targets.length - 1]!, { kind: 'loop', depth }]]);
      if (targets.length === 2) names.set(targets[0]!, { kind: 'loop', depth, key: true });
      frames.push({ type: 'for', verbatim: false, line, names });
    } catch (err) {
      fail(err, source, 'for');
      frames.push({ type: 'for', verbatim: true, line, names: new Map() });
    }
  };

  const setStatement = (rest: string, source: string) => {
    try {
      const eq = /^(\w+)\s*=\s*([\s\S]+)$/.exec(rest);
      if (!eq) {
        const block = /^(\w+)\s*$/.exec(rest);
        if (!block) throw new Untranslatable('set a, b', 'only `set name = value` and `set name` blocks have an ft form');
        const f: Frame = { type: 'set', name: block[1]!, line, prev: out, out: new Emitter(line) };
        frames.push(f);
        out = f.out;
        return;
      }
      const value = substitute(parseExpr(eq[2]!), lookup);
      tr().param(value); // fails now, at the set, if it has no Handlebars form
      // `{% set x = x ~ 'a' %}` over a macro argument or loop item: the x inside is the one before
      const prev = refersTo(value, eq[1]!) ? (lookup(eq[1]!) ?? null) : undefined;
      setTarget().set(eq[1]!, { kind: 'set', expr: value, prev });
    } catch (err) {
      fail(err, source, 'set');
    }
  };

  const macroStart = (keyword: 'macro' | 'test', rest: string, source: string) => {
    try {
      const sig = parseSignature(rest);
      const js = keyword === 'macro' ? opts.macros.get(sig.name)?.js : undefined;
      const f: Frame = { type: 'macro', kind: keyword, name: sig.name, line, prev: out, out: new Emitter(line), names: new Map(sig.params.map((p) => [p.name, { kind: 'arg', depth: 0, dflt: p.dflt } as Binding])), js, conditional: new Set() };
      frames.push(f);
      out = f.out;
    } catch (err) {
      fail(err, source, keyword);
    }
  };

  for (const tok of lexJinja(src)) {
    line = tok.line;
    current = tok.kind === 'text' ? '' : tok.source;
    // the body of a macro that became a JS helper is not translated again
    const top = frames[frames.length - 1];
    if (top?.type === 'macro' && top.js && !(tok.kind === 'stmt' && /^endmacro\b/.test(tok.body))) continue;
    if (inDocs() && !(tok.kind === 'stmt' && /^enddocs\b/.test(tok.body))) {
      emit(tok.kind === 'text' ? tok.text : tok.source);
      continue;
    }
    switch (tok.kind) {
      case 'text':
        emit(tok.raw ? tok.text.replace(/\{\{/g, '\\{{') : tok.text);
        break;
      case 'comment':
        emit(`{{!--${tok.body.replace(/--\}\}/g, '- -}}')}--}}`);
        break;
      case 'hbs':
        hbsTag(tok.source);
        emit(tok.source);
        break;
      case 'expr':
        if (opts.kind === 'docs') {
          emit(tok.source);
          break;
        }
        try {
          emit(output(tok.body));
        } catch (err) {
          // `{{ref "x"}}`, `{{config k=v}}`: already Handlebars (converted before), kept as it is
          if (err instanceof JinjaSyntaxError && isHandlebars(tok.source)) {
            hbsTag(tok.source);
            emit(tok.source);
          } else fail(err, tok.source, 'expression');
        }
        break;
      case 'stmt':
        if (opts.kind === 'docs' && !/^(end)?docs\b/.test(tok.body)) {
          emit(tok.source);
          break;
        }
        statement(tok.body, tok.source);
        break;
    }
  }
  for (const f of frames.reverse()) {
    if (f.type === 'hbs') continue;
    leftovers.push({ file: opts.file, line: 'line' in f ? f.line : line, construct: 'unclosed block', text: f.type, why: `this {% ${f.type} %} is never closed` });
  }

  function hbsTag(source: string) {
    const open = /^\{\{~?#\*?\s*([\w.]+)[\s\S]*?(?:\bas\s*\|([^|]*)\|)?\s*~?\}\}$/.exec(source);
    if (open) {
      const names = new Map<string, Binding>((open[2] ?? '').split(/\s+/).filter(Boolean).map((n) => [n, { kind: 'param' } as Binding]));
      frames.push({ type: 'hbs', names, each: open[1] === 'each' || open[1] === 'with' });
    } else if (/^\{\{~?\//.test(source) && frames[frames.length - 1]?.type === 'hbs') frames.pop();
  }

  const keepMain = opts.kind !== 'macro-file' && opts.kind !== 'snapshot-file';
  return { main: keepMain ? main : undefined, blocks, leftovers };
}

function isHandlebars(source: string): boolean {
  try {
    handlebars().parse(source);
    return true;
  } catch {
    return false;
  }
}

/** `name(a, b=1)` of a macro or test block. */
export function parseSignature(text: string): MacroSig {
  const p = new ExprParser(text);
  const name = p.name();
  const params: MacroSig['params'] = [];
  if (p.isOp('(')) {
    p.expectOp('(');
    const { args, kw } = p.callArgs();
    for (const a of args) {
      if (a.t !== 'name') throw new Untranslatable('macro signature', 'a macro parameter must be a name');
      params.push({ name: a.n });
    }
    for (const [k, v] of kw) params.push({ name: k, dflt: v });
  }
  p.end();
  return { name, params };
}

/** Names and parameters of every `{% macro %}` in a file (read before any file is translated). */
export function findMacros(src: string, file = ''): { macros: MacroSig[]; tests: string[] } {
  const macros: MacroSig[] = [];
  const tests: string[] = [];
  if (!src.includes('macro') && !src.includes('test')) return { macros, tests };
  let open: { sig: MacroSig; line: number; body: Token[] } | undefined;
  for (const tok of lexJinja(src)) {
    if (open) {
      if (tok.kind === 'stmt' && /^endmacro\b/.test(tok.body)) {
        open.sig.js = returnsOnly(open.sig, open.body, file, open.line);
        open = undefined;
      } else open.body.push(tok);
      continue;
    }
    if (tok.kind !== 'stmt' || !/^(macro|test)\s/.test(tok.body)) continue;
    try {
      const sig = parseSignature(tok.body.slice(tok.body.indexOf(' ')).trim());
      if (tok.body.startsWith('macro')) {
        macros.push(sig);
        open = { sig, line: tok.line, body: [] };
      } else tests.push(`test_${sig.name}`);
    } catch {
      /* reported when the file is translated */
    }
  }
  return { macros, tests };
}

/** The JS helper of a macro whose body is only `{{ return(value) }}`, when the value has a JS form. */
function returnsOnly(sig: MacroSig, body: Token[], file: string, line: number): string | undefined {
  const exprs = body.filter((t) => !(t.kind === 'text' && !t.text.trim()) && t.kind !== 'comment');
  if (exprs.length !== 1 || exprs[0]!.kind !== 'expr' || !/^[A-Za-z_]\w*$/.test(sig.name)) return undefined;
  try {
    const e = parseExpr(exprs[0]!.body);
    if (e.t !== 'call' || dotted(e.f) !== 'return' || e.args.length !== 1) return undefined;
    return macroToJs(sig, e.args[0]!, file, line);
  } catch {
    return undefined; // stays a partial, and its return() a leftover
  }
}
