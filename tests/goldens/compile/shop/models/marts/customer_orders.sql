WITH `__ft_cte__stg_customers` AS (
select customer_id, name, vip from `shop_dev`.`customers`
),
o as (
  select customer_id, count(*) as orders, sum(amount) as revenue
  from `shop_dev`.`stg_orders`
  group by customer_id
)
select c.customer_id, c.name, o.orders, o.revenue, (o.revenue / NULLIF(o.orders, 0)) as avg_order
from `__ft_cte__stg_customers` c
join o on o.customer_id = c.customer_id
