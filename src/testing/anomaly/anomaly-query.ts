import { sqlString } from '../generic/helpers.js';
import type { GenericTestContext } from '../generic/types.js';
import { timestampExpr, type AnomalyOptions } from './options.js';

/** One metric computed per time bucket. */
export interface BucketMetric {
  /** name in the `metric` column of failing rows */
  name: string;
  /** aggregate over the rows of one bucket (SQL) */
  aggregate: string;
  /** an empty bucket has this metric at 0 (row_count); otherwise it has no value and is skipped */
  zeroWhenEmpty: boolean;
  /** a count or percentage: expected_min is clamped at 0 */
  nonNegative: boolean;
}

/** Monday 1900-01-01 00:00:00: buckets are aligned on it (so weeks start on Monday); every later timestamp has a non-negative bucket number. */
const EPOCH = "CAST('1900-01-01 00:00:00' AS DATETIME)";

function seasonExpr(opts: AnomalyOptions, bucketStart: string): string {
  switch (opts.seasonality) {
    case 'day_of_week':
      return `DAYOFWEEK(${bucketStart})`;
    case 'hour_of_day':
      return `HOUR(${bucketStart})`;
    case 'hour_of_week':
      return `(DAYOFWEEK(${bucketStart}) - 1) * 24 + HOUR(${bucketStart})`;
    default:
      return '0';
  }
}

/**
 * The anomaly query: per-bucket metrics, training statistics per (metric, season) with
 * window functions, and the detection buckets whose z-score passes the threshold. One
 * query (MariaDB re-evaluates a CTE at every reference, so every CTE that reads the model is
 * referenced once):
 *
 * 1. `ft_bounds`: the window's first bucket, from the first and last timestamps: the bucket
 *    holding the latest timestamp is incomplete, so the latest complete bucket is the one
 *    before it; the bucket holding the earliest one may be partial (data that starts
 *    mid-day) and is not used either. The window is the training + detection buckets ending
 *    at the latest complete bucket. On an indexed column MIN and MAX are index dives.
 * 2. `ft_grouped`: the rows from the window's start on, grouped by bucket — the only pass
 *    over the data, a range scan when the column is indexed (so a long history costs
 *    nothing); `ft_framed`: per bucket, the next bucket with data (LEAD) and the last bucket.
 * 3. `ft_filled`: each bucket with data, followed by the empty buckets up to the next one
 *    (the first also by those from the window's start) — so a bucket without rows exists,
 *    with volume 0. A bucket is
 *    expanded into its rows with JSON_TABLE over a generated array (MySQL 8.0.4+, MariaDB
 *    10.6+), which costs one row per output row. Not a recursive CTE: MySQL
 *    (cte_max_recursion_depth) and MariaDB (max_recursive_iterations) stop recursion at 1000
 *    rows by default, less than a 6-week hourly window; not a join with a numbers table,
 *    which costs window × table size comparisons.
 * 4. `ft_values`: buckets × metrics; training mean, sample standard deviation and count
 *    over (metric, season) partitions of the training buckets only; z-score and expected
 *    range for the detection buckets.
 *
 * Timestamps before 1900-01-01 are not supported (their bucket numbers would be negative).
 */
