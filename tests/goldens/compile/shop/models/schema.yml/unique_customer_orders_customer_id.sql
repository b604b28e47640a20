SELECT
  `customer_id` AS unique_field,
  COUNT(*) AS n_records
FROM `shop_dev`.`customer_orders`
WHERE `customer_id` IS NOT NULL
GROUP BY `customer_id`
HAVING COUNT(*) > 1
