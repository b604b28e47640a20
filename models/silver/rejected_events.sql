{{config materialized="incremental" unique_key="_source_file,_source_line"}}
-- Every line that did not become an event, with the rule it broke:
--   rejected_by = 'silver': a bronze row breaking a silver rule (unknown_event_type,
--     unknown_product_id, bad_price, non_positive_price, bad_quantity, non_positive_quantity,
--     missing_required);
--   rejected_by = 'loader': a line the loader quarantined in flash_sale_events__rejected
--     (malformed_json, malformed_csv, missing_required, bad_type, line_too_long, bad_encoding).
-- So: bronze rows = valid_events + event_duplicates + rejected_events[silver], and
-- quarantined lines = rejected_events[loader] (tests/data/reconcile_bronze_identity.sql).
select
  'silver' as rejected_by,
  c.reject_reason as rule,
  case c.reject_reason
    when 'unknown_event_type' then concat('event_type ', quote(c.event_type), ' is not in the event_types seed')
    when 'unknown_product_id' then concat('product_id ', quote(c.product_id), ' is not in the catalog')
    when 'bad_price' then 'price is missing'
    when 'non_positive_price' then concat('price ', c.price, ' is not > 0')
    when 'bad_quantity' then 'quantity is missing'
    when 'non_positive_quantity' then concat('quantity ', c.quantity, ' is not >= 1')
    else 'a required field is empty'
  end as detail,
  c._source_file,
  c._source_line,
  c._batch_id,
  c._ingested_at as received_at,
  c.event_id,
  c.event_type,
  c.event_ts,
  c.session_id,
  c.product_id,
  c.price,
  c.quantity,
  null as raw_line
from {{ref "stg_events_checked"}} c
where c.reject_reason is not null
  and c._batch_id <= {{> batch_horizon}}
  {{#if (is_incremental)}}
  and c._batch_id > {{> batch_watermark column="_batch_id"}}
  {{/if}}
union all
select
  'loader',
  substring_index(q.reason, ':', 1),
  trim(substring(q.reason, locate(':', q.reason) + 1)),
  q._source_file,
  q._source_line,
  q._batch_id,
  q._rejected_at,
  null, null, null, null, null, null, null,
  q.raw_line
from {{source "bronze" "flash_sale_events__rejected"}} q
where q._batch_id <= {{> batch_horizon}}
  {{#if (is_incremental)}}
  and q._batch_id > {{> batch_watermark column="_batch_id"}}
  {{/if}}
