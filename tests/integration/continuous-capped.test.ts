/**
 * `ft stream-load --build … --max-batches-per-build N`: each build takes at most N loader
 * batches (the models bound their horizon by the var max_batches_per_build), and builds go on
 * while the models advance — a backlog is worked off in bounded builds to the end, even when no
 * new batch arrives to ask for one.
 */
import { mkdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { SOURCES, land, outputEvents } from '../helpers/continuous-project.js';
import { createProject, type TestProject } from '../helpers/project-builder.js';

// events_clean takes at most max_batches_per_build batches past its watermark, and logs how far each build got
const EVENTS_CAPPED = `{{config materialized="incremental" unique_key="id" watermark_column="_batch_id"
  post_hook="insert into {{target.database}}_ctl.reached (batch) select coalesce(max(_batch_id), 0) from {{this}}"}}
select id, k, ts, _batch_id from {{source "bronze" "events"}}
{{#if (is_incremental)}}
where _batch_id > (select coalesce(max(_batch_id), 0) from {{this}})
  {{#if (var "max_batches_per_build" 0)}}and _batch_id <= (select coalesce(max(_batch_id), 0) from {{this}}) + {{var "max_batches_per_build"}}{{/if}}
{{/if}}
`;
const TOTALS = `{{config materialized="table"}}
select k, count(*) as n from {{ref "events_clean"}} group by k
`;

let p: TestProject | null = null;
afterEach(async () => {
  await p?.cleanup();
  p = null;
});

async function project(): Promise<TestProject> {
  p = await createProject({ label: 'contcap', yaml: { 'sources.yml': SOURCES }, models: { 'events_clean.sql': EVENTS_CAPPED, 'totals.sql': TOTALS } });
  mkdirSync(p.path('landing'));
  await p.query(`CREATE DATABASE \`${p.database}_ctl\``);
  await p.query(`CREATE TABLE \`${p.database}_ctl\`.reached (seq int AUTO_INCREMENT PRIMARY KEY, batch int NOT NULL)`);
  return p;
}

function deliver(q: TestProject, name: string, from: number, rows: number): void {
  land(q, name, Array.from({ length: rows }, (_, i) => ({ id: from + i, k: `k${(from + i) % 3}`, ts: new Date(Date.UTC(2026, 10, 24, 10, 0, 0, from + i)).toISOString() })));
}

describe('ft stream-load --build --max-batches-per-build', () => {
  it('builds a backlog in builds of at most N batches each, going on until caught up; gold equals bronze', async () => {
    const q = await project();
    // 12 batches of 10 rows before the loader starts
    for (let f = 0; f < 4; f++) deliver(q, `f${f}`, f * 30 + 1, 30);
    const r = await q.ft(['stream-load', '--build', '+totals', '--max-batches-per-build', '2', '--max-batch-rows', '10', '--once', '--log-format', 'json']);
    expect(r.code, r.output).toBe(0);
    const summary = outputEvents<{ event: string; batches: number }>(r.stdout, 'summary')[0]!;
    expect(summary.batches).toBe(12);
    const reached = (await q.query<{ batch: number }>(`SELECT batch FROM \`${q.database}_ctl\`.reached ORDER BY seq`)).map((x) => Number(x.batch));
    // the first build creates the table from every batch committed by then; later ones take ≤ 2 each
    for (let i = 1; i < reached.length; i++) expect(reached[i]! - reached[i - 1]!).toBeLessThanOrEqual(2);
    expect(reached.at(-1)).toBe(12);
    const [counts] = await q.query<{ gold: number; bronze: number }>(
      `SELECT (SELECT SUM(n) FROM \`${q.database}\`.totals) AS gold, (SELECT COUNT(*) FROM \`${q.database}_bronze\`.events) AS bronze`,
    );
    expect([Number(counts!.gold), Number(counts!.bronze)]).toEqual([120, 120]);
  }, 180_000);

  it('refuses a cap that is no whole number ≥ 1, one without --build, and one also given in --vars, exit 2', async () => {
    const q = await project();
    for (const [args, msg] of [
      [['--build', '+totals', '--max-batches-per-build', '0'], /--max-batches-per-build must be a whole number ≥ 1/],
      [['--max-batches-per-build', '3'], /--max-batches-per-build goes with --build/],
      [['--build', '+totals', '--max-batches-per-build', '3', '--vars', '{max_batches_per_build: 5}'], /leave it out of --vars/],
    ] as Array<[string[], RegExp]>) {
      const r = await q.ft(['stream-load', '--once', ...args]);
      expect(r.code, r.output).toBe(2);
      expect(r.output).toMatch(msg);
      expect(r.output).not.toMatch(/\n\s+at /);
    }
  }, 120_000);
});
