import { describe, expect, it } from 'vitest';
import { castTarget } from '../../src/adapters/mysql/mysql-cast-type.js';
import { compareRows, differences, sameValue } from '../../src/testing/unit/compare-rows.js';
import { fixtureSelect, inferCast } from '../../src/testing/unit/fixture-sql.js';
import { parseInput } from '../../src/testing/unit/parse-unit-tests.js';
import { formatUnitDiff, unitDiff } from '../../src/testing/unit/unit-diff.js';
import { literal } from '../../src/adapters/mysql/mysql-quoting.js';

// The parts of a unit test that need no server: how values compare, how rows pair up, what the
// diff shows, and how fixture columns get their types.

describe('unit test values', () => {
  it('compares numbers by value, at the scale of a DECIMAL result', () => {
    expect(sameValue('0.2500', 0.25)).toBe(true);
    expect(sameValue('30.00', 30)).toBe(true);
    expect(sameValue('0.3333', 0.33333)).toBe(true); // 1/3 in a decimal(…,4) column
    expect(sameValue('0.3333', 0.334)).toBe(false);
    expect(sameValue('15', '15.0')).toBe(true);
    expect(sameValue(0.1 + 0.2, 0.3)).toBe(true); // a DOUBLE result
    expect(sameValue('007', '7')).toBe(false); // a code with leading zeros is text
  });

  it('compares dates and datetimes as instants, and NULL only with NULL', () => {
    expect(sameValue('2024-01-05 00:00:00', '2024-01-05')).toBe(true);
    expect(sameValue('2024-01-05 10:30:00.000000', '2024-01-05T10:30:00')).toBe(true);
    expect(sameValue('2024-01-05 10:30:00', '2024-01-05 10:30')).toBe(true);
    expect(sameValue('2024-01-05 10:30:01', '2024-01-05 10:30')).toBe(false);
    expect(sameValue(null, null)).toBe(true);
    expect(sameValue(null, 0)).toBe(false);
    expect(sameValue('', null)).toBe(false);
    expect(sameValue(1, true)).toBe(true);
    expect(sameValue('abc', 'ABC')).toBe(false);
  });
});

describe('unit test rows', () => {
  it('matches rows as multisets, whatever their order, on the expected columns only', () => {
    const actual = [
      { day: '2024-01-02', n: 2, extra: 'x' },
      { day: '2024-01-01', n: 1, extra: 'y' },
      { day: '2024-01-01', n: 1, extra: 'z' },
    ];
    const c = compareRows(actual, [{ day: '2024-01-01', n: 1 }, { day: '2024-01-02', n: 2 }, { day: '2024-01-01', n: 1 }], ['day', 'n']);
    expect(differences(c)).toBe(0);
    // the same row twice is not the same as once
    const twice = compareRows(actual, [{ day: '2024-01-01', n: 1 }, { day: '2024-01-02', n: 2 }], ['day', 'n']);
    expect(differences(twice)).toBe(1);
    expect(twice.unexpected).toHaveLength(1);
  });

  it('pairs a wrong row with the actual row closest to it and marks the differing cells', () => {
    const c = compareRows(
      [{ k: 'a', rate: '0.5000' }, { k: 'b', rate: '0.2500' }, { k: 'z', rate: '1.0000' }],
      [{ k: 'a', rate: 0.5 }, { k: 'b', rate: 0.3 }, { k: 'c', rate: 0 }],
      ['k', 'rate'],
    );
    expect(c.matched).toHaveLength(1);
    expect(c.changed).toEqual([{ expected: { k: 'b', rate: 0.3 }, actual: { k: 'b', rate: '0.2500' }, cells: ['rate'] }]);
    expect(c.missing).toEqual([{ k: 'c', rate: 0 }]);
    expect(c.unexpected).toEqual([{ k: 'z', rate: '1.0000' }]);
    const d = unitDiff(c, 3, 3);
    expect(d.rows.map((r) => r.status)).toEqual(['changed', 'missing', 'unexpected', 'match']);
    const text = formatUnitDiff(d);
    expect(text.split('\n')).toEqual([
      'actual differs from expected: 3 rows expected, 3 returned; 1 changed (~), 1 missing (-), 1 unexpected (+)',
      '  | k | rate',
      '--+---+-------------',
      '~ | b | 0.3 → 0.2500',
      '- | c | 0',
      '+ | z | 1.0000',
      '= | a | 0.5',
      '(~ cells: expected → actual; - expected but not returned; + returned but not expected; = as expected)',
    ]);
  });
});

