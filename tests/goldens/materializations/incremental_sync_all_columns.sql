DROP TEMPORARY TABLE IF EXISTS `<db>`.`g_sync__ft_new`;

CREATE TEMPORARY TABLE `<db>`.`g_sync__ft_new` AS
select id, cast(code as char(12)) as code, concat(note, '!') as extra from `<db>_raw`.`events`
where id > (select max(id) from `<db>`.`g_sync`);

ALTER TABLE `<db>`.`g_sync` MODIFY COLUMN `code` varchar(12) COLLATE <collation>;

ALTER TABLE `<db>`.`g_sync` ADD COLUMN `extra` varchar(6);

ALTER TABLE `<db>`.`g_sync` DROP COLUMN `note`;

INSERT INTO `<db>`.`g_sync` (`id`, `code`, `extra`)
SELECT `id`, `code`, `extra` FROM `<db>`.`g_sync__ft_new`
ON DUPLICATE KEY UPDATE
  `code` = VALUES(`code`),
  `extra` = VALUES(`extra`);

DROP TEMPORARY TABLE IF EXISTS `<db>`.`g_sync__ft_new`;
