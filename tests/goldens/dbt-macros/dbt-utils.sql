-- {{dbt_utils.generate_surrogate_key (array "'a'" "null")}}
md5(cast(concat(coalesce(cast('a' as char), '_dbt_utils_surrogate_key_null_'), '-', coalesce(cast(null as char), '_dbt_utils_surrogate_key_null_')) as char))

-- {{dbt_utils.generate_surrogate_key (array "1" "'x'")}}
md5(cast(concat(coalesce(cast(1 as char), '_dbt_utils_surrogate_key_null_'), '-', coalesce(cast('x' as char), '_dbt_utils_surrogate_key_null_')) as char))

-- (select count(*) from ({{dbt_utils.date_spine "month" "cast('2024-01-01' as date)" "cast('2024-06-15' as date)"}}) s)
(select count(*) from (with rawdata as (
with p as (
    select 0 as generated_number union all select 1
), unioned as (
    select
    p0.generated_number * 1
    + p1.generated_number * 2
    + p2.generated_number * 4
    + 1 as generated_number
    from
    p as p0
    cross join p as p1
    cross join p as p2
)
select *
from unioned
where generated_number <= 6
order by generated_number
), all_periods as (
    select date_add(cast('2024-01-01' as date), interval (row_number() over (order by generated_number) - 1) month) as date_month
    from rawdata
), filtered as (
    select * from all_periods where date_month < cast('2024-06-15' as date)
)
select * from filtered) s)

-- (select max(date_day) from ({{dbt_utils.date_spine "day" "cast('2024-01-01' as date)" "cast('2024-01-08' as date)"}}) s)
(select max(date_day) from (with rawdata as (
with p as (
    select 0 as generated_number union all select 1
), unioned as (
    select
    p0.generated_number * 1
    + p1.generated_number * 2
    + p2.generated_number * 4
    + 1 as generated_number
    from
    p as p0
    cross join p as p1
    cross join p as p2
)
select *
from unioned
where generated_number <= 7
order by generated_number
), all_periods as (
    select date_add(cast('2024-01-01' as date), interval (row_number() over (order by generated_number) - 1) day) as date_day
    from rawdata
), filtered as (
    select * from all_periods where date_day < cast('2024-01-08' as date)
)
select * from filtered) s)

-- (select count(*) from ({{dbt_utils.date_spine "day" "date_sub(cast('2024-01-08' as date), interval 7 day)" "cast('2024-01-08' as date)"}}) s)
(select count(*) from (with recursive all_periods (date_day) as (
    select date_sub(cast('2024-01-08' as date), interval 7 day)
    union all
    select date_add(date_day, interval (1) day) from all_periods where date_add(date_day, interval (1) day) < cast('2024-01-08' as date)
)
select * from all_periods where date_day < cast('2024-01-08' as date)) s)

-- (select count(*) from ({{dbt_utils.generate_series 1000}}) s)
(select count(*) from (with p as (
    select 0 as generated_number union all select 1
), unioned as (
    select
    p0.generated_number * 1
    + p1.generated_number * 2
    + p2.generated_number * 4
    + p3.generated_number * 8
    + p4.generated_number * 16
    + p5.generated_number * 32
    + p6.generated_number * 64
    + p7.generated_number * 128
    + p8.generated_number * 256
    + p9.generated_number * 512
    + 1 as generated_number
    from
    p as p0
    cross join p as p1
    cross join p as p2
    cross join p as p3
    cross join p as p4
    cross join p as p5
    cross join p as p6
    cross join p as p7
    cross join p as p8
    cross join p as p9
)
select *
from unioned
where generated_number <= 1000
order by generated_number) s)

-- (select concat_ws(',', {{dbt_utils.pivot "x" (array "a" "b" "z") alias=false}}) from (select 'b' as x union all select 'a' union all select 'c') t)
(select concat_ws(',', sum(case when x = 'a' then 1 else 0 end),
  sum(case when x = 'b' then 1 else 0 end),
  sum(case when x = 'z' then 1 else 0 end)) from (select 'b' as x union all select 'a' union all select 'c') t)

-- {{dbt_utils.pivot "status" (array "paid" "open") agg="max" then_value="amount" else_value="null" prefix="amount_"}}
max(case when status = 'paid' then amount else null end) as `amount_paid`,
  max(case when status = 'open' then amount else null end) as `amount_open`

-- {{dbt_utils.deduplicate "events" "event_id" "loaded_at desc"}}
with row_numbered as (
    select _inner.*,
        row_number() over (partition by event_id order by loaded_at desc) as rn
    from events as _inner
)
select distinct data.*
from events as data
natural join row_numbered
where row_numbered.rn = 1

-- (select count(*) from (select x from (select 1 as x union all select 1) s {{dbt_utils.group_by 1}}) t)
(select count(*) from (select x from (select 1 as x union all select 1) s group by 1) t)

-- {{dbt_utils.safe_add (array "1" "null" "2")}}
coalesce(1, 0)
    + coalesce(null, 0)
    + coalesce(2, 0)

