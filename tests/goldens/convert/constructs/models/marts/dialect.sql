-- totals per customer, ported from Postgres
select
    cast(c.id as signed) as customer_id,
    concat(c.first_name, ' ', c.last_name) as full_name,
    cast(sum(o.amount) as decimal(12,2)) as total,
    max(o.created_at)::timestamptz as last_order_at,
    o.flag::boolean as flagged,
    concat((c.id + 1), 'x') as shifted,
    date_trunc('month', o.created_at) as order_month,
    listagg(o.sku, ',') as skus,
    "Status" as status
from {{ref "customers"}} c
full outer join {{ref "orders"}} o on o.customer_id = c.id
where c.email ilike '%@example.com'
qualify row_number() over (partition by c.id order by o.created_at) = 1
