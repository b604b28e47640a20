    round({{column_name}}::numeric, {{ digits + 0 }})
