// Model contracts (`config: contract: {enforced: true}`) and constraints (`constraints:` on a
// model and its columns) as dbt writes them, read into the node once its config is final: an
// enforced contract needs every YAML column to carry data_type; constraints apply only under
// one, and only to tables (a view gets a warning per constraint, as dbt's warn_unsupported).
import { FtError } from '../util/errors.js';
import { sha256 } from '../util/hash.js';
import type { NodePatch, RawTest } from './schema-files.js';
import type { ColumnConstraint, ContractInfo, ModelConstraint, Node } from './types.js';

const TYPES = new Set(['not_null', 'unique', 'primary_key', 'foreign_key', 'check', 'custom']);

/** Where each constraint was written, for messages (kept beside the node, not in the manifest). */
const declaredAt = new WeakMap<ColumnConstraint, { file: string; line: number }>();

/** The YAML line of a constraint, for messages. */
export const constraintPlace = (c: ColumnConstraint): { file: string; line: number } | undefined => declaredAt.get(c);

/** The YAML line of each model column, for messages about its data_type. */
const columnLines = new WeakMap<Node, Map<string, number>>();

export function columnLine(node: Node, column: string): number | undefined {
  return columnLines.get(node)?.get(column.toLowerCase());
}

/** The node's `contract` config as dbt reads it: a mapping `{enforced, alias_types}`. */
function readContract(node: Node, patch: NodePatch | undefined): ContractInfo {
  const raw = node.config.contract;
  if (raw === undefined || raw === null) return { enforced: false, alias_types: true, checksum: null };
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new FtError(`config contract must be a mapping, e.g. contract: {enforced: true}; got ${JSON.stringify(raw)}.`, 2, patch?.file ?? node.original_file_path, patch?.line);
  }
  const c = raw as Record<string, unknown>;
  for (const k of ['enforced', 'alias_types']) {
    if (c[k] !== undefined && typeof c[k] !== 'boolean') {
      throw new FtError(`config contract.${k} must be true or false; got ${JSON.stringify(c[k])}.`, 2, patch?.file ?? node.original_file_path, patch?.line);
    }
  }
  return { enforced: c.enforced === true, alias_types: c.alias_types !== false, checksum: null };
}

function readConstraint(t: RawTest, file: string, modelLevel: boolean): ModelConstraint {
  const where = modelLevel ? 'a model-level constraint' : 'a column constraint';
  if (!t.spec || typeof t.spec !== 'object' || Array.isArray(t.spec)) {
    throw new FtError(`${where} must be a mapping with a type, e.g. - type: not_null.`, 2, file, t.line);
  }
  const o = t.spec as Record<string, unknown>;
  const type = String(o.type ?? '');
  if (!TYPES.has(type)) {
    throw new FtError(`${where} has type ${o.type === undefined ? 'missing' : `"${type}"`}; use not_null, unique, primary_key, foreign_key, check or custom.`, 2, file, t.line);
  }
  const list = (v: unknown, key: string): string[] => {
    if (v === undefined || v === null) return [];
    if (typeof v === 'string') return [v];
    if (Array.isArray(v)) return v.map(String);
    throw new FtError(`constraint ${key} must be a list of column names, e.g. ${key}: [id].`, 2, file, t.line);
  };
  const columns = list(o.columns, 'columns');
  const expression = o.expression === undefined || o.expression === null ? null : String(o.expression);
  const to = o.to === undefined || o.to === null ? null : String(o.to);
  const toColumns = list(o.to_columns, 'to_columns');
  if ((type === 'check' || type === 'custom') && !expression) {
    throw new FtError(`a ${type} constraint needs expression:, e.g. expression: "amount >= 0".`, 2, file, t.line);
  }
  if (type === 'foreign_key' && !expression && !(to && toColumns.length)) {
    throw new FtError(`a foreign_key constraint needs to: and to_columns: (to: ref('customers'), to_columns: [id]) or expression: ("other_table (id)").`, 2, file, t.line);
  }
  if (modelLevel && !columns.length && type !== 'check' && type !== 'custom') {
    throw new FtError(`a model-level ${type} constraint needs columns: [..] naming its columns.`, 2, file, t.line);
  }
  const c: ModelConstraint = {
    type: type as ColumnConstraint['type'],
    name: o.name === undefined || o.name === null ? null : String(o.name),
    expression,
    warn_unenforced: o.warn_unenforced !== false,
    warn_unsupported: o.warn_unsupported !== false,
    to,
    to_columns: toColumns,
    columns,
  };
  declaredAt.set(c, { file, line: t.line });
  return c;
}

