{{config materialized="table" watermark_column=null}}
-- The metrics' daily time spine: one row per day from 2020-01-01 to 2030-12-31 (4,018 rows),
-- a bounded range as dbt advises (a spine join reads every day it holds). Built from a cross
-- join of digits (0 … 9,999 days): MySQL has no sequence generator, and a recursive CTE stops
-- at cte_max_recursion_depth (1,000 by default on MySQL). A plain table rebuilt in full on
-- each build, not incremental like the rest of gold: it reads nothing, so it has no watermark.
with digits as (
  select 0 as d union all select 1 union all select 2 union all select 3 union all select 4
  union all select 5 union all select 6 union all select 7 union all select 8 union all select 9
),
day_numbers as (
  select thousands.d * 1000 + hundreds.d * 100 + tens.d * 10 + units.d as n
  from digits thousands
    cross join digits hundreds
    cross join digits tens
    cross join digits units
)
select cast(date_add(date '2020-01-01', interval n day) as date) as date_day
from day_numbers
where n <= datediff(date '2030-12-31', date '2020-01-01')
