CREATE TEMPORARY TABLE `changes` AS
SELECT src.*, md5(concat_ws('|', coalesce(cast(src.`id` as char), ''), coalesce(cast('2026-12-05 10:00:00.000000' as char), ''))) AS `__ft_scd_id`, CAST('2026-12-05 10:00:00.000000' AS DATETIME(6)) AS `__ft_updated_at`, cur.`dbt_scd_id` AS `__ft_closes`
FROM (
select * from `db_shop`.`items`
) src
LEFT JOIN `db`.`hist` cur FORCE INDEX (`ft_snapshot_key`) ON cur.`id` = src.`id` AND (cur.`valid_to` = CAST('9999-12-31' AS DATETIME(6)) OR cur.`valid_to` IS NULL)
WHERE cur.`dbt_scd_id` IS NULL OR (NOT (cur.`price` <=> src.`price`) OR NOT (cur.`status` <=> src.`status`));

CREATE TEMPORARY TABLE `changes` AS
SELECT src.*, md5(concat_ws('|', coalesce(cast(src.`id` as char), ''), coalesce(cast('2026-12-05 10:00:00.000000' as char), ''))) AS `__ft_scd_id`, CAST('2026-12-05 10:00:00.000000' AS DATETIME(6)) AS `__ft_updated_at`, cur.`dbt_scd_id` AS `__ft_closes`
FROM (
select * from `db_shop`.`items`
) src
LEFT JOIN `db`.`hist` cur FORCE INDEX (`ft_snapshot_key`) ON cur.`id` = src.`id` AND (cur.`valid_to` = CAST('9999-12-31' AS DATETIME(6)) OR cur.`valid_to` IS NULL)
WHERE cur.`dbt_scd_id` IS NULL OR (TRUE);

CREATE TEMPORARY TABLE `gone` AS
SELECT cur.`id`, cur.`dbt_scd_id` AS `__ft_closes`
FROM `db`.`hist` cur FORCE INDEX (`ft_snapshot_key`)
LEFT JOIN (SELECT `id` FROM (
select * from `db_shop`.`items`
) q) src ON cur.`id` = src.`id`
WHERE (cur.`valid_to` = CAST('9999-12-31' AS DATETIME(6)) OR cur.`valid_to` IS NULL) AND src.`id` IS NULL;

UPDATE `gone` g
STRAIGHT_JOIN `db`.`hist` cur FORCE INDEX (`ft_snapshot_key`) ON cur.`id` = g.`id` AND cur.`dbt_scd_id` = g.`__ft_closes`
SET cur.`valid_to` = CAST('2026-12-05 10:00:00.000000' AS DATETIME(6))
WHERE (cur.`valid_to` = CAST('9999-12-31' AS DATETIME(6)) OR cur.`valid_to` IS NULL);

UPDATE `changes` d
STRAIGHT_JOIN `db`.`hist` cur FORCE INDEX (`ft_snapshot_key`) ON cur.`id` = d.`id` AND cur.`dbt_scd_id` = d.`__ft_closes`
SET cur.`valid_to` = d.`__ft_updated_at`
WHERE (cur.`valid_to` = CAST('9999-12-31' AS DATETIME(6)) OR cur.`valid_to` IS NULL);

INSERT INTO `db`.`hist` (`id`, `price`, `status`, `dbt_scd_id`, `dbt_updated_at`, `valid_from`, `valid_to`)
SELECT d.`id`, d.`price`, d.`status`,
  d.`__ft_scd_id`,
  d.`__ft_updated_at`,
  d.`__ft_updated_at`,
  CAST('9999-12-31' AS DATETIME(6))
FROM `changes` d
