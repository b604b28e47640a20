{{config materialized="incremental" unique_key="product_id,event_hour"}}
-- Demand anomalies: per product and hour, the hour's demand (valid events of the product)
-- against its trailing window: the {{var "anomaly_window_hours" 24}} hours before it, or fewer
-- when the product's first event is more recent (history_hours); hours without events count 0.
--   z_score = (demand − mean) / stddev   (population stddev over the window; NULL when 0,
--                                          or when history_hours < {{var "anomaly_min_history_hours" 6}})
-- Scored hours: every hour a product has events, and the hour right after it (so a sudden
-- stop is scored as a drop). anomaly_type 'spike': z ≥ {{var "anomaly_z_threshold" 3}} with
-- demand ≥ {{var "anomaly_min_demand" 5}}; 'drop': z ≤ −{{var "anomaly_z_threshold" 3}}.
--
-- Incremental: new events in hour h of a product change the scores of that product's hours
-- h … h + window (and, when they come before the product's first hour, the history of the
-- hours up to a window after the old first hour); only those are recomputed, from the
-- product's hourly rows around them, and upserted — a late event months back costs a window,
-- not the months in between.
with
{{#if (is_incremental)}}
new_hours as (
  -- the product-hours that received events since the last run: product_performance_hourly's
  -- rows above the watermark (its _max_batch_id index covers them; MariaDB evaluates this CTE
  -- once per reference, so it reads the few touched product-hours, not the events)
  select product_id, event_hour
  from {{ref "product_performance_hourly"}}
  where _max_batch_id > {{> batch_watermark column="_max_batch_id"}}
),
old_first as (
  -- a product's first hour before this run, when the new events come before it: the history
  -- of the hours up to a window after it changes too. (ORDER BY … LIMIT 1 is one dive into the
  -- (product_id, event_hour) key; a correlated MIN() reads all of the product's hours.)
  select
    n.product_id,
    (select a.event_hour from {{this}} a where a.product_id = n.product_id order by a.event_hour limit 1) as first_hour,
    min(n.event_hour) as lo
  from new_hours n
  group by n.product_id
),
touched_hours as (
  select product_id, event_hour from new_hours
  union
  select product_id, first_hour from old_first where first_hour > lo
),
island_starts as (
  select
    product_id,
    event_hour,
    case when lag(event_hour) over (partition by product_id order by event_hour) >= event_hour - interval 2 * {{var "anomaly_window_hours" 24}} hour then 0 else 1 end as starts
  from touched_hours
),
islands as (
  select product_id, event_hour, sum(starts) over (partition by product_id order by event_hour rows unbounded preceding) as island
  from island_starts
),
touched as (
  -- per product, runs of touched hours less than two windows apart: the hours to rescore are
  -- lo … hi + window, read from the hourly rows in lo − window … hi + window (runs never overlap)
  select product_id, island, min(event_hour) as lo, max(event_hour) as hi
  from islands
  group by product_id, island
),
{{/if}}
first_hours as (
  {{#if (is_incremental)}}
  -- per touched product, one dive into the (product_id, event_hour) index
  select
    p.product_id,
    (select h.event_hour from {{ref "product_performance_hourly"}} h where h.product_id = p.product_id order by h.event_hour limit 1) as first_hour
  from (select distinct product_id from touched) p
  {{else}}
  -- a loose scan of the (product_id, event_hour) index
  select h.product_id, min(h.event_hour) as first_hour
  from {{ref "product_performance_hourly"}} h
  group by h.product_id
  {{/if}}
),
hourly as (
  select h.product_id, h.category, h.event_hour, h.events, h._max_batch_id
  {{#if (is_incremental)}}
  from touched t
  straight_join {{ref "product_performance_hourly"}} h
    on t.product_id = h.product_id
   and h.event_hour >= t.lo - interval {{var "anomaly_window_hours" 24}} hour
   and h.event_hour <= t.hi + interval {{var "anomaly_window_hours" 24}} hour
  {{else}}
  from {{ref "product_performance_hourly"}} h
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
history as (
  select
    w.*,
    least({{var "anomaly_window_hours" 24}}, timestampdiff(hour, f.first_hour, w.event_hour)) as history_hours
  from windowed w
  join first_hours f on f.product_id = w.product_id
),
scored as (
  select
    h.*,
    case when history_hours >= {{var "anomaly_min_history_hours" 6}}
      then history_hours * window_sumsq - window_sum * window_sum end as radicand
  from history h
  {{#if (is_incremental)}}
  join touched t
    on t.product_id = h.product_id
   and h.event_hour >= t.lo
   and h.event_hour <= t.hi + interval {{var "anomaly_window_hours" 24}} hour
  {{/if}}
)
select
  product_id,
  category,
  event_hour,
  cast(event_hour as date) as event_date,
  cast(demand as signed) as demand,
  cast(history_hours as signed) as history_hours,
  cast(round(window_sum / nullif(history_hours, 0), 4) as decimal(18,4)) as trailing_mean,
  cast(round(sqrt(radicand) / history_hours, 4) as decimal(18,4)) as trailing_stddev,
  cast(round(case when radicand > 0 then (history_hours * demand - window_sum) / sqrt(radicand) end, 4) as decimal(18,4)) as z_score,
  cast(case
    when radicand is null or radicand <= 0 then null
    when (history_hours * demand - window_sum) / sqrt(radicand) >= {{var "anomaly_z_threshold" 3}}
      and demand >= {{var "anomaly_min_demand" 5}} then 'spike'
    when (history_hours * demand - window_sum) / sqrt(radicand) <= -{{var "anomaly_z_threshold" 3}} then 'drop'
  end as char(5)) as anomaly_type,
  cast(max_batch_id as signed) as _max_batch_id
from scored
