/**
 * Column type names as MySQL 8.0+ and MariaDB 10.6+ spell them, brought to one form so a model
 * contract's `data_type` can be compared with the type a query produces: `int` and `int(11)`
 * (MariaDB keeps integer display widths, MySQL 8.0.19+ drops them), `integer`, `bool`,
 * `numeric`, `character varying(20)`, `double precision` all name the same types.
 */
const INTEGER = new Set(['tinyint', 'smallint', 'mediumint', 'int', 'bigint']);

const SYNONYMS: Record<string, string> = {
  integer: 'int',
  int4: 'int',
  int8: 'bigint',
  int1: 'tinyint',
  int2: 'smallint',
  int3: 'mediumint',
  middleint: 'mediumint',
  numeric: 'decimal',
  dec: 'decimal',
  fixed: 'decimal',
  real: 'double',
  'double precision': 'double',
  float8: 'double',
  float4: 'float',
  'character varying': 'varchar',
  character: 'char',
  'national char': 'char',
  nchar: 'char',
  'national varchar': 'varchar',
  nvarchar: 'varchar',
  'char varying': 'varchar',
  'long varchar': 'mediumtext',
  long: 'mediumtext',
};

/** dbt's generic type names (its `alias_types`) in MySQL's words. */
const DBT_ALIASES: Record<string, string> = { string: 'text' };

/** A type as the server spells it, in one form: `int(11)` → `int`, `bool` → `tinyint(1)`, `numeric(10,2)` → `decimal(10,2)`. */
export function normaliseColumnType(type: string): string {
  let t = type.trim().toLowerCase().replace(/\s+/g, ' ').replace(/\s*\(\s*/g, '(').replace(/\s*,\s*/g, ',').replace(/\s*\)/g, ')');
  t = t.replace(/ (character set|charset|collate) \S+/g, '');
  const m = /^([a-z][a-z0-9_ ]*?)\s*(\([^)]*\))?((?: (?:signed|unsigned|zerofill))*)$/.exec(t);
  if (!m) return t;
  let base = m[1]!.trim();
  let args = m[2] ?? '';
  const flags = m[3]!.trim().split(' ').filter((f) => f && f !== 'signed');
  if (base === 'bool' || base === 'boolean') return 'tinyint(1)';
  base = SYNONYMS[base] ?? base;
  if (INTEGER.has(base)) {
    // the display width is no part of the type, but tinyint(1) is how both servers say boolean
    if (!(base === 'tinyint' && args === '(1)')) args = '';
  } else if (base === 'decimal') {
    if (!args) args = '(10,0)';
    else if (!args.includes(',')) args = `${args.slice(0, -1)},0)`;
  } else if ((base === 'char' || base === 'binary') && !args) {
    args = '(1)';
  }
  // zerofill implies unsigned
  const unsigned = flags.includes('unsigned') || flags.includes('zerofill');
  return `${base}${args}${unsigned ? ' unsigned' : ''}${flags.includes('zerofill') ? ' zerofill' : ''}`;
}

/**
 * The part of a type a contract compares: its name and sign, without size, precision or scale
 * (as dbt's contracts: the table is created with the declared size, a view shows the query's).
 * The integer types are one, as sizes of one type: `cast(x as signed)` is int or bigint on
 * MariaDB depending on x, always bigint on MySQL, and a table takes the declared width.
 */
export function contractTypeKey(type: string): string {
  const n = normaliseColumnType(type).replace(/\([^)]*\)/, '');
  const base = n.split(' ')[0]!;
  return INTEGER.has(base) ? n.replace(base, 'integer') : n;
}

/** A `data_type` with dbt's generic names (`string`) in MySQL's words, when the contract's alias_types is on. */
export function aliasColumnType(type: string): string {
  return DBT_ALIASES[type.trim().toLowerCase()] ?? type;
}
