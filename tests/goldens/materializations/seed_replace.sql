DROP TABLE IF EXISTS `<db>`.`g_seed__ft_tmp`, `<db>`.`g_seed__ft_old`;

CREATE TABLE `<db>`.`g_seed__ft_tmp` (
  `id` int,
  `name` varchar(255),
  `price` decimal(3,2),
  `active` boolean,
  `day` date
) CHARACTER SET utf8mb4 COLLATE <collation>;

RENAME TABLE `<db>`.`g_seed` TO `<db>`.`g_seed__ft_old`, `<db>`.`g_seed__ft_tmp` TO `<db>`.`g_seed`;

DROP TABLE IF EXISTS `<db>`.`g_seed__ft_old`;
