/** Column types for a CSV seed, inferred from its values (as dbt's agate inference does). */
const INT = /^[-+]?\d+$/;
const DEC = /^[-+]?\d*\.\d+$/;
const BOOL = /^(true|false)$/i;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.(\d{1,6}))?)?(Z|[+-]00:?00)?$/;

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
    if (v === '') continue;
    n++;
    maxLen = Math.max(maxLen, [...v].length);
    if (isInt && !INT.test(v)) isInt = false;
    else if (isInt && Math.abs(Number(v)) > 2147483647) bigInt = true;
    if (isDec && !INT.test(v) && !DEC.test(v)) isDec = false;
    if (isDec) {
      const [i, f = ''] = v.replace(/^[-+]/, '').split('.');
      intDigits = Math.max(intDigits, (i ?? '').replace(/^0+(?=\d)/, '').length || 1);
      scale = Math.max(scale, f.length);
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

/** A CSV value in the form LOAD DATA's tab-separated input expects (\N for NULL). */
export function toTsvField(v: string, type: string): string {
  if (v === '') return '\\N';
  let out = v;
  if (type === 'boolean') out = /^true$/i.test(v) ? '1' : '0';
  else if (type.startsWith('datetime') || type.startsWith('timestamp')) out = v.replace('T', ' ').replace(/(Z|[+-]00:?00)$/, '');
  return out.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}
