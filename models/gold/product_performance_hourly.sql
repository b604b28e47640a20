{{config materialized="incremental" unique_key="event_hour,product_id"}}
-- Per product and hour: views, carts, purchases, units, revenue, conversion.
-- Incremental: the hours that received events since the last run are recomputed whole from
-- valid_events and upserted (rows are never removed: silver only ever gains events).
with
{{#if (is_incremental)}}
touched_hours as (
  select distinct event_hour
  from {{ref "valid_events"}} {{> scan_for_group_by}}
  where _batch_id > {{> batch_watermark column="_max_batch_id"}}
),
{{/if}}
events as (
  {{#if (is_incremental)}}
  -- straight_join: from the few touched hours into valid_events by index, whatever the estimates
  select v.*
  from touched_hours t
  straight_join {{ref "valid_events"}} v on v.event_hour = t.event_hour
  {{else}}
  select v.*
  from {{ref "valid_events"}} v {{> scan_for_group_by}}
  {{/if}}
)
select
  e.event_hour,
  e.event_date,
  e.product_id,
  p.product_name,
  p.category,
  cast(count(*) as signed) as events,
  cast(sum(e.event_type = 'view') as signed) as views,
  cast(sum(e.event_type = 'add_to_cart') as signed) as add_to_carts,
  cast(sum(e.event_type = 'remove_from_cart') as signed) as remove_from_carts,
  cast(sum(e.event_type = 'purchase') as signed) as purchases,
  cast(sum(e.units_sold) as signed) as units_sold,
  cast(sum(e.revenue) as decimal(18,2)) as revenue,
  {{ratio "sum(e.event_type = 'purchase')" "sum(e.event_type = 'view')"}} as conversion_rate,
  max(e._batch_id) as _max_batch_id
from events e
join {{ref "products"}} p on p.product_id = e.product_id
group by e.event_hour, e.event_date, e.product_id, p.product_name, p.category
