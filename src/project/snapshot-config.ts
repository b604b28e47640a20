import { FtError } from '../util/errors.js';
import type { Node } from './types.js';

export type HardDeletes = 'ignore' | 'invalidate' | 'new_record';

/** The names of the columns a snapshot adds (snapshot_meta_column_names renames them). */
export interface SnapshotMetaNames {
  dbt_scd_id: string;
  dbt_updated_at: string;
  dbt_valid_from: string;
  dbt_valid_to: string;
  dbt_is_deleted: string;
}

/** A snapshot's config, checked: what the materialization needs to build its SQL. */
export interface SnapshotSettings {
  strategy: 'timestamp' | 'check';
  uniqueKey: string[];
  /** timestamp strategy: the source column whose rise means a new version */
  updatedAt?: string;
  /** check strategy: the columns compared, or every column */
  checkCols: 'all' | string[];
  hardDeletes: HardDeletes;
  /** SQL expression current versions carry in dbt_valid_to (null when absent) */
  validToCurrent?: string;
  names: SnapshotMetaNames;
}

const META_KEYS: Array<keyof SnapshotMetaNames> = ['dbt_scd_id', 'dbt_updated_at', 'dbt_valid_from', 'dbt_valid_to', 'dbt_is_deleted'];
const IDENT = /^[^`\s][^`]*$/;

