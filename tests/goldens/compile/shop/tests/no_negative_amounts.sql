select * from `shop_dev`.`stg_orders` where amount < 0
