// An enforced model contract, checked on the server before anything is swapped in: the
// columns the model's SELECT returns (names, in any order, and types) against the YAML's
// `data_type`s. Both sides are spelled by the same server — the query's through an empty
// temporary table, the declared ones through a temporary table declaring them — and compared
// as the adapter normalises them (int = int(11) = integer; size and precision not compared, as dbt).
import type { ColumnDef } from '../adapters/adapter.js';
import { temporaryColumns } from '../adapters/mysql/mysql-introspector.js';
import { aliasColumnType, contractTypeKey, normaliseColumnType } from '../adapters/mysql/mysql-type-names.js';
import { columnLine } from '../project/contract-config.js';
import type { Node } from '../project/types.js';
import { FtError } from '../util/errors.js';
import { siblingName, type MaterializationContext } from './materialization-context.js';

/** A model whose build checks its columns against its YAML. */
export function contractEnforced(node: Node): boolean {
  return node.resource_type === 'model' && node.contract?.enforced === true && node.config.materialized !== 'ephemeral';
}

/** The contract's columns with the type to declare (dbt's generic names in MySQL's words, unless alias_types is off). */
export function declaredColumns(node: Node): Array<{ name: string; type: string }> {
  const alias = node.contract?.alias_types !== false;
  return Object.values(node.columns).map((c) => ({ name: c.name, type: alias ? aliasColumnType(String(c.data_type ?? '')) : String(c.data_type ?? '') }));
}

const stripSemicolon = (sql: string): string => sql.trim().replace(/;\s*$/, '');

/** Runs `fn` with a temporary table made by `create`, dropped after (it lives only on this session). */
async function withTemporary<T>(ctx: MaterializationContext, suffix: string, create: (rel: string) => string, fn: (rel: string) => Promise<T>): Promise<T> {
  const rel = ctx.adapter.relation(ctx.node.schema, siblingName(ctx.node.alias, suffix));
  await ctx.session.execute(`DROP TEMPORARY TABLE IF EXISTS ${rel}`);
  await ctx.exec(create(rel));
  try {
    return await fn(rel);
  } finally {
    await ctx.session.execute(`DROP TEMPORARY TABLE IF EXISTS ${rel}`).catch(() => undefined);
  }
}

/** The columns a SELECT returns, with the server's types, without reading its rows (LIMIT 0). */
export async function resultColumns(ctx: MaterializationContext, select: string): Promise<ColumnDef[]> {
  return withTemporary(ctx, '__ft_probe', (rel) => `CREATE TEMPORARY TABLE ${rel} AS\nSELECT * FROM (\n${stripSemicolon(select)}\n) AS ft_contract_probe LIMIT 0`, (rel) => temporaryColumns(ctx.session, rel));
}

/** The declared types as this server spells them; a type it does not know is an error naming the YAML line. */
async function serverDeclaredTypes(ctx: MaterializationContext): Promise<ColumnDef[]> {
  const cols = declaredColumns(ctx.node);
  const q = ctx.adapter.quote;
  const table = (list: typeof cols) => (rel: string) => `CREATE TEMPORARY TABLE ${rel} (${list.map((c) => `${q(c.name)} ${c.type}`).join(', ')})`;
  try {
    return await withTemporary(ctx, '__ft_decl', table(cols), (rel) => temporaryColumns(ctx.session, rel));
  } catch (e) {
    if (!(e as { sqlMessage?: string }).sqlMessage) throw e;
    // which column the server refused, one at a time (only when something is wrong)
    for (const c of cols) {
      const bad = await withTemporary(ctx, '__ft_decl', table([c]), async () => null).catch((err: { sqlMessage?: string }) => err.sqlMessage ?? String(err));
      if (bad) {
        const [file] = (ctx.node.patch_path ?? ctx.node.original_file_path).split(':');
        throw new FtError(`data_type "${c.type}" of column ${c.name} is not a column type the server accepts (${bad}). Write a MySQL type, e.g. int, bigint, varchar(64), decimal(18,2), date, datetime.`, 1, file, columnLine(ctx.node, c.name));
      }
    }
    throw e;
  }
}

export interface ContractMismatch {
  column: string;
  /** the type the model's SQL gives (null: the SQL does not return the column) */
  actual: string | null;
  /** the contract's type (null: the YAML does not declare the column) */
  expected: string | null;
  reason: 'missing in the model' | 'not in the contract' | 'data type differs';
}

/** Columns that differ between the contract and the model's result, compared by the adapter's type key. */
export function compareColumns(expected: Array<{ name: string; type: string }>, actual: Array<{ name: string; type: string }>): ContractMismatch[] {
  const out: ContractMismatch[] = [];
  const lower = (s: string) => s.toLowerCase();
  const got = new Map(actual.map((c) => [lower(c.name), c]));
  const want = new Set(expected.map((c) => lower(c.name)));
  for (const e of expected) {
    const a = got.get(lower(e.name));
    if (!a) out.push({ column: e.name, actual: null, expected: normaliseColumnType(e.type), reason: 'missing in the model' });
    else if (contractTypeKey(a.type) !== contractTypeKey(e.type)) out.push({ column: e.name, actual: normaliseColumnType(a.type), expected: normaliseColumnType(e.type), reason: 'data type differs' });
  }
  for (const a of actual) if (!want.has(lower(a.name))) out.push({ column: a.name, actual: normaliseColumnType(a.type), expected: null, reason: 'not in the contract' });
  return out;
}

/** dbt's table of a failed contract: column, the model's type, the contract's type, why. */
export function formatMismatches(rows: ContractMismatch[]): string {
  const head = ['column_name', 'definition_type', 'contract_type', 'mismatch_reason'];
  const cells = rows.map((r) => [r.column, r.actual ?? '-', r.expected ?? '-', r.reason]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => `  | ${c.map((x, i) => x.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(head), `  | ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...cells.map(line)].join('\n');
}

/**
 * Fails the model when `actual` (its result columns) does not match its contract: a table of the
 * differences, naming the YAML; nothing has been written yet.
 */
export async function assertContract(ctx: MaterializationContext, actual: ColumnDef[]): Promise<void> {
  const declared = await serverDeclaredTypes(ctx);
  const rows = compareColumns(declared, actual);
  if (!rows.length) return;
  const [file, line] = (ctx.node.patch_path ?? ctx.node.original_file_path).split(':');
  const relation = ctx.node.config.materialized === 'view' ? 'view' : 'table';
  throw new FtError(
    `${ctx.node.name} has an enforced contract that its SQL does not meet; the ${relation} ${ctx.node.relation_name} was left as it was.\n${formatMismatches(rows)}\n` +
      `Make the SQL return exactly the declared columns (cast(x as <type>) sets a type), or change the columns' data_type in the YAML.`,
    1,
    file,
    line ? Number(line) : undefined,
  );
}

/** Checks the columns `select` returns against the contract, before anything is built; returns them in the SELECT's order. */
export async function checkContract(ctx: MaterializationContext, select: string): Promise<ColumnDef[]> {
  const actual = await resultColumns(ctx, select);
  await assertContract(ctx, actual);
  return actual;
}
