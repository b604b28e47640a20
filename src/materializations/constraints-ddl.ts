// A table under an enforced contract is created with the declared columns, types and
// constraints, then filled with INSERT … SELECT: its types are exactly the contract's, and a row
// breaking a constraint fails the statement (InnoDB undoes the whole INSERT) before the swap.
import type { ColumnDef, ServerInfo } from '../adapters/adapter.js';
import { quoteIdent } from '../adapters/mysql/mysql-quoting.js';
import type { Project } from '../project/project.js';
import type { ColumnConstraint, Node } from '../project/types.js';
import { constraintPlace } from '../project/contract-config.js';
import { FtError } from '../util/errors.js';
import { checkContract, declaredColumns } from './contract.js';
import type { MaterializationContext } from './materialization-context.js';

export interface ConstraintOptions {
  /** MySQL keeps CHECK names unique per database (MariaDB per table): a named check would clash with the old table's */
  checkNamesPerDatabase: boolean;
}

const cols = (names: string[]): string => names.map(quoteIdent).join(', ');

/** One table-level constraint clause, or null for what belongs on the column (not_null). */
function clause(c: ColumnConstraint, columns: string[], opts: ConstraintOptions): string | null {
  const named = (kw: string) => (c.name ? `CONSTRAINT ${quoteIdent(c.name)} ${kw}` : kw);
  switch (c.type) {
    case 'not_null':
      return null;
    case 'primary_key':
      return `PRIMARY KEY (${cols(columns)})`;
    case 'unique':
      return c.name ? `UNIQUE KEY ${quoteIdent(c.name)} (${cols(columns)})` : `UNIQUE (${cols(columns)})`;
    case 'check':
      return opts.checkNamesPerDatabase || !c.name ? `CHECK (${c.expression})` : named(`CHECK (${c.expression})`);
    case 'foreign_key':
      // unnamed: foreign key names are unique per database, and the old table keeps its own until the swap
      return `FOREIGN KEY (${cols(columns)}) REFERENCES ${c.to && c.to_columns.length ? `${c.to} (${cols(c.to_columns)})` : c.expression}`;
    case 'custom':
      return columns.length ? null : String(c.expression);
  }
}

/** CREATE TABLE with the contract's columns and constraints (pure: golden files pin it). */
export function createTableWithConstraints(relation: string, node: Node, opts: ConstraintOptions): string {
  const lines: string[] = [];
  const table: string[] = [];
  const notNull = new Set<string>();
  for (const c of node.constraints ?? []) {
    if (c.type === 'not_null' || c.type === 'primary_key') for (const col of c.columns) notNull.add(col.toLowerCase());
    const t = clause(c, c.columns, opts);
    if (t) table.push(t);
  }
  for (const { name, type } of declaredColumns(node)) {
    const own = node.columns[name]?.constraints ?? [];
    let def = `${quoteIdent(name)} ${type}`;
    if (notNull.has(name.toLowerCase()) || own.some((c) => c.type === 'not_null' || c.type === 'primary_key')) def += ' NOT NULL';
    for (const c of own) {
      if (c.type === 'custom') def += ` ${c.expression}`;
      const t = clause(c, [name], opts);
      if (t && c.type !== 'custom') table.push(t);
    }
    lines.push(def);
  }
  return `CREATE TABLE ${relation} (\n  ${[...lines, ...table].join(',\n  ')}\n)`;
}

/** Whether a declared primary key or unique constraint is exactly these columns (the merge key's index is then there already). */
export function constraintCovers(node: Node, keys: string[]): boolean {
  const same = (a: string[]) => a.length === keys.length && a.every((x) => keys.some((k) => k.toLowerCase() === x.toLowerCase()));
  if ((node.constraints ?? []).some((c) => (c.type === 'primary_key' || c.type === 'unique') && same(c.columns))) return true;
  return Object.values(node.columns).some((col) => (col.constraints ?? []).some((c) => c.type === 'primary_key' || c.type === 'unique') && same([col.name]));
}

const FK_INCORRECT = /errno: 150|foreign key constraint is incorrectly formed|Failed to add the foreign key constraint/i;

/**
 * Creates `tmp` as the contract declares it and fills it from `select` (columns listed in the
 * SELECT's order: INSERT maps them by position). Returns the rows inserted.
 */
