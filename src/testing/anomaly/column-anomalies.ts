import { argError, testColumn } from '../generic/helpers.js';
import type { GenericTestDefinition } from '../generic/types.js';
import { anomalyQuery } from './anomaly-query.js';
import { COLUMN_METRICS, columnMetric } from './column-metrics.js';
import { ANOMALY_ARGS, parseAnomalyOptions } from './options.js';
import { didYouMean } from '../../util/suggest.js';

const T = 'column_anomalies';
const DEFAULT_METRICS = ['null_count', 'null_percent'];

function parseMetrics(args: Record<string, unknown>): string[] {
  const v = args.column_anomalies;
  if (v === undefined || v === null) return DEFAULT_METRICS;
  const list = Array.isArray(v) ? v : [v];
  if (list.length === 0) throw argError(T, 'argument "column_anomalies" is an empty list; name metrics such as [null_percent, distinct_count].');
  const out: string[] = [];
  for (const m of list) {
    const name = typeof m === 'string' ? m.toLowerCase() : '';
    if (!(name in COLUMN_METRICS)) {
      throw argError(
        T,
        `unknown metric ${JSON.stringify(m)} in "column_anomalies".${didYouMean(String(m), Object.keys(COLUMN_METRICS))} Known metrics: ${Object.keys(COLUMN_METRICS).join(', ')}.`,
      );
    }
    if (!out.includes(name)) out.push(name);
  }
  return out;
}

/**
 * elementary-style `column_anomalies` (column-level): per time bucket, each metric listed
 * in `column_anomalies` (default: null_count, null_percent; see ./column-metrics.ts) is
 * compared with its training buckets. Buckets without rows have no value and are neither
 * trained on nor judged. Failing rows as volume_anomalies; options in ./options.ts.
 */
export const columnAnomalies: GenericTestDefinition = {
  name: T,
  requiresColumn: true,
  requiredArgs: ['timestamp_column'],
  temporalArgs: ['timestamp_column'],
  optionalArgs: ['column_anomalies', ...ANOMALY_ARGS.filter((a) => a !== 'timestamp_column')],
  description: 'Column metrics per time bucket (null %, distinct count, …) stay within their learnt range.',
  validate(args) {
    parseMetrics(args);
    parseAnomalyOptions(T, args);
  },
  sql(ctx) {
    const col = testColumn(T, ctx);
    const metrics = parseMetrics(ctx.args).map((m) => columnMetric(m, col));
    return anomalyQuery(ctx, parseAnomalyOptions(T, ctx.args), metrics);
  },
};
