{{config strategy="check" unique_key="product_id" check_cols="list_price, category" hard_deletes="invalidate"}}
-- The catalog's regular price per product: a flash sale is priced off list_price, so a KPI
-- of a past day is read against the price that held that day, not today's.
select product_id, product_name, category, brand, list_price
from {{ref "products"}}
