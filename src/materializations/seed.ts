import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { ServerWarning } from '../adapters/adapter.js';
import { parseWarning } from '../adapters/mysql/mysql-driver.js';
import { CsvError, parseCsvText } from '../util/csv.js';
import { utf8mb4Collate } from '../adapters/mysql/session-collation.js';
import { FtError } from '../util/errors.js';
import { inferColumnType, isNullValue, toTsvField } from './seed-types.js';
import { decorateTable, siblingName, type MaterializationContext, type MaterializationResult } from './materialization-context.js';
import { existingType } from './table.js';

/** LOAD DATA LOCAL refused: 1148 (MySQL 5.x/MariaDB < 10.5), 3948/2068 (MySQL 8), 4166 (MariaDB 10.5+: server or client without local infile) */
const LOAD_DATA_REFUSED = new Set([1148, 3948, 2068, 4166]);
/** errors of a value that does not fit its column: bad date/number, out of range, too long, NULL in NOT NULL */
const VALUE_ERRORS = new Set([1292, 1366, 1264, 1265, 1406, 1048, 1411, 1367, 4078]);

interface SeedRows {
  file: string;
  header: string[];
  rows: string[][];
  rowLines: number[];
  types: string[];
}

/**
 * Values the server could not store, as the CSV has them: file, line, column, value and type,
 * with the server's words and the fix. `offset` is the index of the statement's first row.
 */
function seedValueError(seed: SeedRows, problems: ServerWarning[], offset: number): FtError {
  const shown = problems.slice(0, 5).map((w) => {
    const idx = w.row !== undefined ? offset + w.row - 1 : -1;
    const col = w.column === undefined ? -1 : seed.header.findIndex((h) => h.toLowerCase() === w.column!.toLowerCase());
    const line = idx >= 0 ? seed.rowLines[idx] : undefined;
    const value = idx >= 0 && col >= 0 ? seed.rows[idx]?.[col] : undefined;
    const place = `${seed.file}${line ? `:${line}` : ''}`;
    const what = col >= 0 ? `column "${seed.header[col]}" (${seed.types[col]})` : 'a value';
    return { line, text: `${place}: ${what}${value !== undefined ? ` has ${JSON.stringify(value)}` : ''}, which the server cannot store (${w.message})` };
  });
  const more = problems.length > shown.length ? `\n  … and ${problems.length - shown.length} more` : '';
  const fix = 'Fix the values in the CSV, or set column_types for the column in the seed\'s YAML (e.g. varchar(64)) to load it as text.';
  const first = shown[0]!;
  if (shown.length === 1 && !more) return new FtError(`${first.text.slice(first.text.indexOf(': ') + 2)}. ${fix}`, 1, seed.file, first.line);
  return new FtError(`the seed has values the server cannot store; nothing was loaded:\n${shown.map((s) => `  ${s.text}`).join('\n')}${more}\n${fix}`, 1, seed.file, first.line);
}

