/**
 * `ft stream-load --once` ends when its work ends. closeConnection raced `conn.end()` against a
 * 2-second timer it never cleared, so every --once run (even on an empty landing folder) sat idle
 * for 2 s after printing its summary before the process could exit.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_DB, dropSchemas, uniquePrefix } from '../helpers/db.js';
import { REPO_ROOT, createProject, type TestProject } from '../helpers/project-builder.js';

const prefix = uniquePrefix('streamexit');
const projects: TestProject[] = [];

afterAll(async () => {
  for (const p of projects) await p.cleanup();
  await dropSchemas(prefix);
});

const SOURCES = `
version: 2
sources:
  - name: bronze
    schema: "{{target.database}}_bronze"
    tables:
      - name: events
        loader: {path: landing, format: ndjson, pattern: "*.ndjson"}
        columns:
          - {name: id, data_type: int, required: true}
          - {name: note, data_type: varchar(16)}
`;

describe('stream-load --once exits when its work is done', () => {
  it('leaves no timer behind once streamLoad has returned (empty landing folder)', async () => {
    const p = await createProject({ label: 'streamexit', yaml: { 'sources.yml': SOURCES } });
    projects.push(p);
    mkdirSync(p.path('landing'));
    // In a fresh Node process: after streamLoad resolves, nothing may keep the event loop alive.
    // Before the fix a 2 s `Timeout` from closeConnection was still pending here.
    const code = `
      const { streamLoad } = await import(${JSON.stringify(join(REPO_ROOT, 'src/stream/stream-load.ts'))});
      await streamLoad({
        connection: ${JSON.stringify(TEST_DB)},
        target: { database: ${JSON.stringify(`${prefix}_direct`)}, table: 'events', columns: [{ name: 'id', dataType: 'int', required: true }] },
        path: ${JSON.stringify(p.path('landing'))}, format: 'ndjson', once: true, maxBatchRows: 1000, maxBatchBytes: 1 << 20,
        triggerIntervalMs: 50, maxLineBytes: 1 << 20, logFormat: 'json', statusIntervalMs: 60000, log: () => {},
      });
      process.stdout.write('HANDLES ' + JSON.stringify(process.getActiveResourcesInfo()) + '\\n');
    `;
    const out = await new Promise<string>((res, rej) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (text += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (text += d));
      child.on('error', rej);
      child.on('close', () => res(text));
    });
    const line = out.split('\n').find((l) => l.startsWith('HANDLES '));
    expect(line, out).toBeDefined();
    const handles = JSON.parse(line!.slice('HANDLES '.length)) as string[];
    // No timer (the sockets may still be closing: COM_QUIT is sent, the server hangs up next).
    expect(handles.filter((h) => h === 'Timeout')).toEqual([]);
  });

  it('the CLI exits right after its summary: nothing but closing sockets is left to wait for', async () => {
    const p = await createProject({ label: 'streamexit', yaml: { 'sources.yml': SOURCES } });
    projects.push(p);
    mkdirSync(p.path('landing'));
    // What keeps the process alive once the summary is out, listed by a preload — not how long the
    // exit took, which a loaded machine stretches. Before the fix a 2 s `Timeout` was still there.
    const r = await p.ft(['stream-load', '--once', '--log-format', 'json'], {
      env: { NODE_OPTIONS: `--import ${join(REPO_ROOT, 'tests', 'helpers', 'handles-after-output.mjs')}`, FT_TEST_HANDLES_AFTER: '"event":"summary"' },
    });
    expect(r.code, r.output).toBe(0);
    expect(r.stdout, r.output).toContain('"event":"summary"');
    const line = r.stderr.split('\n').find((l) => l.startsWith('HANDLES '));
    expect(line, r.output).toBeDefined();
    const handles = JSON.parse(line!.slice('HANDLES '.length)) as string[];
    expect(handles.filter((h) => h === 'Timeout'), line).toEqual([]);
  });
});
