DROP TEMPORARY TABLE IF EXISTS `<db>`.`g_append__ft_new`;

CREATE TEMPORARY TABLE `<db>`.`g_append__ft_new` AS
select id, code, updated_at from `<db>_raw`.`events`
where id > (select max(id) from `<db>`.`g_append`);

INSERT INTO `<db>`.`g_append` (`id`, `code`, `updated_at`)
SELECT `id`, `code`, `updated_at` FROM `<db>`.`g_append__ft_new`;

DROP TEMPORARY TABLE IF EXISTS `<db>`.`g_append__ft_new`;
