-- star_except.sql: select   {{dbt_utils.star (ref "orders") except=(array "note")}} from {{ref "orders"}}
CREATE OR REPLACE VIEW `<db>`.`star_except` AS
select
  `id`,
  `status`,
  `amount`
from `<db>`.`orders`;

-- star_prefixed.sql: select   {{dbt_utils.star from=(ref "orders") relation_alias="o" except=(array "NOTE" "amount") prefix="o_"}} from {{ref "orders"}} o
CREATE OR REPLACE VIEW `<db>`.`star_prefixed` AS
select
  o.`id` as `o_id`,
  o.`status` as `o_status`
from `<db>`.`orders` o;

-- pivoted.sql: select   {{dbt_utils.pivot "status" (dbt_utils.get_column_values (ref "orders") "status" order_by="status")}} from {{ref "orders"}}
CREATE OR REPLACE VIEW `<db>`.`pivoted` AS
select
  sum(case when status = 'open' then 1 else 0 end) as `open`,
  sum(case when status = 'paid' then 1 else 0 end) as `paid`
from `<db>`.`orders`;

-- unioned.sql: {{dbt_utils.union_relations (array (ref "orders") (ref "returns"))}}
CREATE OR REPLACE VIEW `<db>`.`unioned` AS
(
  select
    cast('`<db>`.`orders`' as char) as `_dbt_source_relation`,
    cast(`id` as signed) as `id`,
    cast(`status` as char(8)) as `status`,
    cast(`amount` as decimal(4,2)) as `amount`,
    cast(`note` as char(1)) as `note`,
    cast(null as char(7)) as `reason`,
    cast(null as date) as `returned_on`
  from `<db>`.`orders`
)

union all

(
  select
    cast('`<db>`.`returns`' as char) as `_dbt_source_relation`,
    cast(`id` as signed) as `id`,
    cast(`status` as char(8)) as `status`,
    cast(null as decimal(4,2)) as `amount`,
    cast(null as char(1)) as `note`,
    cast(`reason` as char(7)) as `reason`,
    cast(`returned_on` as date) as `returned_on`
  from `<db>`.`returns`
);

-- unpivoted.sql: {{dbt_utils.unpivot (ref "returns") exclude=(array "id") field_name="field" value_name="val"}}
CREATE OR REPLACE VIEW `<db>`.`unpivoted` AS
select
  `id`,
  cast('reason' as char) as `field`,
  cast(`reason` as char) as `val`
from `<db>`.`returns`
union all
select
  `id`,
  cast('returned_on' as char) as `field`,
  cast(`returned_on` as char) as `val`
from `<db>`.`returns`
union all
select
  `id`,
  cast('status' as char) as `field`,
  cast(`status` as char) as `val`
from `<db>`.`returns`;

-- deduplicated.sql: {{dbt_utils.deduplicate (ref "events") "event_id" "version desc"}}
CREATE OR REPLACE VIEW `<db>`.`deduplicated` AS
with row_numbered as (
    select _inner.*,
        row_number() over (partition by event_id order by version desc) as rn
    from `<db>`.`events` as _inner
)
select distinct data.*
from `<db>`.`events` as data
natural join row_numbered
where row_numbered.rn = 1;

-- by_pattern.sql: -- depends_on: {{ref "orders"}} select count(*) as n from ( {{#each (dbt_utils.get_relations_by_pattern target.schema "ord%")}}  select 1 as x from {{this}} {{#unless @last}}  union all {{/unless}}{{/each}}) t
CREATE OR REPLACE VIEW `<db>`.`by_pattern` AS
-- depends_on: `<db>`.`orders`
select count(*) as n from (
  select 1 as x from `<db>`.`orders`
) t;

-- single.sql: select {{dbt_utils.get_single_value (cat "select max(id) from " (ref "orders"))}} as max_id
CREATE OR REPLACE VIEW `<db>`.`single` AS
select 3 as max_id;

-- nullchecked.sql: {{dbt_utils.nullcheck_table (ref "orders")}}
CREATE OR REPLACE VIEW `<db>`.`nullchecked` AS
select `id`,
  nullif(`status`, '') as `status`,
  `amount`,
  nullif(`note`, '') as `note`
from `<db>`.`orders`;

-- filtered.sql: select '{{#each (dbt_utils.get_filtered_columns_in_relation (ref "orders") except=(array "amount"))}}{{this}},{{/each}}' as cols
CREATE OR REPLACE VIEW `<db>`.`filtered` AS
select 'id,status,note,' as cols;

-- intervals.sql: select {{dbt_utils.get_intervals_between "cast('2024-01-01' as date)" "cast('2024-03-01' as date)" "month"}} as n
CREATE OR REPLACE VIEW `<db>`.`intervals` AS
select 2 as n;

-- as_dict.sql: select '{{#with (dbt_utils.get_query_results_as_dict (cat "select id, status from " (ref "orders") " order by id"))}}{{#each status}}{{this}},{{/each}}{{/with}}' as statuses
CREATE OR REPLACE VIEW `<db>`.`as_dict` AS
select 'paid,open,paid,' as statuses;

-- with_default.sql: select '{{#each (dbt_utils.get_column_values (source "raw" "missing") "x" default=(array "d1"))}}{{this}}{{/each}}' as v
CREATE OR REPLACE VIEW `<db>`.`with_default` AS
select 'd1' as v;
