import { createRequire } from 'node:module';

/**
 * A hand-written lexer and recursive-descent parser for the Handlebars syntax models use,
 * producing the AST `Handlebars.parse` produces (same nodes, strip flags and locations).
 *
 * Why: Handlebars' generated (jison) parser tries its lexer rules one regex at a time on a
 * re-sliced string; on a project of thousands of models that was about half a second of a
 * cold compile. This parser reads each token once, builds the nodes with Handlebars' own
 * AST helpers and whitespace pass, and gives up (returns undefined) on anything outside the
 * common subset — raw blocks, escaped mustaches, decorators, inverse sections, partial
 * blocks, block params, `{{&x}}` and every syntax error — which `Handlebars.parse` then
 * handles, errors included. tests/unit/fast-parse.test.ts compares both parsers.
 */

type Loc = { first_line: number; last_line: number; first_column: number; last_column: number };
type Node = Record<string, unknown> & { loc?: unknown };

interface HandlebarsHelpers {
  SourceLocation: new (source: string | undefined, loc: Loc) => unknown;
  id(token: string): string;
  stripFlags(open: string, close: string): { open: boolean; close: boolean };
  stripComment(comment: string): string;
  preparePath(this: Yy, data: boolean, parts: Array<{ part: string; original: string; separator?: string }>, loc: Loc): Node;
  prepareMustache(this: Yy, path: Node, params: Node[], hash: Node | undefined, open: string, strip: unknown, loc: Loc): Node;
  prepareBlock(this: Yy, open: Node, program: Node, inverse: Node | undefined, close: Node | undefined, inverted: boolean, loc: Loc): Node;
  prepareProgram(statements: Node[], loc?: unknown): Node;
}
type Yy = HandlebarsHelpers & { locInfo(loc: Loc): unknown };

// Handlebars' own AST builders and whitespace pass (the package has no `exports` map), so
// the nodes match the installed version's.
const require = createRequire(import.meta.url);
const helpers = require('handlebars/dist/cjs/handlebars/compiler/helpers.js') as HandlebarsHelpers;
const WhitespaceControl = require('handlebars/dist/cjs/handlebars/compiler/whitespace-control.js') as new () => { accept(n: Node): Node };
const yy: Yy = { ...helpers, locInfo: (loc: Loc) => new helpers.SourceLocation(undefined, loc) };

type Kind =
  | 'CONTENT' | 'COMMENT' | 'OPEN' | 'OPEN_UNESCAPED' | 'OPEN_BLOCK' | 'OPEN_ENDBLOCK' | 'INVERSE' | 'OPEN_INVERSE_CHAIN'
  | 'OPEN_PARTIAL' | 'OPEN_SEXPR' | 'CLOSE_SEXPR' | 'CLOSE' | 'CLOSE_UNESCAPED' | 'EQUALS' | 'ID' | 'SEP' | 'STRING'
  | 'NUMBER' | 'BOOLEAN' | 'UNDEFINED' | 'NULL' | 'DATA' | 'EOF';

interface Token {
  kind: Kind;
  text: string;
  loc: Loc;
}

/** Thrown inside the parser when the template leaves the supported subset. */
const UNSUPPORTED = Symbol('unsupported');

// The lexer rules of Handlebars' grammar (handlebars.l), sticky instead of anchored.
const WHITESPACE = /\s+/y;
const ELSE_INVERSE = /\{\{~?\s*else\s*~?\}\}/y;
const ELSE_CHAIN = /\{\{~?\s*else\b/y;
const CARET_INVERSE = /\{\{~?\^\s*~?\}\}/y;
const LONG_COMMENT_END = /--~?\}\}/g;
const STRING_DQ = /"(\\["]|[^"])*"/y;
const STRING_SQ = /'(\\[']|[^'])*'/y;
const TRUE = /true(?=[~}\s)])/y;
const FALSE = /false(?=[~}\s)])/y;
const UNDEFINED = /undefined(?=[~}\s)])/y;
const NULL = /null(?=[~}\s)])/y;
const NUMBER = /-?[0-9]+(?:\.[0-9]+)?(?=[~}\s)])/y;
const BLOCK_PARAMS = /as\s+\|/y;
const ID = /[^\s!"#%-,\.\/;->@\[-\^`\{-~]+(?=([=~}\s\/.)|]))/y;
const LITERAL_SEGMENT = /\[(\\\]|[^\]])*\]/y;
const LINES = /(?:\r\n?|\n).*/g;
const LINE_BREAK_PREFIX = /\r?\n?/;
const WHITESPACE_START = /\s/;

