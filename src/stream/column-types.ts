/**
 * Declared MySQL column types → codecs that check a value arriving in a record and turn it
 * into a field of the TSV stream sent to `LOAD DATA LOCAL INFILE`.
 *
 * A codec's `encode` receives a non-null value (a JSON value for NDJSON, a string for CSV) and
 * returns the escaped TSV field, or `undefined` when the value does not fit the declared type.
 * Values are normalised so that both MariaDB and MySQL 8 store them without a warning:
 * ISO-8601 timestamps become `YYYY-MM-DD HH:MM:SS.ffffff` in UTC (fractional seconds truncated
 * to the column's precision), decimals are rounded half-up to the column's scale.
 */
import { StreamLoadError } from './stream-errors.js';
import type { StreamColumn } from './types.js';

export const TSV_NULL = '\\N';

export interface ColumnCodec {
  readonly name: string;
  readonly dataType: string;
  readonly required: boolean;
  /** Character/binary types keep an empty string as a value; other types read it as NULL. */
  readonly keepsEmpty: boolean;
  /**
   * `clean`: v is a string known to hold no character TSV escapes (tab, newline, CR, backslash,
   * NUL), as NDJSON strings without escapes or control characters are: it is not scanned again.
   */
  encode(v: unknown, clean?: boolean): string | undefined;
  /**
   * What RowEncoder's byte path may do itself for this type (the same output as `encode`):
   * FAST_CHAR / FAST_BYTES copy an ASCII string of at most `fastMax` characters, FAST_INT a
   * plain JSON integer within [fastMin, fastMax], FAST_DECIMAL a plain JSON decimal (precision
   * fastMax, scale fastScale), FAST_DATETIME a `YYYY-MM-DD[T ]HH:MM:SS[.f][Z]` string (fsp
   * fastScale). FAST_NONE: every value goes through `encode`.
   */
  readonly fast: number;
  readonly fastMin: number;
  readonly fastMax: number;
  readonly fastScale: number;
  readonly fastUnsigned: boolean;
}

export const FAST_NONE = 0;
export const FAST_CHAR = 1;
export const FAST_BYTES = 2;
export const FAST_INT = 3;
export const FAST_DECIMAL = 4;
export const FAST_DATETIME = 5;

const TSV_SPECIAL = /[\t\n\r\\\0]/;
const TSV_SPECIAL_G = /[\t\n\r\\\0]/g;
const TSV_ESCAPES: Record<string, string> = { '\t': '\\t', '\n': '\\n', '\r': '\\r', '\\': '\\\\', '\0': '\\0' };

/** Escapes a value for LOAD DATA's default `FIELDS ESCAPED BY '\\'` TSV format. */
export function tsvEscape(s: string): string {
  return TSV_SPECIAL.test(s) ? s.replace(TSV_SPECIAL_G, (c) => TSV_ESCAPES[c]!) : s;
}

/** Inverse of tsvEscape for one field (`\N` → null). */
export function tsvUnescape(s: string): string | null {
  if (s === TSV_NULL) return null;
  if (s.indexOf('\\') < 0) return s;
  return s.replace(/\\(.)/g, (_m, c: string) => (c === 't' ? '\t' : c === 'n' ? '\n' : c === 'r' ? '\r' : c === '0' ? '\0' : c));
}

/** Allowed shape of a declared type (it is copied into CREATE TABLE). */
const SAFE_TYPE = /^[a-z][a-z0-9_ ]*(\([^;`\\]*\))?[a-z0-9_ ]*$/i;

export interface ParsedType {
  base: string;
  args: string[];
  unsigned: boolean;
  raw: string;
}

export function parseDataType(dataType: string, column: string): ParsedType {
  const raw = dataType.trim();
  if (!raw || !SAFE_TYPE.test(raw) || /--|\/\*/.test(raw)) {
    throw new StreamLoadError(
      `column "${column}": data_type "${dataType}" is not a MySQL column type ft can use (expected e.g. varchar(64), int, decimal(12,2), datetime(3)).`,
    );
  }
  const unquoted = raw.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"/g, "''");
  if (/\b(not|null|default|primary|key|unique|references|check|auto_increment|generated|comment|collate|character)\b/i.test(unquoted)) {
    throw new StreamLoadError(
      `column "${column}": data_type "${dataType}" must be just a type (e.g. varchar(64)); bronze columns are always NULLable and \`required: true\` is checked at load time.`,
    );
  }
  const m = /^([a-z][a-z0-9_]*)\s*(?:\((.*)\))?\s*(.*)$/i.exec(raw)!;
  const base = m[1]!.toLowerCase();
  const args = m[2] !== undefined ? splitArgs(m[2]) : [];
  const rest = (m[3] ?? '').toLowerCase();
  return { base, args, unsigned: /\bunsigned\b/.test(rest), raw };
}

