import { afterEach, describe, expect, it } from 'vitest';
import { createProject, type TestProject } from '../helpers/project-builder.js';

/**
 * `ft stream-load --once` promises to load everything present: a signal that cuts it short is
 * exit 130, never 0 — and what it committed before stopping is loaded exactly once, the rest by
 * the next run. The loader must end on its own (its summary printed), not by the stop deadline
 * that exits 130 whatever the command would have returned — from stdin too, whose writer may keep
 * the pipe open and send nothing.
 */
describe('stream-load --once interrupted', { timeout: 240_000 }, () => {
  let p: TestProject | undefined;
  afterEach(async () => {
    await p?.cleanup();
    p = undefined;
  });

  const LINES = 20_000;

  const SOURCES = [
    'sources:',
    '  - name: bronze',
    '    schema: "{{target.database}}_bronze"',
    '    tables:',
    '      - name: events',
    '        loader: {path: landing, format: ndjson}',
    '        columns:',
    '          - {name: id, data_type: int, required: true}',
    '',
  ].join('\n');

  it('SIGTERM while stdin stays open and quiet: what was read is committed, the loader ends on its own, exit 130', async () => {
    p = await createProject({ label: 'oncestdin', yaml: { 'sources.yml': SOURCES } });
    const loaded = async (): Promise<number> => {
      try {
        return Number((await p!.query<{ n: number }>(`select count(*) as n from \`${p!.prefix}_bronze\`.events`))[0]!.n);
      } catch {
        return 0;
      }
    };
    const run = p.spawn(['stream-load', '--once', '--path', '-', '--trigger-interval', '100ms', '--max-batch-rows', '5'], { stdin: 'pipe' });
    run.child.stdin!.write(Array.from({ length: 10 }, (_, i) => JSON.stringify({ id: i + 1 })).join('\n') + '\n');
    for (let i = 0; i < 600 && (await loaded()) < 10; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await loaded(), run.output()).toBe(10);
    // the writer keeps the pipe open: the loader is waiting for more input when the signal comes
    run.child.kill('SIGTERM');
    const r = await run.done;
    expect(r.signal, r.output).toBeNull();
    expect(r.output).not.toMatch(/did not stop within/);
    expect(r.output).toMatch(/stream-load done: .*10 rows loaded, 0 rejected/);
    expect(r.code, r.output).toBe(130);
    expect(await loaded()).toBe(10);
  });

  it('SIGTERM part-way through a landing file: exit 130, what was committed stays, the next --once loads the rest once', async () => {
    p = await createProject({ label: 'oncecut', yaml: { 'sources.yml': SOURCES } });
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
