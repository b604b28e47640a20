/** Column types for a CSV seed, inferred from its values (as dbt's agate inference does). */
const INT = /^[-+]?\d+$/;
const DEC = /^[-+]?\d*\.\d+$/;
const BOOL = /^(true|false)$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.(\d{1,6}))?)?(Z|[+-]00:?00)?$/;

const BIGINT_MAX = 9223372036854775807n;

/** A CSV value dbt loads as NULL: empty, or null in any case (its agate null_values). */
export const isNullValue = (v: string): boolean => v === '' || (v.length === 4 && v.toLowerCase() === 'null');

/** Digits of an integer part, leading zeros and sign left out (at least 1). */
function intDigitsOf(v: string, end: number): number {
  let i = v[0] === '-' || v[0] === '+' ? 1 : 0;
  while (i < end - 1 && v.charCodeAt(i) === 48) i++;
  return Math.max(1, end - i);
}

export function inferColumnType(values: Iterable<string>): string {
  let n = 0;
  let isInt = true;
  let isDec = true;
  let isBool = true;
  let isDate = true;
  let isDatetime = true;
  let maxLen = 0;
  let bigInt = false;
  let intDigits = 1;
  let scale = 0;
  let fsp = 0;
  for (const v of values) {
    if (isNullValue(v)) continue;
    n++;
    // characters, not UTF-16 units; counted only when it can matter (≤ 255 units is ≤ 255 characters)
    if (v.length > maxLen) maxLen = Math.max(maxLen, v.length > 255 ? [...v].length : v.length);
    if (isInt || isDec) {
      const intLike = INT.test(v);
      if (isInt) {
        if (!intLike) isInt = false;
        else if (v.length > 9 && (Number(v) > 2147483647 || Number(v) < -2147483648)) {
          // beyond BIGINT: a DECIMAL(n,0) holds it
          if (BigInt(v) > BIGINT_MAX || BigInt(v) < -BIGINT_MAX - 1n) isInt = false;
          else bigInt = true;
        }
      }
      if (isDec && !intLike && !DEC.test(v)) isDec = false;
      if (isDec) {
        const dot = v.indexOf('.');
        intDigits = Math.max(intDigits, intDigitsOf(v, dot < 0 ? v.length : dot));
        if (dot >= 0) scale = Math.max(scale, v.length - dot - 1);
      }
    }
    if (isBool && !BOOL.test(v)) isBool = false;
    if (isDate && !DATE.test(v)) isDate = false;
    if (isDatetime) {
      const m = DATETIME.exec(v);
      if (!m) isDatetime = false;
      else fsp = Math.max(fsp, m[3]?.length ?? 0);
    }
  }
  if (n === 0) return 'varchar(255)';
  if (isBool) return 'boolean';
  if (isInt) return bigInt ? 'bigint' : 'int';
  if (isDec) return `decimal(${Math.min(65, intDigits + scale)},${Math.min(30, scale)})`;
  if (isDate) return 'date';
  if (isDatetime) return fsp ? `datetime(${fsp})` : 'datetime';
  if (maxLen <= 255) return 'varchar(255)';
  if (maxLen <= 1024) return 'varchar(1024)';
  return 'text';
}

const NEEDS_ESCAPE = /[\\\t\n\r]/;

/** A CSV value in the form LOAD DATA's tab-separated input expects (\N for NULL). */
export function toTsvField(v: string, type: string): string {
  if (isNullValue(v)) return '\\N';
  let out = v;
  if (type === 'boolean') out = /^true$/i.test(v) ? '1' : '0';
  else if (type.startsWith('datetime') || type.startsWith('timestamp')) out = v.replace('T', ' ').replace(/(Z|[+-]00:?00)$/, '');
  if (!NEEDS_ESCAPE.test(out)) return out;
  return out.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}
