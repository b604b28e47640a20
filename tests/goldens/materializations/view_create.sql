CREATE OR REPLACE VIEW `<db>`.`g_view` AS
select 1 as id, 'a' as code;
