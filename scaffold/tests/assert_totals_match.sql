-- A singular test: the rows it returns are failures. The marts must add up to the staging total.
select m.total as marts_total, s.total as staging_total
from (select sum(total_amount) as total from {{ref "customer_payments"}}) m
cross join (select sum(amount) as total from {{ref "stg_payments"}}) s
where m.total <> s.total