/**
 * Reads a model's contract and constraints into the node (node.contract, node.constraints and
 * each column's constraints, as dbt's manifest has them), once its config is final. Errors name
 * the YAML line; what ft does not apply is a warning naming the line.
 */
export function applyContract(node: Node, patch: NodePatch | undefined, warn: (msg: string) => void): void {
  if (node.resource_type === 'seed') {
    if (node.config.contract !== undefined && patch) warn(`${patch.file}:${patch.line}: config contract applies to models, not to seeds (a seed's column_types set its types); ignored.`);
    for (const t of [...(patch?.constraints ?? []), ...(patch?.columns ?? []).flatMap((c) => c.constraints)]) {
      warn(`${patch!.file}:${t.line}: constraints apply to models with an enforced contract, not to seeds; ignored.`);
    }
    return;
  }
  if (node.resource_type !== 'model') return;
  const contract = readContract(node, patch);
  node.contract = contract;
  // config.contract as dbt's manifest has it; left out when not written (an older manifest's config stays comparable)
  if (node.config.contract !== undefined) node.config = { ...node.config, contract: { enforced: contract.enforced, alias_types: contract.alias_types } };
  const file = patch?.file ?? node.original_file_path;
  const lines = new Map<string, number>();
  for (const c of patch?.columns ?? []) lines.set(c.name.toLowerCase(), c.line);
  columnLines.set(node, lines);
  const modelLevel = (patch?.constraints ?? []).map((t) => readConstraint(t, file, true));
  const byColumn = new Map<string, ColumnConstraint[]>();
  for (const c of patch?.columns ?? []) {
    byColumn.set(c.name, c.constraints.map((t) => {
      // a column's constraint applies to its column: no columns: of its own
      const { columns: _columns, ...own } = readConstraint(t, file, false);
      declaredAt.set(own, { file, line: t.line });
      return own;
    }));
  }
  node.constraints = modelLevel;
  for (const col of Object.values(node.columns)) col.constraints = byColumn.get(col.name) ?? [];
  const all: ColumnConstraint[] = [...modelLevel, ...[...byColumn.values()].flat()];
  const materialized = node.config.materialized;

  if (!contract.enforced) {
    if (all.length) {
      const first = declaredAt.get(all[0]!);
      warn(`${first?.file ?? file}:${first?.line ?? patch?.line ?? 1}: ${node.name} has ${all.length} constraint${all.length === 1 ? '' : 's'} but no enforced contract; constraints apply only with config contract: {enforced: true} (as in dbt); ignored.`);
    }
    return;
  }
  if (materialized === 'ephemeral') {
    throw new FtError(`${node.name} is ephemeral and has an enforced contract: an ephemeral model builds no relation to check. Remove the contract or materialize it as a view or table.`, 2, file, patch?.line);
  }
  const declared = patch?.columns ?? [];
  if (!declared.length) {
    throw new FtError(`${node.name} has an enforced contract but its YAML declares no columns: list each column the model returns under columns:, with its data_type.`, 2, file, patch?.line ?? 1);
  }
  for (const c of declared) {
    if (!c.data_type || !c.data_type.trim()) {
      throw new FtError(`column ${c.name} of ${node.name} has no data_type, and the model's contract is enforced: add data_type (e.g. data_type: int) or remove the column.`, 2, file, c.line);
    }
    // as dbt warns since 1.7: a numeric without precision is decimal(10,0) on MySQL, which rounds
    if (/^\s*(numeric|decimal|dec|fixed)\s*$/i.test(c.data_type)) {
      warn(`${file}:${c.line}: column ${c.name} of ${node.name} is declared ${c.data_type.trim()} without precision and scale: MySQL makes it decimal(10,0), rounding every fraction away. Write e.g. ${c.data_type.trim()}(18,2).`);
    }
  }
  const names = new Set(declared.map((c) => c.name.toLowerCase()));
  for (const c of all) {
    const at = declaredAt.get(c)!;
    for (const col of 'columns' in c ? (c as ModelConstraint).columns : []) {
      if (!names.has(col.toLowerCase())) throw new FtError(`the ${c.type} constraint names column ${col}, which ${node.name}'s YAML does not declare.`, 2, at.file, at.line);
    }
    if (c.type === 'foreign_key' && c.name && materialized !== 'view') {
      warn(`${at.file}:${at.line}: foreign key name "${c.name}" of ${node.name} is not used: the server keeps foreign key names unique per database, and ft builds the new table beside the old one, so the server names the key (<table>_ibfk_<n>).`);
    }
    if (materialized === 'view' && c.warn_unsupported) {
      warn(`${at.file}:${at.line}: ${c.type} constraint of ${node.name}: a view cannot hold constraints; not applied (its contract checks names and types only).`);
    }
  }
  // dbt's contract checksum: the declared columns and, where the model gets them, its constraints
  let state = '';
  for (const c of [...Object.values(node.columns)].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    state += `|${c.name}${c.data_type ?? ''}${JSON.stringify(c.constraints ?? [])}`;
  }
  if (materialized === 'table' || materialized === 'incremental') state += `${materialized}${JSON.stringify(modelLevel)}`;
  contract.checksum = sha256(state);
}