function splitArgs(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let q: string | null = null;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (q) {
      if (c === q && s[i + 1] === q) {
        cur += c;
        i++;
      } else if (c === q) q = null;
      else cur += c;
    } else if (c === "'" || c === '"') q = c;
    else if (c === ',') {
      out.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  out.push(cur.trim());
  return out;
}

const INT_RANGES: Record<string, [bigint, bigint, bigint]> = {
  // signed min, signed max, unsigned max
  tinyint: [-128n, 127n, 255n],
  smallint: [-32768n, 32767n, 65535n],
  mediumint: [-8388608n, 8388607n, 16777215n],
  int: [-2147483648n, 2147483647n, 4294967295n],
  integer: [-2147483648n, 2147483647n, 4294967295n],
  bigint: [-9223372036854775808n, 9223372036854775807n, 18446744073709551615n],
};

const TEXT_BYTES: Record<string, number> = {
  tinytext: 255,
  text: 65535,
  mediumtext: 16777215,
  longtext: 4294967295,
  tinyblob: 255,
  blob: 65535,
  mediumblob: 16777215,
  longblob: 4294967295,
};

export function makeCodec(col: StreamColumn): ColumnCodec {
  const t = parseDataType(col.dataType, col.name);
  const base = t.base;
  let fast = FAST_NONE;
  let fastMin = 0;
  let fastMax = 0;
  let fastScale = 0;
  const mk = (keepsEmpty: boolean, encode: (v: unknown, clean?: boolean) => string | undefined): ColumnCodec => ({
    name: col.name,
    dataType: col.dataType,
    required: col.required,
    keepsEmpty,
    encode,
    fast,
    fastMin,
    fastMax,
    fastScale,
    fastUnsigned: t.unsigned,
  });

  if ((base === 'tinyint' && t.args[0] === '1') || base === 'bool' || base === 'boolean') return mk(false, encodeBool);
  if (base in INT_RANGES) {
    const [min, max, umax] = INT_RANGES[base]!;
    fast = FAST_INT;
    fastMin = Number(t.unsigned ? 0n : min);
    fastMax = Number(t.unsigned ? umax : max);
    return mk(false, intEncoder(t.unsigned ? 0n : min, t.unsigned ? umax : max));
  }
  if (base === 'decimal' || base === 'numeric' || base === 'dec' || base === 'fixed') {
    const p = t.args[0] ? Number(t.args[0]) : 10;
    const s = t.args[1] ? Number(t.args[1]) : 0;
    if (Number.isInteger(p) && Number.isInteger(s) && s >= 0 && s <= 8 && p >= s) {
      fast = FAST_DECIMAL;
      fastMax = p;
      fastScale = s;
    }
    return mk(false, decimalEncoder(p, s, t.unsigned));
  }
  if (base === 'float' || base === 'double' || base === 'real') {
    return mk(false, floatEncoder(base === 'float' && !(t.args[0] && Number(t.args[0]) > 24) ? 3.4028234e38 : Number.MAX_VALUE, t.unsigned));
  }
  if (base === 'datetime' || base === 'timestamp') {
    const fsp = t.args[0] ? Number(t.args[0]) : 0;
    if (base === 'datetime') {
      fast = FAST_DATETIME;
      fastScale = Math.min(6, Math.max(0, fsp));
      if (!Number.isInteger(fastScale)) fast = FAST_NONE;
    }
    return mk(false, datetimeEncoder(fsp, base === 'timestamp'));
  }
  if (base === 'date') return mk(false, encodeDate);
  if (base === 'time') {
    const fsp = t.args[0] ? Number(t.args[0]) : 0;
    return mk(false, timeEncoder(fsp));
  }
  if (base === 'year') return mk(false, encodeYear);
  if (base === 'varchar' || base === 'char' || base === 'nvarchar' || base === 'nchar') {
    const n = t.args[0] ? Number(t.args[0]) : base.endsWith('char') && base.length <= 5 ? 1 : 255;
    fast = FAST_CHAR;
    fastMax = n;
    return mk(true, charEncoder(n));
  }
  if (base === 'binary' || base === 'varbinary') {
    const n = t.args[0] ? Number(t.args[0]) : 1;
    return mk(true, bytesEncoder(n));
  }
  if (base in TEXT_BYTES) {
    fast = FAST_BYTES;
    fastMax = TEXT_BYTES[base]!;
    return mk(true, bytesEncoder(TEXT_BYTES[base]!));
  }
  if (base === 'enum') return mk(false, enumEncoder(t.args));
  if (base === 'set') return mk(true, setEncoder(t.args));
  if (base === 'json') return mk(false, encodeJson);
  // Any other type (bit, geometry, uuid, inet…): pass the value through; the server checks it.
  return mk(true, encodeAny);
}

// ---------------------------------------------------------------- numbers

const INT_RE = /^[+-]?\d+(?:\.0*)?$/;

function intEncoder(min: bigint, max: bigint): (v: unknown) => string | undefined {
  const minN = Number(min);
  const maxN = Number(max);
  const small = maxN < 2 ** 53 && minN > -(2 ** 53);
  return (v) => {
    if (typeof v === 'number') {
      if (!Number.isInteger(v)) return undefined;
      if (small || Number.isSafeInteger(v)) return v >= minN && v <= maxN ? String(v) : undefined;
      const b = BigInt(v);
      return b >= min && b <= max ? b.toString() : undefined;
    }
    if (typeof v !== 'string') return undefined;
    const n = v.length;
    if (n > 0 && n <= 9) {
      let i = v.charCodeAt(0) === 45 ? 1 : 0;
      let x = 0;
      let c = 0;
      while (i < n && (c = v.charCodeAt(i)) >= 48 && c <= 57) {
        x = x * 10 + c - 48;
        i++;
      }
      if (i === n && c >= 48 && c <= 57) {
        if (v.charCodeAt(0) === 45) x = -x;
        return x >= minN && x <= maxN ? v : undefined;
      }
    }
    let s = v;
    if (!INT_RE.test(s)) {
      s = s.trim();
      if (!INT_RE.test(s)) return undefined;
    }
    const dot = s.indexOf('.');
    if (dot >= 0) s = s.slice(0, dot);
    if (s.charCodeAt(0) === 43 /* + */) s = s.slice(1);
    if (s.length <= 15) {
      const n = Number(s);
      return n >= minN && n <= maxN ? s : undefined;
    }
    const b = BigInt(s);
    return b >= min && b <= max ? b.toString() : undefined;
  };
}

const DEC_RE = /^([+-]?)(\d*)(?:\.(\d*))?$/;
const FLOAT_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function decimalEncoder(p: number, s: number, unsigned: boolean): (v: unknown) => string | undefined {
  const maxInt = p - s;
  const pow = 10 ** s;
  const limit = 10 ** p;
  return (v) => {
    let str: string;
    if (typeof v === 'string') {
      if (plainDecimal(v, maxInt, s, unsigned)) return v;
    } else if (typeof v === 'number') {
      // a double with at most `s` decimals (the usual price): format its scaled integer
      const scaled = v * pow;
      const r = Math.round(scaled);
      if (Math.abs(scaled - r) < 1e-6 && Math.abs(r) < limit && Math.abs(r) < 2 ** 52 && !(unsigned && r < 0)) {
        if (s === 0) return String(r);
        const neg = r < 0;
        const digits = String(neg ? -r : r).padStart(s + 1, '0');
        return (neg ? '-' : '') + digits.slice(0, digits.length - s) + '.' + digits.slice(digits.length - s);
      }
      const t = String(v);
      if (plainDecimal(t, maxInt, s, unsigned)) return t;
    }
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return undefined;
      str = String(v);
      if (str.includes('e')) {
        if (Math.abs(v) >= 1e21) return undefined;
        str = v.toFixed(Math.min(100, Math.max(s, 20)));
      }
    } else if (typeof v === 'string') {
      str = v.trim();
      if (/[eE]/.test(str)) {
        if (!FLOAT_RE.test(str)) return undefined;
        const n = Number(str);
        if (!Number.isFinite(n) || Math.abs(n) >= 1e21) return undefined;
        str = n.toFixed(Math.min(100, Math.max(s, 20)));
      }
    } else return undefined;
    const m = DEC_RE.exec(str);
    if (!m) return undefined;
    const neg = m[1] === '-';
    let ip = m[2]!;
    let fp = m[3] ?? '';
    if (ip.length === 0 && fp.length === 0) return undefined;
    if (fp.length > s) {
      const roundUp = fp.charCodeAt(s) >= 53; /* '5' */
      fp = fp.slice(0, s);
      if (roundUp) {
        const digits = incrementDigits((ip || '0') + fp);
        ip = digits.slice(0, digits.length - s);
        fp = digits.slice(digits.length - s);
      }
    }
    let i = 0;
    while (i < ip.length - 1 && ip.charCodeAt(i) === 48) i++;
    ip = ip.slice(i) || '0';
    if (ip !== '0' && ip.length > maxInt) return undefined;
    if (maxInt === 0 && ip !== '0') return undefined;
    const isZero = ip === '0' && !/[1-9]/.test(fp);
    if (neg && unsigned && !isZero) return undefined;
    return (neg && !isZero ? '-' : '') + ip + (s > 0 ? '.' + fp.padEnd(s, '0') : '');
  };
}

