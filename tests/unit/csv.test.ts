/** src/util/csv.ts: whole texts (seeds lenient, the catalog strict), single records, the encoder. */
import { describe, expect, it } from 'vitest';
import { CsvError, csvField, parseCsvRecord, parseCsvRecords, parseCsvText } from '../../src/util/csv.js';

function thrown(fn: () => unknown): CsvError {
  try {
    fn();
  } catch (e) {
    if (e instanceof CsvError) return e;
    throw e;
  }
  throw new Error('did not throw');
}

describe('parseCsvRecords', () => {
  it('parses RFC 4180 quoting, doubled quotes, CRLF and multi-line fields, with the line each record starts on', () => {
    const rows = parseCsvRecords('a,b,c\r\n1,"x, y","say ""hi"""\n2,"two\nlines",\n\n4,,\n', { strict: true });
    expect(rows.map((r) => r.fields)).toEqual([
      ['a', 'b', 'c'],
      ['1', 'x, y', 'say "hi"'],
      ['2', 'two\nlines', ''],
      ['4', '', ''],
    ]);
    expect(rows.map((r) => r.line)).toEqual([1, 2, 3, 6]);
  });

  it('strict: rejects a stray quote and text after a closing quote, naming the line', () => {
    expect(thrown(() => parseCsvRecords('a,b\nx,b"c\n', { strict: true }))).toMatchObject({ message: expect.stringMatching(/quote inside an unquoted field/), line: 2 });
    expect(thrown(() => parseCsvRecords('a,b\n"x"y,b\n', { strict: true }))).toMatchObject({ message: 'unexpected character "y" after a closing quote', line: 2 });
    expect(thrown(() => parseCsvRecords('a,b\nx,"open\nmore\n', { strict: true }))).toMatchObject({ message: 'unterminated quoted field', line: 2 });
  });

  it('lenient (the default): stray quotes are text, an unclosed quote is still an error', () => {
    expect(parseCsvRecords('a"b,"x"y\n').map((r) => r.fields)).toEqual([['a"b', 'xy']]);
    expect(thrown(() => parseCsvRecords('a\n"open\n\n'))).toMatchObject({ message: 'unterminated quoted field', line: 2 });
  });
});

describe('parseCsvText', () => {
  it('splits off a trimmed header, drops a BOM and honours the delimiter', () => {
    expect(parseCsvText('\ufeff id ; name \n1;"a;b"\n2;c', ';')).toEqual({ header: ['id', 'name'], rows: [['1', 'a;b'], ['2', 'c']], rowLines: [2, 3] });
    expect(parseCsvText('')).toEqual({ header: [], rows: [], rowLines: [] });
    // a quoted line break and a blank line: rows start on lines 2 and 5
    expect(parseCsvText('id,note\n1,"a\nb"\n\n2,c\n').rowLines).toEqual([2, 5]);
  });
});

describe('csvField and parseCsvRecord', () => {
  it('quotes only what needs it; what it writes reads back, an empty field as NULL and "" as the empty string', () => {
    expect(csvField('Home & Kitchen')).toBe('Home & Kitchen');
    expect(csvField('12" Skillet, cast')).toBe('"12"" Skillet, cast"');
    const values = ['plain', '', null, 'a,b', 'say "hi"', 'two\nlines', '\r'];
    const f: Array<string | null> = [];
    expect(parseCsvRecord(values.map(csvField).join(','), f)).toBeNull();
    expect(f).toEqual(values);
  });
});
