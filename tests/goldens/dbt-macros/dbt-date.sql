-- timestampdiff(second, now(), {{dbt_date.now}})
timestampdiff(second, now(), now())

-- timestampdiff(minute, utc_timestamp(), {{dbt_date.now "+02:00"}})
timestampdiff(minute, utc_timestamp(), convert_tz(utc_timestamp(), '+00:00', '+02:00'))

-- datediff({{dbt_date.today}}, current_date())
datediff(cast(now() as date), current_date())

-- datediff({{dbt_date.tomorrow}}, current_date())
datediff(cast(date_add(cast(cast(now() as date) as date), interval (1) day) as date), current_date())

-- datediff({{dbt_date.yesterday}}, current_date())
datediff(cast(date_add(cast(cast(now() as date) as date), interval (-1) day) as date), current_date())

-- {{dbt_date.n_days_ago 3 "'2024-03-15'"}}
cast(date_add(cast('2024-03-15' as date), interval (-3) day) as date)

-- {{dbt_date.n_days_away 3 "'2024-03-15'"}}
cast(date_add(cast('2024-03-15' as date), interval (3) day) as date)

-- dayofweek({{dbt_date.n_weeks_ago 2}})
dayofweek(cast(date_sub(cast(date_add(cast(now() as date), interval (-2) week) as date), interval (dayofweek(date_add(cast(now() as date), interval (-2) week)) - 1) day) as date))

-- dayofweek({{dbt_date.n_weeks_away 2}})
dayofweek(cast(date_sub(cast(date_add(cast(now() as date), interval (2) week) as date), interval (dayofweek(date_add(cast(now() as date), interval (2) week)) - 1) day) as date))

-- {{dbt_date.n_months_ago 1}} = cast(date_format(current_date() - interval 1 month, '%Y-%m-01') as datetime)
cast(date_format(date_add(cast(now() as date), interval (-1) month), '%Y-%m-01') as datetime) = cast(date_format(current_date() - interval 1 month, '%Y-%m-01') as datetime)

-- {{dbt_date.n_months_away 1}} = cast(date_format(current_date() + interval 1 month, '%Y-%m-01') as datetime)
cast(date_format(date_add(cast(now() as date), interval (1) month), '%Y-%m-01') as datetime) = cast(date_format(current_date() + interval 1 month, '%Y-%m-01') as datetime)

-- datediff(current_date(), {{dbt_date.last_week}})
datediff(current_date(), cast(date_add(cast(cast(now() as date) as date), interval (-7) day) as date))

-- {{dbt_date.last_month}} = cast(date_format(current_date() - interval 1 month, '%Y-%m-01') as datetime)
cast(date_format(date_add(cast(now() as date), interval (-1) month), '%Y-%m-01') as datetime) = cast(date_format(current_date() - interval 1 month, '%Y-%m-01') as datetime)

-- {{dbt_date.next_month}} = cast(date_format(current_date() + interval 1 month, '%Y-%m-01') as datetime)
cast(date_format(date_add(cast(now() as date), interval (1) month), '%Y-%m-01') as datetime) = cast(date_format(current_date() + interval 1 month, '%Y-%m-01') as datetime)

-- {{dbt_date.day_of_week "cast('2024-03-15 13:45:12' as datetime)"}}
(weekday(cast('2024-03-15 13:45:12' as datetime)) + 1)

-- {{dbt_date.day_of_week "cast('2024-03-15 13:45:12' as datetime)" isoweek=false}}
dayofweek(cast('2024-03-15 13:45:12' as datetime))

-- {{dbt_date.day_name "cast('2024-03-15 13:45:12' as datetime)"}}
date_format(cast('2024-03-15 13:45:12' as datetime), '%a')

-- {{dbt_date.day_name "cast('2024-03-15 13:45:12' as datetime)" short=false}}
date_format(cast('2024-03-15 13:45:12' as datetime), '%W')

-- {{dbt_date.day_of_month "cast('2024-03-15 13:45:12' as datetime)"}}
dayofmonth(cast('2024-03-15 13:45:12' as datetime))

