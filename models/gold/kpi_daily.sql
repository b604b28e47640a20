{{config materialized="incremental" unique_key="kpi_key"}}
-- The business KPIs: one row per UTC day of event_ts and one overall row (day NULL,
-- kpi_key 'overall'), over valid deduplicated events. Formulas: see the column descriptions.
--
-- Event counts come from product_performance_daily (the day's product rows added up), session
-- counts from sessions (by the day of their first event).
--
-- Incremental: the days to recompute are every day on which a session that received events
-- since the last run has events (a late event can move a session's first day, so both its old
-- and its new day change). Those days are recomputed; the overall row is re-added from all
-- day rows (every count is additive: each event and each session belongs to exactly one day).
with
{{#if (is_incremental)}}
touched_sessions as (
  select distinct session_id
  from {{ref "valid_events"}} {{> scan_for_group_by}}
  where _batch_id > {{> batch_watermark column="_max_batch_id"}}
),
affected_days as (
  -- straight_join: from the few touched sessions into the (session_id, event_date) index
  select distinct v.event_date as day
  from touched_sessions t
  straight_join {{ref "valid_events"}} v on v.session_id = t.session_id
),
{{/if}}
event_totals as (
  -- the day's events are product_performance_daily's rows added up (≤ one per product)
  select
    d.day,
    sum(events) as events,
    sum(views) as views,
    sum(add_to_carts) as add_to_carts,
    sum(remove_from_carts) as remove_from_carts,
    sum(purchases) as purchases,
    sum(units_sold) as units_sold,
    sum(revenue) as revenue,
    max(_max_batch_id) as max_batch_id
  {{#if (is_incremental)}}
  from affected_days a
  straight_join {{ref "product_performance_daily"}} d on d.day = a.day
  {{else}}
  from {{ref "product_performance_daily"}} d
  {{/if}}
  group by d.day
),
session_totals as (
  select
    session_date as day,
    count(*) as sessions,
    sum(has_add_to_cart) as cart_sessions,
    sum(is_abandoned_cart) as abandoned_cart_sessions,
    sum(has_purchase) as purchase_sessions,
    max(_max_batch_id) as max_batch_id
  {{#if (is_incremental)}}
  from affected_days a
  straight_join {{ref "sessions"}} s on s.session_date = a.day
  {{else}}
  from {{ref "sessions"}} s
  {{/if}}
  group by session_date
),
day_counts as (
  select
    e.day,
    cast(e.events as signed) as events,
    cast(e.views as signed) as views,
    cast(e.add_to_carts as signed) as add_to_carts,
    cast(e.remove_from_carts as signed) as remove_from_carts,
    cast(e.purchases as signed) as purchases,
    cast(e.units_sold as signed) as units_sold,
    cast(e.revenue as decimal(18,2)) as revenue,
    cast(coalesce(s.sessions, 0) as signed) as sessions,
    cast(coalesce(s.cart_sessions, 0) as signed) as cart_sessions,
    cast(coalesce(s.abandoned_cart_sessions, 0) as signed) as abandoned_cart_sessions,
    cast(coalesce(s.purchase_sessions, 0) as signed) as purchase_sessions,
    cast(greatest(e.max_batch_id, coalesce(s.max_batch_id, 0)) as signed) as max_batch_id
  from event_totals e
  left join session_totals s on s.day = e.day
),
all_day_counts as (
  select * from day_counts
  {{#if (is_incremental)}}
  union all
  select
    day, events, views, add_to_carts, remove_from_carts, purchases, units_sold, revenue,
    sessions, cart_sessions, abandoned_cart_sessions, purchase_sessions, _max_batch_id
  from {{this}}
  where day is not null and day not in (select day from affected_days)
  {{/if}}
),
kpi_rows as (
  select * from day_counts
  union all
  select
    null, sum(events), sum(views), sum(add_to_carts), sum(remove_from_carts), sum(purchases), sum(units_sold), sum(revenue),
    sum(sessions), sum(cart_sessions), sum(abandoned_cart_sessions), sum(purchase_sessions), max(max_batch_id)
  from all_day_counts
  -- no overall row without any day, and none rewritten when no day changed
  having count(*) > 0 and (select count(*) from day_counts) > 0
)
select
  cast(coalesce(date_format(day, '%Y-%m-%d'), 'overall') as char(10)) as kpi_key,
  cast(day as date) as day,
  {{ratio "purchases" "views"}} as conversion_rate,
  {{ratio "abandoned_cart_sessions" "cart_sessions"}} as cart_abandonment_rate,
  cast(round(revenue / nullif(purchases, 0), 2) as decimal(18,2)) as average_order_value,
  cast(round(events * 1.0000 / nullif(units_sold, 0), 4) as decimal(18,4)) as demand_pressure_index,
  cast(events as signed) as events,
  cast(views as signed) as views,
  cast(add_to_carts as signed) as add_to_carts,
  cast(remove_from_carts as signed) as remove_from_carts,
  cast(purchases as signed) as purchases,
  cast(units_sold as signed) as units_sold,
  cast(revenue as decimal(18,2)) as revenue,
  cast(sessions as signed) as sessions,
  cast(cart_sessions as signed) as cart_sessions,
  cast(abandoned_cart_sessions as signed) as abandoned_cart_sessions,
  cast(purchase_sessions as signed) as purchase_sessions,
  cast(max_batch_id as signed) as _max_batch_id
from kpi_rows
