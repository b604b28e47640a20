-- Silver never holds more than arrived: each silver table has at most as many rows as
-- bronze, and valid events + duplicates never outnumber the bronze rows of their batches.
with bronze as (
  select count(*) as n from {{source "bronze" "flash_sale_events"}}
),
silver as (
  select 'valid_events' as model, count(*) as n from {{ref "valid_events"}}
  union all
  select 'event_duplicates', count(*) from {{ref "event_duplicates"}}
  union all
  select 'rejected_events (silver)', count(*) from {{ref "rejected_events"}} where rejected_by = 'silver'
  union all
  select 'valid_events + event_duplicates', (select count(*) from {{ref "valid_events"}}) + (select count(*) from {{ref "event_duplicates"}})
)
select s.model, s.n as silver_rows, b.n as bronze_rows
from silver s
cross join bronze b
where s.n > b.n
