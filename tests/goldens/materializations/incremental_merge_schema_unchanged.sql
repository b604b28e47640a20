DROP TEMPORARY TABLE IF EXISTS `<db>`.`g_sync__ft_new`;

CREATE TEMPORARY TABLE `<db>`.`g_sync__ft_new` AS
select id, code, note from `<db>_raw`.`events`
where id > (select max(id) from `<db>`.`g_sync`);

INSERT INTO `<db>`.`g_sync` (`id`, `code`, `note`)
SELECT `id`, `code`, `note` FROM `<db>`.`g_sync__ft_new`
ON DUPLICATE KEY UPDATE
  `code` = VALUES(`code`),
  `note` = VALUES(`note`);

DROP TEMPORARY TABLE IF EXISTS `<db>`.`g_sync__ft_new`;