/** `[-]digits[.digits]` already within precision/scale, no leading zeros: usable as is. */
function plainDecimal(str: string, maxInt: number, scale: number, unsigned: boolean): boolean {
  const n = str.length;
  let i = 0;
  let c = str.charCodeAt(0);
  if (c === 45 /* - */) {
    if (unsigned) return false;
    i = 1;
  }
  const intStart = i;
  while (i < n && (c = str.charCodeAt(i)) >= 48 && c <= 57) i++;
  const intLen = i - intStart;
  if (intLen === 0 || intLen > maxInt || (intLen > 1 && str.charCodeAt(intStart) === 48)) return false;
  if (i === n) return true;
  if (c !== 46 /* . */) return false;
  const fracStart = ++i;
  while (i < n && (c = str.charCodeAt(i)) >= 48 && c <= 57) i++;
  return i === n && i - fracStart <= scale && i > fracStart;
}

function incrementDigits(d: string): string {
  const a = d.split('');
  let i = a.length - 1;
  while (i >= 0) {
    if (a[i] === '9') {
      a[i] = '0';
      i--;
    } else {
      a[i] = String.fromCharCode(a[i]!.charCodeAt(0) + 1);
      return a.join('');
    }
  }
  return '1' + a.join('');
}

function floatEncoder(maxAbs: number, unsigned: boolean): (v: unknown) => string | undefined {
  return (v) => {
    let n: number;
    let out: string;
    if (typeof v === 'number') {
      n = v;
      out = String(v);
    } else if (typeof v === 'string') {
      out = v.trim();
      if (!FLOAT_RE.test(out)) return undefined;
      n = Number(out);
    } else return undefined;
    if (!Number.isFinite(n) || Math.abs(n) > maxAbs) return undefined;
    if (unsigned && n < 0) return undefined;
    return out;
  };
}

