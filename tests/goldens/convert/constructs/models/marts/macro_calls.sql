{{!--
  Calls of project macros, namespaced library macros and dbt's bare cross-database macros.
--}}
select
    {{> cents_to_dollars column_name="amount"}} as amount,
    {{> cents_to_dollars column_name="fee" scale=4}} as fee,
    {{> cents_to_dollars column_name="tax"}} as tax,
    {{dbt_utils.star from=(ref "orders") except=(array "secret" "notes")}},
    {{dbt.date_trunc "day" "created_at"}} as created_day,
    {{dbt.dateadd "day" 1 "created_at"}} as next_day,
    {{dbt_utils.generate_surrogate_key (array "order_id" "line_no")}} as line_key,
    {{> rounded column_name="amount" digits=2}} as rounded_amount,
    {{tax_rate "FR"}} as fr_rate,
    {{#if (gt (tax_rate (var "country" "DE")) 0.15)}}'high'{{else}}'low'{{/if}} as rate_band,
    {{dbt_date.get_base_dates n_dateparts=3650 datepart="day"}} as spine
from {{ref "orders"}}

-- \{{ this stays as written }}