/** ft seed: a CSV into a table, through LOAD DATA LOCAL INFILE (or batched INSERTs), swapped in atomically. */
export async function materializeSeed(ctx: MaterializationContext): Promise<MaterializationResult> {
  const { node, adapter } = ctx;
  const file = join(ctx.project.root, node.original_file_path);
  const delimiter = String(node.config.delimiter ?? ',');
  let parsed;
  try {
    parsed = parseCsvText(readFileSync(file, 'utf8'), delimiter);
  } catch (e) {
    if (e instanceof CsvError) throw new FtError(`cannot read the seed: ${e.message}. Fix the CSV quoting.`, 1, node.original_file_path, e.line);
    throw e;
  }
  const { header, rows, rowLines } = parsed;
  if (!header.length) throw new FtError('the seed is empty; it needs a header line.', 1, node.original_file_path, 1);
  for (const h of header) {
    const problem = adapter.identifierProblem(h, 'column');
    if (problem) throw new FtError(`the header's column ${JSON.stringify(h)}: ${problem.replace(/^its /, '')}. Rename it in the header line.`, 2, node.original_file_path, 1);
  }
  const dup = header.find((h, i) => header.indexOf(h) !== i);
  if (dup) throw new FtError(`the header names column "${dup}" twice.`, 1, node.original_file_path, 1);
  rows.forEach((r, i) => {
    if (r.length !== header.length) throw new FtError(`line ${rowLines[i]} has ${r.length} fields but the header has ${header.length}. Quote fields that contain "${delimiter}".`, 1, node.original_file_path, rowLines[i]);
  });
  const overrides = node.config.column_types ?? {};
  const types = header.map((h, i) => overrides[h] ?? inferColumnType(rows.map((r) => r[i]!)));
  const tmpName = siblingName(node.alias, '__ft_tmp');
  const backupName = siblingName(node.alias, '__ft_old');
  const tmp = adapter.relation(node.schema, tmpName);
  const target = adapter.relation(node.schema, node.alias);
  const backup = adapter.relation(node.schema, backupName);
  await ctx.exec(`DROP TABLE IF EXISTS ${tmp}, ${backup}`);
  const colSql = (h: string) => (node.config.quote_columns === false ? h : adapter.quote(h));
  await ctx.exec(`CREATE TABLE ${tmp} (\n  ${header.map((h, i) => `${colSql(h)} ${types[i]}`).join(',\n  ')}\n) CHARACTER SET utf8mb4${await utf8mb4Collate(ctx.session)}`);
  try {
    const tsv = function* (): Generator<Buffer> {
      let chunk = '';
      for (const r of rows) {
        chunk += r.map((v, i) => toTsvField(v, types[i]!)).join('\t') + '\n';
        if (chunk.length > 1 << 16) {
          yield Buffer.from(chunk);
          chunk = '';
        }
      }
      if (chunk) yield Buffer.from(chunk);
    };
    const where = { file: node.original_file_path, header, rows, rowLines, types };
    let loaded = false;
    try {
      await ctx.session.loadTsv(tmp, header, () => Readable.from(tsv()));
      loaded = true;
    } catch (e) {
      if (!LOAD_DATA_REFUSED.has((e as { errno?: number }).errno ?? 0)) throw e;
    }
    if (loaded) {
      // LOAD DATA LOCAL turns bad values into warnings (and stores 0000-00-00, truncated text…)
      // whatever the sql_mode: any warning fails the seed, and the tmp table is dropped below.
      const problems = (await ctx.session.warnings()).filter((w) => !/^note$/i.test(w.level));
      if (problems.length) throw seedValueError(where, problems, 0);
    } else {
      // The server refuses LOAD DATA LOCAL: batched multi-row INSERTs instead (strict sql_mode:
      // a bad value is an error naming its row in the batch).
      for (let i = 0; i < rows.length; i += 1000) {
        const values = rows.slice(i, i + 1000).map((r) => `(${r.map((v, j) => (isNullValue(v) ? 'NULL' : adapter.literal(types[j] === 'boolean' ? (/^true$/i.test(v) ? 1 : 0) : types[j]!.startsWith('datetime') ? v.replace('T', ' ').replace(/Z$/, '') : v))).join(', ')})`);
        try {
          await ctx.session.execute(`INSERT INTO ${tmp} (${header.map(adapter.quote).join(', ')}) VALUES ${values.join(', ')}`);
        } catch (e) {
          const err = e as { errno?: number; sqlMessage?: string };
          if (!err.sqlMessage || !VALUE_ERRORS.has(err.errno ?? 0)) throw e;
          throw seedValueError(where, [parseWarning('Error', err.errno ?? 0, err.sqlMessage)], i);
        }
        // a profile's lax sql_mode turns those errors into warnings: they fail the seed all the same
        const problems = (await ctx.session.warnings()).filter((w) => !/^note$/i.test(w.level));
        if (problems.length) throw seedValueError(where, problems, i);
      }
    }
    await decorateTable(ctx, node.schema, tmpName);
    const existing = await existingType(ctx.session, node.schema, node.alias);
    if (existing) {
      await ctx.exec(adapter.ddl.swap(target, tmp, backup));
      await ctx.exec(adapter.ddl.dropRelation(backup, existing));
    } else await ctx.exec(adapter.ddl.rename(tmp, target));
  } catch (e) {
    await ctx.exec(`DROP TABLE IF EXISTS ${tmp}`).catch(() => undefined);
    throw e;
  }
  return { message: 'loaded seed file', rowsAffected: rows.length };
}
