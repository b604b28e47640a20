{{config materialized="incremental" unique_key="_source_file,_source_line"}}
-- Bronze rows that passed every silver rule but repeat an event_id already kept in
-- valid_events: one row per extra copy, pointing at the copy that was kept (the first by
-- _batch_id, _source_file, _source_line — the order valid_events keeps).
{{#if (is_incremental)}}
-- Incremental: bronze batches after the greatest _batch_id here, up to this run's horizon,
-- looked up in valid_events, which has already taken every batch up to the horizon.
select
  c.event_id collate utf8mb4_bin as event_id,
  c.event_type,
  c.event_ts,
  c.session_id,
  c.product_id,
  c._source_file,
  c._source_line,
  c._batch_id,
  c._ingested_at,
  v._source_file as kept_source_file,
  v._source_line as kept_source_line,
  v._batch_id as kept_batch_id
from {{ref "stg_events_checked"}} c
join {{ref "valid_events"}} v on v.event_id = c.event_id
where c.reject_reason is null
  and not (v._source_file = c._source_file and v._source_line = c._source_line)
  and c._batch_id <= {{> batch_horizon}}
  and c._batch_id > {{> batch_watermark column="_batch_id"}}
{{else}}
-- Full refresh: one sorted pass over bronze (the same window valid_events ranks with), not a
-- lookup per row.
select
  event_id, event_type, event_ts, session_id, product_id, _source_file, _source_line, _batch_id, _ingested_at,
  kept_source_file, kept_source_line, kept_batch_id
from (
  select
    c.event_id collate utf8mb4_bin as event_id,
    c.event_type,
    c.event_ts,
    c.session_id,
    c.product_id,
    c._source_file,
    c._source_line,
    c._batch_id,
    c._ingested_at,
    row_number() over w as occurrence,
    first_value(c._source_file) over w as kept_source_file,
    first_value(c._source_line) over w as kept_source_line,
    first_value(c._batch_id) over w as kept_batch_id
  from {{ref "stg_events_checked"}} c
  where c.reject_reason is null
    and c._batch_id <= {{> batch_horizon}}
  window w as (partition by c.event_id collate utf8mb4_bin order by c._batch_id, c._source_file, c._source_line)
) ranked
where occurrence > 1
{{/if}}
