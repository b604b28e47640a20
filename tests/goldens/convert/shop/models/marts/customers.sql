{{config materialized="table" tags='["mart"]'}}

with customers as (
    select * from {{ref "raw_customers"}}
),

orders as (
    select * from {{ref "orders"}}
)

select
    customers.id as customer_id,
    concat(upper(customers.first_name), ' ', customers.last_name) as full_name,
    count(orders.order_id) as order_count,
    sum(case when orders.status in ({{#each (array "completed" "shipped")}}'{{this}}'{{#if (not @last)}}, {{/if}}{{/each}}) then orders.amount else 0 end) as delivered_amount,
    '{{target.name}}' as built_for
from customers
left join orders on orders.customer_id = customers.id
group by customers.id, customers.first_name, customers.last_name