/** ASCII characters the ID rule accepts, and those its lookahead accepts after an ID. */
const ID_CHAR = new Uint8Array(128);
const ID_FOLLOW = new Uint8Array(128);
/** First characters of the rules tried before ID (literals, numbers, `as |`): those go the regex way. */
const KEYWORD_START = new Uint8Array(128);
for (let code = 0; code < 128; code++) {
  const ch = String.fromCharCode(code);
  ID_CHAR[code] = /^[^\s!"#%-,\.\/;->@\[-\^`\{-~]$/.test(ch) ? 1 : 0;
  ID_FOLLOW[code] = /^[=~}\s\/.)|]$/.test(ch) ? 1 : 0;
  KEYWORD_START[code] = /^[tfuna0-9-]$/.test(ch) ? 1 : 0;
}
function stickyAt(re: RegExp, source: string, at: number): string | undefined {
  re.lastIndex = at;
  return re.exec(source)?.[0];
}

/** The token stream of Handlebars' lexer, locations computed as jison computes them. */
function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let column = 0;
  let pos = 0;
  const advance = (text: string): Loc => {
    const first_line = line;
    const first_column = column;
    const lf = text.lastIndexOf('\n');
    if (lf === -1 && !text.includes('\r')) {
      column += text.length;
    } else if (text.includes('\r')) {
      // jison: lines = text.match(/(?:\r\n?|\n).*/g), column = the last one without its break
      const lines = text.match(LINES)!;
      line += lines.length;
      const last = lines[lines.length - 1]!;
      column = last.length - LINE_BREAK_PREFIX.exec(last)![0].length;
    } else {
      // the same for "\n" only, without the arrays; `.` stops at U+2028/U+2029
      let breaks = 0;
      for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) breaks++;
      line += breaks;
      let stop = text.length;
      for (let i = lf + 1; i < stop; i++) {
        const code = text.charCodeAt(i);
        if (code === 0x2028 || code === 0x2029) stop = i;
      }
      column = stop - lf - 1;
    }
    pos += text.length;
    return { first_line, last_line: line, first_column, last_column: column };
  };
  const push = (kind: Kind, text: string, value = text): void => {
    tokens.push({ kind, text: value, loc: advance(text) });
  };
  const n = source.length;
  for (;;) {
    // INITIAL state: content up to the next `{{`
    if (pos >= n) break;
    const open = source.indexOf('{{', pos);
    if (open === -1) {
      push('CONTENT', source.slice(pos));
      break;
    }
    if (open > pos) {
      if (source.charCodeAt(open - 1) === 92 /* \ escapes the mustache */) throw UNSUPPORTED;
      push('CONTENT', source.slice(pos, open));
    }
    // mu state: tokens up to the closing `}}`
    for (;;) {
      if (pos >= n) throw UNSUPPORTED;
      const c = source[pos]!;
      if (c === '{') {
        if (source[pos + 1] !== '{' || source[pos + 2] === '{' && source[pos + 3] === '{') throw UNSUPPORTED;
        let q = pos + 2;
        if (source[q] === '~') q++;
        const d = source[q];
        const opener = (kind: Kind, end: number): void => push(kind, source.slice(pos, end));
        if (d === '>') opener('OPEN_PARTIAL', q + 1);
        else if (d === '#') {
          if (source[q + 1] === '>' || source[q + 1] === '*') throw UNSUPPORTED;
          opener('OPEN_BLOCK', q + 1);
        } else if (d === '/') opener('OPEN_ENDBLOCK', q + 1);
        else if (d === '^') {
          const inverse = stickyAt(CARET_INVERSE, source, pos);
          if (inverse === undefined) throw UNSUPPORTED;
          push('INVERSE', inverse);
          break;
        } else if (d === '{') opener('OPEN_UNESCAPED', q + 1);
        else if (d === '!') {
          let end: number;
          if (source.startsWith('--', q + 1)) {
            LONG_COMMENT_END.lastIndex = q + 1;
            const m = LONG_COMMENT_END.exec(source);
            if (!m) throw UNSUPPORTED;
            end = m.index + m[0].length;
          } else {
            const close = source.indexOf('}}', q + 1);
            if (close === -1) throw UNSUPPORTED;
            end = close + 2;
          }
          push('COMMENT', source.slice(pos, end));
          break;
        } else if (d === '&' || d === '*') throw UNSUPPORTED;
        else {
          const inverse = stickyAt(ELSE_INVERSE, source, pos);
          if (inverse !== undefined) {
            push('INVERSE', inverse);
            break;
          }
          const chain = stickyAt(ELSE_CHAIN, source, pos);
          if (chain !== undefined) push('OPEN_INVERSE_CHAIN', chain);
          else opener('OPEN', q);
        }
        continue;
      }
      if (c === '}') {
        if (source.startsWith('}}}}', pos)) throw UNSUPPORTED;
        if (source.startsWith('}}}', pos)) push('CLOSE_UNESCAPED', '}}}');
        else if (source.startsWith('}~}}', pos)) push('CLOSE_UNESCAPED', '}~}}');
        else if (source.startsWith('}}', pos)) push('CLOSE', '}}');
        else throw UNSUPPORTED;
        break;
      }
      if (c === '~') {
        if (!source.startsWith('~}}', pos)) throw UNSUPPORTED;
        push('CLOSE', '~}}');
        break;
      }
      if (c === '(') push('OPEN_SEXPR', c);
      else if (c === ')') push('CLOSE_SEXPR', c);
      else if (c === '=') push('EQUALS', c);
      else if (c === '.') {
        if (source[pos + 1] === '.') push('ID', '..');
        else if (/[=~}\s/.)|]/.test(source[pos + 1] ?? '')) push('ID', '.');
        else push('SEP', '.');
      } else if (c === '/') push('SEP', c);
      else if (c === '@') push('DATA', c);
      else if (c === '"' || c === "'") {
        const s = stickyAt(c === '"' ? STRING_DQ : STRING_SQ, source, pos);
        if (s === undefined) throw UNSUPPORTED;
        push('STRING', s, s.slice(1, -1).replace(c === '"' ? /\\"/g : /\\'/g, c));
      } else {
        const code = source.charCodeAt(pos);
        if (code === 32 || (code >= 9 && code <= 13) || (code > 127 && WHITESPACE_START.test(c))) {
          advance(stickyAt(WHITESPACE, source, pos)!);
          continue;
        }
        let t: string | undefined;
        if (code < 128 && ID_CHAR[code]) {
          // the common case, an ASCII identifier, without the regex
          let end = pos + 1;
          while (end < n && source.charCodeAt(end) < 128 && ID_CHAR[source.charCodeAt(end)]) end++;
          const next = source.charCodeAt(end);
          if (next < 128 && ID_FOLLOW[next] && !KEYWORD_START[code]) {
            push('ID', source.slice(pos, end));
            continue;
          }
        }
        if (c === 't' && (t = stickyAt(TRUE, source, pos))) push('BOOLEAN', t);
        else if (c === 'f' && (t = stickyAt(FALSE, source, pos))) push('BOOLEAN', t);
        else if (c === 'u' && (t = stickyAt(UNDEFINED, source, pos))) push('UNDEFINED', t);
        else if (c === 'n' && (t = stickyAt(NULL, source, pos))) push('NULL', t);
        else if ((c === '-' || (c >= '0' && c <= '9')) && (t = stickyAt(NUMBER, source, pos))) push('NUMBER', t);
        else if (c === 'a' && stickyAt(BLOCK_PARAMS, source, pos) !== undefined) throw UNSUPPORTED;
        else if ((t = stickyAt(ID, source, pos))) push('ID', t);
        else if (c === '[' && (t = stickyAt(LITERAL_SEGMENT, source, pos))) push('ID', t, t.replace(/\\([\\\]])/g, '$1'));
        else throw UNSUPPORTED;
      }
    }
  }
  const end = { first_line: line, last_line: line, first_column: column, last_column: column };
  tokens.push({ kind: 'EOF', text: '', loc: end });
  return tokens;
}

