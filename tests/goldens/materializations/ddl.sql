-- createTableAs
CREATE TABLE `analytics`.`orders__ft_tmp` AS
select 1 as id;

-- createTableAs temporary
CREATE TEMPORARY TABLE `analytics`.`orders__ft_new` AS
select 1 as id;

-- createOrReplaceView
CREATE OR REPLACE VIEW `analytics`.`orders` AS
select 1 as id;

-- dropRelation table
DROP TABLE IF EXISTS `analytics`.`orders__ft_old`;

-- dropRelation view
DROP VIEW IF EXISTS `analytics`.`orders__ft_old`;

-- swap
RENAME TABLE `analytics`.`orders` TO `analytics`.`orders__ft_old`, `analytics`.`orders__ft_tmp` TO `analytics`.`orders`;

-- rename
RENAME TABLE `analytics`.`orders__ft_tmp` TO `analytics`.`orders`;

-- addIndex
ALTER TABLE `analytics`.`orders__ft_tmp` ADD INDEX `ft_ix_c13367945d5d` (`code`);

-- addIndex unique composite typed
ALTER TABLE `analytics`.`orders__ft_tmp` ADD UNIQUE INDEX `ft_uk_8094968f470c` (`id`, `code`) USING BTREE;

-- tableComment
ALTER TABLE `analytics`.`orders__ft_tmp` COMMENT = 'It''s a \\ table';

-- columnComment
ALTER TABLE `analytics`.`orders__ft_tmp` MODIFY COLUMN `code` varchar(16) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NOT NULL COMMENT 'The code, "quoted"';

-- columnComment default string
ALTER TABLE `analytics`.`orders__ft_tmp` MODIFY COLUMN `code` varchar(16) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NULL DEFAULT 'n/a' COMMENT 'c';

-- columnComment default bare
ALTER TABLE `analytics`.`orders__ft_tmp` MODIFY COLUMN `ts` timestamp NULL DEFAULT current_timestamp() on update current_timestamp() COMMENT 'c';

-- columnComment auto_increment
ALTER TABLE `analytics`.`orders__ft_tmp` MODIFY COLUMN `id` int(11) NOT NULL auto_increment COMMENT 'k';

-- addColumn
ALTER TABLE `analytics`.`orders` ADD COLUMN `extra` varchar(6);

-- dropColumn
ALTER TABLE `analytics`.`orders` DROP COLUMN `note`;

-- modifyColumnType
ALTER TABLE `analytics`.`orders` MODIFY COLUMN `code` varchar(12);

-- insertSelect
INSERT INTO `analytics`.`orders` (`id`, `code`)
SELECT `id`, `code` FROM `analytics`.`orders__ft_new`;

-- upsert
INSERT INTO `analytics`.`orders` (`id`, `code`, `amount`)
SELECT `id`, `code`, `amount` FROM `analytics`.`orders__ft_new`
ON DUPLICATE KEY UPDATE
  `code` = VALUES(`code`),
  `amount` = VALUES(`amount`);

-- upsert composite
INSERT INTO `analytics`.`orders` (`id`, `code`, `amount`)
SELECT `id`, `code`, `amount` FROM `analytics`.`orders__ft_new`
ON DUPLICATE KEY UPDATE
  `amount` = VALUES(`amount`);

-- upsert keys only
INSERT INTO `analytics`.`orders` (`id`)
SELECT `id` FROM `analytics`.`orders__ft_new`
ON DUPLICATE KEY UPDATE
  `id` = VALUES(`id`);

-- deleteMatching
DELETE FROM `analytics`.`orders`
WHERE `id` IN (SELECT `id` FROM `analytics`.`orders__ft_new`);

-- deleteMatching composite with predicates
DELETE FROM `analytics`.`orders`
WHERE (`id`, `code`) IN (SELECT `id`, `code` FROM `analytics`.`orders__ft_new`)
  AND (day >= '2024-01-01')
  AND (amount > 0);

-- hostile names
RENAME TABLE `we``ird db`.`sel``ect` TO `we``ird db`.`sel``ect__ft_old`, `we``ird db`.`sel``ect__ft_tmp` TO `we``ird db`.`sel``ect`;
INSERT INTO `we``ird db`.`sel``ect` (`fr``om`, `order`)
SELECT `fr``om`, `order` FROM `analytics`.`orders__ft_new`;
