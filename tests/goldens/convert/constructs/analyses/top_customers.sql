select customer_id, count(*) as orders
from {{ref "orders"}}
group by customer_id
order by orders desc
limit {{var "top_n" 10}}
