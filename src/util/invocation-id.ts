import { randomUUID } from 'node:crypto';

/** This invocation's id: the artifacts' metadata.invocation_id and `{{invocation_id}}`. */
export const invocationId = randomUUID();

/**
 * `{{run_started_at}}`: when this invocation started, in UTC, as MySQL and MariaDB both read a
 * DATETIME(6) literal ('2026-11-30 16:50:00.123000'; dbt prints a Python datetime, whose
 * '+00:00' suffix MariaDB does not accept).
 */
export const runStartedAt = new Date().toISOString().replace('T', ' ').replace('Z', '000');
