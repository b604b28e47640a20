{{config materialized="incremental" unique_key="day,category"}}
-- Per catalog category and UTC day: product_performance_daily added up.
-- Incremental: the days that received events since the last run are re-added.
with
{{#if (is_incremental)}}
touched_days as (
  select distinct event_date
  from {{ref "valid_events"}} {{> scan_for_group_by}}
  where _batch_id > {{> batch_watermark column="_max_batch_id"}}
),
{{/if}}
daily as (
  {{#if (is_incremental)}}
  select d.*
  from touched_days t
  straight_join {{ref "product_performance_daily"}} d on d.day = t.event_date
  {{else}}
  select d.*
  from {{ref "product_performance_daily"}} d {{> scan_for_group_by}}
  {{/if}}
)
select
  day,
  category,
  cast(count(*) as signed) as products_active,
  {{> performance_totals}}
from daily
group by day, category
