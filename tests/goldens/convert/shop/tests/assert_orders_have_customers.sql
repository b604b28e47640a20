-- every order belongs to a known customer
select o.order_id
from {{ref "orders"}} o
left join {{ref "raw_customers"}} c on c.id = o.customer_id
where c.id is null
