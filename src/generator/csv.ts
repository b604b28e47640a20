/**
 * Minimal RFC 4180 CSV: a whole-file parser (quoted fields may span lines) for the catalog seed,
 * a single-line parser for classifying event lines, and a field encoder.
 */

export interface CsvRow {
  fields: string[];
  /** 1-based line number where the record starts. */
  line: number;
}

export class CsvSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
    this.name = 'CsvSyntaxError';
  }
}

/** Parses a whole CSV text. Blank lines are skipped. Throws CsvSyntaxError on broken quoting. */
export function parseCsv(text: string): CsvRow[] {
  const rows: CsvRow[] = [];
  let i = 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    const startLine = line;
    const fields: string[] = [];
    let field = '';
    let atFieldStart = true;
    let quoted = false;
    let endOfRecord = false;
    while (i < n && !endOfRecord) {
      const ch = text[i]!;
      if (quoted) {
        if (ch === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
          } else {
            quoted = false;
            i++;
            const next = text[i];
            if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
              throw new CsvSyntaxError(`unexpected character ${JSON.stringify(next)} after a closing quote`, line);
            }
          }
        } else {
          if (ch === '\n') line++;
          field += ch;
          i++;
        }
        continue;
      }
      if (ch === '"') {
        if (!atFieldStart) throw new CsvSyntaxError('a quote inside an unquoted field (quote the whole field and double inner quotes)', line);
        quoted = true;
        atFieldStart = false;
        i++;
      } else if (ch === ',') {
        fields.push(field);
        field = '';
        atFieldStart = true;
        i++;
      } else if (ch === '\n' || ch === '\r') {
        i += ch === '\r' && text[i + 1] === '\n' ? 2 : 1;
        line++;
        endOfRecord = true;
      } else {
        field += ch;
        atFieldStart = false;
        i++;
      }
    }
    if (quoted) throw new CsvSyntaxError('unterminated quoted field', startLine);
    fields.push(field);
    if (!(fields.length === 1 && fields[0] === '')) rows.push({ fields, line: startLine });
  }
  return rows;
}

/**
 * Parses one CSV record that must fit on one line. Returns null when the quoting is broken
 * (unterminated quote, text after a closing quote, a quote inside an unquoted field, a newline).
 */
export function parseCsvLine(line: string): string[] | null {
  if (line.indexOf('"') === -1) {
    if (line.indexOf('\n') !== -1 || line.indexOf('\r') !== -1) return null;
    return line.split(',');
  }
  try {
    if (line.indexOf('\n') !== -1 || line.indexOf('\r') !== -1) return null;
    const rows = parseCsv(line);
    return rows.length === 1 ? rows[0]!.fields : null;
  } catch {
    return null;
  }
}

/** Encodes one field: quoted (inner quotes doubled) only when it holds a comma, quote or line break. */
export function csvField(value: string): string {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 44 || c === 34 || c === 10 || c === 13) return `"${value.replace(/"/g, '""')}"`;
  }
  return value;
}
