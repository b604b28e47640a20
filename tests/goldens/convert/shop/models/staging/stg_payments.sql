
select
    id as payment_id,
    order_id,
    payment_method,
    {{> cents_to_dollars column_name="amount"}} as amount,
    {{cat "ceil(" (macro "cents_to_dollars" column_name="amount") ")"}} as whole_dollars,
    concat('P-', id) as payment_code
from {{ref "raw_payments"}}
{{#if (gt (var "min_amount" 0) 0)}}
where amount >= {{var "min_amount"}}
{{/if}}
