{{config materialized="incremental" unique_key="session_id" watermark_column="_max_batch_id"}}
-- One row per browsing session, over valid deduplicated events.
-- Incremental: the events since the last run (valid_events above the watermark, by its
-- _batch_id index) are added up per session and merged into the session's row already here:
-- every column is a count, a sum, a min, a max or a flag made of them, and valid_events only
-- ever gains events, so old row ⊕ new events = the session over all its events (a late event
-- may move its first event, and its day). A run reads the new events and one row per touched
-- session, however long the sessions are.
with
events as (
  select v.*
  from {{ref "valid_events"}} v
  {{#if (is_incremental)}}
  where v._batch_id > {{> batch_watermark column="_max_batch_id"}}
  {{else}}
  {{> scan_for_group_by}}
  {{/if}}
),
counts as (
  select
    session_id,
    min(user_id) as user_id,
    min(event_ts) as first_event_ts,
    max(event_ts) as last_event_ts,
    count(*) as events,
    sum(event_type = 'view') as views,
    sum(event_type = 'add_to_cart') as add_to_carts,
    sum(event_type = 'remove_from_cart') as remove_from_carts,
    sum(event_type = 'purchase') as purchases,
    max(event_type = 'view') as has_view,
    max(event_type = 'add_to_cart') as has_add_to_cart,
    max(event_type = 'purchase') as has_purchase,
    sum(units_sold) as units_sold,
    sum(revenue) as revenue,
    max(_batch_id) as max_batch_id
  from events
  group by session_id
){{#if (is_incremental)}},
totals as (
  -- each touched session: its row so far (one dive into the unique key) merged with the new
  -- events (MIN/MAX skip NULLs, LEAST/GREATEST do not: a side without a value gives way;
  -- the flags are ORed, which keeps their column types those of the full build)
  select
    c.session_id,
    coalesce(least(s.user_id, c.user_id), s.user_id, c.user_id) as user_id,
    coalesce(least(s.first_event_ts, c.first_event_ts), c.first_event_ts) as first_event_ts,
    coalesce(greatest(s.last_event_ts, c.last_event_ts), c.last_event_ts) as last_event_ts,
    c.events + coalesce(s.events, 0) as events,
    c.views + coalesce(s.views, 0) as views,
    c.add_to_carts + coalesce(s.add_to_carts, 0) as add_to_carts,
    c.remove_from_carts + coalesce(s.remove_from_carts, 0) as remove_from_carts,
    c.purchases + coalesce(s.purchases, 0) as purchases,
    (c.has_view or coalesce(s.has_view, 0)) as has_view,
    (c.has_add_to_cart or coalesce(s.has_add_to_cart, 0)) as has_add_to_cart,
    (c.has_purchase or coalesce(s.has_purchase, 0)) as has_purchase,
    c.units_sold + coalesce(s.units_sold, 0) as units_sold,
    c.revenue + coalesce(s.revenue, 0) as revenue,
    greatest(c.max_batch_id, coalesce(s._max_batch_id, 0)) as max_batch_id
  from counts c
  left join {{this}} s on s.session_id = c.session_id
){{/if}}
select
  session_id,
  user_id,
  first_event_ts,
  last_event_ts,
  cast(first_event_ts as date) as session_date,
  cast(events as signed) as events,
  cast(views as signed) as views,
  cast(add_to_carts as signed) as add_to_carts,
  cast(remove_from_carts as signed) as remove_from_carts,
  cast(purchases as signed) as purchases,
  -- the flags as the server types a boolean (`or 0`): the same column types on both branches
  cast((has_view or 0) as signed) as has_view,
  cast((has_add_to_cart or 0) as signed) as has_add_to_cart,
  cast((has_purchase or 0) as signed) as has_purchase,
  -- added to cart and did not purchase (flags are 0/1; written as a product so that the docs'
  -- SQL parser, which rejects a boolean inside CAST, can trace the column)
  cast((has_add_to_cart or 0) * (1 - (has_purchase or 0)) as signed) as is_abandoned_cart,
  cast(units_sold as signed) as units_sold,
  cast(revenue as decimal(18,2)) as revenue,
  max_batch_id as _max_batch_id
from {{#if (is_incremental)}}totals{{else}}counts{{/if}}
