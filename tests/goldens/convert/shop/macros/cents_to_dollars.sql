    round({{column_name}} / 100, {{default scale 2}})
