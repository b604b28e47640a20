{{config materialized="incremental" unique_key="batch_id" watermark_column="batch_id"}}
-- One row per loader micro-batch: how many lines it stored in bronze and in the quarantine.
-- Its greatest batch_id is the horizon of this run: every other silver model processes bronze
-- batches up to it and no further, so a batch the loader commits while `ft build` runs is
-- taken whole by the next run (never half-seen by one model and missed by another).
-- With the var max_batches_per_build (set by `ft stream-load --build … --max-batches-per-build N`)
-- a run takes at most N batches past its watermark, and so does every model after it: a
-- backlog is worked off in builds of bounded size, the next build going on from there.
with batch_lines as (
  select _batch_id as batch_id, min(_ingested_at) as ingested_at, count(*) as bronze_rows, 0 as quarantined_rows
  from {{source "bronze" "flash_sale_events"}} {{> scan_for_group_by}}
  {{#if (is_incremental)}}
  where _batch_id > {{> batch_watermark column="batch_id"}}
    {{#if (var "max_batches_per_build" 0)}}and _batch_id <= {{> batch_watermark column="batch_id"}} + {{var "max_batches_per_build"}}{{/if}}
  {{/if}}
  group by _batch_id
  union all
  select _batch_id, min(_rejected_at), 0, count(*)
  from {{source "bronze" "flash_sale_events__rejected"}} {{> scan_for_group_by}}
  {{#if (is_incremental)}}
  where _batch_id > {{> batch_watermark column="batch_id"}}
    {{#if (var "max_batches_per_build" 0)}}and _batch_id <= {{> batch_watermark column="batch_id"}} + {{var "max_batches_per_build"}}{{/if}}
  {{/if}}
  group by _batch_id
)
select
  cast(batch_id as signed) as batch_id,
  min(ingested_at) as ingested_at,
  cast(sum(bronze_rows) as signed) as bronze_rows,
  cast(sum(quarantined_rows) as signed) as quarantined_rows,
  cast(sum(bronze_rows) + sum(quarantined_rows) as signed) as source_lines
from batch_lines
group by batch_id
