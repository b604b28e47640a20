import { afterEach, describe, expect, it } from 'vitest';
import { createProject, type TestProject } from '../helpers/project-builder.js';

/**
 * `ft stream-load --once` promises to load everything present: a signal that cuts it short is
 * exit 130, never 0 — and what it committed before stopping is loaded exactly once, the rest by
 * the next run. A landing file (not stdin, whose open pipe keeps the process alive until the
 * stop deadline exits 130 whatever the command returned) so the exit code is the command's own.
 */
describe('stream-load --once interrupted', { timeout: 240_000 }, () => {
  let p: TestProject | undefined;
  afterEach(async () => {
    await p?.cleanup();
    p = undefined;
  });

  const LINES = 20_000;

  it('SIGTERM part-way through a landing file: exit 130, what was committed stays, the next --once loads the rest once', async () => {
    p = await createProject({
      label: 'oncecut',
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
    p.write('landing/events.ndjson', Array.from({ length: LINES }, (_, i) => JSON.stringify({ id: i + 1 })).join('\n') + '\n');
    const q = (sql: string): Promise<number> =>
      p!.query<{ n: number }>(sql).then(
        (r) => Number(r[0]!.n),
        () => 0,
      );
    const loaded = (): Promise<number> => q(`select count(*) as n from \`${p!.prefix}_bronze\`.events`);
    const rejected = (): Promise<number> => q(`select count(*) as n from \`${p!.prefix}_bronze\`.events__rejected`);

    // batches of 5 rows: thousands of commits, so the signal comes with most of the file left
    const run = p.spawn(['stream-load', '--once', '--max-batch-rows', '5', '--trigger-interval', '100ms']);
    for (let i = 0; i < 1200 && (await loaded()) < 10; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await loaded(), run.output()).toBeGreaterThanOrEqual(10);
    run.child.kill('SIGTERM');
    const r = await run.done;
    expect(r.signal, r.output).toBeNull();
    expect(r.output).not.toMatch(/did not stop within/); // the command ended on its own, not by the deadline
    expect(r.code, r.output).toBe(130);
    const first = await loaded();
    expect(first, 'the signal came after the whole file was loaded: nothing was cut short').toBeLessThan(LINES);

    const again = await p.ft(['stream-load', '--once', '--max-batch-rows', '5000']);
    expect(again.code, again.output).toBe(0);
    expect((await loaded()) + (await rejected())).toBe(LINES);
    const dups = await p.query(
      `select _source_file, _source_line from \`${p.prefix}_bronze\`.events group by _source_file, _source_line having count(*) > 1 limit 3`,
    );
    expect(dups).toEqual([]);
    expect(await q(`select count(*) as n from \`${p.prefix}_bronze\`.events where id = _source_line`)).toBe(LINES);
  });
});
