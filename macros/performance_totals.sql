cast(sum(events) as signed) as events,
cast(sum(views) as signed) as views,
cast(sum(add_to_carts) as signed) as add_to_carts,
cast(sum(remove_from_carts) as signed) as remove_from_carts,
cast(sum(purchases) as signed) as purchases,
cast(sum(units_sold) as signed) as units_sold,
cast(sum(revenue) as decimal(18,2)) as revenue,
{{ratio "sum(purchases)" "sum(views)"}} as conversion_rate,
max(_max_batch_id) as _max_batch_id
