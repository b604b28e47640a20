import type { ColumnDef, Ddl, RelationType } from '../adapter.js';
import { quoteIdent, stringLiteral } from './mysql-quoting.js';

const cols = (names: string[]): string => names.map(quoteIdent).join(', ');

/** A column re-declared exactly as it is, so MODIFY COLUMN changes only its comment. */
function columnDefinition(c: ColumnDef): string {
  let def = `${quoteIdent(c.name)} ${c.type}`;
  if (c.charset) def += ` CHARACTER SET ${c.charset}`;
  if (c.collation) def += ` COLLATE ${c.collation}`;
  def += c.nullable ? ' NULL' : ' NOT NULL';
  if (c.default !== null && c.default !== undefined) {
    // information_schema shows expressions (CURRENT_TIMESTAMP, NULL) bare and, on MariaDB, strings quoted.
    const d = c.default;
    const bare = /^(NULL|CURRENT_TIMESTAMP(\(\d*\))?|current_timestamp\(\d*\)|-?\d+(\.\d+)?|'.*')$/i.test(d);
    def += ` DEFAULT ${bare ? d : stringLiteral(d)}`;
  }
  if (c.extra && /auto_increment|on update/i.test(c.extra)) def += ` ${c.extra.replace(/DEFAULT_GENERATED\s*/i, '')}`;
  return def;
}

export const mysqlDdl: Ddl = {
  createTableAs: (relation, sql, temporary = false) => `CREATE ${temporary ? 'TEMPORARY ' : ''}TABLE ${relation} AS\n${sql.trim().replace(/;\s*$/, '')}`,
  createOrReplaceView: (relation, sql) => `CREATE OR REPLACE VIEW ${relation} AS\n${sql.trim().replace(/;\s*$/, '')}`,
  dropRelation: (relation, type: RelationType) => `DROP ${type === 'view' ? 'VIEW' : 'TABLE'} IF EXISTS ${relation}`,
  swap: (target, tmp, backup) => `RENAME TABLE ${target} TO ${backup}, ${tmp} TO ${target}`,
  rename: (from, to) => `RENAME TABLE ${from} TO ${to}`,
  addIndex: (relation, name, columns, unique, type) =>
    `ALTER TABLE ${relation} ADD ${unique ? 'UNIQUE ' : ''}INDEX ${quoteIdent(name)} (${cols(columns)})${type ? ` USING ${type.toUpperCase()}` : ''}`,
  tableComment: (relation, comment) => `ALTER TABLE ${relation} COMMENT = ${stringLiteral(comment.slice(0, 2048))}`,
  columnComment: (relation, column, comment) => `ALTER TABLE ${relation} MODIFY COLUMN ${columnDefinition(column)} COMMENT ${stringLiteral(comment.slice(0, 1024))}`,
  addColumn: (relation, column, type) => `ALTER TABLE ${relation} ADD COLUMN ${quoteIdent(column)} ${type}`,
  dropColumn: (relation, column) => `ALTER TABLE ${relation} DROP COLUMN ${quoteIdent(column)}`,
  modifyColumnType: (relation, column, type) => `ALTER TABLE ${relation} MODIFY COLUMN ${quoteIdent(column)} ${type}`,
  insertSelect: (target, columns, from) => `INSERT INTO ${target} (${cols(columns)})\nSELECT ${cols(columns)} FROM ${from}`,
  // VALUES() works on MariaDB and MySQL 8 (where it is deprecated but still accepted).
  upsert: (target, columns, from, keys, updateOnly) => {
    const updates = columns.filter((c) => !keys.includes(c) && (!updateOnly || updateOnly.some((u) => u.toLowerCase() === c.toLowerCase())));
    const set = (updates.length ? updates : keys).map((c) => `${quoteIdent(c)} = VALUES(${quoteIdent(c)})`).join(',\n  ');
    return `INSERT INTO ${target} (${cols(columns)})\nSELECT ${cols(columns)} FROM ${from}\nON DUPLICATE KEY UPDATE\n  ${set}`;
  },
  deleteMatching: (target, from, keys, predicates) => {
    const keyList = keys.length === 1 ? quoteIdent(keys[0]!) : `(${cols(keys)})`;
    const where = [`${keyList} IN (SELECT ${cols(keys)} FROM ${from})`, ...predicates.map((p) => `(${p})`)];
    return `DELETE FROM ${target}\nWHERE ${where.join('\n  AND ')}`;
  },
};
