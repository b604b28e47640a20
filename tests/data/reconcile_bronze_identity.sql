-- Nothing is silently lost. For every loader batch up to this build's horizon:
--   bronze rows        = valid_events + event_duplicates + rejected_events (rejected_by 'silver')
--   quarantined lines  = rejected_events (rejected_by 'loader')
-- counted from the bronze tables themselves. A failing row names the batch and every count.
-- After an incremental build only the batches it took are counted (silver never rewrites an
-- older batch's rows); `ft test` and --full-refresh count them all.
with horizon as (
  select coalesce(max(batch_id), 0) as max_batch_id from {{ref "ingestion_batches"}}
),
bronze_rows as (
  select _batch_id as batch_id, count(*) as n
  from {{source "bronze" "flash_sale_events"}}
  where _batch_id <= (select max_batch_id from horizon)
    and _batch_id > {{> last_tested_batch}}
  group by _batch_id
),
quarantined as (
  select _batch_id as batch_id, count(*) as n
  from {{source "bronze" "flash_sale_events__rejected"}}
  where _batch_id <= (select max_batch_id from horizon)
    and _batch_id > {{> last_tested_batch}}
  group by _batch_id
),
valid as (
  select _batch_id as batch_id, count(*) as n from {{ref "valid_events"}} where _batch_id > {{> last_tested_batch}} group by _batch_id
),
duplicates as (
  select _batch_id as batch_id, count(*) as n from {{ref "event_duplicates"}} where _batch_id > {{> last_tested_batch}} group by _batch_id
),
rejected as (
  select
    _batch_id as batch_id,
    sum(rejected_by = 'silver') as silver_n,
    sum(rejected_by = 'loader') as loader_n
  from {{ref "rejected_events"}}
  where _batch_id > {{> last_tested_batch}}
  group by _batch_id
),
batches as (
  select batch_id from bronze_rows
  union select batch_id from quarantined
  union select batch_id from valid
  union select batch_id from duplicates
  union select batch_id from rejected
),
counts as (
  select
    b.batch_id,
    coalesce(br.n, 0) as bronze_rows,
    coalesce(v.n, 0) as valid_rows,
    coalesce(d.n, 0) as duplicate_rows,
    coalesce(r.silver_n, 0) as silver_rejected_rows,
    coalesce(q.n, 0) as quarantined_lines,
    coalesce(r.loader_n, 0) as loader_rejected_rows
  from batches b
  left join bronze_rows br on br.batch_id = b.batch_id
  left join quarantined q on q.batch_id = b.batch_id
  left join valid v on v.batch_id = b.batch_id
  left join duplicates d on d.batch_id = b.batch_id
  left join rejected r on r.batch_id = b.batch_id
)
select *
from counts
where bronze_rows <> valid_rows + duplicate_rows + silver_rejected_rows
   or quarantined_lines <> loader_rejected_rows
