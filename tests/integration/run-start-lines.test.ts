import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliCommand, createProject, type TestProject } from '../helpers/project-builder.js';

const run = promisify(execFile);

/** START lines as each node begins; a progress line redrawn in place on a terminal only. */
describe('START lines and progress', () => {
  let p: TestProject;
  beforeEach(async () => {
    p = await createProject({
      label: 'startln',
      seeds: { 'nums.csv': 'n\n1\n2\n' },
      models: {
        'v.sql': 'select n from {{ref "nums"}}',
        't.sql': '{{config materialized="table"}}\nselect n from {{ref "v"}}',
        'i.sql': '{{config materialized="incremental" unique_key="n"}}\nselect n from {{ref "t"}}',
      },
      yaml: { 'schema.yml': 'models:\n  - name: t\n    columns:\n      - name: n\n        tests: [unique]\n' },
    });
  });
  afterEach(async () => {
    await p.cleanup();
  });

  it('off a terminal: a plain START line before each node\'s result line, nothing redrawn', async () => {
    const r = await p.ft(['build']);
    expect(r.code, r.output).toBe(0);
    const lines = r.stdout.split('\n').map((l) => l.replace(/^\d\d:\d\d:\d\d {2}/, ''));
    const db = p.database;
    const starts = [`START seed file ${db}.nums`, `START sql view model ${db}.v`, `START sql table model ${db}.t`, `START sql incremental model ${db}.i`, 'START test unique_t_n'];
    for (const s of starts) {
      const at = lines.findIndex((l) => l.startsWith(`${s} .`) && l.endsWith(' [RUN]'));
      expect(at, `${s}\n${r.stdout}`).toBeGreaterThanOrEqual(0);
      const name = s.split(/[ .]/).pop()!;
      const done = lines.findIndex((l) => /^\d+ of 5 /.test(l) && new RegExp(`[ .]${name} \\.`).test(l));
      expect(done, `${name}\n${r.stdout}`).toBeGreaterThan(at);
    }
    expect(lines.filter((l) => l.startsWith('START '))).toHaveLength(5);
    expect(r.output).not.toMatch(/\r|\x1b\[K/);
  });

  it('--log-format json: the same events as before, no START lines', async () => {
    const r = await p.ft(['build', '--log-format', 'json']);
    expect(r.code, r.output).toBe(0);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { msg: string; event?: string });
    expect(events.some((e) => /START/.test(e.msg))).toBe(false);
    expect(events.filter((e) => e.event === 'node_finished')).toHaveLength(5);
  });

  it.skipIf(!existsSync('/usr/bin/script'))('on a terminal: a progress line (done/total, elapsed, running) redrawn in place', async () => {
    const { cmd, argv } = cliCommand(['build', '--project-dir', p.dir]);
    const line = [cmd, ...argv].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.CI;
    delete env.NO_COLOR;
    delete env.GITHUB_ACTIONS;
    // script gives the CLI a pseudo-terminal
    const r = await run('/usr/bin/script', ['-qec', line, '/dev/null'], { env, maxBuffer: 16 << 20 });
    expect(r.stdout).toMatch(/\r\x1b\[K/);
    expect(r.stdout).toMatch(/\[[= ]{20}\] [0-4]\/5 · \d+\.\ds/);
    expect(r.stdout).toMatch(/ · running \w/);
    expect(r.stdout).toMatch(/START sql view model/);
    expect(r.stdout).toMatch(/Done\. PASS=5/);
  });
});