/** `ref('x')`, `ref("x")`, `{{ref "x"}}`; `source('s', 't')`, `{{source "s" "t"}}`. */
function parseTo(to: string): { ref: string } | { source: [string, string] } | null {
  const s = to.trim();
  let m = /^ref\(\s*['"]([^'"]+)['"]\s*\)$/.exec(s) ?? /^\{\{\s*ref\s+["']([^"']+)["']\s*\}\}$/.exec(s);
  if (m) return { ref: m[1]! };
  m = /^source\(\s*['"]([^'"]+)['"]\s*,\s*['"]([^'"]+)['"]\s*\)$/.exec(s) ?? /^\{\{\s*source\s+["']([^"']+)["']\s+["']([^"']+)["']\s*\}\}$/.exec(s);
  if (m) return { source: [m[1]!, m[2]!] };
  return null;
}

/**
 * Foreign keys' `to:` resolved to the relation they reference (dbt's manifest writes the relation
 * there too), and the referenced model made a parent, so it is built first. Only under an
 * enforced contract on a table: elsewhere the constraint is not created.
 */
export function resolveConstraintRefs(
  node: Node,
  resolveRef: (name: string, file: string, line: number) => Node,
  resolveSource: (s: string, t: string, file: string, line: number) => Node,
): void {
  if (!node.contract?.enforced || node.config.materialized === 'view') return;
  const all: ColumnConstraint[] = [...(node.constraints ?? []), ...Object.values(node.columns).flatMap((c) => c.constraints ?? [])];
  for (const c of all) {
    if (c.type !== 'foreign_key' || !c.to) continue;
    const at = declaredAt.get(c) ?? { file: node.original_file_path, line: 1 };
    const spec = parseTo(c.to);
    if (!spec) {
      throw new FtError(`foreign_key to: "${c.to}" must be ref('model'), {{ref "model"}}, source('source', 'table') or {{source "source" "table"}}.`, 2, at.file, at.line);
    }
    const parent = 'ref' in spec ? resolveRef(spec.ref, at.file, at.line) : resolveSource(spec.source[0], spec.source[1], at.file, at.line);
    if (parent.unique_id === node.unique_id) {
      throw new FtError(`${node.name}'s foreign key refers to ${node.name} itself; ft builds a table aside and swaps it in, so a key into itself would point at the old table. Use a check constraint or a relationships test.`, 2, at.file, at.line);
    }
    if (!parent.relation_name) {
      throw new FtError(`foreign_key to: ${c.to} names an ephemeral model, which builds no table to refer to.`, 2, at.file, at.line);
    }
    if (parent.config.materialized === 'view') {
      throw new FtError(`foreign_key to: ${c.to} names a view; a foreign key can only refer to a table. Materialize ${parent.name} as a table, or use a relationships test.`, 2, at.file, at.line);
    }
    c.to = parent.relation_name;
    if (!node.depends_on.nodes.includes(parent.unique_id)) node.depends_on.nodes.push(parent.unique_id);
  }
}
