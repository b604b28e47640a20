/**
 * What SQL text may use on the server a target names, for SQL rendered while compiling (the
 * library of dbt macros), when no connection is open. A profile's `type: mariadb` promises
 * MariaDB 10.6+; `type: mysql` may point at MySQL 8.0+ or MariaDB (as on this project's own
 * machines), so it gets only what both accept.
 */
export interface SqlDialect {
  flavor: 'mysql' | 'mariadb' | 'portable';
  /** GROUP_CONCAT(… LIMIT n): MariaDB 10.3+ only */
  groupConcatLimit: boolean;
}

const PORTABLE: SqlDialect = { flavor: 'portable', groupConcatLimit: false };
const MARIADB: SqlDialect = { flavor: 'mariadb', groupConcatLimit: true };

/** The dialect of a profile target's `type`. */
export function sqlDialect(targetType: string | undefined): SqlDialect {
  return targetType === 'mariadb' ? MARIADB : PORTABLE;
}
