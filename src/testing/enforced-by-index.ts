/**
 * A uniqueness test the server already enforces is answered from the catalog, not by its query.
 *
 * `unique` on a column that a UNIQUE index (or the primary key) covers exactly cannot fail: the
 * server refuses to store a duplicate. Its query still costs a GROUP BY over the whole table,
 * or, scoped to changed rows, a DISTINCT over the changed keys joined back to the table — on a
 * continuous pipeline's 1 M-row incremental table, seconds of server time every minute for a
 * verdict known in advance. So when the relation is a base table with such an index, the test
 * passes with a message naming the index, after one lookup in information_schema.STATISTICS.
 *
 * Same for dbt_utils' `unique_combination_of_columns` when a unique index holds exactly those
 * columns, all NOT NULL: its GROUP BY counts (1, NULL) twice as a duplicate, an index does not.
 *
 * A unique prefix index (`code(8)`) implies unique values when equal values have equal prefixes:
 * under a binary, `_bin` or `general` collation (one weight per character), not under UCA
 * collations that expand characters ('æ' = 'ae'), where 'æb' and 'aeb' have different first
 * characters and equal values.
 *
 * The query still runs when failures are stored (the table of failing rows is created as
 * always), when the relation is a view or anything else than a base table, when no index
 * matches, when thresholds or fail_calc make zero failing rows mean anything but a pass, and
 * when the lookup itself fails. A `where` config or `scope: changed_rows` does not matter:
 * an index that keeps the table free of duplicates keeps every subset of it free of them.
 */
import type { Adapter } from '../adapters/adapter.js';
import type { Project } from '../project/project.js';
import type { Node } from '../project/types.js';
import type { Compiler } from '../template/compiler.js';
import { boolArg, columnExpr, stringListArg } from './generic/helpers.js';
import type { GenericTestDefinition } from './generic/types.js';
import { uniqueCombinationOfColumns } from './generic/unique-combination-of-columns.js';
import { unique } from './generic/unique.js';
import { failureStorage } from './failure-storage.js';
import { customTestPartial } from './test-nodes.js';
import { testStatus } from './thresholds.js';
import { splitRelationName } from '../project/relation-names.js';

export interface EnforcedByIndexOptions {
  project: Project;
  adapter: Adapter;
  compiler: Compiler;
  /** `--store-failures` */
  storeFailures: boolean;
}

/** What a uniqueness test asks of the table: no two rows share these columns (lower case). */
interface UniqueClaim {
  columns: string[];
  /** GROUP BY counts NULLs as equal (unique_combination_of_columns); `unique` skips NULLs */
  nullsCollide: boolean;
}

/** One row of the lookup: a column of a unique index of the relation. */
interface IndexColumnRow {
  i: string;
  c: string | null;
  /** '' or 'YES' (information_schema.STATISTICS.NULLABLE) */
  n: string | null;
  /** prefix length, or NULL for the whole column */
  p: number | string | null;
  collation: string | null;
  type: string | null;
}

/** Collations under which equal values have equal prefixes: binary, `_bin`, and the one-weight-per-character `general` ones. */
const PREFIX_SAFE_COLLATION = /(^binary$|_bin$|_general_(nopad_)?c[is]$|_general_mysql500_ci$)/i;

/**
 * The message a uniqueness test passes with when an index of its relation enforces it
 * ("enforced by unique index ft_uk_… of db.events"), or null: then its query runs as usual.
 */
