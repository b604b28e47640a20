import { handlebars } from './handlebars-lib.js';
import { FtError } from '../util/errors.js';
import { fastParse } from './fast-parse.js';
import { jinjaHint } from './jinja-hint.js';
import { configValueExpr } from './config-expr.js';
import { rewriteNamespacedCalls } from './namespaced-calls.js';

type HbNode = hbs.AST.Node;

/** A ref or source call found in a template, with its position for messages. */
export interface CallSite<T> {
  value: T;
  line: number;
  column: number;
}

/** What a template depends on, read from its AST without rendering it. */
export interface TemplateAnalysis {
  refs: CallSite<string>[];
  sources: CallSite<[string, string]>[];
  /** `{{config ...}}` hash values (literals only) */
  config: Record<string, unknown>;
  partials: CallSite<string>[];
  helpers: CallSite<string>[];
  /** names of bare `{{name}}` lookups, checked against helpers by the caller */
  lookups: CallSite<string>[];
  /** calls whose arguments were not literals: resolved only at render time */
  dynamicRefs: number;
}

const BUILTIN_BLOCKS = new Set(['if', 'unless', 'each', 'with', 'lookup', 'log']);

/** Parsed templates by source text: a template is parsed once per process (analysis, then render). */
const parsed = new Map<string, hbs.AST.Program>();

/** A Handlebars parse error as an FtError with file, line and a fix. */
export function parseTemplate(source: string, file: string): hbs.AST.Program {
  const hit = parsed.get(source);
  if (hit) return hit;
  try {
    // Handlebars' own parser only for what the fast one declines (and for its error messages)
    const ast = rewriteNamespacedCalls(fastParse(source) ?? handlebars().parse(source));
    // a long-lived process (watch, docs serve) sees many versions of each file: bound the memo
    if (parsed.size >= 50_000) parsed.clear();
    parsed.set(source, ast);
    return ast;
  } catch (e) {
    const msg = (e as Error).message;
    const m = /Parse error on line (\d+)/.exec(msg);
    // Mismatched blocks ("if doesn't match each - 2:3") carry their position on the error.
    const at = (e as { lineNumber?: number }).lineNumber;
    let line = m ? Number(m[1]) : typeof at === 'number' ? at : undefined;
    const lastLine = source.replace(/\n$/, '').split('\n').length;
    if (line !== undefined && line > lastLine) line = lastLine;
    const jinja = jinjaHint(source);
    if (jinja) throw new FtError(`${jinja.hint}.`, 2, file, jinja.line);
    const got = /got '([A-Z_]+)'/.exec(msg)?.[1];
    let detail: string;
    if (got === 'EOF' && msg.includes('OPEN_ENDBLOCK')) detail = 'the template ends inside a block: a {{#if}}, {{#each}} or {{#unless}} is never closed';
    else if (got === 'EOF') detail = 'the template ends inside a {{ … }} that is never closed';
    else if (m) detail = `unexpected ${got ? `${got.toLowerCase().replace(/_/g, ' ')} ` : ''}near "${(msg.split('\n')[1] ?? '').trim()}"`;
    else detail = msg.split('\n')[0]!.replace(/ - \d+:\d+$/, '');
    throw new FtError(
      `Handlebars syntax error: ${detail}. Check that every {{#if}}/{{#each}} has its {{/if}}/{{/each}} and every {{ has its }}.`,
      2,
      file,
      line,
    );
  }
}

function literal(node: HbNode): unknown {
  switch (node.type) {
    case 'StringLiteral':
      return (node as hbs.AST.StringLiteral).value;
    case 'NumberLiteral':
      return (node as hbs.AST.NumberLiteral).value;
    case 'BooleanLiteral':
      return (node as hbs.AST.BooleanLiteral).value;
    case 'NullLiteral':
    case 'UndefinedLiteral':
      return null;
    default:
      return undefined;
  }
}

