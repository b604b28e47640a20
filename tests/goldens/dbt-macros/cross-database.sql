-- {{dbt.date_trunc "year" "cast('2024-03-15 13:45:12' as datetime)"}}
cast(date_format(cast('2024-03-15 13:45:12' as datetime), '%Y-01-01') as datetime)

-- {{dbt.date_trunc "quarter" "cast('2024-03-15 13:45:12' as datetime)"}}
cast(date_add(makedate(year(cast('2024-03-15 13:45:12' as datetime)), 1), interval quarter(cast('2024-03-15 13:45:12' as datetime)) - 1 quarter) as datetime)

-- {{dbt.date_trunc "month" "cast('2024-03-15 13:45:12' as datetime)"}}
cast(date_format(cast('2024-03-15 13:45:12' as datetime), '%Y-%m-01') as datetime)

-- {{dbt.date_trunc "week" "cast('2024-03-15 13:45:12' as datetime)"}}
cast(date_sub(cast(cast('2024-03-15 13:45:12' as datetime) as date), interval weekday(cast('2024-03-15 13:45:12' as datetime)) day) as datetime)

-- {{dbt.date_trunc "day" "cast('2024-03-15 13:45:12' as datetime)"}}
cast(date_format(cast('2024-03-15 13:45:12' as datetime), '%Y-%m-%d') as datetime)

-- {{dbt.date_trunc "hour" "cast('2024-03-15 13:45:12' as datetime)"}}
cast(date_format(cast('2024-03-15 13:45:12' as datetime), '%Y-%m-%d %H:00:00') as datetime)

-- {{dbt.date_trunc "minute" "cast('2024-03-15 13:45:12' as datetime)"}}
cast(date_format(cast('2024-03-15 13:45:12' as datetime), '%Y-%m-%d %H:%i:00') as datetime)

-- {{dbt.date_trunc "second" "cast('2024-03-15 13:45:12' as datetime)"}}
cast(date_format(cast('2024-03-15 13:45:12' as datetime), '%Y-%m-%d %H:%i:%s') as datetime)

-- {{dbt.dateadd "day" 10 "cast('2024-03-15 13:45:12' as datetime)"}}
date_add(cast('2024-03-15 13:45:12' as datetime), interval (10) day)

-- {{dbt.dateadd datepart="month" interval=-1 from_date_or_timestamp="cast('2024-03-15 13:45:12' as datetime)"}}
date_add(cast('2024-03-15 13:45:12' as datetime), interval (-1) month)

-- {{dbt.dateadd "month" 1 "cast('2024-01-31' as date)"}}
date_add(cast('2024-01-31' as date), interval (1) month)

-- {{dbt.datediff "cast('2024-01-31 23:00:00' as datetime)" "cast('2024-02-01 01:00:00' as datetime)" "day"}}
datediff(cast('2024-02-01 01:00:00' as datetime), cast('2024-01-31 23:00:00' as datetime))

-- {{dbt.datediff "cast('2024-01-31 23:00:00' as datetime)" "cast('2024-02-01 01:00:00' as datetime)" "hour"}}
timestampdiff(hour, cast(date_format(cast('2024-01-31 23:00:00' as datetime), '%Y-%m-%d %H:00:00') as datetime), cast(date_format(cast('2024-02-01 01:00:00' as datetime), '%Y-%m-%d %H:00:00') as datetime))

-- {{dbt.datediff "cast('2024-01-31 23:00:00' as datetime)" "cast('2024-02-01 01:00:00' as datetime)" "month"}}
timestampdiff(month, cast(date_format(cast('2024-01-31 23:00:00' as datetime), '%Y-%m-01') as datetime), cast(date_format(cast('2024-02-01 01:00:00' as datetime), '%Y-%m-01') as datetime))

-- {{dbt.datediff "cast('2024-01-31 23:00:00' as datetime)" "cast('2024-02-01 01:00:00' as datetime)" "week"}}
timestampdiff(week, cast(date_sub(cast(cast('2024-01-31 23:00:00' as datetime) as date), interval weekday(cast('2024-01-31 23:00:00' as datetime)) day) as datetime), cast(date_sub(cast(cast('2024-02-01 01:00:00' as datetime) as date), interval weekday(cast('2024-02-01 01:00:00' as datetime)) day) as datetime))

-- {{dbt.datediff "cast('2023-12-31 10:00:00' as datetime)" "cast('2024-01-01 09:00:00' as datetime)" "week"}}
timestampdiff(week, cast(date_sub(cast(cast('2023-12-31 10:00:00' as datetime) as date), interval weekday(cast('2023-12-31 10:00:00' as datetime)) day) as datetime), cast(date_sub(cast(cast('2024-01-01 09:00:00' as datetime) as date), interval weekday(cast('2024-01-01 09:00:00' as datetime)) day) as datetime))

