CREATE OR REPLACE VIEW `<db>`.`g_table__ft_tmp` AS
select 1 as id, 'a' as code;

RENAME TABLE `<db>`.`g_table` TO `<db>`.`g_table__ft_old`, `<db>`.`g_table__ft_tmp` TO `<db>`.`g_table`;

DROP TABLE IF EXISTS `<db>`.`g_table__ft_old`;
