CREATE TEMPORARY TABLE `<db>`.`c_table__ft_probe` AS
SELECT * FROM (
select 10 as id, 1 as parent_id, cast('a' as char(5)) as code, cast(2.50 as decimal(10,2)) as amount
) AS ft_contract_probe LIMIT 0;

CREATE TEMPORARY TABLE `<db>`.`c_table__ft_decl` (`id` integer, `parent_id` int, `code` varchar(5), `amount` numeric(10,2));

CREATE TABLE `<db>`.`c_table__ft_tmp` (
  `id` integer NOT NULL,
  `parent_id` int NOT NULL,
  `code` varchar(5),
  `amount` numeric(10,2),
  CONSTRAINT `amount_ok` CHECK (amount >= 0),
  UNIQUE (`parent_id`, `code`),
  PRIMARY KEY (`id`),
  FOREIGN KEY (`parent_id`) REFERENCES `<db>`.`c_parent` (`id`)
);

INSERT INTO `<db>`.`c_table__ft_tmp` (`id`, `parent_id`, `code`, `amount`)
select 10 as id, 1 as parent_id, cast('a' as char(5)) as code, cast(2.50 as decimal(10,2)) as amount;

RENAME TABLE `<db>`.`c_table__ft_tmp` TO `<db>`.`c_table`;
