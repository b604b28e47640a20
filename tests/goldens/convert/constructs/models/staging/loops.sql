

select
    order_id,
    {{#each (array "card" "cash") as |method|}}
    sum(case when method = '{{method}}' then amount end) as {{method}}_amount,
    {{/each}}
    {{#each (array "placed" "shipped") as |status|}}
    count(case when status = '{{status}}' then 1 end) as {{status}}_count{{#if (not @last)}},{{/if}}
    {{/each}}
    {{#each (dict card="Card" cash="Cash") as |label key|}}
    , '{{label}}' as label_{{key}}{{#if @first}} -- first{{/if}}
    {{/each}}
    {{#each (get_columns_in_relation (ref "orders")) as |col|}}
    , max({{col.name}}) as max_{{col.name}}
    {{else}}
    , 0 as no_columns
    {{/each}}
from {{ref "payments"}}
group by order_id
