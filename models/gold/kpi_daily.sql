{{config materialized="incremental" unique_key="kpi_key"}}
-- The business KPIs: one row per UTC day of event_ts and one overall row (day NULL,
-- kpi_key 'overall'), over valid deduplicated events. Formulas: see the column descriptions.
--
-- Event counts come from product_performance_daily (the day's product rows added up), session
-- counts from sessions (by the day of their first event).
--
-- Incremental: the days recomputed are those of the events since the last run and the first
-- days, before and after them, of the sessions they belong to (a late event can move a
-- session's first day, so both its old and its new day change). A day's event counts are
-- product_performance_daily's rows of the day added up (≤ one per product). Its session
-- counts are the row already here, minus each touched session as this table counted it (its
-- row in sessions minus the new events), plus the same session as it is now in sessions — so
-- a run reads the new events and the touched sessions' rows, not every session of the day.
-- The overall row is re-added from all day rows (every count is additive: each event and
-- each session belongs to exactly one day). Each CTE is read once, the incremental ones a
-- chain (new_by_session → touched → day_changes → day_totals → day_counts): MariaDB evaluates
-- a CTE again at every reference.
with
{{#if (is_incremental)}}
new_by_session as (
  -- the events since the last run, per session (valid_events' _batch_id index)
  select
    session_id,
    count(*) as events,
    sum(event_type = 'add_to_cart') as add_to_carts,
    sum(event_type = 'purchase') as purchases,
    min(event_ts) as first_event_ts
  from {{ref "valid_events"}}
  where _batch_id > {{> batch_watermark column="_max_batch_id"}}
  group by session_id
),
touched as (
  -- each touched session now (sessions has taken the new events in) and before them, as this
  -- table counted it: its counts minus the new events'; its first day is the one it has now,
  -- unless a new event is its first (a late event), then it is read from its earlier events
  select
    s.session_date as day,
    s.has_add_to_cart,
    s.is_abandoned_cart,
    s.has_purchase,
    s.events > n.events as existed_before,
    case
      when s.events = n.events then null
      when s.first_event_ts < n.first_event_ts then s.session_date
      else (
        select cast(min(v.event_ts) as date)
        from {{ref "valid_events"}} v
        where v.session_id = n.session_id and v._batch_id <= {{> batch_watermark column="_max_batch_id"}}
      )
    end as day_before,
    s.add_to_carts - n.add_to_carts > 0 as had_add_to_cart,
    s.purchases - n.purchases > 0 as had_purchase
  from new_by_session n
  straight_join {{ref "sessions"}} s on s.session_id = n.session_id
),
day_changes as (
  -- every day whose counts change, once, with its session deltas: each touched session +1 as
  -- it is now, on its day, and −1 as this table counted it, on its day before (if it existed
  -- then), from one read of touched joined to a two-row sign table; plus the days of the new
  -- events (no session delta: an event on a later day than its session's first day)
  select
    day,
    sum(sessions) as sessions,
    sum(cart_sessions) as cart_sessions,
    sum(abandoned_cart_sessions) as abandoned_cart_sessions,
    sum(purchase_sessions) as purchase_sessions
  from (
    select
      case when g.sgn = 1 then t.day else t.day_before end as day,
      g.sgn as sessions,
      g.sgn * case when g.sgn = 1 then t.has_add_to_cart else t.had_add_to_cart end as cart_sessions,
      g.sgn * case when g.sgn = 1 then t.is_abandoned_cart else t.had_add_to_cart * (1 - t.had_purchase) end as abandoned_cart_sessions,
      g.sgn * case when g.sgn = 1 then t.has_purchase else t.had_purchase end as purchase_sessions
    from touched t
    join (select 1 as sgn union all select -1) g on g.sgn = 1 or t.existed_before
    union all
    select distinct event_date, 0, 0, 0, 0
    from {{ref "valid_events"}}
    where _batch_id > {{> batch_watermark column="_max_batch_id"}}
  ) c
  group by day
),
day_totals as (
  -- the day's events are product_performance_daily's rows added up (≤ one per product); a day
  -- without any is not computed (as in a full refresh)
  select
    c.day,
    c.sessions,
    c.cart_sessions,
    c.abandoned_cart_sessions,
    c.purchase_sessions,
    sum(d.events) as events,
    sum(d.views) as views,
    sum(d.add_to_carts) as add_to_carts,
    sum(d.remove_from_carts) as remove_from_carts,
    sum(d.purchases) as purchases,
    sum(d.units_sold) as units_sold,
    sum(d.revenue) as revenue,
    max(d._max_batch_id) as max_batch_id
  from day_changes c
  straight_join {{ref "product_performance_daily"}} d on d.day = c.day
  group by c.day, c.sessions, c.cart_sessions, c.abandoned_cart_sessions, c.purchase_sessions
),
day_counts as (
  -- the day's session counts are its row here plus the changes; the newest batch among the
  -- day's sessions is one dive into sessions' (session_date, _max_batch_id) index
  select
    e.day,
    cast(e.events as signed) as events,
    cast(e.views as signed) as views,
    cast(e.add_to_carts as signed) as add_to_carts,
    cast(e.remove_from_carts as signed) as remove_from_carts,
    cast(e.purchases as signed) as purchases,
    cast(e.units_sold as signed) as units_sold,
    cast(e.revenue as decimal(18,2)) as revenue,
    cast(coalesce(k.sessions, 0) + coalesce(e.sessions, 0) as signed) as sessions,
    cast(coalesce(k.cart_sessions, 0) + coalesce(e.cart_sessions, 0) as signed) as cart_sessions,
    cast(coalesce(k.abandoned_cart_sessions, 0) + coalesce(e.abandoned_cart_sessions, 0) as signed) as abandoned_cart_sessions,
    cast(coalesce(k.purchase_sessions, 0) + coalesce(e.purchase_sessions, 0) as signed) as purchase_sessions,
    cast(greatest(
      e.max_batch_id,
      coalesce((select s._max_batch_id from {{ref "sessions"}} s where s.session_date = e.day order by s._max_batch_id desc limit 1), 0)
    ) as signed) as max_batch_id
  from day_totals e
  left join {{this}} k on k.day = e.day
),
{{else}}
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
  from {{ref "product_performance_daily"}} d
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
  from {{ref "sessions"}} s
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
{{/if}}
all_days as (
  -- the days computed here (fresh = 1) and, on an incremental run, every day row already in
  -- the table (fresh = 0)
  select d.*, 1 as fresh from day_counts d
  {{#if (is_incremental)}}
  union all
  select
    day, events, views, add_to_carts, remove_from_carts, purchases, units_sold, revenue,
    sessions, cart_sessions, abandoned_cart_sessions, purchase_sessions, _max_batch_id, 0
  from {{this}}
  where day is not null
  {{/if}}
),
latest_days as (
  -- per day, the row computed here when there is one, else the one already here
  select a.*, max(fresh) over (partition by day) as day_fresh
  from all_days a
),
kpi_rows as (
  -- every day and (WITH ROLLUP, day NULL) the overall row adding them all up, in one pass
  -- over the day rows; kept: the days computed here, and the overall row when there is one
  -- (none without any day, and none rewritten when no day changed)
  select
    day, sum(events) as events, sum(views) as views, sum(add_to_carts) as add_to_carts,
    sum(remove_from_carts) as remove_from_carts, sum(purchases) as purchases,
    sum(units_sold) as units_sold, sum(revenue) as revenue, sum(sessions) as sessions,
    sum(cart_sessions) as cart_sessions, sum(abandoned_cart_sessions) as abandoned_cart_sessions,
    sum(purchase_sessions) as purchase_sessions, max(max_batch_id) as max_batch_id
  from latest_days
  where fresh = day_fresh
  group by day with rollup
  having max(fresh) = 1
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
