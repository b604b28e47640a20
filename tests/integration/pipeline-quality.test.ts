/**
 * The flagship pipeline's data tests: every layer passes on clean data and on the producer's
 * usual dirt (dirt is what silver is for), and the tests fail where they should — bronze
 * duplicates would fail a "no duplicates" test (which is why bronze has none), and the
 * reconciliation tests catch a silver or gold row changed behind ft's back.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { produce, type ProduceSummary } from '../../src/generator/produce.js';
import { dropSchemas, uniquePrefix } from '../helpers/db.js';
import { cloneDatabase, erroredTests, failedTests, ft, ftOk, projectCopy, query, removeDir, type FtResult } from './pipeline-harness.js';

const prefix = uniquePrefix('pipeqa');
const cleanDb = `${prefix}_clean`;
const dirtyDb = `${prefix}_dirty`;
let cleanDir: string;
let dirtyDir: string;
let dirty: ProduceSummary;
/** `ft build` of the dirty project, run once in beforeAll: the shared fixture, which no test changes. */
let dirtyBuild: FtResult;

/** A copy of the built dirty database for a test that changes rows behind ft's back. */
async function dirtyCopy(label: string): Promise<string> {
  const copy = `${prefix}_${label}`;
  await cloneDatabase(dirtyDb, copy);
  return copy;
}

const DUP_TEST = 'source_unique_bronze_flash_sale_events_copy_event_id';
const BRONZE_NO_DUPLICATES = `
      - name: flash_sale_events_copy
        identifier: flash_sale_events
        description: The bronze table again, with the test bronze must not have.
        columns:
          - name: event_id
            description: event id
            tests: [unique]
`;

async function loadAndBuild(dir: string, db: string, dirt: Parameters<typeof produce>[0]['dirt']): Promise<ProduceSummary> {
  const landing = join(dir, 'landing', 'events');
  mkdirSync(landing, { recursive: true });
  const summary = await produce({ events: 4000, out: landing, seed: 99, fileEvents: 1000, dirt, catalog: join(dir, 'seeds', 'products.csv') });
  await ftOk(dir, db, ['stream-load', '--once']);
  return summary;
}

beforeAll(async () => {
  cleanDir = projectCopy('clean');
  dirtyDir = projectCopy('dirty');
  // a source entry (same bronze table) carrying the duplicate check bronze deliberately lacks
  for (const d of [cleanDir, dirtyDir]) appendFileSync(join(d, 'models', 'bronze', 'sources.yml'), BRONZE_NO_DUPLICATES);
  await loadAndBuild(cleanDir, cleanDb, {});
  dirty = await loadAndBuild(dirtyDir, dirtyDb, { duplicates: 0.03, malformed: 0.01, nulls: 0.01, invalid: 0.02, late: 0.02 });
  dirtyBuild = await ft(dirtyDir, dirtyDb, ['build', '--exclude', DUP_TEST]);
}, 480_000);

afterAll(async () => {
  await dropSchemas(prefix);
  for (const d of [cleanDir, dirtyDir]) if (d) removeDir(d);
});