-- {{dbt_date.day_of_year "cast('2024-03-15 13:45:12' as datetime)"}}
dayofyear(cast('2024-03-15 13:45:12' as datetime))

-- {{dbt_date.month_name "cast('2024-03-15 13:45:12' as datetime)"}}
date_format(cast('2024-03-15 13:45:12' as datetime), '%b')

-- {{dbt_date.month_name "cast('2024-03-15 13:45:12' as datetime)" short=false}}
date_format(cast('2024-03-15 13:45:12' as datetime), '%M')

-- {{dbt_date.week_start "cast('2024-03-15 13:45:12' as datetime)"}}
cast(date_sub(cast(cast('2024-03-15 13:45:12' as datetime) as date), interval (dayofweek(cast('2024-03-15 13:45:12' as datetime)) - 1) day) as date)

-- {{dbt_date.week_end "cast('2024-03-15 13:45:12' as datetime)"}}
cast(date_add(cast(date_sub(cast(cast('2024-03-15 13:45:12' as datetime) as date), interval (dayofweek(cast('2024-03-15 13:45:12' as datetime)) - 1) day) as date), interval (6) day) as date)

-- {{dbt_date.iso_week_start "cast('2024-03-15 13:45:12' as datetime)"}}
cast(cast(date_sub(cast(cast('2024-03-15 13:45:12' as datetime) as date), interval weekday(cast('2024-03-15 13:45:12' as datetime)) day) as datetime) as date)

-- {{dbt_date.iso_week_end "cast('2024-03-15 13:45:12' as datetime)"}}
cast(date_add(cast(date_sub(cast(cast('2024-03-15 13:45:12' as datetime) as date), interval weekday(cast('2024-03-15 13:45:12' as datetime)) day) as datetime), interval (6) day) as date)

-- month(current_date() - interval 1 month) = {{dbt_date.last_month_number}}
month(current_date() - interval 1 month) = month(cast(date_format(date_add(cast(now() as date), interval (-1) month), '%Y-%m-01') as datetime))

-- month(current_date() + interval 1 month) = {{dbt_date.next_month_number}}
month(current_date() + interval 1 month) = month(cast(date_format(date_add(cast(now() as date), interval (1) month), '%Y-%m-01') as datetime))

-- date_format(current_date() - interval 1 month, '%M') = {{dbt_date.last_month_name short=false}}
date_format(current_date() - interval 1 month, '%M') = date_format(cast(date_format(date_add(cast(now() as date), interval (-1) month), '%Y-%m-01') as datetime), '%M')

-- date_format(current_date() + interval 1 month, '%b') = {{dbt_date.next_month_name}}
date_format(current_date() + interval 1 month, '%b') = date_format(cast(date_format(date_add(cast(now() as date), interval (1) month), '%Y-%m-01') as datetime), '%b')

-- {{dbt_date.iso_week_of_year "cast('2024-03-15 13:45:12' as datetime)"}}
week(cast('2024-03-15 13:45:12' as datetime), 3)

-- {{dbt_date.week_of_year "cast('2024-03-15 13:45:12' as datetime)"}}
week(cast('2024-03-15 13:45:12' as datetime), 0)

-- {{dbt_date.date_part "month" "cast('2024-03-15 13:45:12' as datetime)"}}
extract(month from cast('2024-03-15 13:45:12' as datetime))

-- {{dbt_date.from_unixtimestamp 1710510312}}
timestampadd(microsecond, 1710510312 * 1000000, cast('1970-01-01 00:00:00' as datetime(6)))

-- {{dbt_date.from_unixtimestamp 1710510312123 format="milliseconds"}}
timestampadd(microsecond, 1710510312123 * 1000, cast('1970-01-01 00:00:00' as datetime(6)))

-- {{dbt_date.to_unixtimestamp "cast('2024-03-15 13:45:12' as datetime)"}}
timestampdiff(second, cast('1970-01-01 00:00:00' as datetime), cast('2024-03-15 13:45:12' as datetime))

-- {{dbt_date.convert_timezone "cast('2024-03-15 13:45:12' as datetime)" "+02:00"}}
convert_tz(cast('2024-03-15 13:45:12' as datetime), '+00:00', '+02:00')

