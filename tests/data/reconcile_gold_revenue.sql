-- Gold (and sessions) add up to silver: the events, units and revenue of every gold table and
-- of sessions equal valid_events' totals; sessions has one row per distinct session of
-- valid_events; kpi_daily's overall row is the sum of its day rows. One failing row per
-- table that does not add up.
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
