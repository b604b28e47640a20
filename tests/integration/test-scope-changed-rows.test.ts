import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createProject, type TestProject } from '../helpers/project-builder.js';

/**
 * `scope: changed_rows`: after an incremental run, row and key tests read only the rows the run
 * changed (above the model's watermark_column before it ran); table tests, `ft test` on its
 * own and --full-refresh read everything. Bad rows are slipped in behind ft's back to show
 * which rows each test reads.
 */

const MODEL = `{{config materialized="incremental" unique_key="id" watermark_column="batch"}}
select id, code, v, batch from {{source "raw" "events"}}
{{#if (is_incremental)}}where batch > (select max(batch) from {{this}}){{/if}}
`;

const YAML = `sources:
  - name: raw
    tables:
      - name: events
models:
  - name: events_inc
    columns:
      - name: id
        tests: [not_null]
      - name: code
        tests: [unique]
      - name: v
        tests:
          - not_null
          - not_null:
              name: v_not_null_everywhere
              config: {scope: all}
          - accepted_range: {min_value: 0}
    tests:
      - row_count: {max_value: 1000}
`;

interface Result {
  unique_id: string;
  status: string;
  failures: number | null;
  message: string;
}

describe('test config scope: changed_rows', () => {
  let p: TestProject;
  const raw = () => p.rel('events', 'raw');
  const model = () => p.rel('events_inc');
  const results = (): Map<string, Result> =>
    new Map(p.readJson<{ results: Result[] }>('target/run_results.json').results.filter((r) => r.unique_id.startsWith('test.')).map((r) => [r.unique_id.split('.')[2]!, r]));
  const failed = (): string[] => [...results().values()].filter((r) => r.status === 'fail').map((r) => r.unique_id.split('.')[2]!).sort();
  const add = (rows: string) => p.query(`insert into ${raw()} values ${rows}`);

  /** Each test has its own project: built once from batch 1, then one old row damaged behind ft's back. */
  beforeEach(async () => {
    p = await createProject({
      label: 'scopechg',
      models: { 'events_inc.sql': MODEL },
      yaml: { 'schema.yml': YAML },
      // a singular test narrows itself after an incremental build (is_incremental) with {{watermark}}
      tests: { 'new_rows_positive.sql': 'select * from {{ref "events_inc"}} where {{#if (is_incremental)}}batch > {{watermark "events_inc"}} and {{/if}}v < 0\n' },
      project: 'tests:\n  proj:\n    +scope: changed_rows\n',
    });
    await p.query(`create database \`${p.schema('raw')}\``);
    await p.query(`create table ${raw()} (id int primary key, code varchar(10), v int, batch int not null)`);
    await add(`(1, 'a', 10, 1), (2, 'b', 20, 1), (3, 'c', 30, 1)`);
    const first = await p.ft(['build']);
    expect(first.code, first.output).toBe(0);
    // damage an old row behind ft's back: only tests reading every row can see it
    await p.query(`update ${model()} set v = null where id = 1`);
  }, 120_000);

  afterEach(async () => {
    await p.cleanup();
  });

  it('an incremental build tests only the changed rows; a scope: all test still reads every row', async () => {
    await add(`(4, 'd', 40, 2), (5, 'e', 50, 2)`);
    const r = await p.ft(['build']);
    expect(r.code, r.output).toBe(1);
    // the damaged old row fails only the test that reads everything
    expect(failed()).toEqual(['v_not_null_everywhere']);
    const nn = [...results().entries()].find(([k]) => k.startsWith('not_null_events_inc_v'))![1];
    expect(nn.status).toBe('pass');
    expect(nn.message).toContain('rows with batch > 1');
    expect(p.read('target/run/proj/models/schema.yml/' + [...results().keys()].find((k) => k.startsWith('not_null_events_inc_v'))! + '.sql')).toMatch(/`batch` > 1/);
    expect(p.read('target/run/proj/tests/new_rows_positive.sql')).toContain('where batch > 1 and v < 0');
  }, 120_000);

  it('a changed row that breaks a rule fails, and a new key equal to an old one fails unique', async () => {
    // 'b' is an old row's code: the key test must read the old row too to see the duplicate
    await add(`(6, 'b', -5, 3)`);
    const r = await p.ft(['build', '--exclude', 'v_not_null_everywhere']);
    expect(r.code, r.output).toBe(1);
    const names = failed();
    expect(names.some((n) => n.startsWith('unique_events_inc_code'))).toBe(true);
    expect(names.some((n) => n.startsWith('accepted_range_events_inc_v'))).toBe(true);
    expect(names).toContain('new_rows_positive');
    // the damaged old row (v NULL, batch 1) is not a changed row
    expect(names.some((n) => n.startsWith('not_null_events_inc_v'))).toBe(false);
    expect(results().get([...results().keys()].find((k) => k.startsWith('unique_events_inc_code'))!)!.failures).toBe(1);
  }, 120_000);

  it('ft test on its own, and a --full-refresh build, read every row', async () => {
    // an incremental build took row 6 (an old row's code): the model has a duplicate code
    await add(`(6, 'b', -5, 3)`);
    const inc = await p.ft(['build', '--exclude', 'v_not_null_everywhere']);
    expect(inc.code, inc.output).toBe(1);
    await p.query(`delete from ${raw()} where id = 6`);
    const t = await p.ft(['test']);
    expect(t.code, t.output).toBe(1);
    expect(failed().some((n) => n.startsWith('not_null_events_inc_v'))).toBe(true);
    expect(failed().some((n) => n.startsWith('unique_events_inc_code'))).toBe(true);
    expect(p.read('target/run/proj/tests/new_rows_positive.sql')).toContain('where v < 0');
    // the full refresh rebuilds from raw: the damage and row 6 are gone, and everything passes
    const f = await p.ft(['build', '--full-refresh']);
    expect(f.code, f.output).toBe(0);
    expect([...results().values()].every((r) => !r.message.includes('rows with'))).toBe(true);
  }, 120_000);

  it('a bad scope or a watermark column the model lacks: exit 2 with the file and the fix', async () => {
    p.write('models/schema.yml', YAML.replace('config: {scope: all}', 'config: {scope: changed}'));
    const bad = await p.ft(['build']);
    expect(bad.code, bad.output).toBe(2);
    expect(bad.output).toMatch(/scope "changed" is not known; use all or changed_rows/);
    expect(bad.output).toMatch(/models\/schema\.yml/);
    expect(bad.output).not.toMatch(/\n\s+at /);
    p.write('models/schema.yml', YAML);
    p.write('models/events_inc.sql', MODEL.replace('watermark_column="batch"', 'watermark_column="batch_no"'));
    const col = await p.ft(['run']);
    expect(col.code, col.output).not.toBe(0);
    expect(col.output).toMatch(/watermark_column "batch_no" cannot be read/);
    expect(col.output).not.toMatch(/\n\s+at /);
    p.write('models/events_inc.sql', MODEL);
  }, 120_000);
});