describe('unit test fixtures', () => {
  it('casts each column to a type MySQL 8 and MariaDB both accept in CAST', () => {
    expect(castTarget('int(11)')).toBe('signed');
    expect(castTarget('bigint unsigned')).toBe('unsigned');
    expect(castTarget('decimal(18,2)')).toBe('decimal(18,2)');
    expect(castTarget('varchar(64)')).toBe('char(64)');
    expect(castTarget('varchar(64) CHARACTER SET utf8mb4')).toBe('char(64)');
    expect(castTarget('text')).toBe('char');
    expect(castTarget('json')).toBe('char');
    expect(castTarget('datetime(6)')).toBe('datetime(6)');
    expect(castTarget('timestamp')).toBe('datetime');
    expect(castTarget('date')).toBe('date');
    expect(castTarget('double')).toBe('double');
    expect(castTarget('tinyint(1)')).toBe('signed');
    expect(castTarget('geometry')).toBeUndefined();
  });

  it('infers a column type from the values when nothing declares one', () => {
    expect(inferCast([1, 2, null])).toBe('signed');
    expect(inferCast(['1', '22'])).toBe('signed'); // CSV values are text
    expect(inferCast([1.5, 20, '3.125'])).toBe('decimal(5,3)');
    expect(inferCast(['2024-01-01', null])).toBe('date');
    expect(inferCast(['2024-01-01 10:00:00', '2024-01-02'])).toBe('datetime');
    expect(inferCast(['2024-01-01 10:00:00.123'])).toBe('datetime(3)');
    expect(inferCast([true, false])).toBe('signed');
    expect(inferCast(['a', 1])).toBe('char');
    expect(inferCast([null])).toBe('char');
  });

  it('writes rows as UNION ALL of CASTs, missing cells NULL, and no rows as a SELECT returning none', () => {
    const cols = [{ name: 'id', cast: 'signed' }, { name: 'name', cast: 'char(10)' }];
    expect(fixtureSelect(cols, [{ id: 1, name: "o'k" }, { ID: 2 }], literal)).toBe(
      "SELECT CAST(1 AS signed) AS `id`, CAST('o''k' AS char(10)) AS `name`\nUNION ALL\nSELECT CAST(2 AS signed) AS `id`, CAST(NULL AS char(10)) AS `name`",
    );
    expect(fixtureSelect(cols, [], literal)).toBe('SELECT CAST(NULL AS signed) AS `id`, CAST(NULL AS char(10)) AS `name` FROM DUAL WHERE 1 = 0');
  });

  it("reads an input as dbt writes it and as ft's templates do", () => {
    expect(parseInput("ref('orders')")).toEqual({ kind: 'ref', name: 'orders' });
    expect(parseInput('ref("orders")')).toEqual({ kind: 'ref', name: 'orders' });
    expect(parseInput("ref('pkg', 'orders')")).toEqual({ kind: 'ref', name: 'orders' });
    expect(parseInput("source('raw', 'events')")).toEqual({ kind: 'source', source: 'raw', table: 'events' });
    expect(parseInput('{{ref "orders"}}')).toEqual({ kind: 'ref', name: 'orders' });
    expect(parseInput('{{source "raw" "events"}}')).toEqual({ kind: 'source', source: 'raw', table: 'events' });
    expect(parseInput('this')).toEqual({ kind: 'this' });
    expect(parseInput('{{this}}')).toEqual({ kind: 'this' });
    expect(parseInput('orders')).toBeUndefined();
  });
});
