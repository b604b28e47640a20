CREATE TABLE `<db>`.`g_merge_composite__ft_tmp` AS
select id, code, updated_at from `<db>_raw`.`events`;

ALTER TABLE `<db>`.`g_merge_composite__ft_tmp` ADD UNIQUE INDEX `ft_uk_8094968f470c` (`id`, `code`);

RENAME TABLE `<db>`.`g_merge_composite__ft_tmp` TO `<db>`.`g_merge_composite`;
