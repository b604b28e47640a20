import { afterEach, describe, expect, it } from 'vitest';
import { dbtFlagHint, readDbtArgv } from '../../src/cli/dbt-flags.js';

// A dbt CI script's command line, read as ft's (src/cli/dbt-flags.ts).
describe('dbt command lines', () => {
  const warnings: string[] = [];
  const read = (...argv: string[]): string[] => readDbtArgv(argv, (m) => warnings.push(m));
  const noColor = process.env.NO_COLOR;
  afterEach(() => {
    warnings.length = 0;
    if (noColor === undefined) delete process.env.NO_COLOR;
    else process.env.NO_COLOR = noColor;
  });

  it('flags before the command move after it (and after a subcommand), with their values', () => {
    expect(read('--debug', '--log-format', 'json', 'build', '-s', 'a')).toEqual(['build', '--debug', '--log-format', 'json', '-s', 'a']);
    expect(read('--target=ci', 'source', 'freshness')).toEqual(['source', 'freshness', '--target=ci']);
    expect(read('--warn-error', 'docs', 'generate', '-t', 'prod')).toEqual(['docs', 'generate', '--warn-error', '-t', 'prod']);
    expect(read('build', '--debug')).toEqual(['build', '--debug']);
    expect(read('--version')).toEqual(['--version']);
  });

  it('-m/--models are --select; flags whose effect ft has are dropped; log-only ones are dropped with a warning', () => {
    delete process.env.NO_COLOR;
    expect(read('run', '-m', 'a', 'b', '--models=c')).toEqual(['run', '--select', 'a', 'b', '--select=c']);
    // dbt's ls: --models implies --resource-type model
    expect(read('ls', '-m', 'a+')).toEqual(['ls', '--select', 'a+', '--resource-type', 'model']);
    expect(read('--no-use-colors', '--no-version-check', 'ls', '--no-send-anonymous-usage-stats')).toEqual(['ls']);
    expect(process.env.NO_COLOR).toBe('1');
    expect(warnings).toEqual([]);
    expect(read('--printer-width', '80', 'ls', '--no-populate-cache')).toEqual(['ls']);
    expect(warnings).toEqual([
      "ft ignores dbt's --printer-width 80: it only changes how dbt logs or caches. Leave it out to silence this.",
      "ft ignores dbt's --no-populate-cache: it only changes how dbt logs or caches. Leave it out to silence this.",
    ]);
    // after `--`, nothing is a flag
    expect(read('run-operation', 'm', '--', '-m')).toEqual(['run-operation', 'm', '--', '-m']);
  });

  it("a dbt flag ft does not take gets what to write instead; ft's own unknown flags get nothing", () => {
    expect(dbtFlagHint('--empty')).toMatch(/^--empty is a dbt flag: ft cannot build with empty refs yet; leave it out/);
    expect(dbtFlagHint('--favor-state')).toContain('leave --favor-state out');
    expect(dbtFlagHint('--no-such-flag')).toBeUndefined();
  });
});