-- {{dbt.datediff "cast('2023-12-31 10:00:00' as datetime)" "cast('2024-01-01 09:00:00' as datetime)" "quarter"}}
timestampdiff(quarter, cast(date_add(makedate(year(cast('2023-12-31 10:00:00' as datetime)), 1), interval quarter(cast('2023-12-31 10:00:00' as datetime)) - 1 quarter) as datetime), cast(date_add(makedate(year(cast('2024-01-01 09:00:00' as datetime)), 1), interval quarter(cast('2024-01-01 09:00:00' as datetime)) - 1 quarter) as datetime))

-- {{dbt.datediff "cast('2023-12-31 10:00:00' as datetime)" "cast('2024-01-01 09:00:00' as datetime)" "year"}}
timestampdiff(year, cast(date_format(cast('2023-12-31 10:00:00' as datetime), '%Y-01-01') as datetime), cast(date_format(cast('2024-01-01 09:00:00' as datetime), '%Y-01-01') as datetime))

-- {{dbt.datediff "cast('2024-01-01 10:00:59' as datetime)" "cast('2024-01-01 10:01:00' as datetime)" "minute"}}
timestampdiff(minute, cast(date_format(cast('2024-01-01 10:00:59' as datetime), '%Y-%m-%d %H:%i:00') as datetime), cast(date_format(cast('2024-01-01 10:01:00' as datetime), '%Y-%m-%d %H:%i:00') as datetime))

-- {{dbt.datediff "cast('2024-01-01 10:00:00' as datetime)" "cast('2024-01-01 10:00:30' as datetime)" "second"}}
timestampdiff(second, cast(date_format(cast('2024-01-01 10:00:00' as datetime), '%Y-%m-%d %H:%i:%s') as datetime), cast(date_format(cast('2024-01-01 10:00:30' as datetime), '%Y-%m-%d %H:%i:%s') as datetime))

-- {{dbt.last_day "cast('2024-02-10' as date)" "month"}}
last_day(cast('2024-02-10' as date))

-- {{dbt.last_day "cast('2024-02-10' as date)" "quarter"}}
cast(date_sub(date_add(cast(date_add(makedate(year(cast('2024-02-10' as date)), 1), interval quarter(cast('2024-02-10' as date)) - 1 quarter) as datetime), interval (1) quarter), interval 1 day) as date)

-- {{dbt.last_day "cast('2024-02-10' as date)" "year"}}
cast(date_sub(date_add(cast(date_format(cast('2024-02-10' as date), '%Y-01-01') as datetime), interval (1) year), interval 1 day) as date)

-- {{dbt.cast "'7'" "signed"}}
cast('7' as signed)

-- {{dbt.safe_cast "'12'" "signed"}}
case when trim('12') regexp '^[-+]?[0-9]+$' then cast('12' as signed) end

-- {{dbt.safe_cast "'abc'" (dbt.type_int)}}
case when trim('abc') regexp '^[-+]?[0-9]+$' then cast('abc' as signed) end

-- {{dbt.safe_cast "'1.5'" "decimal(10,2)"}}
case when trim('1.5') regexp '^[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?$' then cast('1.5' as decimal(10,2)) end

-- {{dbt.safe_cast "'2024-02-30'" "date"}}
case when trim('2024-02-30') regexp '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])( ([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9]([.][0-9]{1,6})?)?)?$' then case when cast(substr(trim('2024-02-30'), 9, 2) as unsigned) <= dayofmonth(last_day(cast(concat(left(trim('2024-02-30'), 7), '-01') as date))) then cast('2024-02-30' as date) end end

-- {{dbt.safe_cast "'2024-02-29 10:30:00'" "datetime"}}
case when trim('2024-02-29 10:30:00') regexp '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])( ([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9]([.][0-9]{1,6})?)?)?$' then case when cast(substr(trim('2024-02-29 10:30:00'), 9, 2) as unsigned) <= dayofmonth(last_day(cast(concat(left(trim('2024-02-29 10:30:00'), 7), '-01') as date))) then cast('2024-02-29 10:30:00' as datetime) end end

-- {{dbt.cast_bool_to_text "1 = 1"}}
case when (1 = 1) then 'true' when not (1 = 1) then 'false' end

-- {{dbt.cast_bool_to_text "1 = 0"}}
case when (1 = 0) then 'true' when not (1 = 0) then 'false' end

-- {{dbt.cast_bool_to_text "null"}}
case when (null) then 'true' when not (null) then 'false' end

-- {{dbt.concat (array "'a'" "'b'" "'c'")}}
concat('a', 'b', 'c')

-- {{dbt.hash "'abc'"}}
md5(cast('abc' as char))

