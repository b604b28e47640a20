    {{> default__rounded column_name=column_name digits=(default digits 0)}}
