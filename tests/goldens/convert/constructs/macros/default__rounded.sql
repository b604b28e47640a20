    round({{column_name}}, {{digits}})
