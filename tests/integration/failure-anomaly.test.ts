import { afterEach, describe, expect, it } from 'vitest';
import { createProject, type TestProject } from '../helpers/project-builder.js';

/**
 * The anomaly tests through the CLI, as a user runs them: a volume spike and a jump in a
 * column's nulls FAIL the test (exit 1) with the failing bucket stored in the run's results;
 * a table without rows has nothing to judge; a timestamp column that is not a date or a
 * datetime is a clear message naming the YAML file, the column and its type.
 */
describe('anomaly tests through the CLI', { timeout: 120_000 }, () => {
  let p: TestProject | undefined;
  afterEach(async () => {
    await p?.cleanup();
    p = undefined;
  });

  /**
   * 20 complete days of 9-11 rows each (0-2 without an amount), then one row on day 21 (the
   * incomplete bucket, never judged). With `spike`, the last complete day has 40 rows, 30 of
   * them without an amount.
   */
  const events = (spike: boolean): string => {
    const rows = ['id,created_at,amount,label'];
    let id = 0;
    for (let d = 0; d < 20; d++) {
      const n = spike && d === 19 ? 40 : 9 + (d % 3);
      for (let k = 0; k < n; k++) {
        const missing = spike && d === 19 ? k < 30 : k < d % 3; // 0-2 a day, 30 on the spike day
        const amount = missing ? '' : String(5 + (k % 4));
        rows.push(`${++id},2024-03-${String(d + 1).padStart(2, '0')} ${String(k % 24).padStart(2, '0')}:00:00,${amount},x${k}`);
      }
    }
    rows.push(`${++id},2024-03-21 01:00:00,7,y`);
    return `${rows.join('\n')}\n`;
  };

  const schema = (model: string, timestampColumn: string): string =>
    [
      'models:',
      `  - name: ${model}`,
      '    tests:',
      `      - volume_anomalies: {timestamp_column: ${timestampColumn}, training_period: 14}`,
      '    columns:',
      '      - name: amount',
      '        tests:',
      `          - column_anomalies: {timestamp_column: ${timestampColumn}, column_anomalies: [null_count], training_period: 14}`,
      '',
    ].join('\n');

  const project = (spike: boolean, timestampColumn = 'created_at', where = '') =>
    createProject({
      label: 'anomcli',
      seeds: { 'raw_events.csv': events(spike) },
      models: { 'ev.sql': `{{config materialized="table"}}\nselect id, created_at, amount, label from {{ref "raw_events"}}${where}` },
      yaml: { 'schema.yml': schema('ev', timestampColumn) },
    });

  type Result = { unique_id: string; status: string; failures: number | null; message: string | null };
  const testResults = (q: TestProject): Record<string, Result> =>
    Object.fromEntries(
      q
        .readJson<{ results: Result[] }>('target/run_results.json')
        .results.filter((r) => r.unique_id.startsWith('test.'))
        .map((r) => [r.unique_id.split('.')[2]!.replace(/_ev.*$/, ''), r]),
    );

  it('ft build: a volume spike and a jump in nulls on the last complete day FAIL both tests, exit 1', async () => {
    p = await project(true);
    const r = await p.ft(['build']);
    expect(r.code, r.output).toBe(1);
    expect(r.output).toMatch(/ERROR=0 FAIL=2/);
    const res = testResults(p);
    expect(Object.keys(res).sort()).toEqual(['column_anomalies', 'volume_anomalies']);
    for (const t of Object.values(res)) {
      expect(t.status, t.unique_id).toBe('fail');
      expect(t.failures, t.unique_id).toBe(1); // one bucket: 2024-03-20
    }
  });

  it('ft build: the same data without the spike passes both tests, exit 0', async () => {
    p = await project(false);
    const r = await p.ft(['build']);
    expect(r.code, r.output).toBe(0);
    const res = testResults(p);
    expect(Object.keys(res).sort()).toEqual(['column_anomalies', 'volume_anomalies']);
    for (const t of Object.values(res)) expect(t.status, t.unique_id).toBe('pass');
  });

  it('a table without rows has nothing to judge: both tests pass', async () => {
    p = await project(true, 'created_at', ' where 1 = 0');
    const r = await p.ft(['build']);
    expect(r.code, r.output).toBe(0);
    expect(await p.query(`select count(*) as n from ${p.rel('ev')}`)).toEqual([{ n: 0 }]);
    const res = testResults(p);
    for (const t of Object.values(res)) expect(t.status, t.unique_id).toBe('pass');
  });

  for (const column of ['label', 'id']) {
    it(`timestamp_column "${column}" that is not a date or datetime: a clear message naming the YAML file and the column, no stack trace`, async () => {
      p = await project(true, column);
      const r = await p.ft(['build']);
      expect(r.code, r.output).toBe(2);
      // both tests: the message names the YAML line, the column, its type and the fix
      const lines = r.output.split('\n').filter((l) => new RegExp(`^\\s*models/schema\\.yml:\\d+: test (volume|column)_anomalies_.*timestamp_column "${column}" is (varchar|bigint|int)`).test(l));
      expect(new Set(lines.map((l) => /test (\w+?)_ev/.exec(l)![1])), r.output).toEqual(new Set(['volume_anomalies', 'column_anomalies']));
      expect(r.output).toMatch(/not a date or datetime, so no row would fall in a time bucket and the test could never fail\. Point timestamp_column at a date or datetime column/);
      expect(r.output).not.toMatch(/\n\s+at /);
    });
  }
});
