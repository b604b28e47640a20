WITH child AS (
  SELECT `customer_id` AS from_field
  FROM `shop_dev`.`stg_orders`
  WHERE `customer_id` IS NOT NULL
),
parent AS (
  SELECT `customer_id` AS to_field
  FROM `shop_dev`.`customers`
)
SELECT child.from_field
FROM child
LEFT JOIN parent ON child.from_field = parent.to_field
WHERE parent.to_field IS NULL