/** Config of a snapshot, checked; a bad value is an FtError naming where it is declared and the fix. */
export function snapshotSettings(node: Node): SnapshotSettings {
  const c = node.config;
  const file = node.declared_at?.file ?? node.original_file_path;
  const line = node.declared_at?.line;
  const fail = (what: string): never => {
    throw new FtError(`snapshot ${node.name}: ${what}`, 2, file, line);
  };
  const strategy = c.strategy;
  if (strategy !== 'timestamp' && strategy !== 'check') {
    fail(
      strategy === undefined
        ? 'config needs `strategy: timestamp` (with `updated_at: <column>`) or `strategy: check` (with `check_cols: all` or a list of columns).'
        : `strategy "${String(strategy)}" is not one ft knows; use timestamp (with updated_at) or check (with check_cols).`,
    );
  }
  const columnList = (v: unknown, key: string): string[] => {
    // dbt allows an expression as unique_key (concat(a, '-', b)); ft keys on columns: say how to get one
    if (typeof v === 'string' && /[()|+']/.test(v)) {
      fail(`${key} "${v}" is an expression; ft's snapshots key on columns. Add it to the snapshot's query as a column (select ${v.trim()} as snapshot_key, …) and set ${key}: snapshot_key.`);
    }
    // inline {{config}} takes literals only: a list there is written "a, b"
    const list = Array.isArray(v) ? v : typeof v === 'string' ? v.split(',') : null;
    if (!list || !list.length || list.some((x) => typeof x !== 'string' || !IDENT.test(x.trim()))) {
      fail(`${key} must be a column name or a list of column names (e.g. ${key}: [id, region]), not ${JSON.stringify(v)}.`);
    }
    return list!.map((x) => String(x).trim());
  };
  if (c.unique_key === undefined || c.unique_key === null) fail('config needs `unique_key:` (the column, or list of columns, identifying a row of the source).');
  const uniqueKey = columnList(c.unique_key, 'unique_key');
  let updatedAt: string | undefined;
  let checkCols: 'all' | string[] = 'all';
  if (strategy === 'timestamp') {
    if (typeof c.updated_at !== 'string' || !IDENT.test(c.updated_at.trim())) {
      fail('the timestamp strategy needs `updated_at: <column>` naming the source column that rises when a row changes (or use strategy: check with check_cols).');
    }
    updatedAt = String(c.updated_at).trim();
  } else {
    if (c.check_cols === undefined || c.check_cols === null) fail('the check strategy needs `check_cols: all` or a list of the columns to compare (e.g. check_cols: [price, status]).');
    checkCols = c.check_cols === 'all' ? 'all' : columnList(c.check_cols, 'check_cols');
    // dbt's check strategy dates a new version by updated_at when it is given, else by the run's time
    if (c.updated_at !== undefined && c.updated_at !== null) {
      if (typeof c.updated_at !== 'string' || !IDENT.test(c.updated_at.trim())) fail('updated_at must name a column of the source (it dates each new version), or be left out to date them by the run.');
      updatedAt = String(c.updated_at).trim();
    }
  }
  // dbt's rule: both keys at once is an error; invalidate_hard_deletes: true is hard_deletes: invalidate
  const legacy = c.invalidate_hard_deletes;
  if (legacy !== undefined && legacy !== null && typeof legacy !== 'boolean') fail(`invalidate_hard_deletes must be true or false, not ${JSON.stringify(legacy)}.`);
  if (legacy !== undefined && legacy !== null && c.hard_deletes !== undefined && c.hard_deletes !== null) {
    fail('set either hard_deletes or the older invalidate_hard_deletes, not both (invalidate_hard_deletes: true is hard_deletes: invalidate).');
  }
  let hardDeletes: HardDeletes = legacy === true ? 'invalidate' : 'ignore';
  if (c.hard_deletes !== undefined && c.hard_deletes !== null) {
    if (c.hard_deletes !== 'ignore' && c.hard_deletes !== 'invalidate' && c.hard_deletes !== 'new_record') {
      fail(`hard_deletes "${String(c.hard_deletes)}" is not one ft knows; use ignore, invalidate or new_record.`);
    }
    hardDeletes = c.hard_deletes as HardDeletes;
  }
  const names: SnapshotMetaNames = { dbt_scd_id: 'dbt_scd_id', dbt_updated_at: 'dbt_updated_at', dbt_valid_from: 'dbt_valid_from', dbt_valid_to: 'dbt_valid_to', dbt_is_deleted: 'dbt_is_deleted' };
  const renamed = c.snapshot_meta_column_names;
  if (renamed !== undefined && renamed !== null) {
    if (typeof renamed !== 'object' || Array.isArray(renamed)) fail('snapshot_meta_column_names must be a mapping, e.g. {dbt_valid_from: valid_from, dbt_valid_to: valid_to}.');
    for (const [k, v] of Object.entries(renamed as Record<string, unknown>)) {
      if (!META_KEYS.includes(k as keyof SnapshotMetaNames)) fail(`snapshot_meta_column_names has no key "${k}"; the keys are ${META_KEYS.join(', ')}.`);
      if (typeof v !== 'string' || !IDENT.test(v.trim())) fail(`snapshot_meta_column_names.${k} must be a column name, not ${JSON.stringify(v)}.`);
      names[k as keyof SnapshotMetaNames] = String(v).trim();
    }
    const all = META_KEYS.map((k) => names[k].toLowerCase());
    if (new Set(all).size !== all.length) fail('snapshot_meta_column_names gives two columns the same name; give each its own.');
  }
  return { strategy: strategy as 'timestamp' | 'check', uniqueKey, updatedAt, checkCols, hardDeletes, validToCurrent: validToCurrentSql(c.dbt_valid_to_current, fail), names };
}

/**
 * dbt_valid_to_current as SQL. dbt writes it as a SQL expression (`"'9999-12-31'"`); a bare date
 * (YAML reads `'9999-12-31'` as the text 9999-12-31, and PyYAML-style loaders as a date) is quoted,
 * since as SQL it would be a subtraction.
 */
function validToCurrentSql(v: unknown, fail: (what: string) => never): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (v instanceof Date) return `'${v.toISOString().slice(0, 10)}'`;
  if (typeof v !== 'string' || !v.trim()) return fail(`dbt_valid_to_current must be a date or SQL expression such as "'9999-12-31'", not ${JSON.stringify(v)}.`);
  const t = v.trim();
  if (/^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$/.test(t)) return `'${t}'`;
  return t;
}
