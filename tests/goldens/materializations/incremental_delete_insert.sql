DROP TEMPORARY TABLE IF EXISTS `<db>`.`g_delete_insert__ft_new`;

CREATE TEMPORARY TABLE `<db>`.`g_delete_insert__ft_new` AS
select id, code, updated_at from `<db>_raw`.`events`
where updated_at > (select max(updated_at) from `<db>`.`g_delete_insert`);

DELETE FROM `<db>`.`g_delete_insert`
WHERE `id` IN (SELECT `id` FROM `<db>`.`g_delete_insert__ft_new`)
  AND (updated_at >= '2024-01-01');

INSERT INTO `<db>`.`g_delete_insert` (`id`, `code`, `updated_at`)
SELECT `id`, `code`, `updated_at` FROM `<db>`.`g_delete_insert__ft_new`;

DROP TEMPORARY TABLE IF EXISTS `<db>`.`g_delete_insert__ft_new`;
