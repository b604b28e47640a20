/**
 * RFC 4180 record parsing (one record, already split by RecordReader; quoted fields may contain
 * newlines, commas and doubled quotes). An unquoted empty field is NULL; a quoted empty field
 * (`""`) is an empty string.
 */

/** Fills `out` with the record's fields; returns an error message or null. */
export function parseCsvRecord(s: string, out: Array<string | null>): string | null {
  out.length = 0;
  const len = s.length;
  if (s.indexOf('"') < 0) {
    let i = 0;
    for (;;) {
      const k = s.indexOf(',', i);
      const f = k < 0 ? s.slice(i) : s.slice(i, k);
      out.push(f === '' ? null : f);
      if (k < 0) return null;
      i = k + 1;
    }
  }
  let i = 0;
  for (;;) {
    if (s.charCodeAt(i) === 34 /* " */) {
      let j = i + 1;
      let val = '';
      for (;;) {
        const k = s.indexOf('"', j);
        if (k < 0) return 'unterminated quoted field';
        val += s.slice(j, k);
        if (s.charCodeAt(k + 1) === 34) {
          val += '"';
          j = k + 2;
          continue;
        }
        i = k + 1;
        break;
      }
      out.push(val);
      if (i >= len) return null;
      if (s.charCodeAt(i) !== 44 /* , */) {
        // tolerate a CR left before a newline inside the record end
        if (i === len - 1 && s.charCodeAt(i) === 13) return null;
        return `unexpected character after closing quote in field ${out.length}`;
      }
      i++;
      if (i >= len) {
        out.push(null);
        return null;
      }
    } else {
      const k = s.indexOf(',', i);
      const f = k < 0 ? s.slice(i) : s.slice(i, k);
      if (f.indexOf('"') >= 0) return `quote inside unquoted field ${out.length + 1}`;
      out.push(f === '' ? null : f);
      if (k < 0) return null;
      i = k + 1;
      if (i >= len) {
        out.push(null);
        return null;
      }
    }
  }
}

/** Quotes a value for CSV output when needed (used by tests and benchmarks). */
export function csvField(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) || s === '' ? `"${s.replace(/"/g, '""')}"` : s;
}