export function anomalyQuery(ctx: GenericTestContext, opts: AnomalyOptions, metrics: BucketMetric[]): string {
  const ts = timestampExpr(ctx, opts);
  // buckets are counted in whole hours or days (TIMESTAMPDIFF is integer and cheap); a week is 7 days
  const unit = opts.bucketPeriod === 'hour' ? 'HOUR' : 'DAY';
  const width = opts.bucketPeriod === 'week' ? 7 * opts.bucketCount : opts.bucketCount;
  const D = opts.detectionBuckets;
  const window = opts.trainingBuckets + D;
  const bucketIdx = (expr: string) => (width === 1 ? `TIMESTAMPDIFF(${unit}, ${EPOCH}, ${expr})` : `TIMESTAMPDIFF(${unit}, ${EPOCH}, ${expr}) DIV ${width}`);
  const bucketStart = (idx: string) => `TIMESTAMPADD(${unit}, ${width === 1 ? idx : `${idx} * ${width}`}, ${EPOCH})`;
  const S = opts.sensitivity;

  const valueCase = [
    '    CASE m.metric',
    ...metrics.map(
      (m) => `      WHEN ${sqlString(m.name)} THEN CASE WHEN s.has_data = 1 THEN s.m_${m.name}${m.zeroWhenEmpty ? ' ELSE 0' : ''} END`,
    ),
    '    END',
  ].join('\n');
  const nonNegative = metrics.filter((m) => m.nonNegative).map((m) => sqlString(m.name));
  const clampMin = (e: string) => (nonNegative.length ? `CASE WHEN metric IN (${nonNegative.join(', ')}) THEN GREATEST(0, ${e}) ELSE ${e} END` : e);

  const conditions = ['is_training = 0', 'value IS NOT NULL', `training_n >= ${opts.minTrainingBuckets}`];
  if (opts.direction === 'both') conditions.push(`ABS(z_score) > ${S}`);
  else if (opts.direction === 'spike') conditions.push(`z_score > ${S}`);
  else conditions.push(`z_score < -${S}`);
  if (opts.spikeThresholdPercent !== null) {
    conditions.push(`(z_score <= 0 OR value > training_avg + ABS(training_avg) * ${opts.spikeThresholdPercent} / 100)`);
  }
  if (opts.dropThresholdPercent !== null) {
    conditions.push(`(z_score >= 0 OR value < training_avg - ABS(training_avg) * ${opts.dropThresholdPercent} / 100)`);
  }
  const partition = 'PARTITION BY metric, season';
  const training = (e: string) => `CASE WHEN is_training = 1 THEN ${e} END`;

  const dataCols = metrics.map((m) => `f.m_${m.name}`).join(', ');
  return [
    // the window's first bucket from the first and last timestamps: MIN and MAX of an indexed
    // column are index dives, so only the window's rows are read, however long the history
    'WITH ft_bounds AS (',
    `  SELECT GREATEST(${bucketIdx(`MIN(${ts})`)} + 1, ${bucketIdx(`MAX(${ts})`)} - ${window}) AS ft_start_idx`,
    `  FROM ${ctx.model}`,
    '),',
    'ft_grouped AS (',
    '  SELECT',
    `    ${bucketIdx(ts)} AS ft_idx,`,
    '    MIN(ft_b.ft_start_idx) AS ft_start_idx,',
    metrics.map((m) => `    ${m.aggregate} AS m_${m.name}`).join(',\n'),
    `  FROM ft_bounds ft_b JOIN ${ctx.model} ON ${ts} >= ${bucketStart('ft_b.ft_start_idx')}`,
    `  GROUP BY ${bucketIdx(ts)}`,
    '),',
    'ft_framed AS (',
    '  SELECT ft_grouped.*,',
    '    LEAD(ft_idx) OVER (ORDER BY ft_idx) AS ft_next_idx,',
    // the first bucket with data also fills the empty buckets from the window's start
    '    CASE WHEN LAG(ft_idx) OVER (ORDER BY ft_idx) IS NULL THEN ft_start_idx ELSE ft_idx END AS ft_from_idx,',
    // FIRST_VALUE over an ordered window rather than MAX OVER (): MariaDB recomputes a
    // MIN/MAX window over the whole partition for every row
    '    FIRST_VALUE(ft_idx) OVER (ORDER BY ft_idx DESC) - 1 AS ft_last_idx',
    '  FROM ft_grouped',
    '),',
    'ft_filled AS (',
    '  SELECT',
    '    f.ft_from_idx + j.n - 1 AS idx,',
    '    CASE WHEN f.ft_from_idx + j.n - 1 = f.ft_idx THEN 1 ELSE 0 END AS has_data,',
    `    ${dataCols},`,
    '    f.ft_last_idx',
    '  FROM ft_framed f',
    '  CROSS JOIN JSON_TABLE(',
    "    CONCAT('[', SUBSTRING(REPEAT(',0', GREATEST(0, LEAST(COALESCE(f.ft_next_idx, f.ft_idx + 1), f.ft_last_idx + 1) - f.ft_from_idx)), 2), ']'),",
    "    '$[*]' COLUMNS (n FOR ORDINALITY)",
    '  ) AS j',
    '),',
    'ft_metric_names AS (',
    `  ${metrics.map((m) => `SELECT ${sqlString(m.name)} AS metric`).join(' UNION ALL ')}`,
    '),',
    'ft_values AS (',
    '  SELECT',
    `    ${bucketStart('s.idx')} AS bucket_start,`,
    '    m.metric,',
    `${valueCase} AS value,`,
    `    ${seasonExpr(opts, bucketStart('s.idx'))} AS season,`,
    `    CASE WHEN s.idx <= s.ft_last_idx - ${D} THEN 1 ELSE 0 END AS is_training`,
    '  FROM ft_filled s',
    '  CROSS JOIN ft_metric_names m',
    '),',
    // Window AVG, COUNT and SUM are linear; MariaDB computes STDDEV_SAMP (and MIN/MAX) over a
    // whole-partition window again for every row, so the sample standard deviation is
    // computed in two passes: the mean, then the sum of squared deviations from it.
    'ft_means AS (',
    '  SELECT v.*,',
    `    AVG(${training('value')}) OVER (${partition}) AS training_avg,`,
    `    COUNT(${training('value')}) OVER (${partition}) AS training_n`,
    '  FROM ft_values v',
    '),',
    'ft_stats AS (',
    '  SELECT ft_means.*,',
    '    CASE WHEN training_n >= 2 THEN',
    `      SQRT(SUM(${training('(value - training_avg) * (value - training_avg)')}) OVER (${partition}) / (training_n - 1))`,
    '    END AS training_stddev',
    '  FROM ft_means',
    '),',
    'ft_scored AS (',
    '  SELECT ft_stats.*,',
    '    CASE',
    '      WHEN training_stddev IS NULL OR value IS NULL THEN NULL',
    '      WHEN training_stddev = 0 THEN 0',
    '      ELSE (value - training_avg) / training_stddev',
    '    END AS z_score',
    '  FROM ft_stats',
    ')',
    'SELECT',
    '  bucket_start,',
    '  metric,',
    '  value,',
    `  ${clampMin(`training_avg - ${S} * training_stddev`)} AS expected_min,`,
    `  training_avg + ${S} * training_stddev AS expected_max,`,
    '  training_avg,',
    '  training_stddev,',
    '  z_score',
    'FROM ft_scored',
    `WHERE ${conditions.join('\n  AND ')}`,
  ].join('\n');
}
