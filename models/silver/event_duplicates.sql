{{config materialized="incremental" unique_key="_source_file,_source_line"}}
-- Bronze rows that passed every silver rule but repeat an event_id kept in valid_events: one
-- row per extra copy, pointing at the copy that was kept (the first by _batch_id,
-- _source_file, _source_line — the order valid_events keeps). valid_events holds exactly the
-- kept copies, so a valid bronze row that is not one of them is a duplicate.
--
-- Incremental: bronze batches after the greatest _batch_id here, up to this run's horizon;
-- valid_events has already taken every batch up to the horizon. (Full refresh: the same query
-- over every batch — the anti-join walks bronze and valid_events in the same (_source_file,
-- _source_line) order, and only the duplicates look their kept copy up by event_id.)
-- straight_join: the join order as written — bronze, the anti-join on the shared clustered
-- key, and only then the event_id lookup of the (few) duplicates
select straight_join
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
left join {{ref "valid_events"}} k on k._source_file = c._source_file and k._source_line = c._source_line
join {{ref "valid_events"}} v on v.event_id = c.event_id
where c.reject_reason is null
  and k._source_line is null
  and c._batch_id <= {{> batch_horizon}}
  {{#if (is_incremental)}}
  and c._batch_id > {{> batch_watermark column="_batch_id"}}
  {{/if}}
