/**
 * The NDJSON byte path (RowEncoder.encodeJsonBytes, fed from RecordReader's buffer by the batch
 * planner) must give exactly the row the text path (encodeJson on the decoded line) gives, or
 * decline the line (-1) so the text path decides. Checked on hand-picked tricky lines and on
 * generated ones, and through the RecordReader on byte streams cut into chunks everywhere
 * (multi-byte UTF-8 split across buffers, \r\n, blank lines, a BOM, long and invalid lines).
 */
import { describe, expect, it } from 'vitest';
import { RecordReader, type ChunkSource } from '../../src/stream/record-reader.js';
import { RowEncoder } from '../../src/stream/row-encoder.js';
import type { StreamColumn } from '../../src/stream/types.js';

const COLUMNS: StreamColumn[] = [
  { name: 'id', dataType: 'varchar(8)', required: true },
  { name: 'ts', dataType: 'datetime(3)', required: false },
  { name: 'price', dataType: 'decimal(12,2)', required: false },
  { name: 'qty', dataType: 'int', required: false },
  { name: 'ratio', dataType: 'double', required: false },
  { name: 'flag', dataType: 'boolean', required: false },
  { name: 'note', dataType: 'text', required: false },
  { name: 'toString', dataType: 'varchar(10)', required: false },
  { name: 'ts0', dataType: 'datetime', required: false },
  { name: 'ts6', dataType: 'datetime(6)', required: false },
  { name: 'tstamp', dataType: 'timestamp(3)', required: false },
  { name: 'small', dataType: 'decimal(5,0)', required: false },
  { name: 'udec', dataType: 'decimal(6,3) unsigned', required: false },
  { name: 'big', dataType: 'bigint unsigned', required: false },
  { name: 'tiny', dataType: 'tinyint', required: false },
  { name: 'kind', dataType: "enum('a','B','ü')", required: false },
  { name: 'blob', dataType: 'tinytext', required: false },
  { name: 'd', dataType: 'date', required: false },
];

function textPath(enc: RowEncoder, line: string): string {
  const r = enc.encodeJson(line);
  return r === null ? `REJECT ${enc.reason}` : r;
}

/** The byte path's fields for the line, or null when it declines. */
function bytePath(enc: RowEncoder, line: Buffer, pad = 5): string | null {
  // the line sits inside a larger buffer, as in the reader's
  const src = Buffer.concat([Buffer.from('x'.repeat(pad)), line, Buffer.from('\n{"id":"zz"}\n')]);
  const out = Buffer.alloc(line.length * 2 + 64 * COLUMNS.length);
  const o = enc.encodeJsonBytes(src, pad, pad + line.length, out, 3);
  return o < 0 ? null : out.toString('utf8', 3, o);
}

