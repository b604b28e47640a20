/** RFC 4180 CSV with a configurable delimiter: quoted fields may hold delimiters, quotes ("") and newlines. */
export interface CsvParseResult {
  header: string[];
  rows: string[][];
}

export class CsvError extends Error {
  constructor(message: string, readonly line: number) {
    super(message);
  }
}

export function parseCsvText(text: string, delimiter = ','): CsvParseResult {
  const records: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let fieldStarted = false;
  let line = 1;
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  for (let i = 0; i < src.length; i++) {
    const ch = src[i]!;
    if (quoted) {
      if (ch === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
      continue;
    }
    if (ch === '"' && !fieldStarted) {
      quoted = true;
      fieldStarted = true;
    } else if (ch === delimiter) {
      row.push(field);
      field = '';
      fieldStarted = false;
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && src[i + 1] === '\n') i++;
      row.push(field);
      if (!(row.length === 1 && row[0] === '')) records.push(row);
      row = [];
      field = '';
      fieldStarted = false;
      line++;
    } else {
      field += ch;
      fieldStarted = true;
    }
  }
  if (quoted) throw new CsvError('a quoted field is never closed (missing ")', line);
  if (fieldStarted || row.length) {
    row.push(field);
    records.push(row);
  }
  const [header, ...rows] = records;
  if (!header) return { header: [], rows: [] };
  return { header: header.map((h) => h.trim()), rows };
}
