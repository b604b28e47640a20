{{config materialized="incremental" unique_key="order_id" meta='{"owner":"finance"}'}}


with orders as (
    select * from {{ref "stg_orders"}}
),

order_payments as (
    select
        order_id,
        {{#each (var "payment_methods")}}
        sum(case when payment_method = '{{this}}' then amount else 0 end) as {{this}}_amount,
        {{/each}}
        sum(amount) as total_amount
    from {{ref "stg_payments"}}
    group by order_id
)

select
    orders.order_id,
    orders.customer_id,
    orders.order_date,
    orders.status,
    '{{order_label}}' as label,
    {{#each (var "payment_methods")}}
    coalesce(order_payments.{{this}}_amount, 0) as {{this}}_amount,
    {{/each}}
    coalesce(order_payments.total_amount, 0) as amount
from orders
left join order_payments on orders.order_id = order_payments.order_id
{{#if (is_incremental)}}
where orders.order_date >= (select max(order_date) from {{this}})
{{/if}}
