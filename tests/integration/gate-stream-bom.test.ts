/**
 * #14 item 9 for CSV: a UTF-8 byte order mark before a header whose first name is quoted (as
 * spreadsheet exports write it). Trimming white space cannot hide the mark there — it stands
 * before the quote — so the mark must be taken off before the header is parsed, or the first
 * column is not found and every row is rejected.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { streamLoad } from '../../src/stream/stream-load.js';
import type { StreamTarget } from '../../src/stream/types.js';
import { EVENT_COLUMNS, writeAtomically } from '../fixtures/stream/events.js';
import { TEST_DB, countRows as count, dropSchemas, uniquePrefix } from '../helpers/db.js';

const prefix = uniquePrefix('streambom');
const tmpRoot = mkdtempSync(join(tmpdir(), 'ft-stream-bom-'));

afterAll(async () => {
  await dropSchemas(prefix);
  rmSync(tmpRoot, { recursive: true, force: true });
});

describe('item 9: a UTF-8 BOM before a quoted CSV header', () => {
  it('is not part of the first column name: every row loads, each once', async () => {
    const target: StreamTarget = { database: `${prefix}_1`, table: 'events', columns: EVENT_COLUMNS };
    const dir = join(tmpRoot, 'csv');
    const rows = ['"event_id","event_type","event_ts","product_id"'];
    for (let i = 1; i <= 1000; i++) rows.push(`"e-${i}","view","2026-01-01T00:00:00Z","P1"`);
    writeAtomically(dir, 'bom.csv', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(rows.join('\n') + '\n')]));
    const lines: string[] = [];
    const s = await streamLoad({
      connection: TEST_DB,
      target,
      path: dir,
      format: 'csv',
      once: true,
      maxBatchRows: 400,
      maxBatchBytes: 1 << 20,
      triggerIntervalMs: 30,
      maxLineBytes: 1 << 20,
      logFormat: 'json',
      statusIntervalMs: 60_000,
      stableMs: 0,
      log: (l) => lines.push(l),
    });
    expect(s, lines.join('\n')).toMatchObject({ rowsLoaded: 1000, rowsRejected: 0 });
    const bronze = await count(`SELECT COUNT(*) AS n FROM \`${target.database}\`.\`events\``);
    const rejected = await count(`SELECT COUNT(*) AS n FROM \`${target.database}\`.\`events__rejected\``);
    expect(bronze + rejected).toBe(1000);
    // line 1 is the header: the data line n holds e-(n-1), and no (file, line) twice
    expect(await count(`SELECT COUNT(*) AS n FROM \`${target.database}\`.\`events\` WHERE event_id = CONCAT('e-', _source_line - 1)`)).toBe(1000);
    expect(await count(`SELECT COUNT(DISTINCT _source_file, _source_line) AS n FROM \`${target.database}\`.\`events\``)).toBe(1000);
  });
});
