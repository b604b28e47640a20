/**
 * Record text → validated TSV row (declared columns only) or a quarantine reason.
 * Reasons: `malformed_json: …`, `malformed_csv: …`, `missing_required: a, b`,
 * `bad_type: price expects decimal(12,2), got "abc"`.
 *
 * NDJSON hot path: a flat object (string, number, true/false/null values, no escapes) is read by
 * `scanJson` straight from the text into the declared columns' slots — no object, no strings for
 * keys or ignored values. Anything else (nesting, escapes, invalid JSON) goes through JSON.parse,
 * so the values, and every reason, are exactly JSON.parse's.
 */
import { parseCsvRecord } from '../util/csv.js';
import { makeCodec, TSV_NULL, type ColumnCodec } from './column-types.js';
import type { StreamColumn } from './types.js';

const MAX_REASON = 1000;

function preview(v: unknown): string {
  let s: string;
  try {
    s = typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));
  } catch {
    s = String(v);
  }
  return s.length > 60 ? s.slice(0, 57) + '…' : s;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'string' ? 'a string' : typeof v === 'number' ? 'a number' : typeof v === 'boolean' ? 'a boolean' : typeof v;
}

export class RowEncoder {
  readonly codecs: ColumnCodec[];
  /** Why the last `encode*` call returned null. */
  reason = '';
  private readonly fields: Array<string | null> = [];
  /** NDJSON: the record's value of each declared column (undefined: absent). */
  private readonly vals: unknown[];
  private readonly names: string[];
  private readonly index: Map<string, number>;
  private readonly scannable: boolean;
  /** For CSV: declared column index → field index in the file (-1 when absent). */
  private csvMap: number[] | null = null;
  private csvWidth = 0;
  private csvHeaderError: string | null = null;

  constructor(columns: StreamColumn[]) {
    this.codecs = columns.map((c) => makeCodec(c));
    this.names = this.codecs.map((c) => c.name);
    this.vals = this.names.map(() => undefined);
    this.index = new Map();
    // JSON.parse keeps the last of repeated keys; so does scanJson. Two columns cannot share a name.
    this.names.forEach((n, i) => this.index.set(n, i));
    // a name scanJson could confuse with JSON syntax: JSON.parse reads every line
    this.scannable = this.names.every((n) => !ESCAPE_OR_CONTROL.test(n) && !n.includes('"'));
  }

  /**
   * Reads a CSV header. Returns the declared columns the header lacks (they load as NULL;
   * required ones make every row go to quarantine).
   */
  setCsvHeader(text: string | null): string[] {
    if (text === null) {
      this.csvHeaderError = 'the file has no header line';
      return [];
    }
    const err = parseCsvRecord(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, this.fields);
    if (err) {
      this.csvHeaderError = `header line is not valid CSV (${err})`;
      return [];
    }
    this.csvHeaderError = null;
    const names = this.fields.map((f) => (f ?? '').trim());
    const idx = new Map<string, number>();
    names.forEach((n, i) => {
      if (!idx.has(n)) idx.set(n, i);
    });
    const lower = new Map<string, number>();
    names.forEach((n, i) => {
      if (!lower.has(n.toLowerCase())) lower.set(n.toLowerCase(), i);
    });
    this.csvMap = this.codecs.map((c) => idx.get(c.name) ?? lower.get(c.name.toLowerCase()) ?? -1);
    this.csvWidth = names.length;
    return this.codecs.filter((_c, i) => this.csvMap![i] === -1).map((c) => c.name);
  }

