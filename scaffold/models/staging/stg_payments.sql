-- One row per payment, amounts in currency units: cents_to_amount is the macro in
-- macros/cents_to_amount.sql, raw_payments the seed in seeds/.
select
  payment_id,
  customer_name,
  method,
  {{> cents_to_amount column="amount_cents"}} as amount,
  cast(paid_at as datetime) as paid_at
from {{ref "raw_payments"}}