-- (select count(*) from ({{dbt_date.date_spine "day" "cast('2024-02-01' as date)" "cast('2024-03-01' as date)"}}) s)
(select count(*) from (with rawdata as (
with p as (
    select 0 as generated_number union all select 1
), unioned as (
    select
    p0.generated_number * 1
    + p1.generated_number * 2
    + p2.generated_number * 4
    + p3.generated_number * 8
    + p4.generated_number * 16
    + 1 as generated_number
    from
    p as p0
    cross join p as p1
    cross join p as p2
    cross join p as p3
    cross join p as p4
)
select *
from unioned
where generated_number <= 29
order by generated_number
), all_periods as (
    select date_add(cast('2024-02-01' as date), interval (row_number() over (order by generated_number) - 1) day) as date_day
    from rawdata
), filtered as (
    select * from all_periods where date_day < cast('2024-03-01' as date)
)
select * from filtered) s)

-- (select count(*) from ({{dbt_date.get_date_dimension "2024-01-01" "2024-12-31"}}) s)
(select count(*) from (with base_dates as (
with date_spine as (
with rawdata as (
with p as (
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
)
select *
from unioned
where generated_number <= 365
order by generated_number
), all_periods as (
    select date_add(cast('2024-01-01' as datetime), interval (row_number() over (order by generated_number) - 1) day) as date_day
    from rawdata
), filtered as (
    select * from all_periods where date_day < cast('2024-12-31' as datetime)
)
select * from filtered
)
select cast(d.date_day as datetime) as date_day
from date_spine d
), dates_with_prior_year_dates as (
    select
        cast(d.date_day as date) as date_day,
        cast(date_add(d.date_day, interval (-1) year) as date) as prior_year_date_day,
        cast(date_add(d.date_day, interval (-364) day) as date) as prior_year_over_year_date_day
    from base_dates d
)
select
    d.date_day as date_day,
    cast(date_add(d.date_day, interval (-1) day) as date) as prior_date_day,
    cast(date_add(d.date_day, interval (1) day) as date) as next_date_day,
    d.prior_year_date_day as prior_year_date_day,
    d.prior_year_over_year_date_day as prior_year_over_year_date_day,
    dayofweek(d.date_day) as day_of_week,
    (weekday(d.date_day) + 1) as day_of_week_iso,
    date_format(d.date_day, '%W') as day_of_week_name,
    date_format(d.date_day, '%a') as day_of_week_name_short,
    dayofmonth(d.date_day) as day_of_month,
    dayofyear(d.date_day) as day_of_year,
    cast(date_sub(cast(d.date_day as date), interval (dayofweek(d.date_day) - 1) day) as date) as week_start_date,
    cast(date_add(cast(date_sub(cast(d.date_day as date), interval (dayofweek(d.date_day) - 1) day) as date), interval (6) day) as date) as week_end_date,
    cast(date_sub(cast(d.prior_year_over_year_date_day as date), interval (dayofweek(d.prior_year_over_year_date_day) - 1) day) as date) as prior_year_week_start_date,
    cast(date_add(cast(date_sub(cast(d.prior_year_over_year_date_day as date), interval (dayofweek(d.prior_year_over_year_date_day) - 1) day) as date), interval (6) day) as date) as prior_year_week_end_date,
    week(d.date_day, 0) as week_of_year,
    cast(cast(date_sub(cast(d.date_day as date), interval weekday(d.date_day) day) as datetime) as date) as iso_week_start_date,
    cast(date_add(cast(cast(date_sub(cast(d.date_day as date), interval weekday(d.date_day) day) as datetime) as date), interval (6) day) as date) as iso_week_end_date,
    cast(cast(date_sub(cast(d.prior_year_over_year_date_day as date), interval weekday(d.prior_year_over_year_date_day) day) as datetime) as date) as prior_year_iso_week_start_date,
    cast(date_add(cast(cast(date_sub(cast(d.prior_year_over_year_date_day as date), interval weekday(d.prior_year_over_year_date_day) day) as datetime) as date), interval (6) day) as date) as prior_year_iso_week_end_date,
    week(d.date_day, 3) as iso_week_of_year,
    week(d.prior_year_over_year_date_day, 0) as prior_year_week_of_year,
    week(d.prior_year_over_year_date_day, 3) as prior_year_iso_week_of_year,
    month(d.date_day) as month_of_year,
    date_format(d.date_day, '%M') as month_name,
    date_format(d.date_day, '%b') as month_name_short,
    cast(cast(date_format(d.date_day, '%Y-%m-01') as datetime) as date) as month_start_date,
    last_day(d.date_day) as month_end_date,
    cast(cast(date_format(d.prior_year_date_day, '%Y-%m-01') as datetime) as date) as prior_year_month_start_date,
    last_day(d.prior_year_date_day) as prior_year_month_end_date,
    quarter(d.date_day) as quarter_of_year,
    cast(cast(date_add(makedate(year(d.date_day), 1), interval quarter(d.date_day) - 1 quarter) as datetime) as date) as quarter_start_date,
    cast(date_sub(date_add(cast(date_add(makedate(year(d.date_day), 1), interval quarter(d.date_day) - 1 quarter) as datetime), interval (1) quarter), interval 1 day) as date) as quarter_end_date,
    year(d.date_day) as year_number,
    cast(cast(date_format(d.date_day, '%Y-01-01') as datetime) as date) as year_start_date,
    cast(concat(year(d.date_day), '-12-31') as date) as year_end_date
from dates_with_prior_year_dates d
order by 1) s)

