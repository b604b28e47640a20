/**
 * The SQL of a snapshot run, pinned by golden files (tests/goldens/materializations/snapshot-*.sql;
 * UPDATE_GOLDENS=1 rewrites them): each step one set-based statement, as the integration tests run it.
 */
import { describe, expect, it } from 'vitest';
import type { SnapshotSettings } from '../../src/project/snapshot-config.js';
import {
  closeChanged,
  closeDeleted,
  createSnapshotTable,
  insertDeletionRecords,
  insertFirstVersions,
  insertNewVersions,
  keyIndexColumns,
  stageChanges,
  stageDeletes,
  type SnapshotSql,
} from '../../src/materializations/snapshot-sql.js';
import { expectGolden } from '../helpers/project-builder.js';

const names = { dbt_scd_id: 'dbt_scd_id', dbt_updated_at: 'dbt_updated_at', dbt_valid_from: 'dbt_valid_from', dbt_valid_to: 'dbt_valid_to', dbt_is_deleted: 'dbt_is_deleted' };
/** `keyIndex`: the columns of the table's key index (the deleted-key search reads it alone when it holds all it needs) */
const run = (settings: SnapshotSettings, keyIndex: string[]): SnapshotSql => ({ settings, target: '`db`.`hist`', source: 'select * from `db_shop`.`items`', now: '2026-12-05 10:00:00.000000', keyIndex });

describe('snapshot SQL', () => {
  it('the key index also holds what change detection reads, when that is short; the key alone as a fallback', () => {
    const types = new Map([['id', 'int(11)'], ['note', 'text'], ['price', 'decimal(10,2)']]);
    const base = { uniqueKey: ['id'], hardDeletes: 'ignore', names } as const;
    expect(keyIndexColumns({ ...base, strategy: 'timestamp', updatedAt: 'u', checkCols: 'all' }, types)).toEqual(['`id`, `dbt_valid_to`, `dbt_valid_from`, `dbt_scd_id`', '`id`, `dbt_valid_to`']);
    expect(keyIndexColumns({ ...base, strategy: 'check', checkCols: ['price'] }, types)).toEqual(['`id`, `dbt_valid_to`, `dbt_scd_id`, `price`', '`id`, `dbt_valid_to`']);
    expect(keyIndexColumns({ ...base, strategy: 'check', checkCols: ['note'] }, types)).toEqual(['`id`, `dbt_valid_to`']);
    expect(keyIndexColumns({ ...base, strategy: 'check', checkCols: 'all', uniqueKey: ['note'] }, types)).toEqual(['`note`(255), `dbt_valid_to`']);
    // check all over short columns: every column, so the comparison reads the index alone (meta columns of an existing table left out)
    const short = new Map([['id', 'int(11)'], ['name', 'varchar(40)'], ['price', 'decimal(10,2)'], ['dbt_scd_id', 'varchar(32)'], ['dbt_valid_to', 'datetime(6)']]);
    expect(keyIndexColumns({ ...base, strategy: 'check', checkCols: 'all' }, short)).toEqual(['`id`, `dbt_valid_to`, `dbt_scd_id`, `name`, `price`', '`id`, `dbt_valid_to`']);
    const wide = new Map(Array.from({ length: 10 }, (_, i) => [`c${i}`, 'int(11)']));
    expect(keyIndexColumns({ ...base, strategy: 'check', checkCols: 'all', uniqueKey: ['c0'] }, wide)).toEqual(['`c0`, `dbt_valid_to`']);
  });

  it('timestamp strategy, hard_deletes new_record, composite key', () => {
    // a key index without dbt_is_deleted: the deleted-key search reads the table
    const x = run({ strategy: 'timestamp', uniqueKey: ['store', 'sku'], updatedAt: 'updated_at', checkCols: 'all', hardDeletes: 'new_record', names }, ['store', 'sku', 'dbt_valid_to', 'dbt_valid_from', 'dbt_scd_id']);
    const cols = ['store', 'sku', 'qty', 'updated_at'];
    expectGolden(
      'materializations/snapshot-timestamp.sql',
      [
        createSnapshotTable('`db`.`hist__ft_tmp`', cols.map((name) => ({ name, type: name === 'updated_at' ? 'datetime' : 'int(11)' })), x.settings),
        insertFirstVersions(x, '`db`.`hist__ft_tmp`', cols),
        stageChanges(x, '`changes`', []),
        stageDeletes(x, '`gone`'),
        insertDeletionRecords(x, '`gone`', cols),
        closeDeleted(x, '`gone`'),
        closeChanged(x, '`changes`'),
        insertNewVersions(x, '`changes`', cols),
      ].join(';\n\n'),
    );
  });

  it('check strategy with a list, dbt_valid_to_current, renamed meta columns', () => {
    // a key index holding the checked columns: the deleted-key search reads it alone
    const x = run({ strategy: 'check', uniqueKey: ['id'], checkCols: ['price', 'status'], hardDeletes: 'invalidate', validToCurrent: "'9999-12-31'", names: { ...names, dbt_valid_from: 'valid_from', dbt_valid_to: 'valid_to' } }, ['id', 'valid_to', 'dbt_scd_id', 'price', 'status']);
    expectGolden(
      'materializations/snapshot-check.sql',
      [stageChanges(x, '`changes`', ['price', 'status']), stageChanges(x, '`changes`', 'column_added'), stageDeletes(x, '`gone`'), closeDeleted(x, '`gone`'), closeChanged(x, '`changes`'), insertNewVersions(x, '`changes`', ['id', 'price', 'status'])].join(';\n\n'),
    );
  });
});
