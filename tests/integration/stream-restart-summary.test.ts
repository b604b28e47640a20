import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { streamLoad } from '../../src/stream/stream-load.js';
import type { StreamLoadOptions, StreamTarget } from '../../src/stream/types.js';
import { EVENT_COLUMNS, ndjsonLines, writeAtomically } from '../fixtures/stream/events.js';
import { TEST_DB, dropSchemas, uniquePrefix } from '../helpers/db.js';

const prefix = uniquePrefix('streamrs');
const tmpRoot = mkdtempSync(join(tmpdir(), 'ft-streamrs-'));
let n = 0;

function setup(files: number): { target: StreamTarget; dir: string } {
  const target: StreamTarget = { database: `${prefix}_b${++n}`, table: 'events', columns: EVENT_COLUMNS };
  const dir = join(tmpRoot, `land-${n}`);
  for (let i = 1; i <= files; i++) writeAtomically(dir, `events-${String(i).padStart(3, '0')}.ndjson`, ndjsonLines(i, 20).join('\n') + '\n');
  return { target, dir };
}

function options(target: StreamTarget, path: string, over: Partial<StreamLoadOptions> = {}): StreamLoadOptions & { lines: string[] } {
  const lines: string[] = [];
  return { connection: TEST_DB, target, path, format: 'ndjson', once: true, maxBatchRows: 1000, maxBatchBytes: 1 << 20, triggerIntervalMs: 50, maxLineBytes: 1 << 20, logFormat: 'text', statusIntervalMs: 60_000, stableMs: 100, log: (l) => lines.push(l), lines, ...over };
}

afterAll(async () => {
  await dropSchemas(prefix);
  rmSync(tmpRoot, { recursive: true, force: true });
});

/** ft stream-load restarted on a loaded landing folder: one line for the files it skips; events/s over the time spent loading. */
describe('stream-load restart output', () => {
  it('one line counts the files already loaded; --debug names each', async () => {
    const { target, dir } = setup(12);
    expect((await streamLoad(options(target, dir))).files).toBe(12);
    const again = options(target, dir);
    const s = await streamLoad(again);
    expect(s).toMatchObject({ files: 0, rowsLoaded: 0 });
    expect(again.lines.filter((l) => /already loaded/.test(l))).toEqual(['stream-load: 12 files already loaded, skipped']);
    const debug = options(target, dir, { debug: true });
    await streamLoad(debug);
    expect(debug.lines.filter((l) => /is already loaded \(as events-\d+\.ndjson\); skipping it/.test(l))).toHaveLength(12);
  });

  it('events/s is over the time spent loading: a watching loader\'s idle time does not count', async () => {
    const { target, dir } = setup(2);
    const controller = new AbortController();
    const o = options(target, dir, { once: false, signal: controller.signal, logFormat: 'json' });
    const run = streamLoad(o);
    // stop once both files are in and the loader has been idle a while
    for (let i = 0; i < 600 && !o.lines.some((l) => /"rowsLoaded":40\b/.test(l) || /loaded events-002/.test(l)); i++) await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 1500));
    controller.abort();
    const s = await run;
    expect(s.rowsLoaded).toBe(40);
    expect(s.loadingSeconds).toBeGreaterThan(0);
    // the idle 1.5 s are in the wall time, not in the loading time
    expect(s.loadingSeconds).toBeLessThan(s.seconds - 1);
    expect(s.eventsPerSecond).toBeCloseTo(40 / s.loadingSeconds, 6);
    const summary = JSON.parse(o.lines.find((l) => /"event":"summary"/.test(l))!) as { loadingSeconds: number; eventsPerSecond: number };
    expect(summary.loadingSeconds).toBeLessThan(s.seconds);
  });
});