-- (select concat_ws('|', day_of_week, day_of_week_iso, week_start_date, week_end_date, iso_week_start_date, iso_week_of_year, month_end_date, quarter_end_date, year_end_date, prior_year_over_year_date_day) from ({{dbt_date.get_date_dimension "2024-01-01" "2024-12-31"}}) s where date_day = '2024-03-15')
(select concat_ws('|', day_of_week, day_of_week_iso, week_start_date, week_end_date, iso_week_start_date, iso_week_of_year, month_end_date, quarter_end_date, year_end_date, prior_year_over_year_date_day) from (with base_dates as (
with date_spine as (
with rawdata as (
with p as (
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
)
select *
from unioned
where generated_number <= 365
order by generated_number
), all_periods as (
    select date_add(cast('2024-01-01' as datetime), interval (row_number() over (order by generated_number) - 1) day) as date_day
    from rawdata
), filtered as (
    select * from all_periods where date_day < cast('2024-12-31' as datetime)
)
select * from filtered
)
select cast(d.date_day as datetime) as date_day
from date_spine d
), dates_with_prior_year_dates as (
    select
        cast(d.date_day as date) as date_day,
        cast(date_add(d.date_day, interval (-1) year) as date) as prior_year_date_day,
        cast(date_add(d.date_day, interval (-364) day) as date) as prior_year_over_year_date_day
    from base_dates d
)
select
    d.date_day as date_day,
    cast(date_add(d.date_day, interval (-1) day) as date) as prior_date_day,
    cast(date_add(d.date_day, interval (1) day) as date) as next_date_day,
    d.prior_year_date_day as prior_year_date_day,
    d.prior_year_over_year_date_day as prior_year_over_year_date_day,
    dayofweek(d.date_day) as day_of_week,
    (weekday(d.date_day) + 1) as day_of_week_iso,
    date_format(d.date_day, '%W') as day_of_week_name,
    date_format(d.date_day, '%a') as day_of_week_name_short,
    dayofmonth(d.date_day) as day_of_month,
    dayofyear(d.date_day) as day_of_year,
    cast(date_sub(cast(d.date_day as date), interval (dayofweek(d.date_day) - 1) day) as date) as week_start_date,
    cast(date_add(cast(date_sub(cast(d.date_day as date), interval (dayofweek(d.date_day) - 1) day) as date), interval (6) day) as date) as week_end_date,
    cast(date_sub(cast(d.prior_year_over_year_date_day as date), interval (dayofweek(d.prior_year_over_year_date_day) - 1) day) as date) as prior_year_week_start_date,
    cast(date_add(cast(date_sub(cast(d.prior_year_over_year_date_day as date), interval (dayofweek(d.prior_year_over_year_date_day) - 1) day) as date), interval (6) day) as date) as prior_year_week_end_date,
    week(d.date_day, 0) as week_of_year,
    cast(cast(date_sub(cast(d.date_day as date), interval weekday(d.date_day) day) as datetime) as date) as iso_week_start_date,
    cast(date_add(cast(cast(date_sub(cast(d.date_day as date), interval weekday(d.date_day) day) as datetime) as date), interval (6) day) as date) as iso_week_end_date,
    cast(cast(date_sub(cast(d.prior_year_over_year_date_day as date), interval weekday(d.prior_year_over_year_date_day) day) as datetime) as date) as prior_year_iso_week_start_date,
    cast(date_add(cast(cast(date_sub(cast(d.prior_year_over_year_date_day as date), interval weekday(d.prior_year_over_year_date_day) day) as datetime) as date), interval (6) day) as date) as prior_year_iso_week_end_date,
    week(d.date_day, 3) as iso_week_of_year,
    week(d.prior_year_over_year_date_day, 0) as prior_year_week_of_year,
    week(d.prior_year_over_year_date_day, 3) as prior_year_iso_week_of_year,
    month(d.date_day) as month_of_year,
    date_format(d.date_day, '%M') as month_name,
    date_format(d.date_day, '%b') as month_name_short,
    cast(cast(date_format(d.date_day, '%Y-%m-01') as datetime) as date) as month_start_date,
    last_day(d.date_day) as month_end_date,
    cast(cast(date_format(d.prior_year_date_day, '%Y-%m-01') as datetime) as date) as prior_year_month_start_date,
    last_day(d.prior_year_date_day) as prior_year_month_end_date,
    quarter(d.date_day) as quarter_of_year,
    cast(cast(date_add(makedate(year(d.date_day), 1), interval quarter(d.date_day) - 1 quarter) as datetime) as date) as quarter_start_date,
    cast(date_sub(date_add(cast(date_add(makedate(year(d.date_day), 1), interval quarter(d.date_day) - 1 quarter) as datetime), interval (1) quarter), interval 1 day) as date) as quarter_end_date,
    year(d.date_day) as year_number,
    cast(cast(date_format(d.date_day, '%Y-01-01') as datetime) as date) as year_start_date,
    cast(concat(year(d.date_day), '-12-31') as date) as year_end_date
from dates_with_prior_year_dates d
order by 1) s where date_day = '2024-03-15')

