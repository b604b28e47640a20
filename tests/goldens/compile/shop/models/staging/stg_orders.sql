select order_id, customer_id, amount, ROUND(amount * 100)
 as amount_cents, status, ordered_at
from `shop_dev`.`orders`
where amount >= 0