const LINES = [
  '{"id":"a1","ts":"2026-11-24T00:00:00.569Z","price":69.00,"qty":1,"ratio":0.1,"flag":true,"note":"x y"}',
  '{"id":"a2","price":-0,"qty":-0,"ratio":-0.0,"small":-0,"udec":-0.0}',
  '{"id":"a2b","price":-12.5,"qty":-7,"ratio":-0.25,"note":-3,"udec":-1.5}',
  '{"id":"a3","price":1e2,"qty":1E0,"ratio":1.5e-7}',
  '{"id":"a4","price":123456789012345678,"qty":2147483647,"ratio":12345678901234567890,"big":18446744073709551615}',
  '{"id":"a5","price":0.005,"qty":2147483648,"tiny":-129,"small":99999,"udec":999.9995}',
  '{"id":"a6","price":9999999999.995,"qty":"12","ratio":"3.5","small":100000}',
  '{"id":"a7","price":0.1234567890123456789012345,"udec":0.001,"small":0.5}',
  '{ "id" : "a8" , "qty" : 3 , "flag" : false }  ',
  '   {"qty":3,"id":"a9","price":null,"note":""}',
  '{"id":"b1","id":"b2"}',
  '{"id":"b3","extra":{"nested":[1,2,{"x":null}]},"qty":4}',
  '{"id":"b4","extra":[1,2],"qty":"x"}',
  '{"id":"b5","toString":"ok","__proto__":"p","constructor":1}',
  '{"id":"b6"}',
  '{"qty":5}',
  '{}',
  '{ }',
  '{"id":"too-long-for-8"}',
  '{"id":"12345678","toString":"0123456789","blob":"' + 'y'.repeat(255) + '"}',
  '{"id":"b6b","blob":"' + 'y'.repeat(256) + '"}',
  '{"id":"ünï","note":"日本語 ✓ 😀"}',
  '{"id":"b7","ts":"2026-02-30T00:00:00Z"}',
  '{"id":"b7b","ts":"2024-02-29T23:59:59.999999999Z","ts0":"2024-02-29T23:59:59.9Z","ts6":"2024-02-29 23:59:59.1234567"}',
  '{"id":"b7c","ts":"1900-02-29T00:00:00Z","ts0":"2026-13-01T00:00:00Z","ts6":"2026-01-01T24:00:00Z"}',
  '{"id":"b8","ts":"2026-11-24 10:00:00.123456","ts0":"2026-11-24 10:00:00","ts6":"2026-11-24 10:00:00.5"}',
  '{"id":"b9","ts":"2026-11-24T10:00:00+02:00","ts0":"2026-11-24T10:00:00z","ts6":"2026-11-24T10:00:00.Z"}',
  '{"id":"b9b","ts":"2026-11-24T10:00","ts0":"2026-11-24","ts6":" 2026-11-24T10:00:00Z","tstamp":"2026-11-24T10:00:00.5Z"}',
  '{"id":"b9c","tstamp":"1969-12-31T23:59:59Z","ts":"0000-01-01T00:00:00Z"}',
  '{"id":"c1","flag":1,"qty":1.0,"price":"1.999","small":"12"}',
  '{"id":"c2","qty":1.5,"tiny":127,"big":-1}',
  '{"id":"c3","note":"a\\tb\\\\c\\"d\\u0000"}',
  '{"id":"c4","price":"abc","kind":"b","d":"2026-01-01"}',
  '{"id":"c4b","kind":"Ü","d":"2026-02-30"}',
  '{"id":null}',
  '{"id":""}',
  '{"id":12}',
  '{"id":true}',
  '{"id":"c5","note":true,"toString":false,"blob":12.50}',
  '{"id":"c6","price":0,"qty":0,"small":0,"udec":0.000}',
  '{"id":"c7","price":0.1,"udec":123.4,"small":12345}',
  '{"id":"c8","price":1234567.89,"udec":999.999}',
  '{"id":"c9","price":-999999.99,"qty":-2147483648,"tiny":-128}',
  '{"id":"d1","price":1.,"qty":01}',
  '{"id":"d2","price":.5}',
  '{"id":"d3","price":-}',
  '{"id":"d4","qty":1e}',
  '{"id":"d5",}',
  '{"id":"d6" "qty":1}',
  '{"id":"d7"',
  '{"id":"d8"}}',
  '{"id":"d9"} x',
  '{"id":"e1","flag":tru}',
  '{"id":"e2","flag":nul}',
  '{"id":"e3","flag":falsey}',
  '["id","e4"]',
  '"e5"',
  '12',
  'null',
  'not json',
  '{"id":"e6",\t"qty":1}',
  '{"id":"e7","qty":1}\t',
  '{"id":"e8","note":"a\u007fb"}',
  '{"id":"e9","qty":   7   ,"price":  3.5}',
  '{"i\\u0064":"f1"}',
  '{"id":"f2","note":"\\/"}',
  '{"id":"f3","ratio":1e400,"price":1e400}',
  '{"id":"f4","ratio":123456789012345678901234567890.5}',
  '{"id":"f5","qty":999999999999999,"big":999999999999999,"price":99999999.99}',
  '{"id":"f6","qty":9999999999999999}',
];

