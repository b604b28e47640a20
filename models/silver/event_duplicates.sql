{{config materialized="incremental" unique_key="_source_file,_source_line"}}
-- Bronze rows that passed every silver rule but repeat an event_id already kept in
-- valid_events: one row per extra copy, pointing at the copy that was kept.
-- Incremental: bronze batches after the greatest _batch_id here, up to this run's horizon;
-- valid_events has already taken every batch up to the horizon, so the kept copy is there.
select
  c.event_id,
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
  {{#if (is_incremental)}}
  and c._batch_id > {{> batch_watermark column="_batch_id"}}
  {{/if}}
