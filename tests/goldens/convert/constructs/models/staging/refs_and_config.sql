{{config materialized="incremental" unique_key='["order_id","line_no"]' tags='["nightly","finance"]' meta='{"owner":"finance","tier":2}' enabled=(var "refs_enabled" true) post_hook="analyze table {{this}}"}}

select
    o.order_id,
    c.name,
    '{{target.name}}' as target_name,
    '{{target.schema}}' as target_schema,
    '{{this.name}}' as own_name,
    '{{var "start_date"}}' as start_date,
    '{{var "region" "emea"}}' as region,
    '{{env_var "SHOP_CURRENCY" "EUR"}}' as currency
from {{ref "orders"}} o
join {{ref "crm" "customers"}} c on c.id = o.customer_id
join {{ref "prices"}} p on p.sku = o.sku
join {{source "raw" "lines"}} l on l.order_id = o.order_id
{{#if (is_incremental)}}
where o.updated_at > (select max(updated_at) from {{this}})
{{/if}}
