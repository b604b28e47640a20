/** The pieces of stream-load that need no database: record splitting, CSV, type checks. */
import { describe, expect, it } from 'vitest';
import { makeCodec, toMysqlDatetime } from '../../src/stream/column-types.js';
import { globToRegExp, splitGlobPath } from '../../src/stream/glob.js';
import { parseByteSize, parseDuration } from '../../src/stream/options.js';
import { RecordReader, type ChunkSource } from '../../src/stream/record-reader.js';
import { RowEncoder } from '../../src/stream/row-encoder.js';
import { parseCsvRecord } from '../../src/util/csv.js';

/** Feeds a buffer in chunks of `size` bytes, to exercise every chunk boundary. */
class TinyChunks implements ChunkSource {
  private pos = 0;
  constructor(
    private readonly data: Buffer,
    private readonly size: number,
  ) {}
  get exhausted(): boolean {
    return this.pos >= this.data.length;
  }
  async read(): Promise<Buffer | null> {
    if (this.pos >= this.data.length) return null;
    const b = this.data.subarray(this.pos, this.pos + this.size);
    this.pos += b.length;
    return b;
  }
  async close(): Promise<void> {}
}

interface Rec {
  text: string;
  start: number;
  end: number;
  line: number;
  lines: number;
  tooLong: boolean;
  badUtf8: boolean;
}

async function records(data: string | Buffer, chunk: number, csv = false, maxLine = 1 << 20): Promise<Rec[]> {
  const r = new RecordReader(new TinyChunks(Buffer.isBuffer(data) ? data : Buffer.from(data), chunk), 0, 1, csv, maxLine);
  const out: Rec[] = [];
  for (;;) {
    while (r.next()) out.push({ text: r.recText, start: r.recStart, end: r.recEnd, line: r.recLine, lines: r.recLines, tooLong: r.recTooLong, badUtf8: r.recBadUtf8 });
    if (r.atEnd) return out;
    await r.fill();
  }
}

describe('RecordReader', () => {
  it('splits lines with exact byte offsets at every chunk size (LF, CRLF, multi-byte, no final newline)', async () => {
    const text = 'a\r\nbé€\n\n{"x":"😀"}\nlast';
    const expected = [
      { text: 'a', start: 0, end: 3, line: 1 },
      { text: 'bé€', start: 3, end: 10, line: 2 },
      { text: '', start: 10, end: 11, line: 3 },
      { text: '{"x":"😀"}', start: 11, end: 24, line: 4 },
      { text: 'last', start: 24, end: 28, line: 5 },
    ];
    for (const chunk of [1, 2, 3, 5, 7, 64]) {
      const got = await records(text, chunk);
      expect(got.map(({ text: t, start, end, line }) => ({ text: t, start, end, line })), `chunk ${chunk}`).toEqual(expected);
    }
  });

  it('keeps a too-long line truncated and goes on with the next one', async () => {
    const long = 'x'.repeat(50);
    for (const chunk of [3, 8, 100]) {
      const got = await records(`ok\n${long}\nnext\n${long}`, chunk, false, 10);
      expect(got.map((r) => [r.text, r.tooLong, r.line, r.end])).toEqual([
        ['ok', false, 1, 3],
        ['x'.repeat(10), true, 2, 54],
        ['next', false, 3, 59],
        ['x'.repeat(10), true, 4, 109],
      ]);
    }
  });

  it('CSV: quoted newlines stay in one record; stray quotes do not swallow the next lines', async () => {
    const text = 'h1,h2\n1,"a\nb"\n2,x"y\n3,"c""\n\nd"\n4,"open\n';
    for (const chunk of [1, 4, 1000]) {
      const got = await records(text, chunk, true);
      expect(got.map((r) => [r.text, r.line, r.lines]), `chunk ${chunk}`).toEqual([
        ['h1,h2', 1, 1],
        ['1,"a\nb"', 2, 2],
        ['2,x"y', 4, 1],
        ['3,"c""\n\nd"', 5, 3],
        ['4,"open', 8, 1],
      ]);
    }
  });

  it('flags invalid UTF-8', async () => {
    const got = await records(Buffer.concat([Buffer.from('ok �\n'), Buffer.from([0x61, 0xff, 0x0a])]), 4);
    expect(got.map((r) => r.badUtf8)).toEqual([false, true]);
  });
});

