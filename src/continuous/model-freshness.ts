/**
 * Freshness of the models a continuous build keeps up to date: the newest event time visible in
 * each, and its lag behind the newest event loaded. A model shows it through `event_time` (a
 * column of event times: its MAX) or, failing that, `watermark_column` holding the loader's
 * `_batch_id` (the newest event of the batches it has taken in). `config: freshness:
 * {warn_after: 10s, error_after: 1m}` on a model turns the lag into warn/error, as source
 * freshness does.
 */
import type { Node } from '../project/types.js';
import { parseDuration } from '../util/duration.js';
import { FtError } from '../util/errors.js';

export interface FreshnessTarget {
  warnAfterMs: number | null;
  errorAfterMs: number | null;
}

export interface FreshnessProbe {
  node: Node;
  /** MAX(column) is an event time … */
  eventTime?: string;
  /** … or the newest batch taken in, mapped to the newest event of the batches up to it */
  batchColumn?: string;
  target: FreshnessTarget | null;
}

export interface FreshnessReading {
  model: string;
  /** newest event visible (ISO, UTC), null when the model has none yet */
  newestEvent: string | null;
  /** seconds behind the newest event loaded; null when either is unknown */
  lagSeconds: number | null;
  status: 'pass' | 'warn' | 'error' | 'unknown';
}

const PERIOD_MS: Record<string, number> = { second: 1000, minute: 60_000, hour: 3_600_000, day: 86_400_000 };

function afterMs(v: unknown, key: string, node: Node): number | null {
  if (v === undefined || v === null) return null;
  const where = `config freshness.${key} of ${node.name}`;
  if (typeof v === 'string' || typeof v === 'number') {
    const ms = parseDuration(String(v), 's');
    if (ms !== null && ms > 0) return ms;
  } else if (typeof v === 'object') {
    const r = v as { count?: unknown; period?: unknown };
    const unit = PERIOD_MS[String(r.period)];
    if (unit && Number(r.count) > 0) return Number(r.count) * unit;
  }
  throw new FtError(`${where} must be a duration such as 10s or 2m, or {count: 10, period: second} (period second, minute, hour or day).`, 2, node.original_file_path);
}

/** What to measure of a model, or null when it shows no event time (then its freshness is not measured). */
export function freshnessProbe(node: Node): FreshnessProbe | null {
  const cfg = node.config as { freshness?: unknown; event_time?: unknown; watermark_column?: unknown };
  const f = cfg.freshness;
  let target: FreshnessTarget | null = null;
  if (f !== undefined && f !== null) {
    if (typeof f !== 'object' || Array.isArray(f)) throw new FtError(`config freshness of ${node.name} must be a mapping: {warn_after: 10s, error_after: 1m}.`, 2, node.original_file_path);
    const o = f as { warn_after?: unknown; error_after?: unknown };
    target = { warnAfterMs: afterMs(o.warn_after, 'warn_after', node), errorAfterMs: afterMs(o.error_after, 'error_after', node) };
  }
  if (typeof cfg.event_time === 'string' && cfg.event_time) return { node, eventTime: cfg.event_time, target };
  if (typeof cfg.watermark_column === 'string' && cfg.watermark_column) return { node, batchColumn: cfg.watermark_column, target };
  if (target) {
    throw new FtError(
      `${node.name} declares config freshness but no column to measure it by: set config event_time: <column of event times> or watermark_column: <column holding the loader's _batch_id>.`,
      2,
      node.original_file_path,
    );
  }
  return null;
}

export function judge(lagSeconds: number | null, target: FreshnessTarget | null): FreshnessReading['status'] {
  if (lagSeconds === null) return 'unknown';
  if (target?.errorAfterMs != null && lagSeconds * 1000 > target.errorAfterMs) return 'error';
  if (target?.warnAfterMs != null && lagSeconds * 1000 > target.warnAfterMs) return 'warn';
  return 'pass';
}
