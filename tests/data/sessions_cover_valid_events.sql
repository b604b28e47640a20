-- sessions is complete and consistent with valid_events: as many sessions as distinct
-- session ids among valid events, and their event counts, units and revenue add up to
-- valid_events' totals. (A relationships test on valid_events.session_id would make
-- valid_events' tests wait for sessions, its own child; totals also scale to 10M events.)
with v as (
  select count(distinct session_id) as sessions, count(*) as events, coalesce(sum(units_sold), 0) as units_sold, coalesce(sum(revenue), 0) as revenue
  from {{ref "valid_events"}}
),
s as (
  select count(*) as sessions, coalesce(sum(events), 0) as events, coalesce(sum(units_sold), 0) as units_sold, coalesce(sum(revenue), 0) as revenue
  from {{ref "sessions"}}
)
select
  v.sessions as valid_event_sessions, s.sessions as session_rows,
  v.events as valid_events, s.events as session_events,
  v.units_sold as valid_units_sold, s.units_sold as session_units_sold,
  v.revenue as valid_revenue, s.revenue as session_revenue
from v cross join s
where v.sessions <> s.sessions or v.events <> s.events or v.units_sold <> s.units_sold or v.revenue <> s.revenue
