/**
 * RowEncoder reads flat NDJSON objects with its own scanner (no JSON.parse) and leaves every
 * other line to JSON.parse. Whatever path a line takes, the row or the reason must be exactly
 * what JSON.parse's values give. A trailing tab is JSON whitespace that the scanner refuses,
 * so `line + '\t'` is the same record read through JSON.parse: the two must encode the same.
 */
import { describe, expect, it } from 'vitest';
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
];

function both(enc: RowEncoder, line: string): [string, string] {
  const a = enc.encodeJson(line);
  const ra = a === null ? `REJECT ${enc.reason}` : a;
  const b = enc.encodeJson(line + '\t');
  const rb = b === null ? `REJECT ${enc.reason}` : b;
  return [ra, rb];
}

const LINES = [
  '{"id":"a1","ts":"2026-11-24T00:00:00.569Z","price":69.00,"qty":1,"ratio":0.1,"flag":true,"note":"x y"}',
  '{"id":"a2","price":-0,"qty":-0,"ratio":-0.0}',
  '{"id":"a2b","price":-12.5,"qty":-7,"ratio":-0.25,"note":-3}',
  '{"id":"a3","price":1e2,"qty":1E0,"ratio":1.5e-7}',
  '{"id":"a4","price":123456789012345678,"qty":2147483647,"ratio":12345678901234567890}',
  '{"id":"a5","price":0.005,"qty":2147483648}',
  '{"id":"a6","price":9999999999.995,"qty":"12","ratio":"3.5"}',
  '{"id":"a7","price":0.1234567890123456789012345}',
  '{ "id" : "a8" , "qty" : 3 , "flag" : false }  ',
  '   {"qty":3,"id":"a9","price":null,"note":""}',
  '{"id":"b1","id":"b2"}',
  '{"id":"b3","extra":{"nested":[1,2,{"x":null}]},"qty":4}',
  '{"id":"b4","extra":[1,2],"qty":"x"}',
  '{"id":"b5","toString":"ok"}',
  '{"id":"b6"}',
  '{"qty":5}',
  '{}',
  '{"id":"too-long-for-8"}',
  '{"id":"ünï","note":"日本語 ✓ 😀"}',
  '{"id":"b7","ts":"2026-02-30T00:00:00Z"}',
  '{"id":"b8","ts":"2026-11-24 10:00:00.123456"}',
  '{"id":"b9","ts":"2026-11-24T10:00:00+02:00"}',
  '{"id":"c1","flag":1,"qty":1.0,"price":"1.999"}',
  '{"id":"c2","qty":1.5}',
  '{"id":"c3","note":"a\\tb\\\\c\\"d\\u0000"}',
  '{"id":"c4","price":"abc"}',
  '{"id":null}',
  '{"id":""}',
  '{"id":12}',
  '{"id":true}',
  '{"id":"c5","qty":00}',
  '{"id":"c6","qty":-}',
  '{"id":"c7","qty":1.}',
  '{"id":"c8","qty":.5}',
  '{"id":"c9","qty":+1}',
  '{"id":"d1","qty":1,}',
  '{"id":"d2" "qty":1}',
  '{"id":"d3","qty":tru}',
  '{"id":"d4","qty":1}x',
  '{"id":"d5","qty":1',
  '{"id":"d6',
  '{"id":"d7","note":"tab\tinside"}',
  '[1,2]',
  '"string"',
  '42',
  'null',
  '{"id":"d8","qty":NaN}',
  "{'id':'d9'}",
  '{"id":"e1","ratio":1e400}',
  '{"id":"e2","qty":99999999999999999999}',
  '{"__proto__":{"id":"x"},"id":"e3"}',
  '{"id":"e4","__proto__":"p"}',
];

describe('RowEncoder.encodeJson: own scanner and JSON.parse agree', () => {
  it('encodes the same row, or gives the same reason, for tricky lines', () => {
    const enc = new RowEncoder(COLUMNS);
    for (const line of LINES) {
      let valid = true;
      try {
        JSON.parse(line);
      } catch {
        valid = false;
      }
      const [a, b] = both(enc, line);
      if (valid) expect(a, line).toBe(b);
      else {
        let msg = '';
        try {
          JSON.parse(line);
        } catch (e) {
          msg = (e as Error).message;
        }
        expect(a, line).toBe(`REJECT malformed_json: ${msg}`);
      }
    }
  });

  it('agrees on random flat records (numbers of every JSON shape, key order, unknown keys)', () => {
    const enc = new RowEncoder(COLUMNS);
    let seed = 12345;
    const rnd = (n: number) => {
      // mulberry32
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) % n;
    };
    const digits = (n: number) => Array.from({ length: n }, () => String(rnd(10))).join('');
    const number = () => {
      const int = rnd(4) === 0 ? '0' : String(1 + rnd(9)) + digits(rnd(20));
      const frac = rnd(2) ? '.' + digits(1 + rnd(25)) : '';
      const exp = rnd(4) === 0 ? (rnd(2) ? 'e' : 'E') + ['', '+', '-'][rnd(3)] + digits(1 + rnd(3)) : '';
      return (rnd(3) === 0 ? '-' : '') + int + frac + exp;
    };
    const value = () => {
      switch (rnd(6)) {
        case 0:
          return JSON.stringify(digits(rnd(12)));
        case 1:
          return ['true', 'false', 'null'][rnd(3)]!;
        default:
          return number();
      }
    };
    const keys = [...COLUMNS.map((c) => c.name), 'other', 'x'];
    let rows = 0;
    for (let k = 0; k < 5000; k++) {
      const fields: string[] = ['"id":"k"'];
      const n = rnd(10);
      for (let f = 0; f < n; f++) fields.push(`${JSON.stringify(keys[rnd(keys.length)])}:${value()}`);
      const line = `{${fields.join(',')}}`;
      const [a, b] = both(enc, line);
      expect(a, line).toBe(b);
      if (!a.startsWith('REJECT')) rows++;
    }
    expect(rows).toBeGreaterThan(1000);
  });
});
