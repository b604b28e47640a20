{{config materialized="incremental" unique_key="day,product_id"}}
-- Per product and UTC day: the hourly rows of product_performance_hourly added up.
-- Incremental: the days that received events since the last run are re-added from the hourly rows.
with
{{#if (is_incremental)}}
touched_days as (
  select distinct event_date
  from {{ref "valid_events"}} {{> scan_for_group_by}}
  where _batch_id > {{> batch_watermark column="_max_batch_id"}}
),
{{/if}}
hourly as (
  {{#if (is_incremental)}}
  select h.*
  from touched_days t
  straight_join {{ref "product_performance_hourly"}} h on h.event_date = t.event_date
  {{else}}
  select h.*
  from {{ref "product_performance_hourly"}} h {{> scan_for_group_by}}
  {{/if}}
)
select
  event_date as day,
  product_id,
  product_name,
  category,
  {{> performance_totals}}
from hourly
group by event_date, product_id, product_name, category