-- {{dbt.split_part "'a,b,c'" "','" 2}}
case when 2 > (char_length('a,b,c') - char_length(replace('a,b,c', ',', ''))) div char_length(',') + 1 then '' else substring_index(substring_index('a,b,c', ',', 2), ',', -1) end

-- {{dbt.split_part "'a,b,c'" "','" 4}}
case when 4 > (char_length('a,b,c') - char_length(replace('a,b,c', ',', ''))) div char_length(',') + 1 then '' else substring_index(substring_index('a,b,c', ',', 4), ',', -1) end

-- {{dbt.split_part "'a,b,c'" "','" -1}}
case when 1 > (char_length('a,b,c') - char_length(replace('a,b,c', ',', ''))) div char_length(',') + 1 then '' else substring_index(substring_index('a,b,c', ',', -1), ',', 1) end

-- {{dbt.replace "'a-b'" "'-'" "'+'"}}
replace('a-b', '-', '+')

-- {{dbt.position "'b'" "'abc'"}}
locate('b', 'abc')

-- {{dbt.length "'héllo'"}}
char_length('héllo')

-- {{dbt.right "'abcdef'" 3}}
right('abcdef', 3)

-- {{dbt.listagg "x" "', '" "order by x"}}
group_concat(x order by x separator ', ')

-- {{dbt.listagg "x" "', '" "order by x" 2}}
substring_index(group_concat(x order by x separator ', '), ', ', 2)

-- {{dbt.any_value "x"}}
min(x)

-- {{dbt.bool_or "x > 2"}}
max(case when (x > 2) then 1 else 0 end) = 1

-- {{dbt.bool_or "x > 3"}}
max(case when (x > 3) then 1 else 0 end) = 1

-- '{{dbt.escape_single_quotes "it's"}}'
'it''s'

-- {{dbt.string_literal "it's"}}
'it''s'

-- cast(12 as {{dbt.type_string}})
cast(12 as char)

-- cast('2024-03-15 13:45:12' as {{dbt.type_timestamp}})
cast('2024-03-15 13:45:12' as datetime)

-- cast('12' as {{dbt.type_int}})
cast('12' as signed)

-- cast(cast('9007199254740993' as {{dbt.type_bigint}}) as char)
cast(cast('9007199254740993' as signed) as char)

-- cast('1.5' as {{dbt.type_float}})
cast('1.5' as double)

-- cast('1.5' as {{dbt.type_numeric}})
cast('1.5' as decimal(28,6))

-- cast(1 = 1 as {{dbt.type_boolean}})
cast(1 = 1 as signed)

-- timestampdiff(second, now(), {{dbt.current_timestamp}})
timestampdiff(second, now(), current_timestamp())

-- timestampdiff(second, now(), {{dbt.current_timestamp_backcompat}})
timestampdiff(second, now(), current_timestamp())

-- timestampdiff(second, utc_timestamp(), {{dbt.current_timestamp_in_utc_backcompat}})
timestampdiff(second, utc_timestamp(), utc_timestamp())

-- (select count(*) from (select 1 as n union select 2 {{dbt.except}} select 2) t)
(select count(*) from (select 1 as n union select 2 except select 2) t)

-- (select n from (select 2 as n {{dbt.intersect}} select 2) t)
(select n from (select 2 as n intersect select 2) t)

-- {{dbt.array_construct (array "1" "2")}}
json_array(1, 2)

-- {{dbt.array_append "json_array(1)" "2"}}
json_array_append(json_array(1), '$', 2)

-- {{dbt.array_concat "json_array(1)" "json_array(2, 3)"}}
json_merge_preserve(json_array(1), json_array(2, 3))

-- {{dbt.date 2024 3 5}}
cast('2024-03-05' as date)

-- {{dbt.equals "null" "null"}}
(null <=> null)

-- {{dbt.equals "1" "2"}}
(1 <=> 2)

-- {{dbt.get_powers_of_two 10}}
4

-- (select count(*) from ({{dbt.generate_series 5}}) s)
(select count(*) from (with p as (
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
where generated_number <= 5
order by generated_number) s)

-- (select sum(generated_number) from ({{dbt.generate_series 5}}) s)
(select sum(generated_number) from (with p as (
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
where generated_number <= 5
order by generated_number) s)

-- (select count(*) from ({{dbt.date_spine "day" "cast('2024-01-01' as date)" "cast('2024-01-08' as date)"}}) s)
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
where generated_number <= 7
order by generated_number
), all_periods as (
    select date_add(cast('2024-01-01' as date), interval (row_number() over (order by generated_number) - 1) day) as date_day
    from rawdata
), filtered as (
    select * from all_periods where date_day < cast('2024-01-08' as date)
)
select * from filtered) s)
