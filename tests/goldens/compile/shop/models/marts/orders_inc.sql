
select order_id, customer_id, amount, status from `shop_dev`.`stg_orders`
