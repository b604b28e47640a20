{{config materialized="incremental" unique_key="day_of_week,hour_of_day"}}
-- When people shop: one row per (ISO day of week, hour of day) over all the data, UTC.
-- Incremental: the cells that received events since the last run are re-added from
-- category_performance_hourly (indexed on the cell).
with
{{#if (is_incremental)}}
touched_cells as (
  select distinct cast(weekday(event_hour) + 1 as signed) as day_of_week, cast(hour(event_hour) as signed) as hour_of_day
  from {{ref "valid_events"}} {{> scan_for_group_by}}
  where _batch_id > {{> batch_watermark column="_max_batch_id"}}
),
{{/if}}
hourly as (
  {{#if (is_incremental)}}
  select h.*
  from touched_cells t
  straight_join {{ref "category_performance_hourly"}} h on h.day_of_week = t.day_of_week and h.hour_of_day = t.hour_of_day
  {{else}}
  select h.*
  from {{ref "category_performance_hourly"}} h {{> scan_for_group_by}}
  {{/if}}
)
select
  day_of_week,
  cast(elt(day_of_week, 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday') as char(9)) as day_name,
  hour_of_day,
  cast(count(distinct event_hour) as signed) as hours_observed,
  cast(sum(events) as signed) as events,
  cast(sum(views) as signed) as views,
  cast(sum(add_to_carts) as signed) as add_to_carts,
  cast(sum(purchases) as signed) as purchases,
  cast(sum(units_sold) as signed) as units_sold,
  cast(sum(revenue) as decimal(18,2)) as revenue,
  cast(round(sum(revenue) / count(distinct event_hour), 2) as decimal(18,2)) as avg_revenue_per_hour,
  {{ratio "sum(purchases)" "sum(views)"}} as conversion_rate,
  max(_max_batch_id) as _max_batch_id
from hourly
group by day_of_week, hour_of_day
