/**
 * The small project the continuous-mode tests run `ft stream-load --build` on: a bronze source
 * of events (id, k, ts) landing as NDJSON files in landing/, an incremental `events_clean` on
 * its loader batch ids and a `totals` table over it.
 */
import { renameSync, writeFileSync } from 'node:fs';
import type { TestProject } from './project-builder.js';

export const SOURCES = `
version: 2
sources:
  - name: bronze
    schema: "{{target.database}}_bronze"
    tables:
      - name: events
        loader: {path: landing, format: ndjson, pattern: "*.ndjson", event_time: ts}
        columns:
          - {name: id, data_type: int, required: true}
          - {name: k, data_type: varchar(8), required: true}
          - {name: ts, data_type: datetime(3), required: true}
`;

/** k must be one of k0..k2: a file with another k makes the test fail (on the rows changed). */
export const KEY_TEST_YML = `
version: 2
models:
  - name: events_clean
    columns:
      - name: k
        tests:
          - accepted_values:
              values: [k0, k1, k2]
              config: {scope: changed_rows}
  - name: totals
    config:
      event_time: last_ts
`;

export const EVENTS_CLEAN = `{{config materialized="incremental" unique_key="id" watermark_column="_batch_id"}}
select id, k, ts, _batch_id from {{source "bronze" "events"}}
{{#if (is_incremental)}}where _batch_id > (select coalesce(max(_batch_id), 0) from {{this}}){{/if}}
`;

export const TOTALS = `{{config materialized="table"}}
select k, count(*) as n, max(ts) as last_ts from {{ref "events_clean"}} group by k
`;

/** A landing file of these events, written under a temporary name and renamed into place, as producers do. */
export function land(q: TestProject, name: string, rows: object[]): void {
  const tmp = q.path(`${name}.tmp`);
  writeFileSync(tmp, `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
  renameSync(tmp, q.path('landing', `${name}.ndjson`));
}

/** The JSON events (`--log-format json`) of the output in the order they were written; of one kind when given. */
export function outputEvents<T extends { event: string }>(out: string, kind?: string): T[] {
  return out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as T)
    .filter((e) => typeof e.event === 'string' && (kind === undefined || e.event === kind));
}