describe('RowEncoder.encodeJsonBytes', () => {
  it('gives the text path’s row, or declines, on tricky lines', () => {
    const enc = new RowEncoder(COLUMNS);
    let decided = 0;
    for (const line of LINES) {
      const expected = textPath(enc, line);
      const got = bytePath(enc, Buffer.from(line, 'utf8'));
      if (got !== null) {
        decided++;
        expect({ line, row: got }).toEqual({ line, row: expected });
      }
    }
    // the clean flat ones are decided by the byte path
    expect(decided).toBeGreaterThan(20);
    expect(bytePath(enc, Buffer.from(LINES[0]!))).not.toBeNull();
  });

  it('agrees with the text path on generated lines', () => {
    const enc = new RowEncoder(COLUMNS);
    let seed = 12345;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const digits = (n: number) => Array.from({ length: n }, () => String(Math.floor(rnd() * 10))).join('');
    const number = () => {
      const intPart = pick(['0', '1', '9', digits(1 + Math.floor(rnd() * 12)).replace(/^0+(?=\d)/, '')]).replace(/^0+(?=\d)/, '');
      const frac = rnd() < 0.6 ? '.' + digits(1 + Math.floor(rnd() * 5)) : '';
      const exp = rnd() < 0.1 ? pick(['e', 'E']) + pick(['', '+', '-']) + digits(1 + Math.floor(rnd() * 2)) : '';
      return (rnd() < 0.3 ? '-' : '') + intPart + frac + exp;
    };
    const pad = (n: number) => String(n).padStart(2, '0');
    const datetime = () =>
      `${pick(['2026', '2024', '1900', '2000', '0001', '9999'])}-${pad(1 + Math.floor(rnd() * 13))}-${pad(Math.floor(rnd() * 32))}${pick(['T', ' '])}` +
      `${pad(Math.floor(rnd() * 25))}:${pad(Math.floor(rnd() * 60))}:${pad(Math.floor(rnd() * 61))}${pick(['', '.' + digits(1 + Math.floor(rnd() * 9))])}${pick(['', 'Z', 'z', '+01:00'])}`;
    const str = () => pick(['', 'a', 'abc', 'x'.repeat(Math.floor(rnd() * 12)), 'é', 'a b', '日本', '\\n', '"q"', datetime()]);
    const value = (col: string) => {
      if (col === 'id' && rnd() < 0.9) return `"${digits(1 + Math.floor(rnd() * 8))}"`;
      const r = rnd();
      if (r < 0.08) return 'null';
      if (r < 0.12) return pick(['true', 'false']);
      if (col.startsWith('ts') || col === 'tstamp') return rnd() < 0.85 ? JSON.stringify(datetime()).replace(/\\\\/g, '\\') : number();
      if (['price', 'qty', 'ratio', 'small', 'udec', 'big', 'tiny'].includes(col)) return rnd() < 0.85 ? number() : JSON.stringify(number());
      return rnd() < 0.85 ? `"${str()}"` : number();
    };
    const names = COLUMNS.map((c) => c.name);
    let decided = 0;
    for (let n = 0; n < 20_000; n++) {
      // a few columns a line, so that many lines are accepted (a line with one bad value is a reject)
      const keys = names.filter((k) => k === 'id' || rnd() < 0.2);
      if (rnd() < 0.2) keys.sort(() => rnd() - 0.5);
      if (rnd() < 0.1) keys.push('unknown');
      if (rnd() < 0.05) keys.push(pick(names));
      const sp = rnd() < 0.2 ? ' ' : '';
      const line = `{${sp}${keys.map((k) => `"${k}"${sp}:${sp}${value(k)}`).join(`,${sp}`)}${sp}}`;
      const expected = textPath(enc, line);
      const got = bytePath(enc, Buffer.from(line, 'utf8'), n % 7);
      if (got !== null) {
        decided++;
        if (got !== expected) expect({ line, row: got }).toEqual({ line, row: expected });
      }
    }
    expect(decided).toBeGreaterThan(2000);
  });

  it('declines when the output buffer is too small, and never writes past it', () => {
    const enc = new RowEncoder(COLUMNS);
    const line = Buffer.from(LINES[0]!);
    for (let cap = 0; cap < 200; cap++) {
      const out = Buffer.alloc(cap);
      const o = enc.encodeJsonBytes(line, 0, line.length, out, 0);
      if (o >= 0) expect(out.toString('utf8', 0, o)).toBe(textPath(enc, LINES[0]!));
    }
  });
});

