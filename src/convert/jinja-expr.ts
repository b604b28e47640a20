/** Jinja expressions as dbt writes them, parsed to a small tree (Jinja's own precedence). */
export type Expr =
  | { t: 'lit'; v: string | number | boolean | null }
  | { t: 'name'; n: string }
  | { t: 'attr'; o: Expr; n: string }
  | { t: 'index'; o: Expr; i: Expr }
  | { t: 'call'; f: Expr; args: Expr[]; kw: [string, Expr][] }
  | { t: 'filter'; e: Expr; n: string; args: Expr[]; kw: [string, Expr][] }
  | { t: 'test'; e: Expr; n: string; neg: boolean; args: Expr[] }
  | { t: 'bin'; op: string; l: Expr; r: Expr }
  | { t: 'not'; e: Expr }
  | { t: 'unary'; op: string; e: Expr }
  | { t: 'list'; items: Expr[] }
  | { t: 'tuple'; items: Expr[] }
  | { t: 'dict'; items: [Expr, Expr][] }
  | { t: 'cond'; c: Expr; a: Expr; b?: Expr };

export class JinjaSyntaxError extends Error {}

type Tok = { k: 'name' | 'str' | 'num' | 'op' | 'end'; v: string };

const OPS = ['**', '//', '==', '!=', '<=', '>=', '<', '>', '~', '+', '-', '*', '/', '%', '|', '(', ')', '[', ']', '{', '}', ',', ':', '.', '='];

const NUM = /\d+(\.\d+)?/y;
const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;

function tokenize(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      let s = '';
      let j = i + 1;
      for (; j < src.length && src[j] !== c; j++) {
        if (src[j] === '\\' && j + 1 < src.length) {
          const e = src[++j]!;
          s += e === 'n' ? '\n' : e === 't' ? '\t' : e;
        } else s += src[j];
      }
      if (j >= src.length) throw new JinjaSyntaxError('unterminated string');
      out.push({ k: 'str', v: s });
      i = j + 1;
      continue;
    }
    NUM.lastIndex = i;
    const num = NUM.exec(src);
    if (num) {
      out.push({ k: 'num', v: num[0] });
      i += num[0].length;
      continue;
    }
    NAME.lastIndex = i;
    const name = NAME.exec(src);
    if (name) {
      out.push({ k: 'name', v: name[0] });
      i += name[0].length;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new JinjaSyntaxError(`unexpected "${c}"`);
    out.push({ k: 'op', v: op });
    i += op.length;
  }
  out.push({ k: 'end', v: '' });
  return out;
}

export class ExprParser {
  private toks: Tok[];
  private p = 0;

  constructor(src: string) {
    this.toks = tokenize(src);
  }

  peek(o = 0): Tok {
    return this.toks[Math.min(this.p + o, this.toks.length - 1)]!;
  }
  private next(): Tok {
    return this.toks[this.p++] ?? { k: 'end', v: '' };
  }
  isOp(v: string, o = 0): boolean {
    const t = this.peek(o);
    return t.k === 'op' && t.v === v;
  }
  isName(v: string, o = 0): boolean {
    const t = this.peek(o);
    return t.k === 'name' && t.v === v;
  }
  expectOp(v: string): void {
    if (!this.isOp(v)) throw new JinjaSyntaxError(`expected "${v}"`);
    this.p++;
  }
  name(): string {
    const t = this.next();
    if (t.k !== 'name') throw new JinjaSyntaxError('expected a name');
    return t.v;
  }
  atEnd(): boolean {
    return this.peek().k === 'end';
  }
  end(): void {
    if (!this.atEnd()) throw new JinjaSyntaxError(`unexpected "${this.peek().v}"`);
  }

  /** expr, with a bare tuple `a, b` allowed (for `set a, b = …`, `for k, v in …`) */
  tupleOrExpr(): Expr {
    const first = this.expr();
    if (!this.isOp(',')) return first;
    const items = [first];
    while (this.isOp(',')) {
      this.p++;
      if (this.atEnd() || this.isOp('=') || this.isName('in')) break;
      items.push(this.expr());
    }
    return { t: 'tuple', items };
  }

