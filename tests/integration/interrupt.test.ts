import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createProject, type CliResult, type TestProject } from '../helpers/project-builder.js';

/**
 * No wait that cannot end: a test holding a session never waits for a second one from the
 * pool, and SIGINT/SIGTERM end a command whatever it is doing — a statement on the server, a
 * wait for the run lock or a connection, or a macro stuck in a loop — with exit 130.
 */
describe('runs that cannot hang', { timeout: 240_000 }, () => {
  let p: TestProject | undefined;
  afterEach(async () => {
    await p?.cleanup();
    p = undefined;
  });

  /** interrupted: exit code 130, or killed by the signal itself while a user's macro held the thread */
  const interrupted = (r: CliResult, signal: NodeJS.Signals): void => {
    if (r.signal) expect(r.signal, r.output).toBe(signal);
    else expect(r.code, r.output).toBe(130);
  };

  it('ft test --store-failures with one thread stores the failing rows instead of waiting forever for a second connection', async () => {
    p = await createProject({
      label: 'storefail',
      models: { 'dup.sql': 'select 1 as id union all select 1 union all select 2' },
      yaml: { 'schema.yml': 'models:\n  - name: dup\n    columns:\n      - name: id\n        tests: [unique, not_null]\n' },
    });
    expect((await p.ft(['run'])).code).toBe(0);
    const r = await p.ft(['test', '--store-failures', '--threads', '1'], { timeoutMs: 60_000 });
    expect(r.signal, `ft test hung:\n${r.output}`).toBeNull();
    expect(r.code, r.output).toBe(1);
    const stored = await p.query<{ n: number }>(`select count(*) as n from \`${p.prefix}_test_failures\`.\`unique_dup_id\``);
    expect(Number(stored[0]!.n)).toBe(1);
    const b = await p.ft(['build', '--store-failures', '--threads', '1'], { timeoutMs: 60_000 });
    expect(b.signal, `ft build hung:\n${b.output}`).toBeNull();
    expect(b.code, b.output).toBe(1);
  });

  /** a macro that marks a file once it is entered, then never returns */
  const SPIN = "import { writeFileSync } from 'node:fs';\nexport function spin() { writeFileSync(process.env.FT_SPIN_MARK, 'in'); for (;;) {} }\n";
  const spinning = async (mark: string, output: () => string): Promise<void> => {
    for (let i = 0; i < 1200 && !existsSync(mark); i++) await new Promise((r) => setTimeout(r, 100));
    expect(existsSync(mark), `the macro was never entered:\n${output()}`).toBe(true);
  };

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} ends a run whose macro is stuck in a loop`, async () => {
      p = await createProject({
        label: 'spin',
        macros: { 'spin.js': SPIN },
        models: { 'a.sql': 'select 1 as id', 'b.sql': 'select {{spin}} as x from {{ref "a"}}' },
      });
      const mark = p.path('spin.mark');
      const run = p.spawn(['run', '--threads', '1'], { env: { FT_SPIN_MARK: mark } });
      await spinning(mark, run.output);
      const sent = Date.now();
      run.child.kill(signal);
      const r = await run.done;
      interrupted(r, signal);
      // generous: the process must end on its own, long before the harness's 120 s kill
      expect(Date.now() - sent, r.output).toBeLessThan(30_000);
    });
  }

  it('SIGTERM while waiting for the run lock ends the wait with 130', async () => {
    p = await createProject({ label: 'lockwait', models: { 'a.sql': 'select 1 as id' } });
    const holder = await p.query<{ g: number }>('select get_lock(?, 0) as g', [`ft_run:${p.prefix}`]);
    expect(Number(holder[0]!.g)).toBe(1);
    const run = p.spawn(['run', '--lock-wait', '600']);
    await run.waitFor(/waiting up to 600s/, 90_000);
    run.child.kill('SIGTERM');
    const r = await run.done;
    interrupted(r, 'SIGTERM');
    expect(r.output).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('SIGINT ends a compile whose macro is stuck in a loop', async () => {
    p = await createProject({
      label: 'spincompile',
      macros: { 'spin.js': SPIN },
      models: { 'b.sql': 'select {{spin}} as x' },
    });
    const mark = p.path('spin.mark');
    const run = p.spawn(['compile'], { env: { FT_SPIN_MARK: mark } });
    await spinning(mark, run.output);
    run.child.kill('SIGINT');
    const r = await run.done;
    interrupted(r, 'SIGINT');
  });

  it('stream-load --once cut short by SIGTERM exits 130 after committing what it read', async () => {
    p = await createProject({
      label: 'oncesig',
      yaml: {
        'sources.yml': [
          'sources:',
          '  - name: bronze',
          '    schema: "{{target.database}}_bronze"',
          '    tables:',
          '      - name: events',
          '        loader: {path: landing, format: ndjson}',
          '        columns:',
          '          - {name: id, data_type: int, required: true}',
          '',
        ].join('\n'),
      },
    });
    // stdin that stays open: --once has work left when the signal comes
    const run = p.spawn(['stream-load', '--once', '--path', '-', '--trigger-interval', '100ms', '--max-batch-rows', '5'], { stdin: 'pipe' });
    run.child.stdin!.write(Array.from({ length: 10 }, (_, i) => JSON.stringify({ id: i + 1 })).join('\n') + '\n');
    const loaded = async (): Promise<number> => {
      try {
        return Number((await p!.query<{ n: number }>(`select count(*) as n from \`${p!.prefix}_bronze\`.events`))[0]!.n);
      } catch {
        return 0;
      }
    };
    for (let i = 0; i < 600 && (await loaded()) < 10; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await loaded(), run.output()).toBe(10);
    run.child.kill('SIGTERM');
    const r = await run.done;
    expect(r.code, r.output).toBe(130);
    expect(await loaded()).toBe(10);
  });
});
