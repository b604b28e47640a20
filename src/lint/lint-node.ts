import type { Node } from '../project/types.js';
import { cteName } from '../template/compiler.js';
import { parseTemplate } from '../template/template-analysis.js';
import { FtError } from '../util/errors.js';
import { closingParen, findTraps, TRAP_ADVICE, TRAP_RULES, type Trap, type TrapRule } from './mysql-traps.js';
import { sourcePlaces } from './source-lines.js';

const NO_RULES: ReadonlySet<TrapRule> = new Set();
const KNOWN = new Set<string>(TRAP_RULES);

/**
 * The rules a node's config turns off (`lint_ignore`: a list, one name, or names separated by
 * commas; inline `{{config lint_ignore="double_dash"}}` or `'["double_dash", "ilike"]'`, YAML
 * `config: lint_ignore: [...]`, project.yml `+lint_ignore`). `all` (or true) turns off every rule.
 */
export function lintIgnore(node: Node): ReadonlySet<TrapRule> {
  const v = node.config.lint_ignore;
  if (v === undefined || v === null || v === false) return NO_RULES;
  if (v === true) return new Set(TRAP_RULES);
  const names = (Array.isArray(v) ? v.map(String) : String(v).split(',')).map((s) => s.trim()).filter(Boolean);
  if (names.includes('all')) return new Set(TRAP_RULES);
  const unknown = names.filter((n) => !KNOWN.has(n));
  if (unknown.length) {
    const where = node.test_metadata && node.declared_at ? node.declared_at : { file: node.original_file_path, line: undefined };
    throw new FtError(`lint_ignore of ${node.resource_type} ${node.name} names no lint rule: ${unknown.map((n) => `"${n}"`).join(', ')}. The rules: ${TRAP_RULES.join(', ')} (or all).`, 2, where.file, where.line);
  }
  return new Set(names as TrapRule[]);
}

/**
 * The warnings for the MySQL traps in a node's compiled SQL: `file:line: …` with the line in
 * the model's (or singular test's) source file — a generic test's, where it is declared in
 * YAML. `ephemerals` are the node's ephemeral parents, whose SQL the compiler put in front as
 * CTEs: their traps are reported on their own files, not again here.
 */
export function lintNode(node: Node, sql: string, ephemerals: readonly Node[] = []): string[] {
  const ignore = lintIgnore(node);
  if (ignore.size === TRAP_RULES.length) return [];
  let traps = findTraps(sql);
  if (traps.length === 0) return [];
  const own = ownSqlStart(sql, ephemerals);
  traps = traps.filter((t) => !ignore.has(t.rule) && (t.offset >= own.end || t.offset < own.start));
  if (traps.length === 0) return [];
  const out: string[] = [];
  const seen = new Set<string>();
  const add = (where: string, t: Trap, from?: string): void => {
    const key = `${where}|${t.rule}`;
    if (seen.has(key)) return;
    seen.add(key);
    const advice = TRAP_ADVICE[t.rule];
    out.push(`${where}: MySQL trap: \`${t.text}\` ${advice.what}; ${advice.instead}${from ? ` (in the output of ${from})` : ''}. If it is meant, add ${t.rule} to the ${node.resource_type}'s lint_ignore config.`);
  };
  if (node.test_metadata || node.raw_code === undefined) {
    const at = node.declared_at ? `${node.declared_at.file}:${node.declared_at.line}` : node.original_file_path;
    for (const t of traps) add(`${at}: test ${node.name}`, t);
    return out;
  }
  const places = sourcePlaces(parseTemplate(node.raw_code, node.original_file_path), sql, traps.map((t) => t.offset), own.end);
  traps.forEach((t, i) => add(`${node.original_file_path}:${places[i]!.line}`, t, places[i]!.from));
  return out;
}

/**
 * Where the CTEs of ephemeral parents are in a compiled SQL (injectCtes puts them after the
 * leading comments: `WITH <cte> AS (\n…\n), …`): [start, end), or an empty range.
 */
function ownSqlStart(sql: string, ephemerals: readonly Node[]): { start: number; end: number } {
  if (ephemerals.length === 0) return { start: 0, end: 0 };
  const first = sql.indexOf(`${cteName(ephemerals[0]!)} AS (`);
  const lastName = `${cteName(ephemerals[ephemerals.length - 1]!)} AS (`;
  const last = sql.indexOf(lastName, Math.max(0, first));
  if (first < 0 || last < 0) return { start: 0, end: 0 };
  return { start: first, end: closingParen(sql, last + lastName.length - 1) };
}