function encodeBool(v: unknown): string | undefined {
  if (v === true) return '1';
  if (v === false) return '0';
  if (typeof v === 'number') return v === 1 ? '1' : v === 0 ? '0' : undefined;
  if (typeof v !== 'string') return undefined;
  switch (v.trim().toLowerCase()) {
    case '1':
    case 'true':
    case 't':
    case 'yes':
    case 'y':
      return '1';
    case '0':
    case 'false':
    case 'f':
    case 'no':
    case 'n':
      return '0';
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------- dates and times

const DT_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** A calendar date that exists (year 1 on); the text and the byte paths both ask this. */
export function validDate(y: number, mo: number, d: number): boolean {
  if (y < 1 || mo < 1 || mo > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return d <= (mo === 2 && leap ? 29 : DAYS[mo - 1]!);
}

const pad2 = (n: number) => (n < 10 ? '0' : '') + n;
const pad4 = (n: number) => String(n).padStart(4, '0');

const isDigit = (s: string, i: number) => {
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57;
};

/**
 * Fast path for `YYYY-MM-DD[T ]HH:MM:SS[.fff][Z]` (what producers write): null when the
 * text has another shape (the general parser then decides), undefined when it is invalid.
 */
function fastDatetime(s: string, fsp: number): string | undefined | null {
  const n = s.length;
  if (n < 19 || n > 30) return null;
  const sep = s.charCodeAt(10);
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || (sep !== 84 && sep !== 32) || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return null;
  // digit values: a non-digit is outside 0-9 (negative ones too, as unsigned)
  const y0 = s.charCodeAt(0) - 48;
  const y1 = s.charCodeAt(1) - 48;
  const y2 = s.charCodeAt(2) - 48;
  const y3 = s.charCodeAt(3) - 48;
  const mo0 = s.charCodeAt(5) - 48;
  const mo1 = s.charCodeAt(6) - 48;
  const d0 = s.charCodeAt(8) - 48;
  const d1 = s.charCodeAt(9) - 48;
  const h0 = s.charCodeAt(11) - 48;
  const h1 = s.charCodeAt(12) - 48;
  const mi0 = s.charCodeAt(14) - 48;
  const mi1 = s.charCodeAt(15) - 48;
  const s0 = s.charCodeAt(17) - 48;
  const s1 = s.charCodeAt(18) - 48;
  if (
    y0 >>> 0 > 9 || y1 >>> 0 > 9 || y2 >>> 0 > 9 || y3 >>> 0 > 9 || mo0 >>> 0 > 9 || mo1 >>> 0 > 9 || d0 >>> 0 > 9 || d1 >>> 0 > 9 ||
    h0 >>> 0 > 9 || h1 >>> 0 > 9 || mi0 >>> 0 > 9 || mi1 >>> 0 > 9 || s0 >>> 0 > 9 || s1 >>> 0 > 9
  ) {
    return null;
  }
  let end = 19;
  if (n > 19 && s.charCodeAt(19) === 46) {
    end = 20;
    while (end < n && isDigit(s, end)) end++;
    if (end === 20) return null;
  }
  const z = end === n - 1 && (s.charCodeAt(end) === 90 || s.charCodeAt(end) === 122);
  if (end !== n && !z) return null;
  const y = ((y0 * 10 + y1) * 10 + y2) * 10 + y3;
  if (!validDate(y, mo0 * 10 + mo1, d0 * 10 + d1) || h0 * 10 + h1 > 23 || mi0 * 10 + mi1 > 59 || s0 * 10 + s1 > 59) return undefined;
  const fracDigits = end > 19 ? end - 20 : 0;
  if (sep === 32 && !z && fracDigits <= fsp) return s;
  const keep = fsp === 0 ? 19 : fracDigits <= fsp ? end : 20 + fsp;
  return s.slice(0, 10) + ' ' + s.slice(11, keep);
}

/** Parses an ISO-8601 / MySQL datetime and renders it as UTC `YYYY-MM-DD HH:MM:SS[.f]`; undefined if invalid. */
export function toMysqlDatetime(s: string, fsp: number): string | undefined {
  const f = fastDatetime(s, fsp);
  if (f !== null) return f;
  const m = DT_RE.exec(s);
  if (!m) return undefined;
  let y = +m[1]!;
  let mo = +m[2]!;
  let d = +m[3]!;
  let h = m[4] ? +m[4] : 0;
  let mi = m[5] ? +m[5] : 0;
  let sec = m[6] ? +m[6] : 0;
  if (!validDate(y, mo, d) || h > 23 || mi > 59 || sec > 59) return undefined;
  const frac = fsp > 0 && m[7] ? m[7].slice(0, fsp) : '';
  const zone = m[8];
  if (zone && zone !== 'Z' && zone !== 'z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const oh = +digits.slice(0, 2);
    const om = digits.length > 2 ? +digits.slice(2, 4) : 0;
    if (oh > 18 || om > 59) return undefined;
    const t = new Date(0);
    t.setUTCFullYear(y, mo - 1, d);
    t.setUTCHours(h, mi - sign * (oh * 60 + om), sec, 0);
    y = t.getUTCFullYear();
    mo = t.getUTCMonth() + 1;
    d = t.getUTCDate();
    h = t.getUTCHours();
    mi = t.getUTCMinutes();
    sec = t.getUTCSeconds();
    if (y < 1 || y > 9999) return undefined;
    return `${pad4(y)}-${pad2(mo)}-${pad2(d)} ${pad2(h)}:${pad2(mi)}:${pad2(sec)}${frac ? '.' + frac : ''}`;
  }
  if (m[4]) return `${m[1]}-${m[2]}-${m[3]} ${m[4]}:${m[5]}:${m[6] ?? '00'}${frac ? '.' + frac : ''}`;
  return `${m[1]}-${m[2]}-${m[3]} 00:00:00${frac ? '.' + frac : ''}`;
}

function datetimeEncoder(fsp: number, isTimestamp: boolean): (v: unknown) => string | undefined {
  return (v) => {
    if (typeof v !== 'string') return undefined;
    const p = Math.min(6, Math.max(0, fsp));
    let out = toMysqlDatetime(v, p);
    if (out === undefined && v.trim() !== v) out = toMysqlDatetime(v.trim(), p);
    if (out === undefined) return undefined;
    if (isTimestamp && (out < '1970-01-01 00:00:01' || out > '2038-01-19 03:14:07.999999')) return undefined;
    return out;
  };
}

function encodeDate(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m || !validDate(+m[1]!, +m[2]!, +m[3]!)) return undefined;
  return s;
}

function timeEncoder(fsp: number): (v: unknown) => string | undefined {
  return (v) => {
    if (typeof v !== 'string') return undefined;
    const m = /^(-?)(\d{1,3}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?$/.exec(v.trim());
    if (!m || +m[2]! > 838 || +m[3]! > 59 || (m[4] !== undefined && +m[4] > 59)) return undefined;
    const frac = fsp > 0 && m[5] ? '.' + m[5].slice(0, fsp) : '';
    return `${m[1]}${m[2]}:${m[3]}:${m[4] ?? '00'}${frac}`;
  };
}

function encodeYear(v: unknown): string | undefined {
  const s = typeof v === 'number' ? String(v) : typeof v === 'string' ? v.trim() : '';
  if (!/^\d{4}$/.test(s)) return undefined;
  const n = +s;
  return n === 0 || (n >= 1901 && n <= 2155) ? s : undefined;
}

// ---------------------------------------------------------------- strings

function primitiveString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : undefined;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return undefined;
}

function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

function charEncoder(n: number): (v: unknown, clean?: boolean) => string | undefined {
  return (v, clean) => {
    if (clean === true && typeof v === 'string') return v.length > n && codePoints(v) > n ? undefined : v;
    const s = primitiveString(v);
    if (s === undefined) return undefined;
    if (s.length > n && codePoints(s) > n) return undefined;
    return tsvEscape(s);
  };
}

function bytesEncoder(maxBytes: number): (v: unknown, clean?: boolean) => string | undefined {
  return (v, clean) => {
    const s = primitiveString(v);
    if (s === undefined) return undefined;
    if (s.length * 3 > maxBytes && Buffer.byteLength(s) > maxBytes) return undefined;
    return clean === true ? s : tsvEscape(s);
  };
}

function enumEncoder(values: string[]): (v: unknown) => string | undefined {
  const byLower = new Map(values.map((x) => [x.toLowerCase(), x]));
  return (v) => {
    const s = primitiveString(v);
    if (s === undefined) return undefined;
    const hit = byLower.get(s.toLowerCase());
    return hit === undefined ? undefined : tsvEscape(hit);
  };
}

function setEncoder(values: string[]): (v: unknown) => string | undefined {
  const byLower = new Map(values.map((x) => [x.toLowerCase(), x]));
  return (v) => {
    const s = Array.isArray(v) ? v.map(String).join(',') : primitiveString(v);
    if (s === undefined) return undefined;
    if (s === '') return '';
    const parts: string[] = [];
    for (const p of s.split(',')) {
      const hit = byLower.get(p.toLowerCase());
      if (hit === undefined) return undefined;
      parts.push(hit);
    }
    return tsvEscape(parts.join(','));
  };
}

function encodeJson(v: unknown): string | undefined {
  if (typeof v === 'string') {
    // CSV delivers JSON as text; NDJSON strings are JSON string values. Text that parses as
    // JSON is stored as is, anything else as a JSON string.
    const t = v.trim();
    if (t && '{["'.includes(t[0]!)) {
      try {
        JSON.parse(t);
        return tsvEscape(t);
      } catch {
        /* fall through: store as a JSON string */
      }
    }
    return tsvEscape(JSON.stringify(v));
  }
  const out = JSON.stringify(v);
  return out === undefined ? undefined : tsvEscape(out);
}

function encodeAny(v: unknown): string | undefined {
  const s = primitiveString(v);
  if (s !== undefined) return tsvEscape(s);
  const j = JSON.stringify(v);
  return j === undefined ? undefined : tsvEscape(j);
}
