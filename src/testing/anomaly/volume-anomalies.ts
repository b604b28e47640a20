import type { GenericTestDefinition } from '../generic/types.js';
import { anomalyQuery } from './anomaly-query.js';
import { ANOMALY_ARGS, parseAnomalyOptions } from './options.js';

const T = 'volume_anomalies';

/**
 * elementary-style `volume_anomalies` (model-level): the number of rows per time bucket
 * (metric `row_count`; a bucket with no rows counts 0) compared with the training
 * buckets; one failing row per anomalous detection bucket with bucket_start, metric,
 * value, expected_min, expected_max, training_avg, training_stddev, z_score. Options and
 * their defaults: see ./options.ts.
 */
export const volumeAnomalies: GenericTestDefinition = {
  name: T,
  requiresColumn: false,
  requiredArgs: ['timestamp_column'],
  temporalArgs: ['timestamp_column'],
  optionalArgs: ANOMALY_ARGS.filter((a) => a !== 'timestamp_column'),
  description: 'The row count per time bucket stays within the range learnt from the training period.',
  validate(args) {
    parseAnomalyOptions(T, args);
  },
  sql(ctx) {
    const opts = parseAnomalyOptions(T, ctx.args);
    return anomalyQuery(ctx, opts, [{ name: 'row_count', aggregate: 'COUNT(*)', zeroWhenEmpty: true, nonNegative: true }]);
  },
};