/** Config values are literals; a string that looks like JSON/YAML list (`'["a","b"]'`) is parsed. */
function configValue(v: unknown): unknown {
  if (typeof v === 'string' && /^\s*[[{]/.test(v)) {
    try {
      return JSON.parse(v);
    } catch {
      return v;
    }
  }
  return v;
}

export function analyseTemplate(ast: hbs.AST.Program, file: string): TemplateAnalysis {
  const out: TemplateAnalysis = { refs: [], sources: [], config: {}, partials: [], helpers: [], lookups: [], dynamicRefs: 0 };
  const pos = (n: HbNode) => ({ line: n.loc?.start.line ?? 0, column: (n.loc?.start.column ?? 0) + 1 });

  const call = (n: hbs.AST.MustacheStatement | hbs.AST.SubExpression | hbs.AST.BlockStatement, isBlock: boolean): void => {
    const path = n.path as hbs.AST.PathExpression;
    const name = path.type === 'PathExpression' ? path.original : undefined;
    const params = n.params ?? [];
    const hasArgs = params.length > 0 || (n.hash?.pairs.length ?? 0) > 0;
    for (const p of params) visit(p);
    for (const pair of n.hash?.pairs ?? []) visit(pair.value);
    if (!name || path.data || name === 'this' || name.startsWith('this.') || name.startsWith('@')) return;
    if (name === 'ref') {
      const args = params.map(literal);
      if (args.length === 0 || args.some((a) => typeof a !== 'string')) {
        out.dynamicRefs++;
        return;
      }
      // {{ref "package" "model"}} — only this project's package exists.
      out.refs.push({ value: args[args.length - 1] as string, ...pos(n) });
    } else if (name === 'source') {
      const args = params.map(literal);
      if (args.length !== 2 || args.some((a) => typeof a !== 'string')) {
        throw new FtError(
          `{{source}} takes two quoted names: {{source "source_name" "table_name"}}.`,
          2,
          file,
          pos(n).line,
        );
      }
      out.sources.push({ value: [args[0] as string, args[1] as string], ...pos(n) });
    } else if (name === 'config') {
      for (const pair of n.hash?.pairs ?? []) {
        const lit = literal(pair.value);
        // a value computed from vars, env or target is kept as an expression the loader resolves
        const v = lit !== undefined ? configValue(lit) : configValueExpr(pair.value);
        if (v === undefined) {
          throw new FtError(`{{config ${pair.key}=…}} needs a literal value (a quoted string, number or true/false) or one computed from vars: (var "x" default), (env_var "X" "default"), target.name, (array …), (dict …).`, 2, file, pos(n).line);
        }
        out.config[pair.key] = v;
      }
    } else if (isBlock || hasArgs || n.type === 'SubExpression' || (path.parts.length === 1 && name.includes('.'))) {
      // (a one-part dotted name is a namespaced call, namespaced-calls.ts: a helper even bare and inside #each)
      if (!BUILTIN_BLOCKS.has(name)) out.helpers.push({ value: name, ...pos(n) });
    } else if (contextBlocks === 0) {
      out.lookups.push({ value: name, ...pos(n) });
    }
  };
  // Inside {{#each}}, {{#with}} and other context-changing blocks, {{name}} reads the block's
  // context (e.g. a field of each item), so bare lookups are only checked outside them.
  let contextBlocks = 0;
  const inline = new Set<string>();

  const visit = (n: HbNode | null | undefined): void => {
    if (!n) return;
    switch (n.type) {
      case 'Program':
        for (const s of (n as hbs.AST.Program).body) visit(s);
        break;
      case 'MustacheStatement':
        call(n as hbs.AST.MustacheStatement, false);
        break;
      case 'SubExpression':
        call(n as hbs.AST.SubExpression, false);
        break;
      case 'BlockStatement': {
        const b = n as hbs.AST.BlockStatement;
        call(b, true);
        const blockName = b.path.type === 'PathExpression' ? (b.path as hbs.AST.PathExpression).original : '';
        const changesContext = blockName !== 'if' && blockName !== 'unless';
        if (changesContext) contextBlocks++;
        visit(b.program);
        if (changesContext) contextBlocks--;
        visit(b.inverse);
        break;
      }
      case 'DecoratorBlock': {
        // {{#*inline "name"}} … {{/inline}}: a partial defined in the template itself
        const d = n as unknown as hbs.AST.BlockStatement;
        const name = d.params?.[0] ? literal(d.params[0]) : undefined;
        if (typeof name === 'string') inline.add(name);
        contextBlocks++;
        visit(d.program);
        contextBlocks--;
        break;
      }
      case 'PartialStatement':
      case 'PartialBlockStatement': {
        const p = n as hbs.AST.PartialStatement;
        const name = p.name.type === 'PathExpression' ? (p.name as hbs.AST.PathExpression).original : literal(p.name);
        if (typeof name === 'string') out.partials.push({ value: name, ...pos(n) });
        for (const param of p.params ?? []) visit(param);
        for (const pair of p.hash?.pairs ?? []) visit(pair.value);
        if (n.type === 'PartialBlockStatement') visit((n as hbs.AST.PartialBlockStatement).program);
        break;
      }
      default:
        break;
    }
  };
  visit(ast);
  if (inline.size) out.partials = out.partials.filter((p) => !inline.has(p.value));
  return out;
}
