import Handlebars from 'handlebars';
import { FtError } from '../util/errors.js';

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

/** A Handlebars parse error as an FtError with file, line and a fix. */
export function parseTemplate(source: string, file: string): hbs.AST.Program {
  try {
    return Handlebars.parse(source);
  } catch (e) {
    const msg = (e as Error).message;
    const m = /Parse error on line (\d+)/.exec(msg);
    const detail = msg.split('\n').slice(1, 3).join(' ').replace(/\s+/g, ' ').trim();
    throw new FtError(
      `Handlebars syntax error: ${detail || msg.split('\n')[0]}. Check that every {{#if}}/{{#each}} has its {{/if}}/{{/each}} and every {{ has its }}.`,
      2,
      file,
      m ? Number(m[1]) : undefined,
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
        const v = literal(pair.value);
        if (v === undefined) {
          throw new FtError(`{{config ${pair.key}=…}} needs a literal value (a quoted string, number or true/false).`, 2, file, pos(n).line);
        }
        out.config[pair.key] = configValue(v);
      }
    } else if (isBlock || hasArgs || n.type === 'SubExpression') {
      if (!BUILTIN_BLOCKS.has(name)) out.helpers.push({ value: name, ...pos(n) });
    } else {
      out.lookups.push({ value: name, ...pos(n) });
    }
  };

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
        visit(b.program);
        visit(b.inverse);
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
  return out;
}
