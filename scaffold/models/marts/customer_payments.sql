-- What each customer paid, and when first and last.
select
  customer_name,
  count(*) as payments,
  sum(amount) as total_amount,
  min(paid_at) as first_paid_at,
  max(paid_at) as last_paid_at
from {{ref "stg_payments"}}
group by customer_name