  expr(): Expr {
    const a = this.or();
    if (this.isName('if')) {
      this.p++;
      const c = this.or();
      let b: Expr | undefined;
      if (this.isName('else')) {
        this.p++;
        b = this.expr();
      }
      return { t: 'cond', c, a, b };
    }
    return a;
  }
  private or(): Expr {
    let l = this.and();
    while (this.isName('or')) {
      this.p++;
      l = { t: 'bin', op: 'or', l, r: this.and() };
    }
    return l;
  }
  private and(): Expr {
    let l = this.not();
    while (this.isName('and')) {
      this.p++;
      l = { t: 'bin', op: 'and', l, r: this.not() };
    }
    return l;
  }
  private not(): Expr {
    if (this.isName('not')) {
      this.p++;
      return { t: 'not', e: this.not() };
    }
    return this.compare();
  }
  private compare(): Expr {
    let l = this.concat();
    for (;;) {
      const t = this.peek();
      if (t.k === 'op' && ['==', '!=', '<', '>', '<=', '>='].includes(t.v)) {
        this.p++;
        l = { t: 'bin', op: t.v, l, r: this.concat() };
      } else if (this.isName('in')) {
        this.p++;
        l = { t: 'bin', op: 'in', l, r: this.concat() };
      } else if (this.isName('not') && this.isName('in', 1)) {
        this.p += 2;
        l = { t: 'not', e: { t: 'bin', op: 'in', l, r: this.concat() } };
      } else return l;
    }
  }
  private concat(): Expr {
    let l = this.math1();
    while (this.isOp('~')) {
      this.p++;
      l = { t: 'bin', op: '~', l, r: this.math1() };
    }
    return l;
  }
  private math1(): Expr {
    let l = this.math2();
    while (this.isOp('+') || this.isOp('-')) {
      const op = this.next().v;
      l = { t: 'bin', op, l, r: this.math2() };
    }
    return l;
  }
  private math2(): Expr {
    let l = this.pow();
    while (this.isOp('*') || this.isOp('/') || this.isOp('//') || this.isOp('%')) {
      const op = this.next().v;
      l = { t: 'bin', op, l, r: this.pow() };
    }
    return l;
  }
  private pow(): Expr {
    let l = this.unary();
    while (this.isOp('**')) {
      this.p++;
      l = { t: 'bin', op: '**', l, r: this.unary() };
    }
    return l;
  }
  private unary(): Expr {
    if (this.isOp('-') || this.isOp('+')) {
      const op = this.next().v;
      const e = this.unary();
      if (e.t === 'lit' && typeof e.v === 'number') return { t: 'lit', v: op === '-' ? -e.v : e.v };
      return { t: 'unary', op, e };
    }
    return this.postfix(this.primary());
  }
  private postfix(e: Expr): Expr {
    for (;;) {
      if (this.isOp('.')) {
        this.p++;
        const t = this.next();
        if (t.k !== 'name' && t.k !== 'num') throw new JinjaSyntaxError('expected an attribute name');
        e = { t: 'attr', o: e, n: t.v };
      } else if (this.isOp('[')) {
        this.p++;
        const i = this.expr();
        this.expectOp(']');
        e = { t: 'index', o: e, i };
      } else if (this.isOp('(')) {
        this.p++;
        const { args, kw } = this.callArgs();
        e = { t: 'call', f: e, args, kw };
      } else if (this.isOp('|')) {
        this.p++;
        const n = this.dottedName();
        let args: Expr[] = [];
        let kw: [string, Expr][] = [];
        if (this.isOp('(')) {
          this.p++;
          ({ args, kw } = this.callArgs());
        }
        e = { t: 'filter', e, n, args, kw };
      } else if (this.isName('is')) {
        this.p++;
        let neg = false;
        if (this.isName('not')) {
          this.p++;
          neg = true;
        }
        const n = this.name();
        const args: Expr[] = [];
        if (this.isOp('(')) {
          this.p++;
          args.push(...this.callArgs().args);
        } else if (['str', 'num'].includes(this.peek().k) || (this.peek().k === 'name' && !['and', 'or', 'else', 'if', 'is', 'in', 'not'].includes(this.peek().v))) {
          args.push(this.primary());
        }
        e = { t: 'test', e, n, neg, args };
      } else return e;
    }
  }
  private dottedName(): string {
    let n = this.name();
    while (this.isOp('.')) {
      this.p++;
      n += '.' + this.name();
    }
    return n;
  }
  callArgs(): { args: Expr[]; kw: [string, Expr][] } {
    const args: Expr[] = [];
    const kw: [string, Expr][] = [];
    while (!this.isOp(')')) {
      if (this.peek().k === 'name' && this.isOp('=', 1)) {
        const k = this.name();
        this.p++;
        kw.push([k, this.expr()]);
      } else {
        if (this.isOp('*')) throw new JinjaSyntaxError('*args calls are not supported');
        args.push(this.expr());
      }
      if (this.isOp(',')) this.p++;
      else if (!this.isOp(')')) throw new JinjaSyntaxError('expected "," or ")"');
    }
    this.p++;
    return { args, kw };
  }
  private primary(): Expr {
    const t = this.next();
    if (t.k === 'str') {
      let v = t.v;
      while (this.peek().k === 'str') v += this.next().v; // adjacent literals join, as in Python
      return { t: 'lit', v };
    }
    if (t.k === 'num') return { t: 'lit', v: Number(t.v) };
    if (t.k === 'name') {
      if (t.v === 'true' || t.v === 'True') return { t: 'lit', v: true };
      if (t.v === 'false' || t.v === 'False') return { t: 'lit', v: false };
      if (t.v === 'none' || t.v === 'None') return { t: 'lit', v: null };
      return { t: 'name', n: t.v };
    }
    if (t.k === 'op' && t.v === '(') {
      if (this.isOp(')')) {
        this.p++;
        return { t: 'tuple', items: [] };
      }
      const e = this.expr();
      if (this.isOp(',')) {
        const items = [e];
        while (this.isOp(',')) {
          this.p++;
          if (this.isOp(')')) break;
          items.push(this.expr());
        }
        this.expectOp(')');
        return { t: 'tuple', items };
      }
      this.expectOp(')');
      return e;
    }
    if (t.k === 'op' && t.v === '[') {
      const items: Expr[] = [];
      while (!this.isOp(']')) {
        items.push(this.expr());
        if (this.isOp(',')) this.p++;
        else if (!this.isOp(']')) throw new JinjaSyntaxError('expected "," or "]"');
      }
      this.p++;
      return { t: 'list', items };
    }
    if (t.k === 'op' && t.v === '{') {
      const items: [Expr, Expr][] = [];
      while (!this.isOp('}')) {
        const k = this.expr();
        this.expectOp(':');
        items.push([k, this.expr()]);
        if (this.isOp(',')) this.p++;
        else if (!this.isOp('}')) throw new JinjaSyntaxError('expected "," or "}"');
      }
      this.p++;
      return { t: 'dict', items };
    }
    throw new JinjaSyntaxError(t.k === 'end' ? 'unexpected end of expression' : `unexpected "${t.v}"`);
  }
}

/** A whole expression, or a JinjaSyntaxError. */
export function parseExpr(src: string): Expr {
  const p = new ExprParser(src);
  const e = p.expr();
  p.end();
  return e;
}
