import type { BucketMetric } from './anomaly-query.js';

/**
 * Column metrics of column_anomalies (elementary's names), each an aggregate over one
 * time bucket. min, max, average, sum, standard_deviation, variance and zero_* are for
 * numeric columns; *_length for strings; the others for any type. Percentages are 0–100.
 * Every value is computed as DOUBLE (`+ 0E0`) so all metrics share one column type.
 */
export const COLUMN_METRICS: Record<string, (col: string) => string> = {
  null_count: (c) => `SUM(CASE WHEN ${c} IS NULL THEN 1 ELSE 0 END) + 0E0`,
  null_percent: (c) => `100E0 * SUM(CASE WHEN ${c} IS NULL THEN 1 ELSE 0 END) / COUNT(*)`,
  not_null_percent: (c) => `100E0 * COUNT(${c}) / COUNT(*)`,
  missing_count: (c) => `SUM(CASE WHEN ${c} IS NULL OR CHAR_LENGTH(TRIM(${c})) = 0 THEN 1 ELSE 0 END) + 0E0`,
  missing_percent: (c) => `100E0 * SUM(CASE WHEN ${c} IS NULL OR CHAR_LENGTH(TRIM(${c})) = 0 THEN 1 ELSE 0 END) / COUNT(*)`,
  min: (c) => `MIN(${c}) + 0E0`,
  max: (c) => `MAX(${c}) + 0E0`,
  average: (c) => `AVG(${c}) + 0E0`,
  sum: (c) => `SUM(${c}) + 0E0`,
  standard_deviation: (c) => `STDDEV_SAMP(${c})`,
  variance: (c) => `VAR_SAMP(${c})`,
  zero_count: (c) => `SUM(CASE WHEN ${c} = 0 THEN 1 ELSE 0 END) + 0E0`,
  zero_percent: (c) => `100E0 * SUM(CASE WHEN ${c} = 0 THEN 1 ELSE 0 END) / COUNT(*)`,
  distinct_count: (c) => `COUNT(DISTINCT ${c}) + 0E0`,
  distinct_percent: (c) => `100E0 * COUNT(DISTINCT ${c}) / COUNT(*)`,
  min_length: (c) => `MIN(CHAR_LENGTH(${c})) + 0E0`,
  max_length: (c) => `MAX(CHAR_LENGTH(${c})) + 0E0`,
  average_length: (c) => `AVG(CHAR_LENGTH(${c})) + 0E0`,
};

const NON_NEGATIVE = new Set([
  'null_count', 'null_percent', 'not_null_percent', 'missing_count', 'missing_percent', 'standard_deviation', 'variance',
  'zero_count', 'zero_percent', 'distinct_count', 'distinct_percent', 'min_length', 'max_length', 'average_length',
]);

export function columnMetric(name: string, col: string): BucketMetric {
  const make = COLUMN_METRICS[name];
  if (!make) throw new Error(`unknown column metric ${name}`);
  return { name, aggregate: make(col), zeroWhenEmpty: false, nonNegative: NON_NEGATIVE.has(name) };
}
