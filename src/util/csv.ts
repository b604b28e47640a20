/**
 * CSV (RFC 4180), the one implementation: whole texts with line numbers (seeds, the product
 * catalog), single records (the stream loader, the event classifier) and the field encoder.
 * Quoted fields may hold delimiters, doubled quotes ("") and line breaks.
 */

export class CsvError extends Error {
  constructor(
    message: string,
    /** 1-based line of the problem (for an unclosed quote, where its record starts). */
    readonly line: number,
  ) {
    super(message);
    this.name = 'CsvError';
  }
}

export interface CsvRecord {
  fields: string[];
  /** 1-based line where the record starts. */
  line: number;
}

export interface CsvTextOptions {
  delimiter?: string;
  /**
   * Reject a quote inside an unquoted field and text after a closing quote. Off (seeds), they
   * are kept as text, as Python's csv module and so dbt seeds do.
   */
  strict?: boolean;
}

/** Parses a whole text (a leading BOM is dropped; blank lines are skipped). Throws CsvError. */
export function parseCsvRecords(text: string, options: CsvTextOptions = {}): CsvRecord[] {
  const delimiter = options.delimiter ?? ',';
  // a delimiter that is not one character never matches (as always: such a seed is one column)
  const delim = delimiter.length === 1 ? delimiter.charCodeAt(0) : -1;
  const strict = options.strict ?? false;
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const n = src.length;
  const records: CsvRecord[] = [];
  let row: string[] = [];
  let line = 1;
  let recordLine = 1;
  let i = 0;
  // One field per turn: an optional quoted part at its start, then unquoted text up to a
  // delimiter or line break; runs are sliced, not copied a character at a time (large seeds).
  for (;;) {
    if (i >= n && row.length === 0) break;
    let field = '';
    if (src.charCodeAt(i) === 34 /* " */) {
      let j = i + 1;
      for (;;) {
        const k = src.indexOf('"', j);
        if (k < 0) throw new CsvError('unterminated quoted field', recordLine);
        for (let nl = src.indexOf('\n', j); nl >= 0 && nl < k; nl = src.indexOf('\n', nl + 1)) line++;
        field += src.slice(j, k);
        if (src.charCodeAt(k + 1) === 34) {
          field += '"';
          j = k + 2;
          continue;
        }
        i = k + 1;
        break;
      }
      if (strict && i < n) {
        const c = src.charCodeAt(i);
        if (c !== delim && c !== 10 && c !== 13) throw new CsvError(`unexpected character ${JSON.stringify(src[i])} after a closing quote`, line);
      }
    }
    let j = i;
    for (; j < n; j++) {
      const c = src.charCodeAt(j);
      if (c === delim || c === 10 || c === 13) break;
      if (c === 34 && strict) throw new CsvError('a quote inside an unquoted field (quote the whole field and double inner quotes)', line);
    }
    if (j > i) field += src.slice(i, j);
    row.push(field);
    i = j;
    if (i < n && src.charCodeAt(i) === delim) {
      i++;
      continue;
    }
    // end of the record: a line break (CRLF, LF or a lone CR) or the end of the text
    if (!(row.length === 1 && row[0] === '')) records.push({ fields: row, line: recordLine });
    if (i >= n) break;
    i += src.charCodeAt(i) === 13 && src.charCodeAt(i + 1) === 10 ? 2 : 1;
    line++;
    recordLine = line;
    row = [];
  }
  return records;
}

export interface CsvParseResult {
  /** Trimmed column names. */
  header: string[];
  rows: string[][];
  /** 1-based line where each row starts (blank lines and quoted line breaks make it differ from its index) */
  rowLines: number[];
}

/** A whole text as a header and rows (lenient quoting, see CsvTextOptions.strict). Throws CsvError. */
export function parseCsvText(text: string, delimiter = ','): CsvParseResult {
  const [header, ...rows] = parseCsvRecords(text, { delimiter });
  if (!header) return { header: [], rows: [], rowLines: [] };
  return { header: header.fields.map((h) => h.trim()), rows: rows.map((r) => r.fields), rowLines: rows.map((r) => r.line) };
}

/**
 * Parses one comma-separated record (its line breaks are data: the caller has split records).
 * Fills `out` and returns an error message, or null when the record is valid. An unquoted empty
 * field is NULL; a quoted empty field (`""`) is the empty string. The stream loader's hot path:
 * measure before changing it.
 */
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

/**
 * Encodes one field so that parseCsvRecord reads it back: null → an empty field (NULL), the
 * empty string → `""`, and a value holding a comma, quote or line break is quoted.
 */
export function csvField(value: string | null): string {
  if (value === null) return '';
  if (value === '') return '""';
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 44 || c === 34 || c === 10 || c === 13) return `"${value.replace(/"/g, '""')}"`;
  }
  return value;
}
