-- Gold (and sessions) add up to silver.
-- A full check (`ft test`, --full-refresh): the events, units and revenue of every gold table
-- and of sessions equal valid_events' totals; sessions has one row per distinct session of
-- valid_events; kpi_daily's overall row is the sum of its day rows. One failing row per table.
-- After an incremental build (is_incremental: every model here was built incrementally; in a
-- continuous build's test run, every one tested up to a watermark before), only what the new
-- events touched, so a check costs the events of the hours they touched, not of the whole
-- table (a continuous build tests every minute): for each touched hour, the hourly
-- tables' events, units and revenue equal valid_events' for that hour; for each touched day,
-- kpi_daily's and the daily tables' equal the day's product_performance_hourly rows (each hour
-- of them checked against silver when it was touched); for each touched session, its totals
-- equal its valid events', and each new event's session has a row that took it in; kpi_daily's overall row is the sum of its day rows, and
-- hourly_sales_pattern adds up to it. One failing row per table and hour, day or session. The
-- other hours, days and sessions did not change.
{{#if (is_incremental)}}
with touched_hours as (
  -- (the new events are one range of valid_events' clustered key)
  select distinct event_hour
  from {{ref "valid_events"}}
  where _batch_id > coalesce({{watermark "valid_events"}}, 0)
),
silver_hours as (
  -- read from the (event_hour, units_sold, revenue) index alone
  select t.event_hour, count(*) as events, sum(v.units_sold) as units_sold, sum(v.revenue) as revenue
  from touched_hours t
  straight_join {{ref "valid_events"}} v on v.event_hour = t.event_hour
  group by t.event_hour
),
gold_hours as (
  select 'product_performance_hourly' as source, t.event_hour, sum(h.events) as events, sum(h.units_sold) as units_sold, sum(h.revenue) as revenue
  from touched_hours t straight_join {{ref "product_performance_hourly"}} h on h.event_hour = t.event_hour
  group by t.event_hour
  union all
  select 'category_performance_hourly', t.event_hour, sum(h.events), sum(h.units_sold), sum(h.revenue)
  from touched_hours t straight_join {{ref "category_performance_hourly"}} h on h.event_hour = t.event_hour
  group by t.event_hour
),
hourly_sources as (
  select 'product_performance_hourly' as source
  union all select 'category_performance_hourly'
),
hour_mismatches as (
  select
    src.source, cast(s.event_hour as char) as day_or_session,
    g.events, s.events as silver_events,
    g.units_sold, s.units_sold as silver_units_sold,
    g.revenue, s.revenue as silver_revenue
  from silver_hours s
  cross join hourly_sources src
  left join gold_hours g on g.source = src.source and g.event_hour = s.event_hour
  where not (g.events <=> s.events and g.units_sold <=> s.units_sold and g.revenue <=> s.revenue)
),
touched_days as (
  select distinct cast(event_hour as date) as day from touched_hours
),
hourly_days as (
  -- the day's product-hours: their hours are checked against silver above, when touched
  select t.day, sum(h.events) as events, sum(h.units_sold) as units_sold, sum(h.revenue) as revenue
  from touched_days t straight_join {{ref "product_performance_hourly"}} h on h.event_date = t.day
  group by t.day
),
gold_days as (
  select 'kpi_daily' as source, k.day, k.events, k.units_sold, k.revenue
  from touched_days t straight_join {{ref "kpi_daily"}} k on k.day = t.day
  union all
  select 'product_performance_daily', t.day, sum(d.events), sum(d.units_sold), sum(d.revenue)
  from touched_days t straight_join {{ref "product_performance_daily"}} d on d.day = t.day
  group by t.day
  union all
  select 'category_performance_daily', t.day, sum(d.events), sum(d.units_sold), sum(d.revenue)
  from touched_days t straight_join {{ref "category_performance_daily"}} d on d.day = t.day
  group by t.day
),
daily_sources as (
  select 'kpi_daily' as source
  union all select 'product_performance_daily'
  union all select 'category_performance_daily'
),
day_mismatches as (
  -- (the silver_* columns: the day's product_performance_hourly rows)
  select
    src.source, cast(s.day as char) as day_or_session,
    g.events, s.events as silver_events,
    g.units_sold, s.units_sold as silver_units_sold,
    g.revenue, s.revenue as silver_revenue
  from hourly_days s
  cross join daily_sources src
  left join gold_days g on g.source = src.source and g.day = s.day
  where not (g.events <=> s.events and g.units_sold <=> s.units_sold and g.revenue <=> s.revenue)
),
flagged_sessions as (
  -- each session the new events touched (its _max_batch_id moved past the watermark) whose
  -- totals are not its valid events' — one dive into valid_events' session index per session,
  -- no GROUP BY over session ids (a temporary table that spills to disk at ~100,000 sessions);
  -- a session row without valid events (a count of 0 here) is as wrong as a missing one
  select g.session_id
  from {{ref "sessions"}} g
  where g._max_batch_id > coalesce({{watermark "sessions"}}, 0)
    and not ((g.events, g.units_sold, g.revenue) <=> (
      select nullif(count(*), 0), coalesce(sum(v.units_sold), 0), coalesce(sum(v.revenue), 0)
      from {{ref "valid_events"}} v
      where v.session_id = g.session_id
    ))
  union
  -- and each session of a new event that has no row, or a row no build took that event into
  select n.session_id
  from {{ref "valid_events"}} n
  where n._batch_id > coalesce({{watermark "valid_events"}}, 0)
    and not exists (select 1 from {{ref "sessions"}} s where s.session_id = n.session_id and s._max_batch_id >= n._batch_id)
),
session_mismatches as (
  -- (read once: MariaDB evaluates a CTE at every reference; the few flagged sessions' silver
  -- totals are looked up here)
  select
    'sessions' as source, f.session_id as day_or_session,
    g.events, (select count(*) from {{ref "valid_events"}} v where v.session_id = f.session_id) as silver_events,
    g.units_sold, (select coalesce(sum(v.units_sold), 0) from {{ref "valid_events"}} v where v.session_id = f.session_id) as silver_units_sold,
    g.revenue, (select coalesce(sum(v.revenue), 0) from {{ref "valid_events"}} v where v.session_id = f.session_id) as silver_revenue
  from flagged_sessions f
  left join {{ref "sessions"}} g on g.session_id = f.session_id
),
kpi_overall as (
  select
    max(case when day is null then events end) as overall_events,
    sum(case when day is not null then events end) as day_events,
    max(case when day is null then revenue end) as overall_revenue,
    sum(case when day is not null then revenue end) as day_revenue
  from {{ref "kpi_daily"}}
),
pattern as (
  select sum(events) as events, sum(revenue) as revenue from {{ref "hourly_sales_pattern"}}
),
total_mismatches as (
  select 'kpi_daily overall row' as source, 'all days' as day_or_session, k.overall_events as events, k.day_events as silver_events, null as units_sold, null as silver_units_sold, k.overall_revenue as revenue, k.day_revenue as silver_revenue
  from kpi_overall k
  where not (k.overall_events <=> k.day_events and k.overall_revenue <=> k.day_revenue)
  union all
  select 'hourly_sales_pattern', 'all days', p.events, k.overall_events, null, null, p.revenue, k.overall_revenue
  from pattern p cross join kpi_overall k
  where coalesce(p.events, 0) <> coalesce(k.overall_events, 0) or coalesce(p.revenue, 0) <> coalesce(k.overall_revenue, 0)
)
select * from hour_mismatches
union all
select * from day_mismatches
union all
select * from session_mismatches
union all
select * from total_mismatches
{{else}}
with silver as (
  select
    count(*) as events,
    coalesce(sum(units_sold), 0) as units_sold,
    coalesce(sum(revenue), 0) as revenue,
    (select count(distinct session_id) from {{ref "valid_events"}}) as sessions
  from {{ref "valid_events"}}
),
gold as (
  select 'kpi_daily overall row' as source, events, units_sold, revenue, sessions from {{ref "kpi_daily"}} where day is null
  union all
  select 'kpi_daily day rows', sum(events), sum(units_sold), sum(revenue), sum(sessions) from {{ref "kpi_daily"}} where day is not null
  union all
  select 'sessions', sum(events), sum(units_sold), sum(revenue), count(*) from {{ref "sessions"}}
  union all
  select 'product_performance_hourly', sum(events), sum(units_sold), sum(revenue), null from {{ref "product_performance_hourly"}}
  union all
  select 'product_performance_daily', sum(events), sum(units_sold), sum(revenue), null from {{ref "product_performance_daily"}}
  union all
  select 'category_performance_hourly', sum(events), sum(units_sold), sum(revenue), null from {{ref "category_performance_hourly"}}
  union all
  select 'category_performance_daily', sum(events), sum(units_sold), sum(revenue), null from {{ref "category_performance_daily"}}
  union all
  select 'hourly_sales_pattern', sum(events), sum(units_sold), sum(revenue), null from {{ref "hourly_sales_pattern"}}
)
select
  g.source,
  g.events, s.events as silver_events,
  g.units_sold, s.units_sold as silver_units_sold,
  g.revenue, s.revenue as silver_revenue,
  g.sessions, s.sessions as silver_sessions
from gold g
cross join silver s
where s.events > 0
  and (coalesce(g.events, 0) <> s.events
    or coalesce(g.units_sold, 0) <> s.units_sold
    or coalesce(g.revenue, 0) <> s.revenue
    or (g.sessions is not null and g.sessions <> s.sessions))
{{/if}}
