import { describe, expect, it } from 'vitest';
import { parseWarning } from '../../src/adapters/mysql/mysql-driver.js';
import { identifierProblem } from '../../src/adapters/mysql/mysql-identifiers.js';
import { splitStatements } from '../../src/adapters/mysql/mysql-statements.js';
import { sqlLiteral } from '../../src/template/literal-helper.js';

/** The pieces behind one-statement connections, strict seeds and name checks (issue #14). */
describe('splitStatements', () => {
  it('splits on ; outside quotes and comments, dropping empty and comment-only pieces', () => {
    expect(splitStatements("select 'a;b', \"c;d\", `e;f`; -- x; y\nselect 2 /* ; */; # z;\n")).toEqual(["select 'a;b', \"c;d\", `e;f`", '-- x; y\nselect 2 /* ; */']);
    expect(splitStatements("select 'it''s;', 'a\\';b'; select 3")).toEqual(["select 'it''s;', 'a\\';b'", 'select 3']);
    expect(splitStatements('select 1--1; select 2')).toEqual(['select 1--1', 'select 2']);
    expect(splitStatements('  ;\n;  ')).toEqual([]);
  });

  it('keeps routine bodies whole without DELIMITER, and honours DELIMITER when given', () => {
    const proc = 'create definer=`root`@`%` procedure p()\nbegin\n  declare x int default case when 1 then 2 end;\n  if x > 1 then select 1; end if;\n  l: loop leave l; end loop;\n  while 0 do select 1; end while;\nend';
    expect(splitStatements(`${proc};\ncall p()`)).toEqual([proc, 'call p()']);
    expect(splitStatements('begin not atomic select 1; select 2; end; select 3')).toEqual(['begin not atomic select 1; select 2; end', 'select 3']);
    expect(splitStatements('DELIMITER //\ncreate function f() returns int begin return 1; end//\nDELIMITER ;\nselect f();')).toEqual(['create function f() returns int begin return 1; end', 'select f()']);
    // BEGIN as a transaction is a statement of its own
    expect(splitStatements('begin; insert into t values (1); commit')).toEqual(['begin', 'insert into t values (1)', 'commit']);
  });
});

describe('parseWarning', () => {
  it('reads the column and row of MariaDB and MySQL messages', () => {
    expect(parseWarning('Warning', 1265, "Data truncated for column 'day' at row 2")).toMatchObject({ column: 'day', row: 2 });
    expect(parseWarning('Warning', 1292, "Incorrect date value: '2024-02-30' for column `db`.`t__ft_tmp`.`d``ay` at row 3")).toMatchObject({ column: 'd`ay', row: 3 });
    expect(parseWarning('Warning', 1261, "Row 7 doesn't contain data for all columns")).toMatchObject({ column: undefined, row: 7 });
  });
});

describe('identifierProblem', () => {
  it('allows 64 BMP characters and refuses more, NUL, astral characters and a trailing space', () => {
    expect(identifierProblem('x'.repeat(64), 'relation')).toBeNull();
    expect(identifierProblem('é'.repeat(64), 'relation')).toBeNull();
    expect(identifierProblem('x'.repeat(65), 'relation')).toMatch(/65 characters.*64/);
    expect(identifierProblem('a\u0000b', 'relation')).toMatch(/NUL/);
    expect(identifierProblem('a\u{1F389}', 'database')).toMatch(/U\+1F389/);
    expect(identifierProblem('a ', 'database')).toMatch(/space/);
  });
});

describe('sqlLiteral', () => {
  it('quotes strings and lists, keeps numbers and booleans, writes NULL', () => {
    expect(sqlLiteral("1; DROP DATABASE x; SELECT 'a\\")).toBe("'1; DROP DATABASE x; SELECT ''a\\\\'");
    expect(sqlLiteral(42)).toBe('42');
    expect(sqlLiteral(true)).toBe('TRUE');
    expect(sqlLiteral(null)).toBe('NULL');
    expect(sqlLiteral(['a', 1])).toBe("'a', 1");
  });
});
