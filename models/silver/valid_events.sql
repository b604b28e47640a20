{{config materialized="incremental" unique_key="event_id"}}
-- Valid, typed, deduplicated events: one row per event_id.
-- Valid = required fields present, event_type one of the event_types seed, product_id in the
-- catalog, price > 0, quantity ≥ 1 (see stg_events_checked). When an event_id arrived more
-- than once, the earliest ingested copy is kept: smallest (_batch_id, _source_file,
-- _source_line). Batch ids grow in commit order, so a copy arriving in a later run is never
-- earlier than the kept one: an incremental run only adds event_ids it has not seen.
--
-- Codes and ids are compared exactly (utf8mb4_bin), as the producer's contract says: 'VIEW' is
-- not 'view', and event ids differing in case are different events.
--
-- Incremental: bronze batches after the greatest _batch_id already here, up to this run's
-- horizon (ingestion_batches). Batch ids, unlike _ingested_at, never tie and never go
-- backwards, so no batch is skipped or read twice.
with candidates as (
  select
    c.*,
    row_number() over (partition by c.event_id collate utf8mb4_bin order by c._batch_id, c._source_file, c._source_line) as occurrence
  from {{ref "stg_events_checked"}} c
  where c.reject_reason is null
    and c._batch_id <= {{> batch_horizon}}
    {{#if (is_incremental)}}
    and c._batch_id > {{> batch_watermark column="_batch_id"}}
    {{/if}}
)
-- coalesce(…, default) marks the columns that can never be NULL here (the rows passed the
-- silver rules) as NOT NULL in the table, so the database enforces it too; the defaults are
-- never used.
select
  c.event_id collate utf8mb4_bin as event_id,
  coalesce(c.event_type collate utf8mb4_bin, '') as event_type,
  coalesce(c.event_ts, timestamp '1970-01-01 00:00:00.000') as event_ts,
  coalesce(cast(c.event_ts as date), date '1970-01-01') as event_date,
  coalesce({{hour_of "c.event_ts"}}, timestamp '1970-01-01 00:00:00') as event_hour,
  c.user_id,
  coalesce(c.session_id collate utf8mb4_bin, '') as session_id,
  coalesce(c.product_id collate utf8mb4_bin, '') as product_id,
  coalesce(c.category, '') as category,
  coalesce(c.price, 0) as price,
  coalesce(c.quantity, 0) as quantity,
  coalesce(cast(case when c.event_type = 'purchase' then c.quantity else 0 end as signed), 0) as units_sold,
  coalesce(cast(case when c.event_type = 'purchase' then c.price * c.quantity else 0 end as decimal(18,2)), 0) as revenue,
  c.flash_sale_id,
  coalesce(c._ingested_at, timestamp '1970-01-01 00:00:00.000000') as _ingested_at,
  coalesce(c._source_file, '') as _source_file,
  coalesce(c._source_line, 0) as _source_line,
  coalesce(c._batch_id, 0) as _batch_id
from candidates c
where c.occurrence = 1
{{#if (is_incremental)}}
  and not exists (select 1 from {{this}} t where t.event_id = c.event_id)
{{/if}}