-- {{dbt_utils.safe_subtract (array "5" "null" "2")}}
coalesce(5, 0)
    - coalesce(null, 0)
    - coalesce(2, 0)

-- {{dbt_utils.safe_divide "1" "0"}}
( 1 ) / nullif( ( 0 ), 0)

-- {{dbt_utils.safe_divide "6" "3"}}
( 6 ) / nullif( ( 3 ), 0)

-- {{dbt_utils.width_bucket "5.5" "0" "10" "5"}}
(
    case when mod(cast(5.5 as decimal(28,6)), cast((((10) - (0)) / (5)) as decimal(28,6))) = 0 then 1 else 0 end
    + least(ceil(((5.5) - (0)) / (((10) - (0)) / (5))), (5) + 1)
)

-- {{dbt_utils.width_bucket "4" "0" "10" "5"}}
(
    case when mod(cast(4 as decimal(28,6)), cast((((10) - (0)) / (5)) as decimal(28,6))) = 0 then 1 else 0 end
    + least(ceil(((4) - (0)) / (((10) - (0)) / (5))), (5) + 1)
)

-- {{dbt_utils.width_bucket "12.5" "0" "10" "5"}}
(
    case when mod(cast(12.5 as decimal(28,6)), cast((((10) - (0)) / (5)) as decimal(28,6))) = 0 then 1 else 0 end
    + least(ceil(((12.5) - (0)) / (((10) - (0)) / (5))), (5) + 1)
)

-- round({{dbt_utils.haversine_distance "48.8566" "2.3522" "51.5074" "-0.1278" unit="km"}}, 3)
round(2 * 3961 * asin(sqrt(power(sin(radians((51.5074 - 48.8566) / 2)), 2) + cos(radians(48.8566)) * cos(radians(51.5074)) * power(sin(radians((-0.1278 - 2.3522) / 2)), 2))) * 1.60934, 3)

-- {{dbt_utils.nullcheck (array "name" "email")}}
nullif(`name`, '') as `name`,
  nullif(`email`, '') as `email`

-- '{{dbt_utils.slugify "3rd Place-Winners!"}}'
'_3rd_place_winners'

-- (select count(*) from ({{dbt_utils.get_tables_by_pattern_sql "information_schema" "tables"}}) s)
(select count(*) from (select distinct
    table_schema as table_schema,
    table_name as table_name,
    case when table_type = 'VIEW' then 'view' else 'table' end as table_type
from information_schema.tables
where table_schema like 'information_schema'
and table_name like 'tables'
and table_name not like '') s)

-- (select count(*) from ({{dbt_utils.get_tables_by_prefix_sql "information_schema" "tables" exclude="tables_%"}}) s)
(select count(*) from (select distinct
    table_schema as table_schema,
    table_name as table_name,
    case when table_type = 'VIEW' then 'view' else 'table' end as table_type
from information_schema.tables
where table_schema like 'information_schema'
and table_name like 'tables%'
and table_name not like 'tables_%') s)

-- {{dbt_utils.get_url_host "'https://www.example.com/shop/item?id=3&utm_source=news'"}}
substring_index(substring_index(substring_index('https://www.example.com/shop/item?id=3&utm_source=news', '://', -1), '/', 1), '?', 1)

-- {{dbt_utils.get_url_path "'https://www.example.com/shop/item?id=3&utm_source=news'"}}
case when locate('/', substring_index('https://www.example.com/shop/item?id=3&utm_source=news', '://', -1)) = 0 then '' else substring_index(substr(substring_index('https://www.example.com/shop/item?id=3&utm_source=news', '://', -1), locate('/', substring_index('https://www.example.com/shop/item?id=3&utm_source=news', '://', -1)) + 1), '?', 1) end

-- {{dbt_utils.get_url_parameter "'https://www.example.com/shop/item?id=3&utm_source=news'" "utm_source"}}
case when locate('utm_source=', 'https://www.example.com/shop/item?id=3&utm_source=news') > 0 then nullif(substring_index(substring_index('https://www.example.com/shop/item?id=3&utm_source=news', 'utm_source=', -1), '&', 1), '') end

-- {{dbt_utils.get_url_parameter "'https://www.example.com/shop/item?id=3&utm_source=news'" "id"}}
case when locate('id=', 'https://www.example.com/shop/item?id=3&utm_source=news') > 0 then nullif(substring_index(substring_index('https://www.example.com/shop/item?id=3&utm_source=news', 'id=', -1), '&', 1), '') end

-- {{dbt_utils.get_url_parameter "'https://www.example.com/shop/item?id=3&utm_source=news'" "gclid"}}
case when locate('gclid=', 'https://www.example.com/shop/item?id=3&utm_source=news') > 0 then nullif(substring_index(substring_index('https://www.example.com/shop/item?id=3&utm_source=news', 'gclid=', -1), '&', 1), '') end

-- {{dbt_utils.datediff "cast('2024-01-01' as date)" "cast('2024-01-31' as date)" "day"}}
datediff(cast('2024-01-31' as date), cast('2024-01-01' as date))