-- (select count(*) from ({{dbt_date.get_base_dates start_date="2024-01-01" end_date="2024-01-11"}}) s)
(select count(*) from (with date_spine as (
with rawdata as (
with p as (
    select 0 as generated_number union all select 1
), unioned as (
    select
    p0.generated_number * 1
    + p1.generated_number * 2
    + p2.generated_number * 4
    + p3.generated_number * 8
    + 1 as generated_number
    from
    p as p0
    cross join p as p1
    cross join p as p2
    cross join p as p3
)
select *
from unioned
where generated_number <= 10
order by generated_number
), all_periods as (
    select date_add(cast('2024-01-01' as datetime), interval (row_number() over (order by generated_number) - 1) day) as date_day
    from rawdata
), filtered as (
    select * from all_periods where date_day < cast('2024-01-11' as datetime)
)
select * from filtered
)
select cast(d.date_day as datetime) as date_day
from date_spine d) s)

-- (select count(*) from ({{dbt_date.get_base_dates n_dateparts=3}}) s)
(select count(*) from (with date_spine as (
with recursive all_periods (date_day) as (
    select date_add(cast(now() as date), interval (-3) day)
    union all
    select date_add(date_day, interval (1) day) from all_periods where date_add(date_day, interval (1) day) < cast(date_add(cast(cast(now() as date) as date), interval (1) day) as date)
)
select * from all_periods where date_day < cast(date_add(cast(cast(now() as date) as date), interval (1) day) as date)
)
select cast(d.date_day as datetime) as date_day
from date_spine d) s)
