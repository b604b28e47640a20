-- depends_on: {{ref "ingestion_batches"}}
-- Silver never holds more than arrived: for every batch, valid events + duplicates never
-- outnumber its bronze rows, nor do the rows silver rejected. (After an incremental build,
-- only the batches it took; `ft test` and --full-refresh check them all.)
with bronze as (
  select _batch_id as batch_id, count(*) as n
  from {{source "bronze" "flash_sale_events"}}
  where _batch_id > {{> last_tested_batch}}
  group by _batch_id
),
silver as (
  select 'valid_events + event_duplicates' as model, batch_id, sum(n) as n
  from (
    select _batch_id as batch_id, count(*) as n from {{ref "valid_events"}} where _batch_id > {{> last_tested_batch}} group by _batch_id
    union all
    select _batch_id, count(*) from {{ref "event_duplicates"}} where _batch_id > {{> last_tested_batch}} group by _batch_id
  ) kept
  group by batch_id
  union all
  select 'rejected_events (silver)', _batch_id, count(*)
  from {{ref "rejected_events"}}
  where _batch_id > {{> last_tested_batch}} and rejected_by = 'silver'
  group by _batch_id
)
select s.model, s.batch_id, s.n as silver_rows, coalesce(b.n, 0) as bronze_rows
from silver s
left join bronze b on b.batch_id = s.batch_id
where s.n > coalesce(b.n, 0)
