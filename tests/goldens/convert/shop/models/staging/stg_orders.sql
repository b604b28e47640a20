{{config materialized="view" tags='["staging","orders"]'}}

{{!-- orders as they arrive, one row each --}}
with source as (
    select * from {{ref "raw_orders"}}
),

renamed as (
    select
        id as order_id,
        customer_id,
        -- the status, cleaned
        {{> normalize_status column_name="status"}} as status,
        cast(order_date as date) as order_date
    from source
)

select * from renamed
