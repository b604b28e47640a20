CREATE TABLE `<db>`.`g_append__ft_tmp` AS
select id, code, updated_at from `<db>_raw`.`events`;

RENAME TABLE `<db>`.`g_append__ft_tmp` TO `<db>`.`g_append`;
