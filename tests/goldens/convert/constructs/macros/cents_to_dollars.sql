    ({{column_name}} / 100)::numeric(16, {{default scale 2}})