  /** One NDJSON line → TSV fields of the declared columns joined by tabs, or null (see `reason`). */
  encodeJson(text: string): string | null {
    const vals = this.vals;
    const clean = this.scanJson(text);
    if (!clean) {
      let obj: unknown;
      try {
        obj = JSON.parse(text);
      } catch (e) {
        this.reason = clip(`malformed_json: ${(e as Error).message}`);
        return null;
      }
      if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
        this.reason = `malformed_json: expected a JSON object, got ${typeName(obj)}`;
        return null;
      }
      const rec = obj as Record<string, unknown>;
      for (let i = 0; i < vals.length; i++) {
        const v = rec[this.names[i]!];
        vals[i] = typeof v === 'function' ? undefined : v; // inherited Object.prototype member, not data
      }
    }
    const codecs = this.codecs;
    let row = '';
    let missing: string[] | null = null;
    let bad: string | null = null;
    for (let i = 0; i < codecs.length; i++) {
      const c = codecs[i]!;
      const v = vals[i];
      let f: string | undefined;
      if (v === undefined || v === null || v === '') {
        if (c.required) {
          (missing ??= []).push(c.name);
          continue;
        }
        f = v === '' && c.keepsEmpty ? '' : TSV_NULL;
      } else {
        f = c.encode(v, clean);
        if (f === undefined) {
          bad ??= `bad_type: ${c.name} expects ${c.dataType}, got ${preview(v)}`;
          continue;
        }
      }
      row = i === 0 ? f : row + '\t' + f;
    }
    if (missing) {
      this.reason = `missing_required: ${missing.join(', ')}`;
      return null;
    }
    if (bad) {
      this.reason = clip(bad);
      return null;
    }
    return row;
  }

  /**
   * Reads a flat JSON object into `vals` without JSON.parse. True only for valid JSON whose
   * values are strings without escapes, numbers, true, false or null — the values JSON.parse
   * would give; false for anything else (`vals` is then undefined: the caller parses).
   */
  private scanJson(s: string): boolean {
    const vals = this.vals;
    const names = this.names;
    const ncols = names.length;
    for (let k = 0; k < ncols; k++) vals[k] = undefined;
    // An escape or a control character anywhere (even a tab between tokens): JSON.parse reads
    // the line. Without them, a string ends at the next quote and whitespace is a space.
    if (!this.scannable || ESCAPE_OR_CONTROL.test(s)) return false;
    const n = s.length;
    let i = 0;
    let c = s.charCodeAt(0);
    while (c === 32) c = s.charCodeAt(++i);
    if (c !== 123 /* { */) return false;
    c = s.charCodeAt(++i);
    while (c === 32) c = s.charCodeAt(++i);
    let expect = 0;
    if (c === 125 /* } */) i++;
    else {
      for (;;) {
        // key: usually the next declared column's name (keys come in declared order)
        if (c !== 34) return this.unscanned();
        const ks = i + 1;
        let col = -1;
        let j: number;
        const name = expect < ncols ? names[expect]! : null;
        if (name !== null && s.charCodeAt(ks + name.length) === 34 && s.startsWith(name, ks)) {
          col = expect;
          j = ks + name.length;
        } else {
          j = s.indexOf('"', ks);
          if (j < 0) return this.unscanned();
          col = this.index.get(s.slice(ks, j)) ?? -1;
        }
        i = j + 1;
        c = s.charCodeAt(i);
        while (c === 32) c = s.charCodeAt(++i);
        if (c !== 58 /* : */) return this.unscanned();
        c = s.charCodeAt(++i);
        while (c === 32) c = s.charCodeAt(++i);
        // value
        let v: unknown;
        if (c === 34) {
          j = s.indexOf('"', i + 1);
          if (j < 0) return this.unscanned();
          v = col >= 0 ? s.slice(i + 1, j) : undefined;
          i = j + 1;
        } else if (c === 45 || (c >= 48 && c <= 57)) {
          // -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
          const ns = i;
          if (c === 45) c = s.charCodeAt(++i);
          let mant = 0;
          let digits = 0;
          if (c === 48) c = s.charCodeAt(++i);
          else if (c >= 49 && c <= 57) {
            do {
              mant = mant * 10 + (c - 48);
              digits++;
              c = s.charCodeAt(++i);
            } while (c >= 48 && c <= 57);
          } else return this.unscanned();
          let frac = 0;
          if (c === 46 /* . */) {
            c = s.charCodeAt(++i);
            if (!(c >= 48 && c <= 57)) return this.unscanned();
            do {
              mant = mant * 10 + (c - 48);
              digits++;
              frac++;
              c = s.charCodeAt(++i);
            } while (c >= 48 && c <= 57);
          }
          let exp = false;
          if (c === 101 || c === 69) {
            exp = true;
            c = s.charCodeAt(++i);
            if (c === 43 || c === 45) c = s.charCodeAt(++i);
            if (!(c >= 48 && c <= 57)) return this.unscanned();
            do c = s.charCodeAt(++i);
            while (c >= 48 && c <= 57);
          }
          if (col >= 0) {
            // An integer of at most 15 digits over an exact power of ten is correctly rounded:
            // the double JSON.parse gives. Otherwise let Number() read the text.
            if (!exp && digits <= 15 && frac <= 22) {
              v = frac ? mant / POW10[frac]! : mant;
              if (s.charCodeAt(ns) === 45) v = -(v as number);
            } else v = Number(s.slice(ns, i));
          }
        } else if (c === 116 /* t */ && s.startsWith('true', i)) {
          v = true;
          i += 4;
        } else if (c === 102 /* f */ && s.startsWith('false', i)) {
          v = false;
          i += 5;
        } else if (c === 110 /* n */ && s.startsWith('null', i)) {
          v = null;
          i += 4;
        } else return this.unscanned(); // object, array or not JSON
        if (col >= 0) {
          vals[col] = v;
          expect = col + 1;
        }
        c = s.charCodeAt(i);
        while (c === 32) c = s.charCodeAt(++i);
        if (c === 44 /* , */) {
          c = s.charCodeAt(++i);
          while (c === 32) c = s.charCodeAt(++i);
          continue;
        }
        if (c !== 125) return this.unscanned();
        i++;
        break;
      }
    }
    c = s.charCodeAt(i);
    while (c === 32) c = s.charCodeAt(++i);
    return i >= n || this.unscanned();
  }

  private unscanned(): false {
    const vals = this.vals;
    for (let k = 0; k < vals.length; k++) vals[k] = undefined;
    return false;
  }

  /** One CSV record (header already set) → TSV fields, or null (see `reason`). */
  encodeCsv(text: string): string | null {
    if (this.csvHeaderError !== null || this.csvMap === null) {
      this.reason = `malformed_csv: ${this.csvHeaderError ?? 'the file has no header line'}`;
      return null;
    }
    const fields = this.fields;
    const err = parseCsvRecord(text, fields);
    if (err) {
      this.reason = `malformed_csv: ${err}`;
      return null;
    }
    if (fields.length !== this.csvWidth) {
      this.reason = `malformed_csv: expected ${this.csvWidth} fields (as in the header), got ${fields.length}`;
      return null;
    }
    const codecs = this.codecs;
    const map = this.csvMap;
    let row = '';
    let missing: string[] | null = null;
    let bad: string | null = null;
    for (let i = 0; i < codecs.length; i++) {
      const c = codecs[i]!;
      const fi = map[i]!;
      const v = fi < 0 ? null : fields[fi]!;
      let f: string | undefined;
      if (v === null || v === '') {
        if (c.required) {
          (missing ??= []).push(c.name);
          continue;
        }
        f = v === '' && c.keepsEmpty ? '' : TSV_NULL;
      } else {
        f = c.encode(v);
        if (f === undefined) {
          bad ??= `bad_type: ${c.name} expects ${c.dataType}, got ${preview(v)}`;
          continue;
        }
      }
      row = i === 0 ? f : row + '\t' + f;
    }
    if (missing) {
      this.reason = `missing_required: ${missing.join(', ')}`;
      return null;
    }
    if (bad) {
      this.reason = clip(bad);
      return null;
    }
    return row;
  }
}

/** JSON text scanJson leaves to JSON.parse: escapes, and control characters (raw ones are invalid in strings). */
const ESCAPE_OR_CONTROL = /[\x00-\x1f\\]/;

/** Powers of ten as doubles, exact up to 10^22 (read from text, not computed). */
const POW10 = Array.from({ length: 23 }, (_v, k) => Number(`1e${k}`));

function clip(s: string): string {
  return s.length > MAX_REASON ? s.slice(0, MAX_REASON - 1) + '…' : s;
}
