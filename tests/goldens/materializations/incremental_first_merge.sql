CREATE TABLE `<db>`.`g_merge__ft_tmp` AS
select id, code, updated_at from `<db>_raw`.`events`;

ALTER TABLE `<db>`.`g_merge__ft_tmp` ADD UNIQUE INDEX `ft_uk_b80bb7740288` (`id`);

RENAME TABLE `<db>`.`g_merge__ft_tmp` TO `<db>`.`g_merge`;
