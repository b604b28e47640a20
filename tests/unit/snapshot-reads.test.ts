import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { snapshotReadingTests } from '../../src/continuous/snapshot-reads.js';
import { loadProject } from '../../src/project/load-project.js';

// Which tests of a continuous build's test run read its snapshot: a table or view model the
// builds replace (RENAME) would wait for the snapshot's metadata lock until the run ends.

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const FILES: Record<string, string> = {
  'project.yml': 'name: p\nprofile: p\n',
  'profiles.yml': 'p:\n  target: dev\n  outputs:\n    dev: {type: mysql, database: db}\n',
  'models/inc.sql': '{{config materialized="incremental" unique_key="id"}}\nselect 1 as id',
  'models/tbl.sql': '{{config materialized="table"}}\nselect id from {{ref "inc"}}',
  'models/eph.sql': '{{config materialized="ephemeral"}}\nselect id from {{ref "tbl"}}',
  'models/eph_inc.sql': '{{config materialized="ephemeral"}}\nselect id from {{ref "inc"}}',
  'models/vw.sql': '{{config materialized="view"}}\nselect id from {{ref "inc"}}',
  'models/outside.sql': '{{config materialized="table"}}\nselect 1 as id',
  'models/schema.yml': `version: 2
models:
  - name: inc
    columns: [{name: id, tests: [unique]}]
  - name: tbl
    columns: [{name: id, tests: [not_null]}]
  - name: vw
    columns: [{name: id, tests: [not_null]}]
  - name: outside
    columns: [{name: id, tests: [not_null]}]
unit_tests:
  - name: inc_unit
    model: inc
    given: []
    expect: {rows: [{id: 1}]}
`,
  'tests/through_table.sql': 'select * from {{ref "eph"}} where id < 0',
  'tests/through_incremental.sql': 'select * from {{ref "eph_inc"}} e join {{ref "outside"}} o on o.id = e.id where e.id < 0',
  // a loader appends to a source (no DDL): a test of a source and a model reads both at one moment
  'models/sources.yml': 'version: 2\nsources:\n  - name: raw\n    tables: [{name: events}]\n',
  'tests/source_and_incremental.sql': 'select * from {{source "raw" "events"}} e join {{ref "inc"}} i on i.id = e.id where i.id < 0',
};

describe('snapshotReadingTests', () => {
  it('takes the data tests reading incremental models, sources and what the builds leave alone; not table or view models of the build, nor unit tests', async () => {
    const root = mkdtempSync(join(tmpdir(), 'ft-snapreads-'));
    dirs.push(root);
    for (const [rel, text] of Object.entries(FILES)) {
      mkdirSync(dirname(join(root, rel)), { recursive: true });
      writeFileSync(join(root, rel), text);
    }
    const project = await loadProject({ projectDir: root, partialParse: false });
    // (a selection such as source:raw+ holds the source too)
    const built = new Set(['source.p.raw.events', 'model.p.inc', 'model.p.tbl', 'model.p.vw']);
    const tests = [...project.nodes.values()].filter((n) => n.resource_type === 'test').map((n) => n.unique_id);
    const name = (id: string): string => project.nodes.get(id)!.name;
    expect(tests.map(name).sort()).toEqual(['inc_unit', 'not_null_outside_id', 'not_null_tbl_id', 'not_null_vw_id', 'source_and_incremental', 'through_incremental', 'through_table', 'unique_inc_id']);
    const reading = [...snapshotReadingTests(project, built, tests)].map(name).sort();
    expect(reading).toEqual(['not_null_outside_id', 'source_and_incremental', 'through_incremental', 'unique_inc_id']);
  });
});
