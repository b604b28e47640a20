import { describe, expect, it } from 'vitest';
import { aliasColumnType, contractTypeKey, normaliseColumnType } from '../../src/adapters/mysql/mysql-type-names.js';
import { compareColumns, formatMismatches } from '../../src/materializations/contract.js';
import { createTableWithConstraints, enforcesCheck, unenforcedConstraintWarnings } from '../../src/materializations/constraints-ddl.js';
import type { Node } from '../../src/project/types.js';

describe('column type names as MySQL 8 and MariaDB spell them', () => {
  it('brings spellings of one type to one form', () => {
    const same: Array<[string, string]> = [
      ['int(11)', 'int'], // MariaDB keeps display widths, MySQL 8.0.19+ drops them
      ['INTEGER', 'int'],
      ['bigint(20) unsigned', 'bigint unsigned'],
      ['BIGINT UNSIGNED', 'bigint unsigned'],
      ['int(10) unsigned zerofill', 'int unsigned zerofill'],
      ['bool', 'tinyint(1)'],
      ['boolean', 'tinyint(1)'],
      ['tinyint(4)', 'tinyint'],
      ['numeric(10,2)', 'decimal(10,2)'],
      ['decimal( 10 , 2 )', 'decimal(10,2)'],
      ['dec', 'decimal(10,0)'],
      ['decimal(12)', 'decimal(12,0)'],
      ['character varying(20)', 'varchar(20)'],
      ['VARCHAR(20) CHARACTER SET utf8mb4', 'varchar(20)'],
      ['double precision', 'double'],
      ['real', 'double'],
      ['char', 'char(1)'],
      ['datetime(6)', 'datetime(6)'],
      ['int signed', 'int'],
    ];
    for (const [spelled, canonical] of same) expect(normaliseColumnType(spelled), spelled).toBe(canonical);
  });

  it('a contract compares type and sign, not size, precision or integer width (as dbt)', () => {
    expect(contractTypeKey('varchar(20)')).toBe(contractTypeKey('varchar(255)'));
    expect(contractTypeKey('decimal(10,2)')).toBe(contractTypeKey('numeric(18,4)'));
    expect(contractTypeKey('int(11)')).toBe(contractTypeKey('bigint'));
    expect(contractTypeKey('bigint(20) unsigned')).toBe(contractTypeKey('int unsigned'));
    expect(contractTypeKey('int')).not.toBe(contractTypeKey('int unsigned'));
    expect(contractTypeKey('int')).not.toBe(contractTypeKey('varchar(11)'));
    expect(contractTypeKey('date')).not.toBe(contractTypeKey('datetime'));
    expect(contractTypeKey('char(10)')).not.toBe(contractTypeKey('varchar(10)'));
    expect(contractTypeKey('double')).not.toBe(contractTypeKey('decimal(10,2)'));
  });

  it("dbt's generic string is text; MySQL's own names are left alone", () => {
    expect(aliasColumnType('string')).toBe('text');
    expect(aliasColumnType('STRING')).toBe('text');
    expect(aliasColumnType('varchar(20)')).toBe('varchar(20)');
  });
});

describe('contract differences', () => {
  it('names in any order and case; missing, extra and differing types, as a table', () => {
    const rows = compareColumns(
      [{ name: 'id', type: 'int' }, { name: 'Name', type: 'varchar(20)' }, { name: 'amount', type: 'decimal(10,2)' }],
      [{ name: 'name', type: 'varchar(50)' }, { name: 'ID', type: 'varchar(3)' }, { name: 'extra', type: 'int(11)' }],
    );
    expect(rows).toEqual([
      { column: 'id', actual: 'varchar(3)', expected: 'int', reason: 'data type differs' },
      { column: 'amount', actual: null, expected: 'decimal(10,2)', reason: 'missing in the model' },
      { column: 'extra', actual: 'int', expected: null, reason: 'not in the contract' },
    ]);
    expect(formatMismatches(rows).split('\n')).toEqual([
      '  | column_name | definition_type | contract_type | mismatch_reason      |',
      '  | ----------- | --------------- | ------------- | -------------------- |',
      '  | id          | varchar(3)      | int           | data type differs    |',
      '  | amount      | -               | decimal(10,2) | missing in the model |',
      '  | extra       | int             | -             | not in the contract  |',
    ]);
    expect(compareColumns([{ name: 'a', type: 'integer' }], [{ name: 'A', type: 'int(11)' }])).toEqual([]);
  });
});

