import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { TEST_DB } from '../helpers/db.js';
import { createProject, nodeLines, type TestProject } from '../helpers/project-builder.js';

/** Bad connections give one clear line and exit 2; hostile model names are quoted and build. */
describe('connection problems', () => {
  let p: TestProject;
  const SECRET = 'S3cr3t-pw_do-not-print';

  beforeAll(async () => {
    p = await createProject({ label: 'badconn', models: { 'a.sql': 'select 1 as a' } });
  });

  afterAll(async () => {
    await p.cleanup();
  });

  const profile = (over: Record<string, unknown>): void => {
    p.write(
      'profiles.yml',
      stringify({ proj: { target: 'dev', outputs: { dev: { type: 'mysql', host: TEST_DB.host, port: TEST_DB.port, user: TEST_DB.user, password: TEST_DB.password, database: p.database, threads: 2, ...over } } } }),
    );
  };

  const expectOneCleanLine = (r: { code: number | null; stdout: string; stderr: string; output: string }, pattern: RegExp): void => {
    expect(r.code, r.output).toBe(2);
    const errLines = r.stderr.split('\n').filter(Boolean);
    expect(errLines, r.stderr).toHaveLength(1);
    expect(errLines[0]).toMatch(/^error: /);
    expect(errLines[0]).toMatch(pattern);
    expect(r.output).not.toMatch(/\n\s+at /);
    expect(r.output).not.toContain(SECRET);
  };

  for (const cmd of ['run', 'seed', 'build', 'debug']) {
    it(`${cmd}: server unreachable (port 1)`, async () => {
      profile({ port: 1, password: SECRET });
      const r = await p.ft([cmd]);
      if (cmd === 'debug') {
        expect(r.code).toBe(2);
        expect(r.output).not.toContain(SECRET);
        expect(r.stderr).toMatch(/cannot reach the server at 127\.0\.0\.1:1/);
        return;
      }
      expectOneCleanLine(r, /cannot reach the server at 127\.0\.0\.1:1 \(ECONNREFUSED\)\. Start MySQL\/MariaDB or fix host\/port of target "dev" in .*profiles\.yml/);
    });
  }

  it('wrong password: access denied, password not printed', async () => {
    profile({ password: SECRET });
    const r = await p.ft(['run']);
    expectOneCleanLine(r, /access denied for root@127\.0\.0\.1:3306 \(target "dev" in .*profiles\.yml\)\. Check user and password in the profile\./);
  });

  it('unknown host: one clear line', async () => {
    profile({ host: 'no-such-host.invalid' });
    const r = await p.ft(['run']);
    expectOneCleanLine(r, /no-such-host\.invalid/);
  });

  it('--log-format json: the connection error is a JSON line too', async () => {
    profile({ port: 1, password: SECRET });
    const r = await p.ft(['run', '--log-format', 'json']);
    expect(r.code).toBe(2);
    expect(r.output).not.toContain(SECRET);
    // exactly one line on stderr, the error as JSON (no line at all must not pass)
    const errLines = r.stderr.split('\n').filter(Boolean);
    expect(errLines, r.stderr).toHaveLength(1);
    const e = JSON.parse(errLines[0]!);
    expect(e.level).toBe('error');
    expect(e.msg).toMatch(/cannot reach the server/);
  });
});

describe('hostile model names', () => {
  let p: TestProject;

  beforeAll(async () => {
    p = await createProject({
      label: 'hostile',
      models: {
        'my model.sql': '{{config materialized="table"}}\nselect 1 as id, \'spaces\' as what',
        'ünïcødé_名前.sql': 'select id, \'unicode\' as what from {{ref "my model"}}',
        'select.sql': '{{config materialized="table"}}\nselect id, \'reserved\' as `from` from {{ref "ünïcødé_名前"}}',
        'order.sql': '{{config materialized="incremental" unique_key="id"}}\nselect id, `from` from {{ref "select"}}',
        'ticks.sql': '{{config materialized="table" alias="we`ird ``name"}}\nselect * from {{ref "order"}}',
        'ticks_view.sql': 'select * from {{ref "ticks"}}',
      },
    });
  });

  afterAll(async () => {
    await p.cleanup();
  });

  it('quotes every identifier: builds, rebuilds (swap) and runs incrementally', async () => {
    let r = await p.ft(['run']);
    expect(r.code, r.output).toBe(0);
    expect((await p.tables()).sort()).toEqual(['my model', 'order', 'select', 'ticks_view', 'we`ird ``name', 'ünïcødé_名前'].sort());
    expect(await p.query(`select id, \`from\` from ${p.rel('we`ird ``name')}`)).toEqual([{ id: 1, from: 'reserved' }]);
    expect(await p.query(`select * from ${p.rel('ticks_view')}`)).toEqual([{ id: 1, from: 'reserved' }]);
    // second run: table swaps and an incremental merge on the reserved-word table
    r = await p.ft(['run']);
    expect(r.code, r.output).toBe(0);
    expect(nodeLines(r.output).some((l) => /OK merged into incremental model \S+\.order /.test(l))).toBe(true);
    expect((await p.tables()).filter((t) => t.includes('__ft_'))).toEqual([]);
    expect(p.read('target/run/proj/models/ticks.sql')).toContain('`we``ird ````name__ft_tmp`');
    expect(p.exists('target/run/proj/models/my model.sql')).toBe(true);
    expect(p.exists('target/compiled/proj/models/ünïcødé_名前.sql')).toBe(true);
  });

  it('selects reserved-word models by name', async () => {
    // their parents first: this test does not count on the other one's build
    const parents = await p.ft(['run', '-s', '+order']);
    expect(parents.code, parents.output).toBe(0);
    const r2 = await p.ft(['run', '-s', 'select', 'order']);
    expect(r2.code, r2.output).toBe(0);
    expect(nodeLines(r2.output)).toHaveLength(2);
  });
});
