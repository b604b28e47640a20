DROP TEMPORARY TABLE IF EXISTS `<db>`.`g_append_new__ft_new`;

CREATE TEMPORARY TABLE `<db>`.`g_append_new__ft_new` AS
select id, code, note from `<db>_raw`.`events`
where id > (select max(id) from `<db>`.`g_append_new`);

ALTER TABLE `<db>`.`g_append_new` ADD COLUMN `note` varchar(5);

INSERT INTO `<db>`.`g_append_new` (`id`, `code`, `note`)
SELECT `id`, `code`, `note` FROM `<db>`.`g_append_new__ft_new`;

DROP TEMPORARY TABLE IF EXISTS `<db>`.`g_append_new__ft_new`;