class Chunks implements ChunkSource {
  private at = 0;
  constructor(
    private readonly data: Buffer,
    private readonly sizes: number[],
    private readonly into: boolean,
  ) {
    if (!into) this.readInto = undefined;
  }
  get exhausted(): boolean {
    return this.at >= this.data.length;
  }
  private size(): number {
    return this.sizes[this.at % this.sizes.length]!;
  }
  async read(): Promise<Buffer | null> {
    if (this.at >= this.data.length) return null;
    const n = Math.min(this.size(), this.data.length - this.at);
    const b = Buffer.from(this.data.subarray(this.at, this.at + n));
    this.at += n;
    return b;
  }
  readInto?: (into: Buffer, at: number, max: number) => Promise<number> = async (into, at, max) => {
    if (this.at >= this.data.length) return 0;
    const n = Math.min(this.size(), max, this.data.length - this.at);
    this.data.copy(into, at, this.at, this.at + n);
    this.at += n;
    return n;
  };
  async close(): Promise<void> {}
}

interface Rec {
  line: number;
  start: number;
  end: number;
  text: string;
  tooLong: boolean;
  bad: boolean;
  row: string;
}

/** What the planner does with each record: the byte path when it decides, else the text path. */
async function readAll(data: Buffer, sizes: number[], into: boolean, useBytes: boolean, maxLine: number): Promise<Rec[]> {
  const enc = new RowEncoder(COLUMNS);
  const r = new RecordReader(new Chunks(data, sizes, into), 0, 1, false, maxLine);
  const out: Rec[] = [];
  const tmp = Buffer.alloc(8 << 20);
  for (;;) {
    while (r.next()) {
      let row: string | null = null;
      if (useBytes && !r.recTooLong) {
        const c0 = r.recTextStart < r.recTextEnd ? r.recBuf[r.recTextStart]! : 32;
        if (c0 !== 32 && c0 !== 9 && c0 !== 13 && c0 < 128) {
          const o = enc.encodeJsonBytes(r.recBuf, r.recTextStart, r.recTextEnd, tmp, 0);
          if (o >= 0) row = tmp.toString('utf8', 0, o);
        }
      }
      let text = r.recText;
      if (r.recStart === 0 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      if (row === null) row = r.recTooLong ? 'TOO LONG' : r.recBadUtf8 ? 'BAD UTF-8' : textPath(enc, text);
      out.push({ line: r.recLine, start: r.recStart, end: r.recEnd, text, tooLong: r.recTooLong, bad: r.recBadUtf8, row });
    }
    if (r.atEnd) return out;
    await r.fill();
  }
}

describe('RecordReader + byte path over chunked input', () => {
  const parts = [
    '\ufeff{"id":"bom","qty":1}',
    '{"id":"crlf","qty":2}\r',
    '',
    '   ',
    '\r',
    '{"id":"é","note":"日本語 ✓ 😀 ünïcödé"}',
    '{"id":"multi","note":"' + '€'.repeat(300) + '"}',
    '{"id":"esc","note":"a\\tb\\u00e9"}',
    '{"id":"long","note":"' + 'z'.repeat(5000) + '"}',
    '{"id":"ok1","ts":"2026-11-24T00:00:00.569Z","price":69.00,"qty":1}',
    '{"id":"ok2","price":12,"qty":-3,"flag":false}\r',
    'garbage',
  ];
  const text = parts.join('\n') + '\n{"id":"last","qty":9}';
  const valid = Buffer.from(text, 'utf8');
  // invalid UTF-8: a lone continuation byte and a truncated sequence inside strings
  const invalid = Buffer.concat([
    valid,
    Buffer.from('\n{"id":"bad1","note":"'),
    Buffer.from([0x80, 0x41]),
    Buffer.from('"}\n{"id":"bad2","note":"'),
    Buffer.from([0xe2, 0x82]),
    Buffer.from('"}\n{"id":"ok3"}\n'),
  ]);
  for (const [name, data] of [
    ['valid UTF-8', valid],
    ['with invalid UTF-8', invalid],
  ] as const) {
    it(`${name}: same records and rows whatever the chunking, byte path or not`, async () => {
      const expected = await readAll(data, [data.length], false, false, 4096);
      expect(expected.some((r) => r.tooLong)).toBe(true);
      for (const sizes of [[1], [2], [3], [7], [64], [5, 1, 13], [4096], [data.length]]) {
        for (const into of [false, true]) {
          const got = await readAll(data, sizes, into, true, 4096);
          expect({ sizes, into, got }).toEqual({ sizes, into, got: expected });
        }
      }
    });
  }
});
