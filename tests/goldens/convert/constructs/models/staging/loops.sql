

select
    order_id,
    {{#each (array "card" "cash")}}
    sum(case when method = '{{this}}' then amount end) as {{this}}_amount,
    {{/each}}
    {{#each (array "placed" "shipped")}}
    count(case when status = '{{this}}' then 1 end) as {{this}}_count{{#if (not @last)}},{{/if}}
    {{/each}}
    {{#each (dict "card" "Card" "cash" "Cash")}}
    , '{{this}}' as label_{{@key}}{{#if @first}} -- first{{/if}}
    {{/each}}
    {{#each (get_columns_in_relation (ref "orders"))}}
    , max({{this.name}}) as max_{{this.name}}
    {{else}}
    , 0 as no_columns
    {{/each}}
from {{ref "payments"}}
group by order_id
