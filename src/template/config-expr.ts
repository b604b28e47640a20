import { readEnv } from '../util/env-reads.js';
import { FtError } from '../util/errors.js';

type HbNode = hbs.AST.Node;

/**
 * `{{config …}}` values computed from vars, the environment and the target, as dbt's
 * `config(enabled=var('x', false))`: `enabled=(var "x" false)`, `schema=(env_var "S" "raw")`,
 * `alias=target.name`, `tags=(array "a" (var "t"))`, `meta=(dict owner=(var "o"))`.
 *
 * The template's analysis is read without vars (and cached by the file's text), so such a
 * value is kept there as an expression — a small JSON object — and resolved by the loader
 * with the project's vars and target (resolveConfigExprs).
 */

const MARK = '$ft_config_expr';

interface ConfigExpr {
  [MARK]: 'var' | 'env_var' | 'target' | 'array' | 'dict';
  args: unknown[];
  hash?: Record<string, unknown>;
}

function isExpr(v: unknown): v is ConfigExpr {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && MARK in (v as object);
}

function literal(node: HbNode): unknown {
  switch (node.type) {
    case 'StringLiteral':
    case 'NumberLiteral':
    case 'BooleanLiteral':
      return (node as hbs.AST.StringLiteral).value;
    case 'NullLiteral':
    case 'UndefinedLiteral':
      return null;
    default:
      return undefined;
  }
}

/** A config value's expression, or undefined when it is neither a literal nor one ft computes at load. */
export function configValueExpr(node: HbNode): unknown {
  const lit = literal(node);
  if (lit !== undefined) return lit;
  if (node.type === 'PathExpression') {
    const p = node as hbs.AST.PathExpression;
    if (!p.data && p.parts.length === 2 && p.parts[0] === 'target') return { [MARK]: 'target', args: [p.parts[1]] } satisfies ConfigExpr;
    return undefined;
  }
  if (node.type !== 'SubExpression') return undefined;
  const s = node as hbs.AST.SubExpression;
  const name = s.path.type === 'PathExpression' ? (s.path as hbs.AST.PathExpression).original : '';
  if (name !== 'var' && name !== 'env_var' && name !== 'array' && name !== 'dict') return undefined;
  const args: unknown[] = [];
  for (const p of s.params) {
    const v = configValueExpr(p);
    if (v === undefined) return undefined;
    args.push(v);
  }
  let hash: Record<string, unknown> | undefined;
  for (const pair of s.hash?.pairs ?? []) {
    const v = configValueExpr(pair.value);
    if (v === undefined) return undefined;
    (hash ??= {})[pair.key] = v;
  }
  if ((name === 'var' || name === 'env_var') && (args.length < 1 || args.length > 2 || hash)) return undefined;
  return { [MARK]: name, args, ...(hash ? { hash } : {}) } satisfies ConfigExpr;
}

export interface ConfigExprContext {
  vars: Record<string, unknown>;
  target: { targetName: string; database: string; type: string; profileName: string };
  file: string;
}

/** The config with its expressions computed: vars, environment variables and target values. */
export function resolveConfigExprs(config: Record<string, unknown>, ctx: ConfigExprContext): Record<string, unknown> {
  let any = false;
  const walk = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(walk);
    if (!isExpr(v)) {
      if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
      return v;
    }
    any = true;
    const args = v.args.map(walk);
    switch (v[MARK]) {
      case 'var': {
        const name = String(args[0]);
        if (Object.prototype.hasOwnProperty.call(ctx.vars, name) && ctx.vars[name] !== undefined) return ctx.vars[name];
        if (args.length > 1) return args[1];
        throw new FtError(`required var "${name}" (in {{config}}) is not defined. Set it under \`vars:\` in project.yml, pass --vars '{${name}: …}', or give a default: (var "${name}" default).`, 2, ctx.file);
      }
      case 'env_var': {
        const name = String(args[0]);
        const value = readEnv(name);
        if (value !== undefined) return value;
        if (args.length > 1) return args[1];
        throw new FtError(`environment variable ${name} (in {{config}}) is not set and has no default. Export it or pass a default: (env_var "${name}" "value").`, 2, ctx.file);
      }
      case 'target': {
        const t = ctx.target;
        const part = String(args[0]);
        const values: Record<string, string> = { name: t.targetName, schema: t.database, database: t.database, type: t.type, profile_name: t.profileName };
        if (part in values) return values[part];
        throw new FtError(`target.${part} (in {{config}}) is not known; ft's target has name, schema, database, type and profile_name.`, 2, ctx.file);
      }
      case 'array':
        return args;
      case 'dict':
        return Object.fromEntries(Object.entries(v.hash ?? {}).map(([k, x]) => [k, walk(x)]));
    }
  };
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) out[k] = walk(v);
  return any ? out : config;
}