function span(from: Loc, to: Loc): Loc {
  return { first_line: from.first_line, last_line: to.last_line, first_column: from.first_column, last_column: to.last_column };
}

/** Recursive descent over the token stream, following handlebars.yy production by production. */
class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.i]!;
  }

  private take(kind?: Kind): Token {
    const t = this.tokens[this.i]!;
    if (kind && t.kind !== kind) throw UNSUPPORTED;
    this.i++;
    return t;
  }

  root(): Node {
    // the root's span is computed from its statements: `before` is not used for it
    const { program } = this.program(this.peek().loc);
    if (this.peek().kind !== 'EOF') throw UNSUPPORTED;
    return program;
  }

  /** statement*; `end` is where the program's span ends (the last statement, or what came before). */
  private program(before: Loc): { program: Node; end: Loc } {
    const body: Node[] = [];
    let end = before;
    for (;;) {
      const t = this.peek();
      let node: Node;
      let last: Loc;
      switch (t.kind) {
        case 'CONTENT':
          this.i++;
          node = { type: 'ContentStatement', original: t.text, value: t.text, loc: yy.locInfo(t.loc) };
          last = t.loc;
          break;
        case 'COMMENT':
          this.i++;
          node = { type: 'CommentStatement', value: yy.stripComment(t.text), strip: yy.stripFlags(t.text, t.text), loc: yy.locInfo(t.loc) };
          last = t.loc;
          break;
        case 'OPEN':
        case 'OPEN_UNESCAPED':
          ({ node, last } = this.mustache());
          break;
        case 'OPEN_BLOCK':
          ({ node, last } = this.block());
          break;
        case 'OPEN_PARTIAL':
          ({ node, last } = this.partial());
          break;
        default:
          return { program: yy.prepareProgram(body), end };
      }
      body.push(node);
      end = last;
    }
  }

  private mustache(): { node: Node; last: Loc } {
    const open = this.take();
    const { path, params, hash } = this.call();
    const close = this.take(open.kind === 'OPEN' ? 'CLOSE' : 'CLOSE_UNESCAPED');
    const node = yy.prepareMustache(path, params, hash, open.text, yy.stripFlags(open.text, close.text), span(open.loc, close.loc));
    return { node, last: close.loc };
  }

  private partial(): { node: Node; last: Loc } {
    const open = this.take();
    const name = this.peek().kind === 'OPEN_SEXPR' ? this.sexpr().node : this.helperName();
    const { params, hash } = this.arguments();
    const close = this.take('CLOSE');
    const node: Node = {
      type: 'PartialStatement',
      name,
      params,
      hash,
      indent: '',
      strip: yy.stripFlags(open.text, close.text),
      loc: yy.locInfo(span(open.loc, close.loc)),
    };
    return { node, last: close.loc };
  }

  /** openBlock program inverseChain? closeBlock */
  private block(): { node: Node; last: Loc } {
    const { open: openBlock, last: openEnd } = this.opening();
    const { program } = this.program(openEnd);
    const inverse = this.inverseChain();
    const endOpen = this.take('OPEN_ENDBLOCK');
    const closePath = this.helperName();
    const closeTok = this.take('CLOSE');
    if ((closePath.original as unknown) !== (openBlock.path as Node).original) throw UNSUPPORTED;
    const close: Node = { path: closePath, strip: yy.stripFlags(endOpen.text, closeTok.text) };
    const node = yy.prepareBlock(openBlock, program, inverse?.node, close, false, span(openBlock.loc as Loc, closeTok.loc));
    return { node, last: closeTok.loc };
  }

  /** OPEN_BLOCK / OPEN_INVERSE_CHAIN helperName param* hash? CLOSE */
  private opening(): { open: Node; last: Loc } {
    const open = this.take();
    const { path, params, hash } = this.call();
    const close = this.take('CLOSE');
    return { open: { open: open.text, path, params, hash, blockParams: undefined, strip: yy.stripFlags(open.text, close.text), loc: open.loc }, last: close.loc };
  }

  /** inverseChain: openInverseChain program inverseChain? | INVERSE program; undefined when neither follows. */
  private inverseChain(): { node: Node; last: Loc } | undefined {
    const t = this.peek();
    if (t.kind === 'INVERSE') {
      this.i++;
      const { program, end } = this.program(t.loc);
      return { node: { strip: yy.stripFlags(t.text, t.text), program }, last: end };
    }
    if (t.kind !== 'OPEN_INVERSE_CHAIN') return undefined;
    const { open, last: openEnd } = this.opening();
    const { program, end } = this.program(openEnd);
    const nested = this.inverseChain();
    const last = nested ? nested.last : end;
    const inverse = yy.prepareBlock(open, program, nested?.node, nested?.node, false, span(open.loc as Loc, last));
    const chained = yy.prepareProgram([inverse], program.loc);
    chained.chained = true;
    return { node: { strip: open.strip, program: chained, chain: true }, last };
  }

  /** helperName param* hash? — the head of a mustache, block or subexpression. */
  private call(): { path: Node; params: Node[]; hash: Node | undefined } {
    const path = this.helperName();
    return { path, ...this.arguments() };
  }

  private arguments(): { params: Node[]; hash: Node | undefined } {
    const params: Node[] = [];
    const pairs: Node[] = [];
    let first: Loc | undefined;
    let last: Loc | undefined;
    for (;;) {
      const t = this.peek();
      if (t.kind === 'ID' && this.tokens[this.i + 1]!.kind === 'EQUALS') {
        this.i += 2;
        const { node: value, last: valueEnd } = this.param();
        pairs.push({ type: 'HashPair', key: yy.id(t.text), value, loc: yy.locInfo(span(t.loc, valueEnd)) });
        first ??= t.loc;
        last = valueEnd;
        continue;
      }
      if (pairs.length > 0 || !this.startsParam(t.kind)) break;
      params.push(this.param().node);
    }
    const hash = pairs.length ? { type: 'Hash', pairs, loc: yy.locInfo(span(first!, last!)) } : undefined;
    return { params, hash };
  }

  private startsParam(kind: Kind): boolean {
    return kind === 'OPEN_SEXPR' || kind === 'ID' || kind === 'DATA' || kind === 'STRING' || kind === 'NUMBER' || kind === 'BOOLEAN' || kind === 'UNDEFINED' || kind === 'NULL';
  }

  /** param: helperName | sexpr */
  private param(): { node: Node; last: Loc } {
    if (this.peek().kind === 'OPEN_SEXPR') return this.sexpr();
    const node = this.helperName();
    return { node, last: this.tokens[this.i - 1]!.loc };
  }

  private sexpr(): { node: Node; last: Loc } {
    const open = this.take('OPEN_SEXPR');
    const { path, params, hash } = this.call();
    const close = this.take('CLOSE_SEXPR');
    return { node: { type: 'SubExpression', path, params, hash, loc: yy.locInfo(span(open.loc, close.loc)) }, last: close.loc };
  }

  /** helperName: path | dataName | STRING | NUMBER | BOOLEAN | UNDEFINED | NULL */
  private helperName(): Node {
    const t = this.take();
    const loc = yy.locInfo(t.loc);
    switch (t.kind) {
      case 'STRING':
        return { type: 'StringLiteral', value: t.text, original: t.text, loc };
      case 'NUMBER':
        return { type: 'NumberLiteral', value: Number(t.text), original: Number(t.text), loc };
      case 'BOOLEAN':
        return { type: 'BooleanLiteral', value: t.text === 'true', original: t.text === 'true', loc };
      case 'UNDEFINED':
        return { type: 'UndefinedLiteral', original: undefined, value: undefined, loc };
      case 'NULL':
        return { type: 'NullLiteral', original: null, value: null, loc };
      case 'DATA':
        return this.path(true, this.take('ID'), t.loc);
      case 'ID':
        return this.path(false, t, t.loc);
      default:
        throw UNSUPPORTED;
    }
  }

  /** pathSegments: pathSegments SEP ID | ID */
  private path(data: boolean, first: Token, from: Loc): Node {
    const parts = [{ part: yy.id(first.text), original: first.text } as { part: string; original: string; separator?: string }];
    let last = first.loc;
    while (this.peek().kind === 'SEP') {
      const sep = this.take();
      const id = this.take('ID');
      parts.push({ part: yy.id(id.text), original: id.text, separator: sep.text });
      last = id.loc;
    }
    return yy.preparePath(data, parts, span(from, last));
  }
}

/** The AST Handlebars.parse would return, or undefined when the template needs Handlebars' own parser. */
export function fastParse(source: string): hbs.AST.Program | undefined {
  if (source.includes('\u0000') || source.includes('{{{{')) return undefined;
  let ast: Node;
  try {
    ast = new Parser(tokenize(source)).root();
  } catch {
    // outside the subset (UNSUPPORTED), or an error of Handlebars' own helpers (an invalid
    // path such as `foo.this`): Handlebars parses it and reports what is wrong
    return undefined;
  }
  return new WhitespaceControl().accept(ast) as unknown as hbs.AST.Program;
}
