{{config materialized="incremental" unique_key="event_hour,category"}}
-- Per catalog category and hour: product_performance_hourly added up.
-- Incremental: the hours that received events since the last run are re-added.
with
{{#if (is_incremental)}}
touched_hours as (
  select distinct event_hour
  from {{ref "valid_events"}} {{> scan_for_group_by}}
  where _batch_id > {{> batch_watermark column="_max_batch_id"}}
),
{{/if}}
hourly as (
  {{#if (is_incremental)}}
  select h.*
  from touched_hours t
  straight_join {{ref "product_performance_hourly"}} h on h.event_hour = t.event_hour
  {{else}}
  select h.*
  from {{ref "product_performance_hourly"}} h {{> scan_for_group_by}}
  {{/if}}
)
select
  event_hour,
  event_date,
  cast(weekday(event_hour) + 1 as signed) as day_of_week,
  cast(hour(event_hour) as signed) as hour_of_day,
  category,
  cast(count(*) as signed) as products_active,
  {{> performance_totals}}
from hourly
group by event_hour, event_date, category
