{{config materialized="incremental" unique_key="event_hour,product_id"}}
-- Per product and hour: views, carts, purchases, units, revenue, conversion.
-- Incremental: the events since the last run (valid_events above the watermark, by its
-- _batch_id index) are counted per product-hour and added to the row already there. Every
-- column but the ratio is a count, a sum or a max, and valid_events only ever gains events
-- (an event_id is never rewritten or removed), so old row + new events = the full count; the
-- cost of a run is the new batch, not the hours it falls in (a busy hour holds millions).
with
events as (
  select v.*
  from {{ref "valid_events"}} v
  {{#if (is_incremental)}}
  where v._batch_id > {{> batch_watermark column="_max_batch_id"}}
  {{else}}
  {{> scan_for_group_by}}
  {{/if}}
),
counts as (
  select
    e.event_hour,
    e.event_date,
    e.product_id,
    p.product_name,
    p.category,
    count(*) as events,
    sum(e.event_type = 'view') as views,
    sum(e.event_type = 'add_to_cart') as add_to_carts,
    sum(e.event_type = 'remove_from_cart') as remove_from_carts,
    sum(e.event_type = 'purchase') as purchases,
    sum(e.units_sold) as units_sold,
    sum(e.revenue) as revenue,
    max(e._batch_id) as max_batch_id
  from events e
  join {{ref "products"}} p on p.product_id = e.product_id
  group by e.event_hour, e.event_date, e.product_id, p.product_name, p.category
){{#if (is_incremental)}},
totals as (
  -- each touched product-hour: its row so far (one dive into the unique key) plus the new events
  select
    c.event_hour,
    c.event_date,
    c.product_id,
    c.product_name,
    c.category,
    c.events + coalesce(h.events, 0) as events,
    c.views + coalesce(h.views, 0) as views,
    c.add_to_carts + coalesce(h.add_to_carts, 0) as add_to_carts,
    c.remove_from_carts + coalesce(h.remove_from_carts, 0) as remove_from_carts,
    c.purchases + coalesce(h.purchases, 0) as purchases,
    c.units_sold + coalesce(h.units_sold, 0) as units_sold,
    c.revenue + coalesce(h.revenue, 0) as revenue,
    greatest(c.max_batch_id, coalesce(h._max_batch_id, 0)) as max_batch_id
  from counts c
  left join {{this}} h on h.event_hour = c.event_hour and h.product_id = c.product_id
){{/if}}
select
  event_hour,
  event_date,
  product_id,
  product_name,
  category,
  cast(events as signed) as events,
  cast(views as signed) as views,
  cast(add_to_carts as signed) as add_to_carts,
  cast(remove_from_carts as signed) as remove_from_carts,
  cast(purchases as signed) as purchases,
  cast(units_sold as signed) as units_sold,
  cast(revenue as decimal(18,2)) as revenue,
  {{ratio "purchases" "views"}} as conversion_rate,
  max_batch_id as _max_batch_id
from {{#if (is_incremental)}}totals{{else}}counts{{/if}}
