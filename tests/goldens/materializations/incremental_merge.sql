DROP TEMPORARY TABLE IF EXISTS `<db>`.`g_merge__ft_new`;

CREATE TEMPORARY TABLE `<db>`.`g_merge__ft_new` AS
select id, code, updated_at from `<db>_raw`.`events`
where updated_at > (select max(updated_at) from `<db>`.`g_merge`);

INSERT INTO `<db>`.`g_merge` (`id`, `code`, `updated_at`)
SELECT `id`, `code`, `updated_at` FROM `<db>`.`g_merge__ft_new`
ON DUPLICATE KEY UPDATE
  `code` = VALUES(`code`),
  `updated_at` = VALUES(`updated_at`);

DROP TEMPORARY TABLE IF EXISTS `<db>`.`g_merge__ft_new`;
