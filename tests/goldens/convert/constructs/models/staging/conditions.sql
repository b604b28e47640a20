select *
from {{ref "orders"}}
where 1 = 1
{{#if (and (eq target.name "prod") (not (var "full_history" false)))}}
  and created_at >= '{{var "start_date"}}'
{{else if (or (ne target.name "dev") (eq (var "sample") null))}}
  and created_at >= current_date - interval 7 day
{{else if (and (not (eq (var "limit_rows") null)) (gt (var "limit_rows") 10))}}
  and id <= {{var "limit_rows"}}
{{else}}
  and status in ('{{join (var "statuses") "', '"}}')
{{/if}}
{{#if (and (in "eu" (var "regions" (array "eu" "us"))) (not (in "apac" (var "regions" (array)))))}}
  and region = 'eu'
{{/if}}
{{#if (or (ge (var "min_total" 0) 100) (le (var "max_total" 0) 5) (lt (var "x" 1) 2))}}
  and total between {{var "min_total" 0}} and {{var "max_total" 1000}}
{{/if}}
