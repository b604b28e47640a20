    {{#if (and (eq @root.target.name "prod") (not (var "keep_raw_status" false)))}}
    {{column_name}}
    {{else}}
    lower(trim({{column_name}}))
    {{/if}}
