import { argError, columnExpr, enumArg, has, intArg, numberArg, stringArg } from '../generic/helpers.js';
import type { GenericTestContext } from '../generic/types.js';

/**
 * Options shared by the anomaly tests (volume_anomalies, column_anomalies), named as in
 * elementary so an elementary project's YAML reads the same:
 *
 * - `timestamp_column` (required): the column that places a row in a time bucket.
 *   Values are read as they are stored (DATETIME has no zone; TIMESTAMP is read in the
 *   session zone).
 * - `time_bucket`: `hour` | `day` (default `day`), or elementary's `{period, count}` with
 *   period hour|day|week (weeks start on Monday). Buckets are aligned on midnight of
 *   1900-01-01 (a Monday).
 * - `training_period`: how many buckets before the detection period form the training
 *   set — an integer number of buckets, or `{period: hour|day|week, count: n}` (a whole
 *   number of buckets). Default: 14 days for day buckets, 7 days for hour buckets
 *   (14 buckets for wider buckets), multiplied by 7 with `seasonality: day_of_week` or
 *   `hour_of_week` when left at the default (as elementary does) so each weekday has
 *   enough history.
 * - `detection_period`: the buckets that are judged — the latest complete buckets in the
 *   data. Same forms as training_period. Default: 2 days, as elementary
 *   (2 day buckets, 48 hour buckets; at least 1 bucket).
 * - `anomaly_sensitivity`: z-score threshold (default 3). A bucket is anomalous when
 *   |value − training_avg| / training_stddev > sensitivity (strictly).
 * - `anomaly_direction`: `both` (default) | `spike` | `drop`.
 * - `seasonality`: `none` (default) | `day_of_week` | `hour_of_day` | `hour_of_week`: a
 *   bucket is compared only with training buckets of the same weekday / hour.
 * - `ignore_small_changes`: elementary's `{spike_failure_percent_threshold,
 *   drop_failure_percent_threshold}`, or one number for both: a spike fails only if the
 *   value exceeds training_avg by more than that percent (a drop: falls below it by more).
 * - `min_training_buckets` (alias `min_training_set_size`): fewest training buckets (of
 *   the same season) needed to judge a bucket; with fewer it is not judged. Default 4.
 *
 * What is judged: the bucket containing the latest timestamp in the data is incomplete and
 * is never judged (nor is the bucket containing the earliest one, which may be partial,
 * used for training); the detection period is the `detection_period` buckets before it, the
 * training period the `training_period` buckets before those. Everything is relative to
 * the data, not the wall clock, so results are deterministic. Detection buckets never
 * train each other (an anomaly cannot hide the next one). A training stddev of 0 gives a
 * z-score of 0 (never anomalous), as elementary.
 */

export type Period = 'hour' | 'day' | 'week';
export type Seasonality = 'none' | 'day_of_week' | 'hour_of_day' | 'hour_of_week';
export type Direction = 'both' | 'spike' | 'drop';

export interface AnomalyOptions {
  timestampColumn: string;
  bucketPeriod: Period;
  bucketCount: number;
  bucketSeconds: number;
  trainingBuckets: number;
  detectionBuckets: number;
  sensitivity: number;
  direction: Direction;
  seasonality: Seasonality;
  spikeThresholdPercent: number | null;
  dropThresholdPercent: number | null;
  minTrainingBuckets: number;
}

export const ANOMALY_ARGS = [
  'timestamp_column',
  'time_bucket',
  'training_period',
  'detection_period',
  'anomaly_sensitivity',
  'anomaly_direction',
  'seasonality',
  'ignore_small_changes',
  'min_training_buckets',
  'min_training_set_size',
];

const PERIOD_SECONDS: Record<Period, number> = { hour: 3600, day: 86400, week: 604800 };
const PERIODS = Object.keys(PERIOD_SECONDS) as Period[];

function parsePeriodName(test: string, key: string, v: unknown): Period {
  const s = typeof v === 'string' ? v.toLowerCase().replace(/s$/, '') : '';
  if ((PERIODS as string[]).includes(s)) return s as Period;
  throw argError(test, `"${key}" period must be one of hour, day, week, got ${JSON.stringify(v)}.`);
}

function parseTimeBucket(test: string, args: Record<string, unknown>): { period: Period; count: number } {
  const v = args.time_bucket;
  if (v === undefined || v === null) return { period: 'day', count: 1 };
  if (typeof v === 'string') return { period: parsePeriodName(test, 'time_bucket', v), count: 1 };
  if (typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    const period = parsePeriodName(test, 'time_bucket', o.period ?? 'day');
    const count = o.count ?? 1;
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) {
      throw argError(test, `"time_bucket.count" must be a whole number ≥ 1, got ${JSON.stringify(count)}.`);
    }
    return { period, count };
  }
  throw argError(test, 'argument "time_bucket" must be hour, day or {period: day, count: 1}.');
}

