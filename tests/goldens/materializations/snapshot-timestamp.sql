CREATE TABLE `db`.`hist__ft_tmp` (
  `store` int(11) NULL,
  `sku` int(11) NULL,
  `qty` int(11) NULL,
  `updated_at` datetime NULL,
  `dbt_scd_id` varchar(32) NULL,
  `dbt_updated_at` DATETIME(6) NULL,
  `dbt_valid_from` DATETIME(6) NULL,
  `dbt_valid_to` DATETIME(6) NULL,
  `dbt_is_deleted` varchar(5) NULL
);

INSERT INTO `db`.`hist__ft_tmp` (`store`, `sku`, `qty`, `updated_at`, `dbt_scd_id`, `dbt_updated_at`, `dbt_valid_from`, `dbt_valid_to`, `dbt_is_deleted`)
SELECT src.`store`, src.`sku`, src.`qty`, src.`updated_at`,
  md5(concat_ws('|', coalesce(cast(src.`store` as char), ''), coalesce(cast(src.`sku` as char), ''), coalesce(cast(src.`updated_at` as char), ''))),
  CAST(src.`updated_at` AS DATETIME(6)),
  CAST(src.`updated_at` AS DATETIME(6)),
  CAST(NULL AS DATETIME(6)),
  'False'
FROM (
select * from `db_shop`.`items`
) src;

CREATE TEMPORARY TABLE `changes` AS
SELECT src.*, md5(concat_ws('|', coalesce(cast(src.`store` as char), ''), coalesce(cast(src.`sku` as char), ''), coalesce(cast(src.`updated_at` as char), ''))) AS `__ft_scd_id`, CAST(src.`updated_at` AS DATETIME(6)) AS `__ft_updated_at`, cur.`dbt_scd_id` AS `__ft_closes`
FROM (
select * from `db_shop`.`items`
) src
LEFT JOIN `db`.`hist` cur FORCE INDEX (`ft_snapshot_key`) ON cur.`store` = src.`store` AND cur.`sku` = src.`sku` AND cur.`dbt_valid_to` IS NULL
WHERE cur.`dbt_scd_id` IS NULL OR (cur.`dbt_valid_from` < src.`updated_at` OR cur.`dbt_is_deleted` = 'True');

CREATE TEMPORARY TABLE `gone` AS
SELECT cur.`store`, cur.`sku`, cur.`dbt_scd_id` AS `__ft_closes`
FROM `db`.`hist` cur
LEFT JOIN (SELECT `store`, `sku` FROM (
select * from `db_shop`.`items`
) q) src ON cur.`store` = src.`store` AND cur.`sku` = src.`sku`
WHERE cur.`dbt_valid_to` IS NULL AND src.`store` IS NULL
  AND NOT (cur.`dbt_is_deleted` <=> 'True');

INSERT INTO `db`.`hist` (`store`, `sku`, `qty`, `updated_at`, `dbt_scd_id`, `dbt_updated_at`, `dbt_valid_from`, `dbt_valid_to`, `dbt_is_deleted`)
SELECT cur.`store`, cur.`sku`, cur.`qty`, cur.`updated_at`,
  md5(concat_ws('|', coalesce(cast(cur.`dbt_scd_id` as char), ''), '2026-12-05 10:00:00.000000')),
  CAST('2026-12-05 10:00:00.000000' AS DATETIME(6)),
  CAST('2026-12-05 10:00:00.000000' AS DATETIME(6)),
  cur.`dbt_valid_to`,
  'True'
FROM `gone` g
STRAIGHT_JOIN `db`.`hist` cur FORCE INDEX (`ft_snapshot_key`) ON cur.`store` = g.`store` AND cur.`sku` = g.`sku` AND cur.`dbt_scd_id` = g.`__ft_closes`
WHERE cur.`dbt_valid_to` IS NULL;

UPDATE `gone` g
STRAIGHT_JOIN `db`.`hist` cur FORCE INDEX (`ft_snapshot_key`) ON cur.`store` = g.`store` AND cur.`sku` = g.`sku` AND cur.`dbt_scd_id` = g.`__ft_closes`
SET cur.`dbt_valid_to` = CAST('2026-12-05 10:00:00.000000' AS DATETIME(6))
WHERE cur.`dbt_valid_to` IS NULL;

UPDATE `changes` d
STRAIGHT_JOIN `db`.`hist` cur FORCE INDEX (`ft_snapshot_key`) ON cur.`store` = d.`store` AND cur.`sku` = d.`sku` AND cur.`dbt_scd_id` = d.`__ft_closes`
SET cur.`dbt_valid_to` = d.`__ft_updated_at`
WHERE cur.`dbt_valid_to` IS NULL;

INSERT INTO `db`.`hist` (`store`, `sku`, `qty`, `updated_at`, `dbt_scd_id`, `dbt_updated_at`, `dbt_valid_from`, `dbt_valid_to`, `dbt_is_deleted`)
SELECT d.`store`, d.`sku`, d.`qty`, d.`updated_at`,
  d.`__ft_scd_id`,
  d.`__ft_updated_at`,
  d.`__ft_updated_at`,
  CAST(NULL AS DATETIME(6)),
  'False'
FROM `changes` d
