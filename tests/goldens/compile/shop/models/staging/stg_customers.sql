
select customer_id, name, vip from `shop_dev`.`customers`
