select * from {{model}} where {{default condition "1 = 1"}} and {{column_name}} <= 0
