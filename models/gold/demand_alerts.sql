{{!-- a view: MySQL keeps no comments on views, so the folder's persist_docs is off here --}}
{{config materialized="view" persist_docs='{"relation": false}'}}
-- The flagged spikes and drops of demand_anomalies, newest first by default in BI tools.
select
  a.product_id,
  p.product_name,
  a.category,
  a.event_hour,
  a.anomaly_type,
  a.demand,
  a.trailing_mean,
  a.trailing_stddev,
  a.z_score
from {{ref "demand_anomalies"}} a
join {{ref "products"}} p on p.product_id = a.product_id
where a.anomaly_type is not null
