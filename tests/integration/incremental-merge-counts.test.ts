import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createProject, nodeLines, type TestProject } from '../helpers/project-builder.js';

/** An incremental merge reports the rows it inserted and those it updated, not MySQL's affected rows (an update counts 2 there). */
describe('incremental merge counts', () => {
  let p: TestProject;
  beforeEach(async () => {
    p = await createProject({
      label: 'mergecnt',
      seeds: { 'src.csv': 'id,v\n1,a\n2,b\n3,c\n' },
      models: { 'm.sql': '{{config materialized="incremental" unique_key="id"}}\nselect id, v from {{ref "src"}}' },
    });
    expect((await p.ft(['build'])).code).toBe(0);
  });
  afterEach(async () => {
    await p.cleanup();
  });

  it('2 new rows and 3 matched ones: "2 inserted, 3 updated", also in run_results.json', async () => {
    p.write('seeds/src.csv', 'id,v\n1,a\n2,B\n3,C\n4,d\n5,e\n');
    expect((await p.ft(['seed'])).code).toBe(0);
    const r = await p.ft(['run', '-s', 'm']);
    expect(r.code, r.output).toBe(0);
    expect(nodeLines(r.output)).toEqual([expect.stringMatching(/^1 of 1 OK merged into incremental model \S+\.m \.+ \[2 inserted, 3 updated in \d+\.\d\ds\]$/)]);
    const res = p.readJson('target/run_results.json').results[0];
    expect(res.adapter_response).toEqual({ rows_affected: 5, rows_inserted: 2, rows_updated: 3 });
    expect(await p.query(`select id, v from ${p.rel('m')} order by id`)).toEqual([
      { id: 1, v: 'a' }, { id: 2, v: 'B' }, { id: 3, v: 'C' }, { id: 4, v: 'd' }, { id: 5, v: 'e' },
    ]);
  });
});
