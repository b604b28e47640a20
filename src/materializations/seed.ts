import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { CsvError, parseCsvText } from '../util/csv.js';
import { FtError } from '../util/errors.js';
import { inferColumnType, toTsvField } from './seed-types.js';
import { decorateTable, siblingName, type MaterializationContext, type MaterializationResult } from './materialization-context.js';
import { existingType } from './table.js';

const LOAD_DATA_REFUSED = new Set([1148, 3948, 2068]);

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
  await ctx.exec(`CREATE TABLE ${tmp} (\n  ${header.map((h, i) => `${colSql(h)} ${types[i]}`).join(',\n  ')}\n) CHARACTER SET utf8mb4`);
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
    try {
      await ctx.session.loadTsv(tmp, header, () => Readable.from(tsv()));
    } catch (e) {
      if (!LOAD_DATA_REFUSED.has((e as { errno?: number }).errno ?? 0)) throw e;
      // The server refuses LOAD DATA LOCAL: batched multi-row INSERTs instead.
      for (let i = 0; i < rows.length; i += 1000) {
        const values = rows.slice(i, i + 1000).map((r) => `(${r.map((v, j) => (v === '' ? 'NULL' : adapter.literal(types[j] === 'boolean' ? (/^true$/i.test(v) ? 1 : 0) : types[j]!.startsWith('datetime') ? v.replace('T', ' ').replace(/Z$/, '') : v))).join(', ')})`);
        await ctx.session.execute(`INSERT INTO ${tmp} (${header.map(adapter.quote).join(', ')}) VALUES ${values.join(', ')}`);
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
