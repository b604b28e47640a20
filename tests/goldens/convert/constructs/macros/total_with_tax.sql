    {{> cents_to_dollars column_name=amount}} * (1 + {{default rate 0.2}}) as {{default label "gross"}}
