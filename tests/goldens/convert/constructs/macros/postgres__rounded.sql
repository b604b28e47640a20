    round({{column_name}}::numeric, {{digits}})
