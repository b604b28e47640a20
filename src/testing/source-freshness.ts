import type { Adapter } from '../adapters/adapter.js';
import type { FreshnessRule, Node } from '../project/types.js';
import { FtError } from '../util/errors.js';

export type FreshnessStatus = 'pass' | 'warn' | 'error' | 'runtime error';

export interface FreshnessResult {
  unique_id: string;
  status: FreshnessStatus;
  max_loaded_at: string | null;
  snapshotted_at: string;
  max_loaded_at_time_ago_in_s: number | null;
  criteria: { warn_after: FreshnessRule | null; error_after: FreshnessRule | null; filter: string | null };
  execution_time: number;
  message: string;
}

const PERIOD_SECONDS: Record<string, number> = { minute: 60, hour: 3600, day: 86400 };

function rule(v: unknown, what: string, node: Node): FreshnessRule | null {
  if (v === undefined || v === null) return null;
  const r = v as { count?: unknown; period?: unknown };
  if (typeof r !== 'object' || !Number.isFinite(Number(r.count)) || !PERIOD_SECONDS[String(r.period)]) {
    throw new FtError(`freshness.${what} of source ${node.source_name}.${node.name} must look like {count: 12, period: hour} (period minute, hour or day).`, 2, node.declared_at?.file, node.declared_at?.line);
  }
  return { count: Number(r.count), period: String(r.period) as FreshnessRule['period'] };
}

export function freshnessCriteria(node: Node): FreshnessResult['criteria'] | null {
  const f = node.freshness as Record<string, unknown> | null | undefined;
  if (!f) return null;
  const warn = rule(f.warn_after, 'warn_after', node);
  const error = rule(f.error_after, 'error_after', node);
  if (!warn && !error) return null;
  if (!node.loaded_at_field) {
    throw new FtError(`source ${node.source_name}.${node.name} has a freshness rule but no loaded_at_field. Add loaded_at_field: <timestamp column>.`, 2, node.declared_at?.file, node.declared_at?.line);
  }
  return { warn_after: warn, error_after: error, filter: (f.filter as string | undefined) ?? null };
}

const seconds = (r: FreshnessRule | null) => (r ? r.count * PERIOD_SECONDS[r.period]! : Infinity);

/** One query per source: how long ago its newest row was loaded, judged against warn_after/error_after. */
export async function checkFreshness(adapter: Adapter, node: Node, criteria: FreshnessResult['criteria']): Promise<FreshnessResult> {
  const t0 = Date.now();
  const col = /^[A-Za-z0-9_]+$/.test(node.loaded_at_field!) ? adapter.quote(node.loaded_at_field!) : node.loaded_at_field!;
  const sql = `SELECT MAX(${col}) AS max_loaded_at, UTC_TIMESTAMP(6) AS snapshotted_at, TIMESTAMPDIFF(MICROSECOND, MAX(${col}), UTC_TIMESTAMP(6)) / 1000000 AS age FROM ${node.relation_name}${criteria.filter ? ` WHERE ${criteria.filter}` : ''}`;
  const base = { unique_id: node.unique_id, criteria };
  try {
    const [row] = await adapter.withSession((s) => s.query<{ max_loaded_at: string | null; snapshotted_at: string; age: string | number | null }>(sql));
    const age = row?.age === null || row?.age === undefined ? null : Number(row.age);
    let status: FreshnessStatus = 'pass';
    if (age === null || age > seconds(criteria.error_after)) status = criteria.error_after ? 'error' : age === null ? 'warn' : 'pass';
    if (status === 'pass' && (age === null || age > seconds(criteria.warn_after))) status = 'warn';
    const ago = age === null ? 'has no rows' : `was last loaded ${formatAge(age)} ago`;
    return { ...base, status, max_loaded_at: row?.max_loaded_at ?? null, snapshotted_at: row!.snapshotted_at, max_loaded_at_time_ago_in_s: age, execution_time: (Date.now() - t0) / 1000, message: `${node.source_name}.${node.name} ${ago}` };
  } catch (e) {
    const err = e as { sqlMessage?: string; message?: string };
    return { ...base, status: 'runtime error', max_loaded_at: null, snapshotted_at: new Date().toISOString(), max_loaded_at_time_ago_in_s: null, execution_time: (Date.now() - t0) / 1000, message: err.sqlMessage ?? err.message ?? String(e) };
  }
}

export function formatAge(s: number): string {
  if (s < 120) return `${s.toFixed(0)}s`;
  if (s < 7200) return `${(s / 60).toFixed(0)} minutes`;
  if (s < 172800) return `${(s / 3600).toFixed(1)} hours`;
  return `${(s / 86400).toFixed(1)} days`;
}
