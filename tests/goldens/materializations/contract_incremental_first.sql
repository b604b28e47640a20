CREATE TEMPORARY TABLE `<db>`.`c_inc__ft_probe` AS
SELECT * FROM (
select 1 as id, cast(5 as signed) as qty
) AS ft_contract_probe LIMIT 0;

CREATE TEMPORARY TABLE `<db>`.`c_inc__ft_decl` (`id` int, `qty` bigint);

CREATE TABLE `<db>`.`c_inc__ft_tmp` (
  `id` int NOT NULL,
  `qty` bigint,
  PRIMARY KEY (`id`)
);

INSERT INTO `<db>`.`c_inc__ft_tmp` (`id`, `qty`)
select 1 as id, cast(5 as signed) as qty;

RENAME TABLE `<db>`.`c_inc__ft_tmp` TO `<db>`.`c_inc`;
