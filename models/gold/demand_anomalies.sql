{{config materialized="incremental" unique_key="product_id,event_hour"}}
-- Demand anomalies: per product and hour, the hour's demand (valid events of the product)
-- against the trailing window of the {{var "anomaly_window_hours" 24}} hours before it
-- (hours without events count 0):
--   z_score = (demand − mean) / stddev   (population stddev over the window; NULL when 0)
-- Scored hours: every hour a product has events, and the hour right after it (so a sudden
-- stop is scored as a drop). anomaly_type 'spike': z ≥ {{var "anomaly_z_threshold" 3}} with
-- demand ≥ {{var "anomaly_min_demand" 5}}; 'drop': z ≤ −{{var "anomaly_z_threshold" 3}}.
--
-- Incremental: new events in hour h of a product change the scores of that product's hours
-- h … h + window; those are recomputed (from the product's hourly rows since h − window) and upserted.
with
{{#if (is_incremental)}}
touched as (
  select product_id, min(event_hour) as lo, max(event_hour) as hi
  from {{ref "valid_events"}}
  where _batch_id > {{> batch_watermark column="_max_batch_id"}}
  group by product_id
),
{{/if}}
hourly as (
  select h.product_id, h.category, h.event_hour, h.events, h._max_batch_id
  from {{ref "product_performance_hourly"}} h
  {{#if (is_incremental)}}
  join touched t
    on t.product_id = h.product_id
   and h.event_hour >= t.lo - interval {{var "anomaly_window_hours" 24}} hour
   and h.event_hour <= t.hi + interval {{var "anomaly_window_hours" 24}} hour
  {{/if}}
),
grid as (
  select product_id, category, event_hour from hourly
  union
  select product_id, category, event_hour + interval 1 hour from hourly
),
series as (
  select
    g.product_id,
    g.category,
    g.event_hour,
    coalesce(h.events, 0) as demand,
    coalesce(h._max_batch_id, 0) as batch_id
  from grid g
  left join hourly h on h.product_id = g.product_id and h.event_hour = g.event_hour
),
windowed as (
  select
    s.*,
    coalesce(sum(demand) over w, 0) as window_sum,
    coalesce(sum(demand * demand) over w, 0) as window_sumsq,
    max(batch_id) over (partition by product_id order by {{hour_number "event_hour"}}
      range between {{var "anomaly_window_hours" 24}} preceding and current row) as max_batch_id
  from series s
  window w as (partition by product_id order by {{hour_number "event_hour"}}
    range between {{var "anomaly_window_hours" 24}} preceding and 1 preceding)
),
scored as (
  select
    w.*,
    {{var "anomaly_window_hours" 24}} * window_sumsq - window_sum * window_sum as radicand
  from windowed w
  {{#if (is_incremental)}}
  join touched t
    on t.product_id = w.product_id
   and w.event_hour >= t.lo
   and w.event_hour <= t.hi + interval {{var "anomaly_window_hours" 24}} hour
  {{/if}}
)
select
  product_id,
  category,
  event_hour,
  cast(event_hour as date) as event_date,
  cast(demand as signed) as demand,
  cast(round(window_sum / {{var "anomaly_window_hours" 24}}, 4) as decimal(18,4)) as trailing_mean,
  cast(round(sqrt(radicand) / {{var "anomaly_window_hours" 24}}, 4) as decimal(18,4)) as trailing_stddev,
  cast(round(case when radicand > 0 then ({{var "anomaly_window_hours" 24}} * demand - window_sum) / sqrt(radicand) end, 4) as decimal(18,4)) as z_score,
  cast(case
    when radicand <= 0 then null
    when ({{var "anomaly_window_hours" 24}} * demand - window_sum) / sqrt(radicand) >= {{var "anomaly_z_threshold" 3}}
      and demand >= {{var "anomaly_min_demand" 5}} then 'spike'
    when ({{var "anomaly_window_hours" 24}} * demand - window_sum) / sqrt(radicand) <= -{{var "anomaly_z_threshold" 3}} then 'drop'
  end as char(5)) as anomaly_type,
  cast(max_batch_id as signed) as _max_batch_id
from scored
