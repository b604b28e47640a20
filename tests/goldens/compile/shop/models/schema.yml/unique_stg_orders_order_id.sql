SELECT
  `order_id` AS unique_field,
  COUNT(*) AS n_records
FROM `shop_dev`.`stg_orders`
WHERE `order_id` IS NOT NULL
GROUP BY `order_id`
HAVING COUNT(*) > 1
