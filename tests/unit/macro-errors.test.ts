import { describe, expect, it } from 'vitest';
import { FtError } from '../../src/util/errors.js';
import { loadFiles } from '../helpers/project-files.js';

// Every macro file ft cannot read is reported in one run: a converted package left 39 of them,
// and each run named only the first.

describe('macro files that cannot be read', () => {
  it('are all listed, each with its file, line and fix; exit 2', async () => {
    const e = (await loadFiles({
      'models/m.sql': 'select 1 as x\n',
      'macros/ok.sql': 'select {{x}}\n',
      'macros/one.sql': "-- fine\n{{ return('') }}\n",
      'macros/two.sql': "{{#if x}}\n{{ adapter.quote('y') }}\n{{/if}}\n{{#if}}\n",
    }).catch((x: unknown) => x)) as FtError;
    expect(e).toBeInstanceOf(FtError);
    expect(e.exitCode).toBe(2);
    const text = e.format();
    expect(text).toMatch(/^2 macro files cannot be read:\n/);
    expect(text).toContain(`  macros/one.sql:2: "{{ return('') }}" is Jinja; an ft macro (a partial) gives its text, so write the value itself in its place`);
    expect(text).toMatch(/\n {2}macros\/two\.sql:\d+: /);
  });
});
