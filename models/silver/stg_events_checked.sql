{{config materialized="ephemeral"}}
-- Every bronze row with the first silver rule it breaks (reject_reason), or NULL when valid.
-- The checks run in the order of the producer's classifier (src/generator/classify.ts), so a
-- row breaking two rules is reported under the first. Comparisons of codes are exact
-- (binary): 'VIEW' is not 'view', as in the producer's contract.
select
  b.event_id,
  b.event_type,
  b.event_ts,
  b.user_id,
  b.session_id,
  b.product_id,
  p.category,
  b.category as reported_category,
  b.price,
  b.quantity,
  b.flash_sale_id,
  b._ingested_at,
  b._source_file,
  b._source_line,
  b._batch_id,
  case
    when b.event_id is null or b.event_id = '' then 'missing_required'
    when b.event_type is null or b.event_type = '' then 'missing_required'
    when b.event_ts is null then 'missing_required'
    when b.session_id is null or b.session_id = '' then 'missing_required'
    when b.product_id is null or b.product_id = '' then 'missing_required'
    when et.event_type is null then 'unknown_event_type'
    when p.product_id is null then 'unknown_product_id'
    when b.price is null then 'bad_price'
    when b.price <= 0 then 'non_positive_price'
    when b.quantity is null then 'bad_quantity'
    when b.quantity < 1 then 'non_positive_quantity'
  end as reject_reason
from {{source "bronze" "flash_sale_events"}} b
left join {{ref "event_types"}} et
  on et.event_type = b.event_type and cast(et.event_type as binary) = cast(b.event_type as binary)
left join {{ref "products"}} p
  on p.product_id = b.product_id and cast(p.product_id as binary) = cast(b.product_id as binary)
