import { LIBRARY_HELPER_NAMES } from './library/library-helpers.js';

// dbt projects ported to ft keep some Jinja by habit; Handlebars then reports a bare parse
// error, or passes a `{% … %}` statement to MySQL as text. These say what was meant instead.

/** Splits `a, f(b, c), d` at its top-level commas. */
function splitArgs(args: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < args.length; i++) {
    const c = args[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      out.push(args.slice(start, i));
      start = i + 1;
    }
  }
  out.push(args.slice(start));
  return out.map((a) => a.trim()).filter(Boolean);
}

/** One Jinja argument as Handlebars (`'a'` → `"a"`, `k='v'` → `k="v"`, `f('x')` → `(f "x")`), or undefined. */
function handlebarsArg(arg: string): string | undefined {
  const pair = /^(\w+)\s*=\s*(.+)$/s.exec(arg);
  if (pair) {
    const value = handlebarsArg(pair[2]!);
    return value === undefined ? undefined : `${pair[1]}=${value}`;
  }
  const quoted = /^(['"])(.*)\1$/s.exec(arg);
  if (quoted) return JSON.stringify(quoted[2]);
  if (/^-?\d+(\.\d+)?$/.test(arg)) return arg;
  if (/^(true|false)$/i.test(arg)) return arg.toLowerCase();
  const call = /^([\w.]+)\s*\((.*)\)$/s.exec(arg);
  if (call) {
    const inner = handlebarsCall(call[1]!, call[2]!);
    return inner === undefined ? undefined : `(${inner})`;
  }
  return undefined;
}

/** `name` called with Jinja `args`, as the inside of a Handlebars mustache, or undefined. */
function handlebarsCall(name: string, args: string): string | undefined {
  const parts = splitArgs(args).map(handlebarsArg);
  if (parts.some((p) => p === undefined)) return undefined;
  return [name, ...parts].join(' ');
}

/**
 * The first Jinja construct in a template — a call such as `{{ ref('orders') }}` or a
 * `{% … %}` statement — with its line and the Handlebars to write instead.
 */
export function jinjaHint(source: string): { line: number; hint: string } | undefined {
  const call = /\{\{-?\s*([\w.]+)\s*\(((?:[^()]|\([^()]*\))*)\)\s*-?\}\}/.exec(source);
  const statement = /\{%-?\s*(\w+)?[^%]*%\}/.exec(source);
  const first = [call, statement].filter((m): m is RegExpExecArray => m !== null).sort((a, b) => a.index - b.index)[0];
  if (!first) return undefined;
  const line = source.slice(0, first.index).split('\n').length;
  if (first === call) {
    const [, name, args] = call;
    // a namespaced macro the library lacks: suggesting {{ns.x …}} would only move the error
    const dot = name!.indexOf('.');
    if (dot > 0 && !LIBRARY_HELPER_NAMES.includes(name!)) {
      const ns = name!.slice(0, dot);
      return { line, hint: `"${first[0]}" is Jinja calling ${name}, which ft's library of dbt macros does not have: define it in a macros/*.js file (export const ${ns} = { ${name!.slice(dot + 1)}(...args) { return 'SQL'; } }), then write {{${name} …}} with its arguments separated by spaces` };
    }
    // ft has no return(): a partial's text is its value
    if (name === 'return') return { line, hint: `"${first[0]}" is Jinja; an ft macro (a partial) gives its text, so write the value itself in its place — a value computed from the arguments needs a JS helper in macros/*.js` };
    const converted = name === 'is_incremental' ? undefined : handlebarsCall(name!, args!);
    const instead =
      name === 'is_incremental' ? '{{#if (is_incremental)}} … {{/if}}' : converted === undefined ? `{{${name} …}}, its arguments separated by spaces` : `{{${converted}}}`;
    return { line, hint: `"${first[0]}" is Jinja; ft templates are Handlebars: write ${instead}` };
  }
  const instead: Record<string, string> = {
    if: '{{#if …}} … {{else}} … {{/if}} (is_incremental() becomes {{#if (is_incremental)}})',
    for: '{{#each …}} … {{/each}}',
    set: 'a var in project.yml or --vars, read with {{var "name"}}',
    macro: 'a partial in macros/<name>.sql ({{> name}}) or a helper in macros/*.js',
    snapshot: 'a snapshots/<name>.sql file holding the SELECT and {{config strategy=… unique_key=…}}, or a `snapshots:` entry in schema YAML (ft convert rewrites dbt\'s snapshot blocks so)',
  };
  return { line, hint: `"${first[0]}" is a Jinja statement; ft templates are Handlebars: use ${instead[statement![1] ?? ''] ?? '{{#if}}, {{#each}}, partials or helpers'}` };
}