describe('flash-sale pipeline: data tests', () => {
  it('every layer passes on clean data', async () => {
    const r = await ft(cleanDir, cleanDb, ['build', '--exclude', DUP_TEST]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/WARN=0 ERROR=0 FAIL=0 SKIP=0/);
    // the duplicate check on bronze passes too when nothing was sent twice
    const dup = await ft(cleanDir, cleanDb, ['test', '--select', 'source:bronze.flash_sale_events_copy']);
    expect(dup.code, dup.stdout).toBe(0);
  }, 300_000);

  it('dirty data: silver absorbs the dirt, every declared test passes', async () => {
    const r = dirtyBuild;
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/ERROR=0 FAIL=0 SKIP=0/);
    const counts = await query<{ rejected_by: string; n: number }>(
      `SELECT rejected_by, COUNT(*) AS n FROM \`${dirtyDb}_silver\`.rejected_events GROUP BY rejected_by ORDER BY rejected_by`,
    );
    expect(counts.map((c) => [c.rejected_by, Number(c.n)])).toEqual([
      ['loader', dirty.malformed + dirty.nulls],
      ['silver', dirty.invalid],
    ]);
    const [dups] = await query<{ n: number }>(`SELECT COUNT(*) AS n FROM \`${dirtyDb}_silver\`.event_duplicates`);
    expect(Number(dups!.n)).toBe(dirty.duplicates);
    const [valid] = await query<{ n: number }>(`SELECT COUNT(*) AS n FROM \`${dirtyDb}_silver\`.valid_events`);
    expect(Number(valid!.n)).toBe(dirty.distinct_valid_events);
  }, 300_000);

  it('a "no duplicates" test on bronze fails on dirty data — so bronze has none', async () => {
    const r = await ft(dirtyDir, dirtyDb, ['test', '--select', 'source:bronze.flash_sale_events_copy']);
    expect(r.code).toBe(1);
    expect(failedTests(r.stdout)).toEqual([DUP_TEST]);
    expect(erroredTests(r.stdout)).toEqual([]);
  }, 120_000);

  it('deleting a silver row behind ft\'s back fails the bronze = valid + duplicates + rejected identity', async () => {
    const db = await dirtyCopy('deleted');
    await query(`DELETE FROM \`${db}_silver\`.valid_events ORDER BY event_id LIMIT 1`);
    const r = await ft(dirtyDir, db, ['test', '--select', 'reconcile_bronze_identity', 'reconcile_gold_revenue', 'reconcile_silver_within_bronze']);
    expect(r.code).toBe(1);
    // the identity names the batch; silver no longer adds up to gold either; silver ≤ bronze still holds
    expect(failedTests(r.stdout).sort()).toEqual(['reconcile_bronze_identity', 'reconcile_gold_revenue']);
    expect(erroredTests(r.stdout)).toEqual([]);
    // the next full refresh repairs it
    await ftOk(dirtyDir, db, ['build', '--full-refresh', '--exclude', DUP_TEST]);
  }, 300_000);

  it('a gold total edited behind ft\'s back fails the gold = silver reconciliation', async () => {
    const db = await dirtyCopy('edited');
    await query(`UPDATE \`${db}_gold\`.product_performance_daily SET revenue = revenue + 1 ORDER BY day, product_id LIMIT 1`);
    const r = await ft(dirtyDir, db, ['test', '--select', 'reconcile_gold_revenue']);
    expect(r.code).toBe(1);
    // a FAIL (its query found the mismatch), not an ERROR (its SQL did not run), whose failing row names the table
    expect(failedTests(r.stdout), r.stdout).toEqual(['reconcile_gold_revenue']);
    expect(erroredTests(r.stdout), r.stdout).toEqual([]);
    expect(r.stdout).toMatch(/\| product_performance_daily +\|/);
  }, 120_000);

  it('bad rows slipped into silver fail its column tests', async () => {
    const db = await dirtyCopy('injected');
    const silver = `\`${db}_silver\`.valid_events`;
    await query(
      `INSERT INTO ${silver} (event_id, event_type, event_ts, event_date, event_hour, session_id, product_id, category, price, quantity, units_sold, revenue, _ingested_at, _source_file, _source_line, _batch_id)
       SELECT 'injected-1', 'VIEW', event_ts, event_date, event_hour, session_id, 'P9999', category, -1.00, 0, 0, 0, _ingested_at, 'injected.ndjson', 1, _batch_id FROM ${silver} LIMIT 1`,
    );
    const r = await ft(dirtyDir, db, ['test', '--select', 'valid_events']);
    expect(r.code).toBe(1);
    const failed = failedTests(r.stdout);
    expect(erroredTests(r.stdout), r.stdout).toEqual([]);
    for (const t of [
      'accepted_values_valid_events_event_type__view__add_to_cart__remove_from_cart__purchase',
      'relationships_valid_events_product_id__product_id__ref_products_',
      'valid_events_row_rules',
      'reconcile_bronze_identity',
    ]) {
      expect(failed, r.stdout).toContain(t);
    }
  }, 120_000);
});
