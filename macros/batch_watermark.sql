(select coalesce(max({{column}}), 0) from {{@root}})
