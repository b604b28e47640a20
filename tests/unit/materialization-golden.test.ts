import { describe, expect, it } from 'vitest';
import type { ColumnDef } from '../../src/adapters/adapter.js';
import { mysqlDdl } from '../../src/adapters/mysql/mysql-ddl.js';
import { relationName } from '../../src/adapters/mysql/mysql-quoting.js';
import { indexName, siblingName } from '../../src/materializations/materialization-context.js';
import { runsIncrementally, uniqueKeyColumns } from '../../src/materializations/incremental.js';
import { expectGolden } from '../helpers/project-builder.js';

/**
 * The SQL text of every DDL step the materializations use, pinned in
 * tests/goldens/materializations/ddl.sql (UPDATE_GOLDENS=1 rewrites it). The integration suite
 * materialization-golden.test.ts pins the same steps as a real run writes them.
 */
const T = relationName('analytics', 'orders');
const TMP = relationName('analytics', 'orders__ft_tmp');
const OLD = relationName('analytics', 'orders__ft_old');
const NEW = relationName('analytics', 'orders__ft_new');
const HOSTILE = relationName('we`ird db', 'sel`ect');

const col = (over: Partial<ColumnDef>): ColumnDef => ({
  name: 'code',
  type: 'varchar(16)',
  nullable: true,
  comment: '',
  charset: 'utf8mb4',
  collation: 'utf8mb4_general_ci',
  default: null,
  extra: '',
  ...over,
});

describe('DDL golden SQL', () => {
  it('matches tests/goldens/materializations/ddl.sql', () => {
    const steps: Array<[string, string]> = [
      ['createTableAs', mysqlDdl.createTableAs(TMP, 'select 1 as id;  \n')],
      ['createTableAs temporary', mysqlDdl.createTableAs(NEW, 'select 1 as id', true)],
      ['createOrReplaceView', mysqlDdl.createOrReplaceView(T, '\n  select 1 as id;\n')],
      ['dropRelation table', mysqlDdl.dropRelation(OLD, 'table')],
      ['dropRelation view', mysqlDdl.dropRelation(OLD, 'view')],
      ['swap', mysqlDdl.swap(T, TMP, OLD)],
      ['rename', mysqlDdl.rename(TMP, T)],
      ['addIndex', mysqlDdl.addIndex(TMP, indexName(['code'], false), ['code'], false)],
      ['addIndex unique composite typed', mysqlDdl.addIndex(TMP, indexName(['id', 'code'], true), ['id', 'code'], true, 'btree')],
      ['tableComment', mysqlDdl.tableComment(TMP, "It's a \\ table")],
      ['columnComment', mysqlDdl.columnComment(TMP, col({ nullable: false }), 'The code, "quoted"')],
      ['columnComment default string', mysqlDdl.columnComment(TMP, col({ default: "'n/a'" }), 'c')],
      ['columnComment default bare', mysqlDdl.columnComment(TMP, col({ name: 'ts', type: 'timestamp', charset: null, collation: null, default: 'current_timestamp()', extra: 'on update current_timestamp()' }), 'c')],
      ['columnComment auto_increment', mysqlDdl.columnComment(TMP, col({ name: 'id', type: 'int(11)', charset: null, collation: null, nullable: false, extra: 'auto_increment' }), 'k')],
      ['addColumn', mysqlDdl.addColumn(T, 'extra', 'varchar(6)')],
      ['dropColumn', mysqlDdl.dropColumn(T, 'note')],
      ['modifyColumnType', mysqlDdl.modifyColumnType(T, 'code', 'varchar(12)')],
      ['insertSelect', mysqlDdl.insertSelect(T, ['id', 'code'], NEW)],
      ['upsert', mysqlDdl.upsert(T, ['id', 'code', 'amount'], NEW, ['id'])],
      ['upsert composite', mysqlDdl.upsert(T, ['id', 'code', 'amount'], NEW, ['id', 'code'])],
      ['upsert keys only', mysqlDdl.upsert(T, ['id'], NEW, ['id'])],
      ['deleteMatching', mysqlDdl.deleteMatching(T, NEW, ['id'], [])],
      ['deleteMatching composite with predicates', mysqlDdl.deleteMatching(T, NEW, ['id', 'code'], ["day >= '2024-01-01'", 'amount > 0'])],
      ['hostile names', [mysqlDdl.swap(HOSTILE, relationName('we`ird db', 'sel`ect__ft_tmp'), relationName('we`ird db', 'sel`ect__ft_old')), mysqlDdl.insertSelect(HOSTILE, ['fr`om', 'order'], NEW)].join(';\n')],
    ];
    expectGolden('materializations/ddl.sql', steps.map(([name, sql]) => `-- ${name}\n${sql};\n`).join('\n'));
  });

  it('sibling names stay within MySQL\'s 64 characters', () => {
    expect(siblingName('orders', '__ft_tmp')).toBe('orders__ft_tmp');
    const long = 'x'.repeat(60);
    const a = siblingName(long, '__ft_tmp');
    const b = siblingName(long, '__ft_old');
    expect(a.length).toBeLessThanOrEqual(64);
    expect(a.endsWith('__ft_tmp')).toBe(true);
    expect(a.slice(0, -8)).toBe(b.slice(0, -8));
    expect(siblingName(`${long}a`, '__ft_tmp')).not.toBe(a);
  });

  it('index names are stable and distinguish unique from plain', () => {
    expect(indexName(['id'], true)).toBe(indexName(['id'], true));
    expect(indexName(['id'], true)).not.toBe(indexName(['id'], false));
    expect(indexName(['a', 'b'], true)).not.toBe(indexName(['ab'], true));
    expect(indexName(['id'], true)).toMatch(/^ft_uk_[0-9a-f]{12}$/);
  });

  it('is_incremental: only an existing table, without --full-refresh (unless full_refresh: false)', () => {
    expect(runsIncrementally('incremental', 'table', false, undefined)).toBe(true);
    expect(runsIncrementally('incremental', null, false, undefined)).toBe(false);
    expect(runsIncrementally('incremental', 'view', false, undefined)).toBe(false);
    expect(runsIncrementally('incremental', 'table', true, undefined)).toBe(false);
    expect(runsIncrementally('incremental', 'table', true, false)).toBe(true);
    expect(runsIncrementally('incremental', 'table', false, true)).toBe(false);
    expect(runsIncrementally('table', 'table', false, undefined)).toBe(false);
  });

  it('unique_key: a column, a comma list or a YAML list', () => {
    expect(uniqueKeyColumns('id')).toEqual(['id']);
    expect(uniqueKeyColumns('a, b')).toEqual(['a', 'b']);
    expect(uniqueKeyColumns(['a', ' b '])).toEqual(['a', 'b']);
    expect(uniqueKeyColumns(undefined)).toEqual([]);
  });
});