export async function buildContractTable(ctx: MaterializationContext, tmp: string, select: string, resultOrder: ColumnDef[]): Promise<number> {
  const server = await ctx.adapter.server();
  const create = createTableWithConstraints(tmp, ctx.node, { checkNamesPerDatabase: server.flavor === 'mysql' });
  try {
    await ctx.exec(create);
  } catch (e) {
    const err = e as { sqlMessage?: string; errno?: number };
    if (err.sqlMessage && FK_INCORRECT.test(err.sqlMessage)) {
      const [file] = (ctx.node.patch_path ?? ctx.node.original_file_path).split(':');
      const fk = [...(ctx.node.constraints ?? []), ...Object.values(ctx.node.columns).flatMap((c) => c.constraints ?? [])].find((c) => c.type === 'foreign_key');
      const at = fk ? constraintPlace(fk) : undefined;
      throw new FtError(`${ctx.node.name}: the server refuses a foreign key (${err.sqlMessage}). The referenced columns must be the primary key or a unique key of the referenced table, with the same type as this table's columns.`, 1, at?.file ?? file, at?.line);
    }
    throw e;
  }
  const insert = `INSERT INTO ${tmp} (${cols(resultOrder.map((c) => c.name))})\n${select.trim().replace(/;\s*$/, '')}`;
  return (await ctx.exec(insert)).affectedRows;
}

/**
 * An incremental run's new rows under a contract: checked against it (before anything is
 * written), then put in a temporary table with the declared types, so on_schema_change compares
 * like with like (the table was created with them; the query's own widths vary by server).
 */
export async function createContractNewRows(ctx: MaterializationContext, tmp: string): Promise<void> {
  const actual = await checkContract(ctx, ctx.sql);
  await ctx.exec(`CREATE TEMPORARY TABLE ${tmp} (${declaredColumns(ctx.node).map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ')})`);
  await ctx.exec(`INSERT INTO ${tmp} (${cols(actual.map((c) => c.name))})\n${ctx.sql.trim().replace(/;\s*$/, '')}`);
}

/** ER_ROW_IS_REFERENCED (MariaDB, MySQL) and ER_FK_CANNOT_DROP_PARENT (MySQL 8). */
const REFERENCED = new Set([1451, 3730]);

/**
 * Drops the table a swap moved aside. Another table's foreign key follows a renamed table, so it
 * now refers to the old one, which the server will not drop: dropped with foreign key checks
 * off, as dbt's `drop … cascade` does; the child's key is right again once it is rebuilt (a
 * foreign key makes it a child in the graph, built after this table).
 */
export async function dropSwappedOut(ctx: MaterializationContext, statement: string): Promise<void> {
  try {
    await ctx.exec(statement);
  } catch (e) {
    if (!REFERENCED.has((e as { errno?: number }).errno ?? 0)) throw e;
    await ctx.exec('SET SESSION foreign_key_checks = 0');
    try {
      await ctx.exec(statement);
    } finally {
      await ctx.exec('SET SESSION foreign_key_checks = 1');
    }
  }
}

/** Whether the server enforces CHECK constraints (MySQL from 8.0.16, MariaDB from 10.2.1; older ones parse and ignore them). */
export function enforcesCheck(server: ServerInfo): boolean {
  const [major = 0, minor = 0, patch = 0] = (server.version.match(/\d+/g) ?? []).map(Number);
  const v = major * 10000 + minor * 100 + patch;
  return server.flavor === 'mariadb' ? v >= 100201 : v >= 80016;
}

/** One warning per constraint the server accepts but does not enforce, in the tables a run builds (dbt's warn_unenforced). */
export function unenforcedConstraintWarnings(project: Project, ids: Iterable<string>, server: ServerInfo): string[] {
  if (enforcesCheck(server)) return [];
  const out: string[] = [];
  for (const id of ids) {
    const n = project.nodes.get(id);
    if (!n?.contract?.enforced || (n.config.materialized !== 'table' && n.config.materialized !== 'incremental')) continue;
    const all: ColumnConstraint[] = [...(n.constraints ?? []), ...Object.values(n.columns).flatMap((c) => c.constraints ?? [])];
    for (const c of all) {
      if (c.type !== 'check' || !c.warn_unenforced) continue;
      const at = constraintPlace(c);
      out.push(`${at ? `${at.file}:${at.line}: ` : ''}check constraint of ${n.name} (${c.expression}): ${server.flavor} ${server.version.split('-')[0]} accepts CHECK but does not enforce it; rows breaking it are not refused.`);
    }
  }
  return out;
}
