DROP TEMPORARY TABLE IF EXISTS `<db>`.`c_inc__ft_new`;

CREATE TEMPORARY TABLE `<db>`.`c_inc__ft_probe` AS
SELECT * FROM (
select 1 as id, cast(5 as signed) as qty
union all select 2, cast(6 as signed)
) AS ft_contract_probe LIMIT 0;

CREATE TEMPORARY TABLE `<db>`.`c_inc__ft_decl` (`id` int, `qty` bigint);

CREATE TEMPORARY TABLE `<db>`.`c_inc__ft_new` (`id` int, `qty` bigint);

INSERT INTO `<db>`.`c_inc__ft_new` (`id`, `qty`)
select 1 as id, cast(5 as signed) as qty
union all select 2, cast(6 as signed);

INSERT INTO `<db>`.`c_inc` (`id`, `qty`)
SELECT `id`, `qty` FROM `<db>`.`c_inc__ft_new`
ON DUPLICATE KEY UPDATE
  `qty` = VALUES(`qty`);

DROP TEMPORARY TABLE IF EXISTS `<db>`.`c_inc__ft_new`;
