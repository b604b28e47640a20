




select
    '{{cat "shop" "_" (var "suffix" "orders")}}' as source_table,
    'raw' as schema_name,
    10 as row_limit,
    '{{join (array "id" "Name") ", "}}' as col_list,
    '{{upper "shop"}}' as upper_prefix,
    '{{lower (trim "  Shop  ")}}' as trimmed,
    '{{default (var "label" null) "unlabelled"}}' as label,
    '{{replace "shop" "sh" "SH"}}' as replaced,
    {{var "factor" "2"}} as factor
from {{ref "orders"}}

where deleted_at is null

