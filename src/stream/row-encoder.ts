/**
 * Record text → validated TSV row (declared columns only) or a quarantine reason.
 * Reasons: `malformed_json: …`, `malformed_csv: …`, `missing_required: a, b`,
 * `bad_type: price expects decimal(12,2), got "abc"`. The hot path allocates one string per row.
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
  /** For CSV: declared column index → field index in the file (-1 when absent). */
  private csvMap: number[] | null = null;
  private csvWidth = 0;
  private csvHeaderError: string | null = null;

  constructor(columns: StreamColumn[]) {
    this.codecs = columns.map((c) => makeCodec(c));
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
    const codecs = this.codecs;
    let row = '';
    let missing: string[] | null = null;
    let bad: string | null = null;
    for (let i = 0; i < codecs.length; i++) {
      const c = codecs[i]!;
      let v = rec[c.name];
      if (typeof v === 'function') v = undefined; // inherited Object.prototype member, not data
      let f: string | undefined;
      if (v === undefined || v === null || v === '') {
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

function clip(s: string): string {
  return s.length > MAX_REASON ? s.slice(0, MAX_REASON - 1) + '…' : s;
}
