SELECT *
FROM `shop_dev`.`stg_orders`
WHERE `order_id` IS NULL
