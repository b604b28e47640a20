import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadProject } from '../../src/project/load-project.js';
import { FtError } from '../../src/util/errors.js';

// Every macro file ft cannot read is reported in one run: a converted package left 39 of them,
// and each run named only the first.
const root = mkdtempSync(join(tmpdir(), 'ft-macroerrs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('macro files that cannot be read', () => {
  it('are all listed, each with its file, line and fix; exit 2', async () => {
    const files: Record<string, string> = {
      'project.yml': 'name: p\nprofile: p\n',
      'profiles.yml': 'p:\n  target: dev\n  outputs:\n    dev: {type: mysql, database: db}\n',
      'models/m.sql': 'select 1 as x\n',
      'macros/ok.sql': 'select {{x}}\n',
      'macros/one.sql': "-- fine\n{{ return('') }}\n",
      'macros/two.sql': "{{#if x}}\n{{ adapter.quote('y') }}\n{{/if}}\n{{#if}}\n",
    };
    for (const [rel, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, rel)), { recursive: true });
      writeFileSync(join(root, rel), text);
    }
    const e = (await loadProject({ projectDir: root, partialParse: false }).catch((x: unknown) => x)) as FtError;
    expect(e).toBeInstanceOf(FtError);
    expect(e.exitCode).toBe(2);
    const text = e.format();
    expect(text).toMatch(/^2 macro files cannot be read:\n/);
    expect(text).toContain(`  macros/one.sql:2: "{{ return('') }}" is Jinja; an ft macro (a partial) gives its text, so write the value itself in its place`);
    expect(text).toMatch(/\n {2}macros\/two\.sql:\d+: /);
  });
});
