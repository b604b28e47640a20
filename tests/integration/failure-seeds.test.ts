import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { createProject, REPO_ROOT, type TestProject } from '../helpers/project-builder.js';

/** ft with every connection lacking the LOCAL INFILE capability: the server refuses LOAD DATA LOCAL (see the file). */
const NO_LOCAL_INFILE = { NODE_OPTIONS: `--import ${join(REPO_ROOT, 'tests', 'helpers', 'no-local-infile.mjs')}` };

/**
 * Seeds ft cannot read fail with the file, the line and the fix (exit 1: the seed failed, the
 * others still load), leaving no table behind; a server refusing LOAD DATA LOCAL INFILE loads
 * the seed with INSERTs instead.
 */
describe('seed failure paths', { timeout: 120_000 }, () => {
  let p: TestProject | undefined;
  afterEach(async () => {
    await p?.cleanup();
    p = undefined;
  });

  const cases: Array<[string, string, RegExp]> = [
    ['an empty file', '', /seeds\/bad\.csv:1: the seed is empty; it needs a header line/],
    ['a file of blank lines', '\n\n', /seeds\/bad\.csv:1: the seed is empty; it needs a header line/],
    ['a duplicate header', 'id,name,id\n1,a,2\n', /seeds\/bad\.csv:1: the header names column "id" twice/],
    ['an unterminated quote', 'id,name\n1,a\n2,"b\n3,c\n', /seeds\/bad\.csv:3: cannot read the seed: unterminated quoted field\. Fix the CSV quoting/],
  ];
  for (const [what, csv, message] of cases) {
    it(`${what}: the seed fails naming the file and line, no table is left, the other seed loads`, async () => {
      p = await createProject({ label: 'seedbad', seeds: { 'bad.csv': csv, 'good.csv': 'id\n1\n' } });
      const r = await p.ft(['seed']);
      expect(r.code, r.output).toBe(1);
      expect(r.output).toMatch(message);
      expect(r.output).not.toMatch(/\n\s+at /);
      expect(await p.tables()).toEqual(['good']);
    });
  }

  it('the server refusing LOAD DATA LOCAL INFILE: the seed loads with INSERTs, values and types intact', async () => {
    p = await createProject({
      label: 'seednoinfile',
      seeds: { 'people.csv': 'id,name,born,active\n1,"Ann, Jr.",2001-02-03,true\n2,\\tab,,false\n3,"say ""hi""",1999-12-31,true\n' },
    });
    const r = await p.ft(['seed'], { env: NO_LOCAL_INFILE });
    expect(r.code, r.output).toBe(0);
    expect(await p.query(`select id, name, born, active from ${p.rel('people')} order by id`)).toEqual([
      { id: 1, name: 'Ann, Jr.', born: '2001-02-03', active: 1 },
      { id: 2, name: '\\tab', born: null, active: 0 },
      { id: 3, name: 'say "hi"', born: '1999-12-31', active: 1 },
    ]);
    expect(await p.tables()).toEqual(['people']);
  });

  it('the server refusing LOAD DATA LOCAL INFILE: a bad value still fails the seed naming file, line, column and value', async () => {
    p = await createProject({ label: 'seednoinfilebad', seeds: { 'days.csv': 'id,day\n1,2024-01-31\n2,2024-02-30\n' } });
    const r = await p.ft(['seed'], { env: NO_LOCAL_INFILE });
    expect(r.code, r.output).toBe(1);
    expect(r.output).toMatch(/seeds\/days\.csv:3/);
    expect(r.output).toMatch(/column "day"/);
    expect(r.output).toContain('2024-02-30');
    expect(await p.tables()).toEqual([]);
  });
});
