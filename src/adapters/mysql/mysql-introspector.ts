import type { ColumnDef, RelationType, Session } from '../adapter.js';

/** Reads relations and columns from information_schema (same queries on MySQL and MariaDB). */
export async function relationType(s: Session, schema: string, name: string): Promise<RelationType | null> {
  const rows = await s.query<{ t: string }>(
    'SELECT table_type AS t FROM information_schema.tables WHERE table_schema = ? AND table_name = ?',
    [schema, name],
  );
  if (!rows.length) return null;
  return rows[0]!.t === 'VIEW' ? 'view' : 'table';
}

export async function columns(s: Session, schema: string, name: string): Promise<ColumnDef[]> {
  const rows = await s.query<Record<string, string | null>>(
    `SELECT column_name AS name, column_type AS type, is_nullable AS nullable, column_comment AS comment,
            character_set_name AS charset, collation_name AS collation, column_default AS dflt, extra AS extra
       FROM information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position`,
    [schema, name],
  );
  return rows.map(columnDef);
}

/** A column as information_schema.columns gives it (the aliases of both queries here). */
function columnDef(r: Record<string, string | null>): ColumnDef {
  return {
    name: String(r.name),
    type: String(r.type),
    nullable: r.nullable === 'YES',
    comment: r.comment ?? '',
    charset: r.charset,
    collation: r.collation,
    default: r.dflt,
    extra: r.extra ?? '',
  };
}

/**
 * Several relations' types and columns in one statement (compile-time introspection): a
 * relation missing from the result does not exist. Keys are `schema.name`, as given.
 */
export async function describeRelations(s: Session, relations: Array<{ schema: string; name: string }>): Promise<Map<string, { type: RelationType; columns: ColumnDef[] }>> {
  const out = new Map<string, { type: RelationType; columns: ColumnDef[] }>();
  if (!relations.length) return out;
  const schemas = [...new Set(relations.map((r) => r.schema))];
  const names = [...new Set(relations.map((r) => r.name))];
  const wanted = new Set(relations.map((r) => `${r.schema}.${r.name}`));
  // two IN lists (each a constant list the server can use to open only those schemas and
  // tables), then the pairs asked for are kept
  const rows = await s.query<Record<string, string | null>>(
    `SELECT c.table_schema AS s, c.table_name AS n, t.table_type AS t, c.column_name AS name, c.column_type AS type,
            c.is_nullable AS nullable, c.column_comment AS comment, c.character_set_name AS charset,
            c.collation_name AS collation, c.column_default AS dflt, c.extra AS extra
       FROM information_schema.columns c
       JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
      WHERE c.table_schema IN (${schemas.map(() => '?').join(', ')}) AND c.table_name IN (${names.map(() => '?').join(', ')})
      ORDER BY c.table_schema, c.table_name, c.ordinal_position`,
    [...schemas, ...names],
  );
  for (const r of rows) {
    const key = `${r.s}.${r.n}`;
    if (!wanted.has(key)) continue;
    let rel = out.get(key);
    if (!rel) out.set(key, (rel = { type: r.t === 'VIEW' ? 'view' : 'table', columns: [] }));
    rel.columns.push(columnDef(r));
  }
  return out;
}

export async function listRelations(s: Session, schemas: string[]) {
  if (!schemas.length) return [];
  const rows = await s.query<Record<string, string | number | null>>(
    `SELECT table_schema AS s, table_name AS n, table_type AS t, table_rows AS r, data_length + index_length AS b,
            COALESCE(update_time, create_time) AS u, table_comment AS c
       FROM information_schema.tables WHERE table_schema IN (${schemas.map(() => '?').join(', ')})`,
    schemas,
  );
  return rows.map((r) => ({
    schema: String(r.s),
    name: String(r.n),
    type: (r.t === 'VIEW' ? 'view' : 'table') as RelationType,
    rows: r.r === null ? null : Number(r.r),
    bytes: r.b === null ? null : Number(r.b),
    updated: r.u === null ? null : String(r.u),
    comment: r.c === null ? '' : String(r.c),
  }));
}

export async function indexNames(s: Session, schema: string, name: string): Promise<Map<string, { unique: boolean; columns: string[] }>> {
  const rows = await s.query<{ i: string; u: number | string; c: string }>(
    `SELECT index_name AS i, non_unique AS u, column_name AS c FROM information_schema.statistics
      WHERE table_schema = ? AND table_name = ? ORDER BY index_name, seq_in_index`,
    [schema, name],
  );
  const out = new Map<string, { unique: boolean; columns: string[] }>();
  for (const r of rows) {
    const e = out.get(r.i) ?? { unique: Number(r.u) === 0, columns: [] };
    e.columns.push(r.c);
    out.set(r.i, e);
  }
  return out;
}

/** Columns of a temporary table (information_schema does not list them), in their order. */
export async function temporaryColumns(s: Session, relation: string): Promise<ColumnDef[]> {
  const rows = await s.query<Record<string, string>>(`SHOW COLUMNS FROM ${relation}`);
  return rows.map((r) => ({
    name: String(r.Field),
    type: String(r.Type),
    nullable: r.Null === 'YES',
    comment: '',
    charset: null,
    collation: null,
    default: null,
    extra: '',
  }));
}
