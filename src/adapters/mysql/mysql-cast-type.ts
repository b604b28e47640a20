// A column type as information_schema or YAML states it, turned into a CAST target that both
// MySQL 8.0 and MariaDB 10.6 accept (CAST takes neither VARCHAR, INT nor TEXT; MariaDB has no
// CAST AS JSON): unit test fixtures are SELECTs of CASTs, so each column keeps its type.

/** The CAST target for a column type, or undefined when the type is not recognised. */
export function castTarget(columnType: string): string | undefined {
  const t = columnType.trim().toLowerCase();
  const m = /^([a-z ]+?)\s*(?:\(([^)]*)\))?\s*(unsigned)?(?:\s+zerofill)?(?:\s+(?:character set|charset|collate)\b.*)?$/.exec(t);
  if (!m) return undefined;
  const base = m[1]!.replace(/\s+/g, ' ').trim();
  const args = m[2]?.trim();
  const unsigned = Boolean(m[3]) || /\bunsigned\b/.test(base);
  const name = base.replace(/\s*unsigned$/, '');
  switch (name) {
    case 'tinyint':
    case 'smallint':
    case 'mediumint':
    case 'int':
    case 'integer':
    case 'bigint':
    case 'year':
    case 'bool':
    case 'boolean':
      return unsigned ? 'unsigned' : 'signed';
    case 'signed':
    case 'signed integer':
      return 'signed';
    case 'unsigned integer':
    case 'bit':
      return 'unsigned';
    case 'decimal':
    case 'numeric':
    case 'dec':
    case 'fixed':
      return args ? `decimal(${args})` : 'decimal(10,0)';
    case 'float':
    case 'double':
    case 'double precision':
    case 'real':
      return 'double';
    case 'date':
      return 'date';
    case 'datetime':
    case 'timestamp':
      return args ? `datetime(${args})` : 'datetime';
    case 'time':
      return args ? `time(${args})` : 'time';
    case 'char':
    case 'varchar':
    case 'character':
    case 'character varying':
    case 'nchar':
    case 'nvarchar':
      return args ? `char(${args})` : 'char';
    case 'text':
    case 'tinytext':
    case 'mediumtext':
    case 'longtext':
    case 'string':
    case 'json':
    case 'enum':
    case 'set':
    case 'uuid':
    case 'inet4':
    case 'inet6':
      return 'char';
    case 'binary':
    case 'varbinary':
      return args ? `binary(${args})` : 'binary';
    case 'blob':
    case 'tinyblob':
    case 'mediumblob':
    case 'longblob':
      return 'binary';
    default:
      return undefined;
  }
}