export async function enforcedByIndex(test: Node, def: GenericTestDefinition | undefined, opts: EnforcedByIndexOptions): Promise<string | null> {
  if (failureStorage(test, opts.storeFailures)) return null;
  if (!def || !test.test_metadata || !test.attached_node) return null;
  // a project's own test_unique replaces the built-in one: its query is not ours to judge
  if (customTestPartial(opts.project, test.test_metadata.name)) return null;
  if (test.config.fail_calc !== undefined && test.config.fail_calc !== null) return null;
  if (testStatus(0, test.config, test.declared_at?.file, test.declared_at?.line) !== 'pass') return null;
  const claim = uniqueClaim(test, def);
  if (!claim) return null;
  const attached = opts.project.nodes.get(test.attached_node);
  if (!attached || (attached.resource_type === 'model' && attached.config.materialized === 'ephemeral')) return null;
  const parts = splitRelationName(opts.compiler.relationFor(attached));
  if (!parts) return null;
  const [schema, table] = parts;
  let rows: IndexColumnRow[];
  try {
    rows = await opts.adapter.withSession((s) => s.query<IndexColumnRow>(LOOKUP, [schema, table, schema, table, schema, table]));
  } catch {
    return null; // the test's own query decides, and reports a missing table or a lost server its usual way
  }
  const index = rows.every((r) => r.type === 'BASE TABLE') ? matchingIndex(rows, claim) : null;
  if (index === null) return null;
  return index === 'PRIMARY' ? `enforced by the primary key of ${schema}.${table}` : `enforced by unique index ${index} of ${schema}.${table}`;
}

/**
 * The unique indexes of a relation, column by column with nullability, prefix length and
 * collation, and the relation's type (a view has no index; a system-versioned or temporary
 * table is left to the query). The TABLES and COLUMNS parts are subqueries filtered by constant
 * schema and name: joined instead, MariaDB would fill them for every table of every database.
 */
const LOOKUP = `SELECT s.INDEX_NAME AS i, s.COLUMN_NAME AS c, s.NULLABLE AS n, s.SUB_PART AS p,
       (SELECT c.COLLATION_NAME FROM information_schema.COLUMNS c
         WHERE c.TABLE_SCHEMA = ? AND c.TABLE_NAME = ? AND c.COLUMN_NAME = s.COLUMN_NAME) AS collation,
       (SELECT t.TABLE_TYPE FROM information_schema.TABLES t WHERE t.TABLE_SCHEMA = ? AND t.TABLE_NAME = ?) AS type
  FROM information_schema.STATISTICS s
 WHERE s.TABLE_SCHEMA = ? AND s.TABLE_NAME = ? AND s.NON_UNIQUE = 0
 ORDER BY s.INDEX_NAME, s.SEQ_IN_INDEX`;

/** The columns a `unique` or `unique_combination_of_columns` test declares, when all are plain column names. */
function uniqueClaim(test: Node, def: GenericTestDefinition): UniqueClaim | null {
  if (def === unique) {
    const col = test.column_name;
    return col ? { columns: [col.toLowerCase()], nullsCollide: false } : null;
  }
  if (def === uniqueCombinationOfColumns) {
    const args = test.test_metadata!.kwargs;
    let names: string[];
    let quoteAll: boolean;
    try {
      names = stringListArg(def.name, args, 'combination_of_columns', '', { required: true });
      quoteAll = boolArg(def.name, args, 'quote_columns', false);
    } catch {
      return null; // the query's compilation reports the argument
    }
    const columns: string[] = [];
    for (const name of names) {
      const expr = columnExpr({ quote: (s) => `\`${s}\`` }, name, quoteAll);
      // an expression (coalesce(valid_to, …)) is no column an index could hold
      if (!/^`[^`]+`$/.test(expr)) return null;
      columns.push(expr.slice(1, -1).toLowerCase());
    }
    return { columns: [...new Set(columns)], nullsCollide: true };
  }
  return null;
}

/** The first unique index (the primary key first) whose columns are exactly the claim's, or null. */
function matchingIndex(rows: IndexColumnRow[], claim: UniqueClaim): string | null {
  const byIndex = new Map<string, IndexColumnRow[]>();
  for (const r of rows) byIndex.set(String(r.i), [...(byIndex.get(String(r.i)) ?? []), r]);
  const names = [...byIndex.keys()].sort((a, b) => Number(b === 'PRIMARY') - Number(a === 'PRIMARY'));
  for (const name of names) {
    const cols = byIndex.get(name)!;
    if (cols.length !== claim.columns.length) continue;
    const fits = cols.every((r) => {
      // a functional index part (MySQL 8) has no column name
      if (r.c === null || !claim.columns.includes(r.c.toLowerCase())) return false;
      if (claim.nullsCollide && r.n === 'YES') return false;
      return r.p === null || r.collation === null || PREFIX_SAFE_COLLATION.test(r.collation);
    });
    if (fits) return name;
  }
  return null;
}

