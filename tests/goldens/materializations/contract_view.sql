CREATE TEMPORARY TABLE `<db>`.`c_view__ft_probe` AS
SELECT * FROM (
select 1 as id, cast('a' as char(5)) as code
) AS ft_contract_probe LIMIT 0;

CREATE TEMPORARY TABLE `<db>`.`c_view__ft_decl` (`id` int, `code` varchar(5));

CREATE OR REPLACE VIEW `<db>`.`c_view` AS
select 1 as id, cast('a' as char(5)) as code;