/** A period argument in buckets: an integer, or {period, count} converted to buckets. */
function parseBuckets(test: string, args: Record<string, unknown>, key: string, bucketSeconds: number): number | null {
  const v = args[key];
  if (v === undefined || v === null) return null;
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 1) throw argError(test, `"${key}" as a number counts buckets and must be a whole number ≥ 1, got ${v}.`);
    return v;
  }
  if (typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    const period = parsePeriodName(test, key, o.period ?? 'day');
    const count = o.count;
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) {
      throw argError(test, `"${key}.count" must be a whole number ≥ 1, e.g. \`${key}: {period: day, count: 14}\`.`);
    }
    const buckets = (PERIOD_SECONDS[period] * count) / bucketSeconds;
    if (!Number.isInteger(buckets)) {
      throw argError(test, `"${key}" (${count} ${period}) is not a whole number of time buckets; use a multiple of the bucket size or give a number of buckets.`);
    }
    return buckets;
  }
  throw argError(test, `argument "${key}" must be a number of buckets or {period: day, count: 14}.`);
}

function parseSmallChanges(test: string, args: Record<string, unknown>): { spike: number | null; drop: number | null } {
  const v = args.ignore_small_changes;
  if (v === undefined || v === null) return { spike: null, drop: null };
  const pct = (x: unknown, key: string): number | null => {
    if (x === undefined || x === null) return null;
    if (typeof x === 'number' && Number.isFinite(x) && x >= 0) return x;
    throw argError(test, `"${key}" must be a percentage ≥ 0, got ${JSON.stringify(x)}.`);
  };
  if (typeof v === 'number') {
    const p = pct(v, 'ignore_small_changes');
    return { spike: p, drop: p };
  }
  if (typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      if (k !== 'spike_failure_percent_threshold' && k !== 'drop_failure_percent_threshold') {
        throw argError(test, `unknown key "${k}" in "ignore_small_changes"; use spike_failure_percent_threshold and/or drop_failure_percent_threshold.`);
      }
    }
    return {
      spike: pct(o.spike_failure_percent_threshold, 'ignore_small_changes.spike_failure_percent_threshold'),
      drop: pct(o.drop_failure_percent_threshold, 'ignore_small_changes.drop_failure_percent_threshold'),
    };
  }
  throw argError(test, 'argument "ignore_small_changes" must be a percentage or {spike_failure_percent_threshold: 10, drop_failure_percent_threshold: 10}.');
}

export function parseAnomalyOptions(test: string, args: Record<string, unknown>): AnomalyOptions {
  const timestampColumn = stringArg(test, args, 'timestamp_column', 'timestamp_column: created_at');
  const { period, count } = parseTimeBucket(test, args);
  const bucketSeconds = PERIOD_SECONDS[period] * count;
  const seasonality = enumArg(test, args, 'seasonality', ['none', 'day_of_week', 'hour_of_day', 'hour_of_week'] as const, 'none');
  if ((seasonality === 'hour_of_day' || seasonality === 'hour_of_week') && (period !== 'hour' || 24 % count !== 0)) {
    throw argError(test, `seasonality "${seasonality}" needs hourly buckets; set \`time_bucket: hour\`.`);
  }
  if (seasonality === 'day_of_week' && bucketSeconds > 86400) {
    throw argError(test, 'seasonality "day_of_week" needs buckets of a day or less; set `time_bucket: day`.');
  }
  let training = parseBuckets(test, args, 'training_period', bucketSeconds);
  if (training === null) {
    training = period === 'hour' ? Math.max(1, Math.round((7 * 86400) / bucketSeconds)) : 14;
    if (seasonality === 'day_of_week' || seasonality === 'hour_of_week') training *= 7;
  }
  const detection = parseBuckets(test, args, 'detection_period', bucketSeconds) ?? Math.max(1, Math.round((2 * 86400) / bucketSeconds));
  const sensitivity = numberArg(test, args, 'anomaly_sensitivity', 'anomaly_sensitivity: 3', 3);
  if (sensitivity <= 0) throw argError(test, `"anomaly_sensitivity" must be > 0, got ${sensitivity}.`);
  const direction = enumArg(test, args, 'anomaly_direction', ['both', 'spike', 'drop'] as const, 'both');
  const small = parseSmallChanges(test, args);
  const minKey = has(args, 'min_training_buckets') ? 'min_training_buckets' : 'min_training_set_size';
  const minTraining = intArg(test, args, minKey, `${minKey}: 4`, 4);
  if (minTraining < 2) throw argError(test, `"${minKey}" must be at least 2 (a standard deviation needs two buckets), got ${minTraining}.`);
  return {
    timestampColumn,
    bucketPeriod: period,
    bucketCount: count,
    bucketSeconds,
    trainingBuckets: training,
    detectionBuckets: detection,
    sensitivity,
    direction,
    seasonality,
    spikeThresholdPercent: small.spike,
    dropThresholdPercent: small.drop,
    minTrainingBuckets: minTraining,
  };
}

export function timestampExpr(ctx: Pick<GenericTestContext, 'quote'>, opts: AnomalyOptions): string {
  return columnExpr(ctx, opts.timestampColumn);
}
