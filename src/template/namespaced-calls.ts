/**
 * dbt calls macros by namespace (`dbt.date_trunc`, `dbt_utils.star`); Handlebars reads
 * `{{dbt.date_trunc "day" "x"}}` as the path dbt → date_trunc in the current context, which
 * finds nothing. So right after parsing, a dotted name in a call's position becomes one helper
 * name, `dbt.date_trunc`, looked up among the helpers like any other (the library registers
 * its macros under such names, a project's macros/*.js may export `const ns = { fn }`).
 *
 * A dotted name is taken as a call when it is given arguments or is a sub-expression, or,
 * bare, when its first part is one of the library's namespaces (`{{dbt.type_string}}`, as dbt
 * writes `dbt.type_string()`). Any other bare path (`{{target.name}}`, `{{col.name}}` inside
 * an `{{#each}}`) stays a path.
 */

/** Namespaces of ft's built-in library of dbt macros: a bare `{{ns.x}}` under them is a call. */
export const LIBRARY_NAMESPACES: ReadonlySet<string> = new Set(['dbt', 'dbt_utils', 'dbt_date']);

type Call = hbs.AST.MustacheStatement | hbs.AST.BlockStatement | hbs.AST.SubExpression;

function rewriteCallee(n: Call): void {
  const p = n.path as hbs.AST.PathExpression;
  if (p.type !== 'PathExpression' || p.data || p.depth || p.parts.length !== 2) return;
  if (!/^[A-Za-z_]\w*\.[A-Za-z_]\w*$/.test(p.original) || p.parts[0] === 'this') return;
  const isCall = n.type === 'SubExpression' || (n.params?.length ?? 0) > 0 || (n.hash?.pairs.length ?? 0) > 0 || LIBRARY_NAMESPACES.has(p.parts[0]!);
  if (!isCall) return;
  p.parts = [p.original];
}

function visitAll(nodes: readonly hbs.AST.Node[] | undefined): void {
  if (nodes) for (const n of nodes) visit(n);
}

function visitHash(h: hbs.AST.Hash | undefined): void {
  if (h) for (const pair of h.pairs) visit(pair.value);
}

function visit(n: hbs.AST.Node | null | undefined): void {
  if (!n) return;
  switch (n.type) {
    case 'Program':
      visitAll((n as hbs.AST.Program).body);
      break;
    case 'MustacheStatement':
    case 'SubExpression':
    case 'BlockStatement':
    case 'DecoratorBlock':
    case 'Decorator': {
      const c = n as hbs.AST.BlockStatement;
      if (n.type !== 'Decorator' && n.type !== 'DecoratorBlock') rewriteCallee(c);
      visitAll(c.params);
      visitHash(c.hash);
      visit(c.program);
      visit(c.inverse);
      break;
    }
    case 'PartialStatement':
    case 'PartialBlockStatement': {
      const p = n as hbs.AST.PartialBlockStatement;
      visitAll(p.params);
      visitHash(p.hash);
      visit(p.program);
      break;
    }
    default:
      break;
  }
}

/** Rewrites the dotted callee names of a freshly parsed template in place (see above). */
export function rewriteNamespacedCalls(ast: hbs.AST.Program): hbs.AST.Program {
  visit(ast);
  return ast;
}