describe('CREATE TABLE under a contract', () => {
  const node = (columns: Node['columns'], constraints: Node['constraints'] = []): Node =>
    ({ columns, constraints, contract: { enforced: true, alias_types: true, checksum: null } }) as unknown as Node;
  const c = (type: string, more: Record<string, unknown> = {}) => ({ type, name: null, expression: null, warn_unenforced: true, warn_unsupported: true, to: null, to_columns: [], ...more }) as never;
  const col = (name: string, data_type: string, constraints: unknown[] = []) => ({ name, description: '', data_type, meta: {}, tags: [], constraints }) as never;

  it('declares each column with its type and constraints; keys and checks at table level', () => {
    const sql = createTableWithConstraints(
      '`db`.`orders__ft_tmp`',
      node(
        {
          id: col('id', 'int', [c('primary_key')]),
          customer_id: col('customer_id', 'bigint', [c('not_null'), c('foreign_key', { to: '`db`.`customers`', to_columns: ['id'], name: 'fk_x' })]),
          note: col('note', 'string', [c('custom', { expression: "DEFAULT 'none'" })]),
          amount: col('amount', 'decimal(10,2)', [c('check', { expression: 'amount >= 0', name: 'amount_ok' })]),
        },
        [{ ...(c('unique', { name: 'uq_pair' }) as object), columns: ['customer_id', 'id'] } as never],
      ),
      { checkNamesPerDatabase: false },
    );
    expect(sql).toBe(
      [
        'CREATE TABLE `db`.`orders__ft_tmp` (',
        '  `id` int NOT NULL,',
        '  `customer_id` bigint NOT NULL,',
        "  `note` text DEFAULT 'none',",
        '  `amount` decimal(10,2),',
        '  UNIQUE KEY `uq_pair` (`customer_id`, `id`),',
        '  PRIMARY KEY (`id`),',
        '  FOREIGN KEY (`customer_id`) REFERENCES `db`.`customers` (`id`),',
        '  CONSTRAINT `amount_ok` CHECK (amount >= 0)',
        ')',
      ].join('\n'),
    );
  });

  it('on MySQL a check is left for the server to name (its check names are unique per database)', () => {
    const sql = createTableWithConstraints('`t`', node({ a: col('a', 'int', [c('check', { expression: 'a > 0', name: 'a_ok' })]) }), { checkNamesPerDatabase: true });
    expect(sql).toContain('  CHECK (a > 0)');
    expect(sql).not.toContain('a_ok');
  });
});

describe('CHECK on servers that do not enforce it', () => {
  it('MySQL before 8.0.16 parses CHECK and ignores it; MariaDB 10.2.1+ and MySQL 8.0.16+ enforce it', () => {
    expect(enforcesCheck({ flavor: 'mysql', version: '8.0.15' })).toBe(false);
    expect(enforcesCheck({ flavor: 'mysql', version: '8.0.16' })).toBe(true);
    expect(enforcesCheck({ flavor: 'mysql', version: '8.4.3' })).toBe(true);
    expect(enforcesCheck({ flavor: 'mariadb', version: '10.2.0-MariaDB' })).toBe(false);
    expect(enforcesCheck({ flavor: 'mariadb', version: '10.11.19-MariaDB-0+deb12u1' })).toBe(true);
  });

  it('one warning per check constraint of the tables a run builds, unless warn_unenforced: false', () => {
    const check = (expression: string, warn = true) => ({ type: 'check', name: null, expression, warn_unenforced: warn, warn_unsupported: true, to: null, to_columns: [], columns: [] });
    const model = (name: string, materialized: string, constraints: unknown[]) => ({ name, config: { materialized }, columns: {}, constraints, contract: { enforced: true, alias_types: true, checksum: null } });
    const nodes = new Map<string, unknown>([
      ['a', model('a', 'table', [check('x > 0'), check('y > 0', false)])],
      ['b', model('b', 'incremental', [check('z > 0')])],
      ['v', model('v', 'view', [check('w > 0')])],
    ]);
    const project = { nodes } as never;
    const warnings = unenforcedConstraintWarnings(project, ['a', 'b', 'v'], { flavor: 'mysql', version: '8.0.15' });
    expect(warnings).toEqual([
      'check constraint of a (x > 0): mysql 8.0.15 accepts CHECK but does not enforce it; rows breaking it are not refused.',
      'check constraint of b (z > 0): mysql 8.0.15 accepts CHECK but does not enforce it; rows breaking it are not refused.',
    ]);
    expect(unenforcedConstraintWarnings(project, ['a', 'b'], { flavor: 'mariadb', version: '10.6.1' })).toEqual([]);
  });
});
