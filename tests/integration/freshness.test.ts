import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qualityProject, type QualityProject } from '../fixtures/quality/setup.js';

/**
 * `ft source freshness`: loaded_at_field, warn_after/error_after ({count, period}), filter;
 * target/sources.json; pass, warn and error, with the data's timestamps set relative to now.
 * raw.payments (the fixture) warns after 12 hours and errors after 1 day.
 */
describe('ft source freshness', { timeout: 240_000 }, () => {
  let q: QualityProject;
  const raw = () => `\`${q.database}_raw\``;

  type Freshness = {
    unique_id: string;
    status: string;
    max_loaded_at: string | null;
    snapshotted_at: string;
    max_loaded_at_time_ago_in_s: number | null;
    criteria: { warn_after: unknown; error_after: unknown; filter: string | null };
    message: string;
  };
  const sources = (file = 'target/sources.json'): Freshness[] => q.readJson(file).results;
  const one = (id = 'source.quality.raw.payments'): Freshness => sources().find((r) => r.unique_id === id)!;

  beforeAll(async () => {
    q = await qualityProject('fresh');
    // a second source over the same table: only big payments count, they must be under 90 minutes old
    q.write(
      'models/staging/freshness.yml',
      `version: 2
sources:
  - name: finance
    schema: "{{target.database}}_raw"
    tables:
      - name: big_payments
        identifier: payments
        loaded_at_field: loaded_at
        freshness:
          error_after: {count: 90, period: minute}
          filter: "amount >= 100"
      - name: all_payments
        identifier: payments
`,
    );
  }, 240_000);

  afterAll(async () => {
    await q.cleanup();
  }, 240_000);

  it('pass: the newest row is 1 hour old (warn after 12 hours); writes target/sources.json', async () => {
    await q.loadRaw(q.database, [1, 5, 30]);
    const r = await q.ft(['source', 'freshness', '-s', 'source:raw']);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/1 of 1 PASS freshness of raw\.payments: raw\.payments was last loaded 60 minutes ago/);
    const f = one();
    expect(f.status).toBe('pass');
    expect(f.max_loaded_at_time_ago_in_s).toBeGreaterThan(3590);
    expect(f.max_loaded_at_time_ago_in_s).toBeLessThan(3700);
    expect(f.criteria).toEqual({ warn_after: { count: 12, period: 'hour' }, error_after: { count: 1, period: 'day' }, filter: null });
    expect(Date.parse(`${f.snapshotted_at.replace(' ', 'T')}Z`) - Date.parse(`${f.max_loaded_at!.replace(' ', 'T')}Z`)).toBeGreaterThan(3_590_000);
    const doc = q.readJson('target/sources.json');
    expect(doc.metadata.project_name).toBe('quality');
    expect(typeof doc.elapsed_time).toBe('number');
  });

  it('warn: the newest row is 13 hours old; exit 0', async () => {
    await q.loadRaw(q.database, [13, 20]);
    const r = await q.ft(['source', 'freshness', '-s', 'source:raw.payments']);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/WARN freshness of raw\.payments: raw\.payments was last loaded 13\.0 hours ago/);
    expect(r.output).toMatch(/PASS=0 WARN=1 ERROR=0/);
    expect(one().status).toBe('warn');
  });

  it('error: the newest row is 30 hours old (error after 1 day); exit 1', async () => {
    await q.loadRaw(q.database, [30, 48]);
    const r = await q.ft(['source', 'freshness', '-s', 'source:raw']);
    expect(r.code, r.output).toBe(1);
    expect(r.output).toMatch(/ERROR STALE freshness of raw\.payments: raw\.payments was last loaded 30\.0 hours ago/);
    expect(one().status).toBe('error');
    expect(one().max_loaded_at_time_ago_in_s).toBeGreaterThan(30 * 3600 - 10);
  });

  it('an empty table is stale; a missing one is a runtime error; both exit 1', async () => {
    await q.loadRaw(q.database, []);
    const empty = await q.ft(['source', 'freshness', '-s', 'source:raw']);
    expect(empty.code, empty.output).toBe(1);
    expect(one()).toMatchObject({ status: 'error', max_loaded_at: null, max_loaded_at_time_ago_in_s: null });
    await q.query(`DROP TABLE ${raw()}.payments`);
    const missing = await q.ft(['source', 'freshness', '-s', 'source:raw']);
    expect(missing.code, missing.output).toBe(1);
    expect(one().status).toBe('runtime error');
    expect(one().message).toMatch(/doesn't exist/);
  });

  it('filter: only the rows the filter keeps count', async () => {
    // small payments 10 minutes old, one big payment 3 hours old
    await q.loadRaw(q.database, [10 / 60, 20 / 60]);
    await q.query(`INSERT INTO ${raw()}.payments VALUES (50, 104, 500.00, UTC_TIMESTAMP(6) - INTERVAL 3 HOUR)`);
    const r = await q.ft(['source', 'freshness', '-s', 'source:finance']);
    expect(r.code, r.output).toBe(1);
    const big = one('source.quality.finance.big_payments');
    expect(big.status).toBe('error');
    expect(big.criteria).toEqual({ warn_after: null, error_after: { count: 90, period: 'minute' }, filter: 'amount >= 100' });
    expect(big.max_loaded_at_time_ago_in_s).toBeGreaterThan(3 * 3600 - 10);
    expect(big.max_loaded_at_time_ago_in_s).toBeLessThan(3 * 3600 + 60);
    // all_payments has no freshness rule: not checked
    expect(sources().map((s) => s.unique_id)).toEqual(['source.quality.finance.big_payments']);
    // a recent big payment makes it fresh
    await q.query(`INSERT INTO ${raw()}.payments VALUES (51, 104, 300.00, UTC_TIMESTAMP(6) - INTERVAL 30 MINUTE)`);
    const ok = await q.ft(['source', 'freshness', '-s', 'source:finance', '-o', q.path('out/fresh.json')]);
    expect(ok.code, ok.output).toBe(0);
    expect(one('source.quality.finance.big_payments').status).toBe('error'); // target/sources.json untouched by -o
    const written = sources('out/fresh.json');
    expect(written).toHaveLength(1);
    expect(written[0]!.status).toBe('pass');
  });

  it('the whole project: every source with a rule, one result each', async () => {
    await q.loadRaw(q.database, [2]);
    const r = await q.ft(['source', 'freshness']);
    expect(r.code, r.output).toBe(1); // finance.big_payments has no big payment at all: stale
    expect(sources().map((s) => [s.unique_id, s.status]).sort()).toEqual([
      ['source.quality.finance.big_payments', 'error'],
      ['source.quality.raw.payments', 'pass'],
    ]);
    expect(r.output).toMatch(/Done\. PASS=1 WARN=0 ERROR=1/);
  });
});
