import { describe, expect, it } from 'vitest';
import { fixtureSelect, fixtureValueProblem } from '../../src/testing/unit/fixture-sql.js';

// A unit test's fixture rows are CAST in a SELECT, where the strict sql_mode does not reach:
// 'abc' became 0, '2024-13-45' NULL and a long text a cut one, so a wrong fixture could pass.
describe('unit test fixture values', () => {
  it('a value its column cannot hold is named with its row, column and type', () => {
    expect(fixtureValueProblem('abc', 'signed')).toBe('not a whole number');
    expect(fixtureValueProblem(12, 'signed')).toBeUndefined();
    expect(fixtureValueProblem('1.5', 'decimal(5,2)')).toBeUndefined();
    expect(fixtureValueProblem('x1', 'double')).toBe('not a number');
    expect(fixtureValueProblem('2024-13-45', 'datetime')).toBe('not a date of the calendar');
    expect(fixtureValueProblem('2024-02-29 10:00:00', 'datetime')).toBeUndefined();
    expect(fixtureValueProblem('2023-02-29', 'date')).toBe('not a date of the calendar');
    expect(fixtureValueProblem('yesterday', 'date')).toBe('not a date (YYYY-MM-DD)');
    expect(fixtureValueProblem('europe-west-long-name', 'char(10)')).toBe("longer than the column's 10 characters");
    expect(fixtureValueProblem('europe', 'char(10)')).toBeUndefined();
    expect(fixtureValueProblem(null, 'signed')).toBeUndefined();
    expect(() => fixtureSelect([{ name: 'id', cast: 'signed' }], [{ id: 1 }, { id: 'abc' }], String, { what: 'unit test t, input ref("m")', file: 'models/u.yml', line: 7 })).toThrow(
      'unit test t, input ref("m"): row 2, column id: "abc" is not a whole number (signed), so the server would turn it into another value. Fix the fixture.',
    );
  });
});
