create table if not exists <db>.audit (model varchar(64), n int);

CREATE TABLE `<db>`.`g_table_decorated__ft_tmp` AS
select 1 as id, 'a' as code;

ALTER TABLE `<db>`.`g_table_decorated__ft_tmp` ADD INDEX `ft_ix_c13367945d5d` (`code`);

ALTER TABLE `<db>`.`g_table_decorated__ft_tmp` ADD UNIQUE INDEX `ft_uk_8094968f470c` (`id`, `code`) USING BTREE;

ALTER TABLE `<db>`.`g_table_decorated__ft_tmp` COMMENT = 'A table with indexes, docs and hooks.';

ALTER TABLE `<db>`.`g_table_decorated__ft_tmp` MODIFY COLUMN `code` varchar(1) CHARACTER SET utf8mb4 COLLATE <collation> NOT NULL COMMENT 'The code.';

RENAME TABLE `<db>`.`g_table_decorated` TO `<db>`.`g_table_decorated__ft_old`, `<db>`.`g_table_decorated__ft_tmp` TO `<db>`.`g_table_decorated`;

DROP TABLE IF EXISTS `<db>`.`g_table_decorated__ft_old`;

insert into <db>.audit select 'g_table_decorated', count(*) from `<db>`.`g_table_decorated`;
