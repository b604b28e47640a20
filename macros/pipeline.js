// SQL snippets shared by the flash-sale models (ft JS helpers: each returns SQL text).
// Everything here must run on MariaDB 10.6+ and MySQL 8.0+.

const ident = (s) => '`' + String(s).replace(/`/g, '``') + '`';
const literal = (s) => "'" + String(s).replace(/\\/g, '\\\\').replace(/'/g, "''") + "'";

/** The hour a DATETIME falls in, as a DATETIME (2026-11-24 10:15:02.123 → 2026-11-24 10:00:00). */
export function hour_of(column) {
  return `cast(date_format(${column}, '%Y-%m-%d %H:00:00') as datetime)`;
}

/**
 * numerator / denominator as DECIMAL(18,6), rounded half-up to 6 places; NULL when the
 * denominator is 0 or NULL. (Multiplying by 1.000000 first keeps 6 + 4 decimals in the
 * division, whatever div_precision_increment is left at.)
 */
export function ratio(numerator, denominator) {
  return `cast(round((${numerator}) * 1.000000 / nullif(${denominator}, 0), 6) as decimal(18,6))`;
}

/** Hours since 1970-01-01 00:00 of an hour-truncated DATETIME: a number window frames can range over. */
export function hour_number(column) {
  return `timestampdiff(hour, '1970-01-01 00:00:00', ${column})`;
}

/**
 * A statement setting @ft_ddl to `ALTER TABLE … ADD INDEX` when the table exists and has no
 * index starting with `column`, else to a no-op; run it, then PREPARE/EXECUTE @ft_ddl
 * (see the pre_hook of ingestion_batches). `relation` is a rendered `schema`.`table`.
 */
export function index_ddl_if_missing(relation, indexName, column) {
  const m = /^`((?:[^`]|``)+)`\.`((?:[^`]|``)+)`$/.exec(String(relation).trim());
  if (!m) throw new Error(`index_ddl_if_missing: expected a relation like \`schema\`.\`table\`, got ${relation}`);
  const schema = m[1].replace(/``/g, '`');
  const table = m[2].replace(/``/g, '`');
  const ddl = `ALTER TABLE ${ident(schema)}.${ident(table)} ADD INDEX ${ident(indexName)} (${ident(column)})`;
  return (
    `SET @ft_ddl = (SELECT IF(` +
    `EXISTS (SELECT 1 FROM information_schema.tables WHERE table_schema = ${literal(schema)} AND table_name = ${literal(table)}) ` +
    `AND NOT EXISTS (SELECT 1 FROM information_schema.statistics WHERE table_schema = ${literal(schema)} AND table_name = ${literal(table)} ` +
    `AND column_name = ${literal(column)} AND seq_in_index = 1), ${literal(ddl)}, 'DO 0'))`
  );
}

/** `SELECT 0 AS n UNION ALL SELECT 1 … n` — a small inline numbers table. */
export function numbers_up_to(n) {
  const max = Number(n);
  if (!Number.isInteger(max) || max < 0 || max > 1000) throw new Error(`numbers_up_to: expected a whole number 0..1000, got ${n}`);
  const parts = [];
  for (let i = 0; i <= max; i++) parts.push(i === 0 ? 'select 0 as n' : `select ${i}`);
  return parts.join(' union all ');
}
