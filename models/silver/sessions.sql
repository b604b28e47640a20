{{config materialized="incremental" unique_key="session_id" watermark_column="_max_batch_id"}}
-- One row per browsing session, over valid deduplicated events.
-- Incremental: the sessions that received events since the last run are recomputed whole
-- from valid_events (a late event may change a session's first event, and its day).
with
{{#if (is_incremental)}}
touched as (
  select distinct session_id
  from {{ref "valid_events"}} {{> scan_for_group_by}}
  where _batch_id > {{> batch_watermark column="_max_batch_id"}}
),
{{/if}}
events as (
  {{#if (is_incremental)}}
  -- straight_join: from the few touched sessions into valid_events by index, whatever the estimates
  select v.*
  from touched t
  straight_join {{ref "valid_events"}} v on v.session_id = t.session_id
  {{else}}
  select v.*
  from {{ref "valid_events"}} v {{> scan_for_group_by}}
  {{/if}}
)
select
  session_id,
  min(user_id) as user_id,
  min(event_ts) as first_event_ts,
  max(event_ts) as last_event_ts,
  cast(min(event_ts) as date) as session_date,
  cast(count(*) as signed) as events,
  cast(sum(event_type = 'view') as signed) as views,
  cast(sum(event_type = 'add_to_cart') as signed) as add_to_carts,
  cast(sum(event_type = 'remove_from_cart') as signed) as remove_from_carts,
  cast(sum(event_type = 'purchase') as signed) as purchases,
  cast(max(event_type = 'view') as signed) as has_view,
  cast(max(event_type = 'add_to_cart') as signed) as has_add_to_cart,
  cast(max(event_type = 'purchase') as signed) as has_purchase,
  -- added to cart and did not purchase (flags are 0/1; written as a product so that the docs'
  -- SQL parser, which rejects a boolean inside CAST, can trace the column)
  cast(max(event_type = 'add_to_cart') * (1 - max(event_type = 'purchase')) as signed) as is_abandoned_cart,
  cast(sum(units_sold) as signed) as units_sold,
  cast(sum(revenue) as decimal(18,2)) as revenue,
  max(_batch_id) as _max_batch_id
from events
group by session_id
