select * from {{ref "orders"}} where created_at > {{dbt.current_timestamp}}
