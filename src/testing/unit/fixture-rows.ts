// The rows of a unit test's `given` or `expect`: a YAML list of mappings, CSV text (inline or a
// file under <test path>/fixtures/), or SQL (inline or a fixture .sql file).
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Project } from '../../project/project.js';
import { CsvError, parseCsvText } from '../../util/csv.js';
import { FtError } from '../../util/errors.js';
import type { FixtureSpec } from './unit-test-spec.js';

export type Row = Record<string, unknown>;

/** Rows with their columns (in order of first appearance), or a query that returns them. */
export type LoadedFixture = { kind: 'rows'; columns: string[]; rows: Row[] } | { kind: 'sql'; sql: string };

/** Where a fixture file is: the first of <test path>/fixtures/<name>(.<format>) that exists. */
function fixtureFile(project: Pick<Project, 'root' | 'config'>, name: string, format: 'csv' | 'sql', what: string, file: string, line: number): string {
  const names = name.endsWith(`.${format}`) ? [name] : [`${name}.${format}`, name];
  const tried: string[] = [];
  for (const dir of project.config.testPaths) {
    for (const n of names) {
      const rel = join(dir, 'fixtures', n);
      tried.push(rel);
      if (existsSync(resolve(project.root, rel))) return resolve(project.root, rel);
    }
  }
  throw new FtError(`${what}: fixture "${name}" not found (looked for ${tried.join(', ')}). Create the file or fix fixture:.`, 2, file, line);
}

/** A CSV cell as a value: an empty cell or the word null is NULL (CSV has no other way to say it). */
const csvValue = (v: string): unknown => (v === '' || v.toLowerCase() === 'null' ? null : v);

/** Reads the rows a fixture spec gives; `what` names it in messages ("unit test t, input ref('x')"). */
export function loadFixture(project: Pick<Project, 'root' | 'config'>, spec: FixtureSpec, what: string, file: string): LoadedFixture {
  if (spec.format === 'sql') {
    const sql = spec.fixture ? readFileSync(fixtureFile(project, spec.fixture, 'sql', what, file, spec.line), 'utf8') : String(spec.rows ?? '');
    const body = sql.trim().replace(/;\s*$/, '');
    if (!body) throw new FtError(`${what}: format: sql needs a SELECT returning the rows (in rows: or a fixture file).`, 2, file, spec.line);
    return { kind: 'sql', sql: body };
  }
  if (spec.format === 'csv') {
    const path = spec.fixture ? fixtureFile(project, spec.fixture, 'csv', what, file, spec.line) : undefined;
    const text = path ? readFileSync(path, 'utf8') : String(spec.rows ?? '');
    let parsed: ReturnType<typeof parseCsvText>;
    try {
      parsed = parseCsvText(text.replace(/^\s*\n/, ''));
    } catch (e) {
      if (e instanceof CsvError) throw new FtError(`${what}: CSV ${path ? `in ${path} ` : ''}line ${e.line}: ${e.message}.`, 2, file, spec.line);
      throw e;
    }
    // the block's own indentation (rows: | …) is not part of the values
    const header = parsed.header.map((h) => h.trim());
    if (!header.length || header.some((h) => !h)) throw new FtError(`${what}: the CSV needs a header line naming every column (e.g. id,name).`, 2, file, spec.line);
    const rows = parsed.rows.map((r, i) => {
      if (r.length !== header.length) {
        throw new FtError(`${what}: CSV row ${i + 1} has ${r.length} value${r.length === 1 ? '' : 's'} for ${header.length} columns (${header.join(', ')}).`, 2, file, spec.line);
      }
      const row: Row = {};
      header.forEach((h, k) => (row[h] = csvValue(r[k]!.trim())));
      return row;
    });
    return { kind: 'rows', columns: header, rows };
  }
  const rows = (Array.isArray(spec.rows) ? spec.rows : []) as Row[];
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const r of rows) {
    for (const k of Object.keys(r)) {
      if (!seen.has(k.toLowerCase())) {
        seen.add(k.toLowerCase());
        columns.push(k);
      }
    }
  }
  return { kind: 'rows', columns, rows };
}

/** A row's value for a column, matched without regard to case (MySQL's column names are not case-sensitive). */
export function cell(row: Row, column: string): unknown {
  if (column in row) return row[column];
  const lower = column.toLowerCase();
  for (const k of Object.keys(row)) if (k.toLowerCase() === lower) return row[k];
  return undefined;
}
