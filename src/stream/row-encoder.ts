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
import { FAST_BYTES, FAST_CHAR, FAST_DATETIME, FAST_DECIMAL, FAST_INT, makeCodec, TSV_NULL, validDate, type ColumnCodec } from './column-types.js';
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
  /** encodeJsonBytes: the declared names as UTF-8, and per column what the line held. */
  private readonly nameBytes: Buffer[];
  /** 0 absent, 1 string, 2 number, 3 true, 4 false, 5 null */
  private readonly bKind: Uint8Array;
  private readonly bStart: Int32Array;
  private readonly bEnd: Int32Array;
  private readonly bNum: Float64Array;
  /** number: 1 a plain integer (no fraction, exponent or -0) of ≤ 15 digits, 2 a plain decimal of ≤ 15 digits, 0 other */
  private readonly bShape: Uint8Array;
  private readonly bFrac: Uint8Array;
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
    const n = this.names.length;
    this.nameBytes = this.names.map((x) => Buffer.from(x, 'utf8'));
    this.bKind = new Uint8Array(n);
    this.bStart = new Int32Array(n);
    this.bEnd = new Int32Array(n);
    this.bNum = new Float64Array(n);
    this.bShape = new Uint8Array(n);
    this.bFrac = new Uint8Array(n);
  }

  /**
   * The byte path of encodeJson: the line is bytes [s, e) of `b` (no terminator, no BOM) and the
   * TSV fields go straight into `out` from offset `o`. Returns the offset after the fields, or
   * -1 when this path does not decide the line — anything but a flat, ASCII-only object without
   * escapes or control characters, a value that needs a reason, or `out` too small: the caller
   * then decodes the line and calls encodeJson, which gives the row or the reason. When it
   * returns an offset, the fields are exactly encodeJson's row for the decoded line.
   */
  encodeJsonBytes(b: Buffer, s: number, e: number, out: Buffer, o: number): number {
    if (!this.scannable) return -1;
    const kind = this.bKind;
    const st = this.bStart;
    const en = this.bEnd;
    const num = this.bNum;
    const shape = this.bShape;
    const fr = this.bFrac;
    const names = this.nameBytes;
    const ncols = names.length;
    kind.fill(0);
    let i = s;
    while (i < e && b[i] === 32) i++;
    if (i >= e || b[i] !== 123 /* { */) return -1;
    i++;
    while (i < e && b[i] === 32) i++;
    if (i >= e) return -1;
    let expect = 0;
    let c = 0;
    if (b[i] === 125 /* } */) i++;
    else {
      for (;;) {
        if (b[i] !== 34) return -1;
        const ks = i + 1;
        let j = ks;
        let col = -1;
        // usually the next declared column's name (keys come in declared order): no scan
        if (expect < ncols) {
          const nm = names[expect]!;
          const ke = ks + nm.length;
          if (ke < e && b[ke] === 34 && sameBytes(nm, b, ks, nm.length)) {
            col = expect;
            j = ke;
          }
        }
        if (col < 0) {
          for (;;) {
            if (j >= e) return -1;
            c = b[j]!;
            if (c === 34) break;
            if (c < 32 || c === 92 || c >= 128) return -1;
            j++;
          }
          const klen = j - ks;
          for (let k = 0; k < ncols; k++) {
            if (names[k]!.length === klen && sameBytes(names[k]!, b, ks, klen)) {
              col = k;
              break;
            }
          }
        }
        i = j + 1;
        while (i < e && b[i] === 32) i++;
        if (i >= e || b[i] !== 58 /* : */) return -1;
        i++;
        while (i < e && b[i] === 32) i++;
        if (i >= e) return -1;
        c = b[i]!;
        if (c === 34) {
          j = i + 1;
          for (;;) {
            if (j >= e) return -1;
            c = b[j]!;
            if (c === 34) break;
            if (c < 32 || c === 92 || c >= 128) return -1;
            j++;
          }
          if (col >= 0) {
            kind[col] = 1;
            st[col] = i + 1;
            en[col] = j;
          }
          i = j + 1;
        } else if (c === 45 || (c >= 48 && c <= 57)) {
          // the same reading as scanJson's
          const ns = i;
          const neg = c === 45;
          if (neg) c = ++i < e ? b[i]! : -1;
          let mant = 0;
          let digits = 0;
          if (c === 48) c = ++i < e ? b[i]! : -1;
          else if (c >= 49 && c <= 57) {
            do {
              mant = mant * 10 + (c - 48);
              digits++;
              c = ++i < e ? b[i]! : -1;
            } while (c >= 48 && c <= 57);
          } else return -1;
          let frac = 0;
          let dot = false;
          if (c === 46) {
            dot = true;
            c = ++i < e ? b[i]! : -1;
            if (!(c >= 48 && c <= 57)) return -1;
            do {
              mant = mant * 10 + (c - 48);
              digits++;
              frac++;
              c = ++i < e ? b[i]! : -1;
            } while (c >= 48 && c <= 57);
          }
          let exp = false;
          if (c === 101 || c === 69) {
            exp = true;
            c = ++i < e ? b[i]! : -1;
            if (c === 43 || c === 45) c = ++i < e ? b[i]! : -1;
            if (!(c >= 48 && c <= 57)) return -1;
            do c = ++i < e ? b[i]! : -1;
            while (c >= 48 && c <= 57);
          }
          if (col >= 0) {
            kind[col] = 2;
            st[col] = ns;
            en[col] = i;
            let v: number;
            if (!exp && digits <= 15 && frac <= 22) {
              v = frac ? mant / POW10[frac]! : mant;
              if (neg) v = -v;
              shape[col] = neg && mant === 0 ? 0 : dot ? 2 : 1;
            } else {
              v = Number(b.toString('latin1', ns, i));
              shape[col] = 0;
            }
            num[col] = v;
            fr[col] = frac;
          }
        } else if (c === 116 && i + 4 <= e && b[i + 1] === 114 && b[i + 2] === 117 && b[i + 3] === 101) {
          if (col >= 0) kind[col] = 3;
          i += 4;
        } else if (c === 102 && i + 5 <= e && b[i + 1] === 97 && b[i + 2] === 108 && b[i + 3] === 115 && b[i + 4] === 101) {
          if (col >= 0) kind[col] = 4;
          i += 5;
        } else if (c === 110 && i + 4 <= e && b[i + 1] === 117 && b[i + 2] === 108 && b[i + 3] === 108) {
          if (col >= 0) kind[col] = 5;
          i += 4;
        } else return -1;
        if (col >= 0) expect = col + 1;
        while (i < e && b[i] === 32) i++;
        if (i >= e) return -1;
        c = b[i]!;
        if (c === 44 /* , */) {
          i++;
          while (i < e && b[i] === 32) i++;
          if (i >= e) return -1;
          continue;
        }
        if (c !== 125) return -1;
        i++;
        break;
      }
    }
    while (i < e && b[i] === 32) i++;
    if (i < e) return -1;

    // the fields, in declared order
    const codecs = this.codecs;
    const cap = out.length;
    for (let k = 0; k < ncols; k++) {
      if (o + 40 > cap) return -1;
      if (k > 0) out[o++] = 9;
      const cd = codecs[k]!;
      const kd = kind[k]!;
      const vs = st[k]!;
      const ve = en[k]!;
      if (kd === 0 || kd === 5 || (kd === 1 && vs === ve)) {
        if (cd.required) return -1;
        if (kd !== 1 || !cd.keepsEmpty) {
          out[o++] = 92;
          out[o++] = 78;
        }
        continue;
      }
      const fast = cd.fast;
      if (kd === 1) {
        const len = ve - vs;
        if (fast === FAST_CHAR || fast === FAST_BYTES) {
          if (len > cd.fastMax) return -1;
          if (o + len > cap) return -1;
          if (len <= 48) for (let q = vs; q < ve; q++) out[o++] = b[q]!;
          else o += b.copy(out, o, vs, ve);
          continue;
        }
        if (fast === FAST_DATETIME) {
          const r = datetimeBytes(b, vs, ve, out, o, cd.fastScale);
          if (r >= 0) {
            o = r;
            continue;
          }
        }
      } else if (kd === 2) {
        const sh = shape[k]!;
        if (fast === FAST_INT && sh === 1) {
          const v = num[k]!;
          if (v < cd.fastMin || v > cd.fastMax) return -1;
          for (let q = vs; q < ve; q++) out[o++] = b[q]!;
          continue;
        }
        if (fast === FAST_DECIMAL && sh !== 0) {
          const r = decimalBytes(b, vs, ve, fr[k]!, cd.fastMax, cd.fastScale, cd.fastUnsigned, out, o);
          if (r >= 0) {
            o = r;
            continue;
          }
        }
      }
      // any other value: the codec itself, on the value scanJson would give
      const v = kd === 1 ? b.toString('latin1', vs, ve) : kd === 2 ? num[k]! : kd === 3;
      const f = cd.encode(v, true);
      if (f === undefined || o + f.length * 3 > cap) return -1;
      o += out.write(f, o, 'utf8');
    }
    return o;
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

function sameBytes(name: Buffer, b: Buffer, at: number, len: number): boolean {
  for (let q = 0; q < len; q++) if (name[q] !== b[at + q]) return false;
  return true;
}

/**
 * A JSON number `-?digits[.digits]` (no exponent; not -0) into a decimal(p, s) field, written as
 * the codec writes it: the integer part without leading zeros ("0" when empty), the fraction
 * padded to the scale. -1 (the codec decides) when it has more decimals than the scale, too many
 * digits, or more than 8 digits in all (the codec's double arithmetic is exact below that).
 */
function decimalBytes(b: Buffer, vs: number, ve: number, frac: number, p: number, scale: number, unsigned: boolean, out: Buffer, o: number): number {
  if (frac > scale) return -1;
  let i = vs;
  const neg = b[i] === 45;
  if (neg) {
    if (unsigned) return -1;
    i++;
  }
  const intEnd = frac > 0 ? ve - frac - 1 : ve;
  // "0" or "0.x": no integer digits
  const intDigits = intEnd - i === 1 && b[i] === 48 ? 0 : intEnd - i;
  if (intDigits > p - scale || intDigits + scale > 8) return -1;
  if (neg) out[o++] = 45;
  if (intDigits === 0) out[o++] = 48;
  else for (let q = i; q < intEnd; q++) out[o++] = b[q]!;
  if (scale > 0) {
    out[o++] = 46;
    for (let q = intEnd + 1; q < ve; q++) out[o++] = b[q]!;
    for (let z = frac; z < scale; z++) out[o++] = 48;
  }
  return o;
}

/**
 * `YYYY-MM-DD[T ]HH:MM:SS[.f+][Z|z]` into a datetime(fsp) field as column-types' fastDatetime
 * writes it; -1 for any other shape or an invalid date (the codec decides).
 */
function datetimeBytes(b: Buffer, vs: number, ve: number, out: Buffer, o: number, fsp: number): number {
  const n = ve - vs;
  if (n < 19 || n > 30) return -1;
  const sep = b[vs + 10];
  if (b[vs + 4] !== 45 || b[vs + 7] !== 45 || (sep !== 84 && sep !== 32) || b[vs + 13] !== 58 || b[vs + 16] !== 58) return -1;
  const y0 = b[vs]! - 48;
  const y1 = b[vs + 1]! - 48;
  const y2 = b[vs + 2]! - 48;
  const y3 = b[vs + 3]! - 48;
  const mo0 = b[vs + 5]! - 48;
  const mo1 = b[vs + 6]! - 48;
  const d0 = b[vs + 8]! - 48;
  const d1 = b[vs + 9]! - 48;
  const h0 = b[vs + 11]! - 48;
  const h1 = b[vs + 12]! - 48;
  const mi0 = b[vs + 14]! - 48;
  const mi1 = b[vs + 15]! - 48;
  const s0 = b[vs + 17]! - 48;
  const s1 = b[vs + 18]! - 48;
  if (
    y0 >>> 0 > 9 || y1 >>> 0 > 9 || y2 >>> 0 > 9 || y3 >>> 0 > 9 || mo0 >>> 0 > 9 || mo1 >>> 0 > 9 || d0 >>> 0 > 9 || d1 >>> 0 > 9 ||
    h0 >>> 0 > 9 || h1 >>> 0 > 9 || mi0 >>> 0 > 9 || mi1 >>> 0 > 9 || s0 >>> 0 > 9 || s1 >>> 0 > 9
  ) {
    return -1;
  }
  let end = 19;
  if (n > 19 && b[vs + 19] === 46) {
    end = 20;
    while (end < n && (b[vs + end]! - 48) >>> 0 <= 9) end++;
    if (end === 20) return -1;
  }
  const z = end === n - 1 && (b[vs + end] === 90 || b[vs + end] === 122);
  if (end !== n && !z) return -1;
  const y = ((y0 * 10 + y1) * 10 + y2) * 10 + y3;
  const mo = mo0 * 10 + mo1;
  const d = d0 * 10 + d1;
  if (!validDate(y, mo, d)) return -1;
  if (h0 * 10 + h1 > 23 || mi0 * 10 + mi1 > 59 || s0 * 10 + s1 > 59) return -1;
  const fracDigits = end > 19 ? end - 20 : 0;
  const keep = fsp === 0 ? 19 : fracDigits <= fsp ? end : 20 + fsp;
  for (let q = 0; q < 10; q++) out[o++] = b[vs + q]!;
  out[o++] = 32;
  for (let q = 11; q < keep; q++) out[o++] = b[vs + q]!;
  return o;
}

/** JSON text scanJson leaves to JSON.parse: escapes, and control characters (raw ones are invalid in strings). */
const ESCAPE_OR_CONTROL = /[\x00-\x1f\\]/;

/** Powers of ten as doubles, exact up to 10^22 (read from text, not computed). */
const POW10 = Array.from({ length: 23 }, (_v, k) => Number(`1e${k}`));

function clip(s: string): string {
  return s.length > MAX_REASON ? s.slice(0, MAX_REASON - 1) + '…' : s;
}