describe('CSV records', () => {
  it('parses RFC 4180 fields; unquoted empty = NULL, quoted empty = empty string', () => {
    const f: Array<string | null> = [];
    expect(parseCsvRecord('a,,"",b', f)).toBeNull();
    expect(f).toEqual(['a', null, '', 'b']);
    expect(parseCsvRecord('"x, y","say ""hi""",', f)).toBeNull();
    expect(f).toEqual(['x, y', 'say "hi"', null]);
    expect(parseCsvRecord('"unterminated', f)).toBe('unterminated quoted field');
    expect(parseCsvRecord('a"b,c', f)).toBe('quote inside unquoted field 1');
    expect(parseCsvRecord('"a"b,c', f)).toBe('unexpected character after closing quote in field 1');
  });
});

describe('column types', () => {
  const enc = (dataType: string, v: unknown) => makeCodec({ name: 'c', dataType, required: false }).encode(v);

  it('datetimes: ISO-8601 to UTC, fractional seconds truncated to the precision', () => {
    expect(toMysqlDatetime('2026-11-24T10:15:02.123Z', 3)).toBe('2026-11-24 10:15:02.123');
    expect(toMysqlDatetime('2026-11-24T10:15:02.123456Z', 3)).toBe('2026-11-24 10:15:02.123');
    expect(toMysqlDatetime('2026-11-24T10:15:02Z', 3)).toBe('2026-11-24 10:15:02');
    expect(toMysqlDatetime('2026-11-24 10:15:02.5', 0)).toBe('2026-11-24 10:15:02');
    expect(toMysqlDatetime('2026-11-24T00:30:00+01:00', 0)).toBe('2026-11-23 23:30:00');
    expect(toMysqlDatetime('2024-03-01T00:30:00.25+0100', 2)).toBe('2024-02-29 23:30:00.25');
    expect(toMysqlDatetime('2026-11-24T23:30:00-05:30', 0)).toBe('2026-11-25 05:00:00');
    expect(toMysqlDatetime('2026-11-24', 3)).toBe('2026-11-24 00:00:00');
    expect(toMysqlDatetime('2026-11-24T10:15', 0)).toBe('2026-11-24 10:15:00');
    for (const bad of ['2026-02-29T00:00:00Z', '2026-11-24T24:00:00Z', '2026-11-31', 'now', '1700000000', '2026-11-24T10:15:02.123ZZ']) {
      expect(toMysqlDatetime(bad, 3), bad).toBeUndefined();
    }
    expect(enc('datetime(3)', 1_700_000_000_000)).toBeUndefined();
    expect(enc('timestamp', '1969-12-31T23:59:59Z')).toBeUndefined();
    expect(enc('timestamp(6)', '2026-11-24T10:15:02.123456Z')).toBe('2026-11-24 10:15:02.123456');
    expect(enc('date', '2026-11-24')).toBe('2026-11-24');
    expect(enc('date', '2026-11-24T10:00:00Z')).toBeUndefined();
  });

  it('decimals: precision checked, scale rounded half-up', () => {
    expect(enc('decimal(12,2)', 1299)).toBe('1299.00');
    expect(enc('decimal(12,2)', 12.5)).toBe('12.50');
    expect(enc('decimal(12,2)', 0.07)).toBe('0.07');
    expect(enc('decimal(12,2)', -4.78)).toBe('-4.78');
    expect(enc('decimal(12,2)', 12.345)).toBe('12.35');
    expect(enc('decimal(12,2)', 1e9)).toBe('1000000000.00');
    expect(enc('decimal(12,2)', 1e10)).toBeUndefined();
    expect(enc('decimal(12,2)', 1e12)).toBeUndefined();
    expect(enc('decimal(12,0)', 7)).toBe('7');
    expect(enc('decimal(12,2)', '0012.345')).toBe('12.35');
    expect(enc('decimal(12,2)', '-0.005')).toBe('-0.01');
    expect(enc('decimal(12,2)', '9.999')).toBe('10.00');
    expect(enc('decimal(4,2)', '99.995')).toBeUndefined();
    expect(enc('decimal(12,2)', '1e3')).toBe('1000.00');
    expect(enc('decimal(12,2)', 'abc')).toBeUndefined();
    expect(enc('decimal(12,2)', '1.2.3')).toBeUndefined();
    expect(enc('decimal(12,2)', true)).toBeUndefined();
    expect(enc('decimal(5,2) unsigned', '-1')).toBeUndefined();
  });

  it('integers, booleans, strings, enums, json', () => {
    expect(enc('int', 42)).toBe('42');
    expect(enc('int', '42')).toBe('42');
    expect(enc('int', '-7')).toBe('-7');
    expect(enc('int', '3.0')).toBe('3');
    expect(enc('int', 1.5)).toBeUndefined();
    expect(enc('int', '1.5')).toBeUndefined();
    expect(enc('int', '2147483648')).toBeUndefined();
    expect(enc('int unsigned', '4294967295')).toBe('4294967295');
    expect(enc('tinyint', 200)).toBeUndefined();
    expect(enc('bigint', '9223372036854775807')).toBe('9223372036854775807');
    expect(enc('bigint', '9223372036854775808')).toBeUndefined();
    expect(enc('boolean', 'true')).toBe('1');
    expect(enc('tinyint(1)', false)).toBe('0');
    expect(enc('varchar(3)', 'abc')).toBe('abc');
    expect(enc('varchar(3)', 'abcd')).toBeUndefined();
    expect(enc('varchar(3)', '😀😀😀')).toBe('😀😀😀');
    expect(enc('varchar(10)', 'a\tb\\c\nd')).toBe('a\\tb\\\\c\\nd');
    expect(enc('varchar(10)', 12)).toBe('12');
    expect(enc('varchar(10)', { a: 1 })).toBeUndefined();
    expect(enc("enum('view','purchase')", 'VIEW')).toBe('view');
    expect(enc("enum('view','purchase')", 'click')).toBeUndefined();
    expect(enc("enum('not null','key')", 'key')).toBe('key');
    expect(() => enc('varchar(10) not null', 'x')).toThrow(/must be just a type/);
    expect(enc('json', { a: [1, 2] })).toBe('{"a":[1,2]}');
    expect(enc('text', 'x'.repeat(70_000))).toBeUndefined();
  });

  it('row encoder: required fields, reasons, TSV', () => {
    const e = new RowEncoder([
      { name: 'id', dataType: 'varchar(8)', required: true },
      { name: 'n', dataType: 'int', required: false },
      { name: 'constructor', dataType: 'varchar(8)', required: false },
    ]);
    expect(e.encodeJson('{"id":"a","n":1}')).toBe('a\t1\t\\N');
    expect(e.encodeJson('{"id":"","n":1}')).toBeNull();
    expect(e.reason).toBe('missing_required: id');
    expect(e.encodeJson('{"id":"a","n":"x"}')).toBeNull();
    expect(e.reason).toBe('bad_type: n expects int, got "x"');
    expect(e.setCsvHeader('n,id')).toEqual(['constructor']);
    expect(e.encodeCsv('5,b')).toBe('b\t5\t\\N');
    expect(e.encodeCsv(',')).toBeNull();
    expect(e.reason).toBe('missing_required: id');
  });
});

describe('options and globs', () => {
  it('parses sizes and durations', () => {
    expect(parseByteSize('16MB')).toBe(16 * 1024 * 1024);
    expect(parseByteSize('512 KiB')).toBe(512 * 1024);
    expect(parseByteSize(1000)).toBe(1000);
    expect(() => parseByteSize('lots')).toThrow(/not a size/);
    expect(parseDuration('1s')).toBe(1000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('2 minutes')).toBe(120_000);
    expect(() => parseDuration('soon')).toThrow(/not a duration/);
  });

  it('splits a glob path and matches names', () => {
    expect(splitGlobPath('landing/events/*.ndjson')).toEqual({ base: 'landing/events', glob: '*.ndjson' });
    expect(splitGlobPath('landing/events')).toEqual({ base: 'landing/events', glob: null });
    expect(globToRegExp('*.ndjson').test('a.ndjson')).toBe(true);
    expect(globToRegExp('*.ndjson').test('d/a.ndjson')).toBe(false);
    expect(globToRegExp('**/*.{csv,ndjson}').test('d/e/a.csv')).toBe(true);
    expect(globToRegExp('part-[0-9]?.csv').test('part-12.csv')).toBe(true);
  });
});
