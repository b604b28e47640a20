import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createProject, REPO_ROOT, type TestProject } from '../helpers/project-builder.js';

/** kill -9 of ft in the middle of writing the first file whose path matches `file`, on any thread (see the preloads). */
const killOnWrite = (file: RegExp) => ({
  NODE_OPTIONS: `--import ${join(REPO_ROOT, 'tests', 'helpers', 'kill-on-write.mjs')} --require ${join(REPO_ROOT, 'tests', 'helpers', 'kill-on-write-in-threads.cjs')}`,
  FT_TEST_KILL_ON_WRITE: file.source,
});

const isTemporary = (f: string): boolean => f.endsWith('.tmp');

/**
 * Compiled and run SQL files, caches and reports are written under a temporary name and renamed
 * over the file: a command killed while it writes one leaves each file as it was before or as
 * the next command writes it, never half of it, and the temporary file it left is ignored by
 * readers and removed by the next write of its folder.
 */
describe('files written whole or not at all', { timeout: 300_000 }, () => {
  let p: TestProject | undefined;
  afterEach(async () => {
    await p?.cleanup();
    p = undefined;
  });

  const models = (n: number, tag = 'v1'): Record<string, string> =>
    Object.fromEntries(Array.from({ length: n }, (_, i) => [`m${i}.sql`, i === 0 ? `select 1 as id, '${tag}' as tag` : `select id, tag from {{ref "m${i - 1}"}}`]));

  /** every file under target/compiled but the temporary ones, with its text */
  const compiledFiles = (q: TestProject): Map<string, string> => new Map(q.list('target/compiled').filter((f) => !isTemporary(f)).map((f) => [f, q.read(f)]));

  /** each file right after the kill is the one before or the one the next compile wrote (or absent, as before or after) */
  const eachBeforeOrAfter = (before: Map<string, string>, mid: Map<string, string>, after: Map<string, string>): void => {
    for (const [f, text] of mid) {
      const ok = text === before.get(f) || text === after.get(f);
      expect(ok, `${f} right after the kill is neither the file before nor after:\n${text}`).toBe(true);
    }
    for (const f of before.keys()) if (!mid.has(f)) expect(after.has(f) ? 'present before and after, gone after the kill' : 'ok', f).toBe('ok');
  };

  // patch: only m3's body changed (the partial compile rewrites its file); full: --no-partial-parse;
  // cold: no target/ yet (a file not there before must not appear half written either)
  for (const mode of ['patch', 'full', 'cold'] as const) {
    it(`kill -9 of a ${mode} compile while it writes a compiled file: each file is whole, before or after`, async () => {
      p = await createProject({ label: `atomic${mode}`, models: models(8) });
      const flags = mode === 'full' ? ['--no-partial-parse'] : [];
      if (mode !== 'cold') expect((await p.ft(['compile'])).code).toBe(0);
      const before = compiledFiles(p);
      if (mode === 'full') p.write('models/m0.sql', "select 1 as id, 'v2' as tag");
      p.write('models/m3.sql', 'select id, tag, 3 as three from {{ref "m2"}}');

      const killed = await p.ft(['compile', ...flags], { env: killOnWrite(/compiled\/proj\/models\/m3\.sql/) });
      expect(killed.signal, `the write of m3.sql was never reached:\n${killed.output}`).toBe('SIGKILL');
      const mid = compiledFiles(p);
      // what a reader finds: the file before the compile, whole (or none, as before)
      if (mode === 'cold') expect(mid.has('target/compiled/proj/models/m3.sql')).toBe(false);
      else expect(mid.get('target/compiled/proj/models/m3.sql')).toBe(before.get('target/compiled/proj/models/m3.sql'));

      const next = await p.ft(['compile', ...flags]);
      expect(next.code, next.output).toBe(0);
      const after = compiledFiles(p);
      expect(after.get('target/compiled/proj/models/m3.sql')).toMatch(/^select id, tag, 3 as three from `[^`]+`\.`m2`\n$/);
      eachBeforeOrAfter(before, mid, after);
      // the killed compile's temporary file is gone, and never listed as a model
      expect(p.list('target').filter(isTemporary)).toEqual([]);
      const ls = await p.ft(['ls', '--output', 'name']);
      expect(ls.code, ls.output).toBe(0);
      expect(ls.stdout.trim().split('\n').sort()).toEqual(Array.from({ length: 8 }, (_, i) => `m${i}`).sort());
    });
  }

  it('kill -9 of a compile writing through its writing threads (600 files): each file is whole, before or after', async () => {
    p = await createProject({ label: 'atomicthreads', models: models(600) });
    expect((await p.ft(['compile'])).code).toBe(0);
    const before = compiledFiles(p);
    // every model's SQL changes: all 600 files are rewritten, more than the threads' threshold
    p.write('models/m0.sql', "select 1 as id, 'v2' as tag");
    for (let i = 1; i < 600; i++) p.write(`models/m${i}.sql`, `select id, tag, ${i} as n from {{ref "m${i - 1}"}}`);
    const killed = await p.ft(['compile'], { env: killOnWrite(/compiled\/proj\/models\/m550\.sql/) });
    expect(killed.signal, killed.output).toBe('SIGKILL');
    const mid = compiledFiles(p);
    expect(mid.get('target/compiled/proj/models/m550.sql')).toBe(before.get('target/compiled/proj/models/m550.sql'));
    const next = await p.ft(['compile']);
    expect(next.code, next.output).toBe(0);
    const after = compiledFiles(p);
    expect(after.size).toBe(600);
    eachBeforeOrAfter(before, mid, after);
    expect(p.list('target').filter(isTemporary)).toEqual([]);
  });

  it("a leftover of a killed writer is removed by the next compile; a running writer's file is kept", async () => {
    p = await createProject({ label: 'atomicleft', models: models(3) });
    expect((await p.ft(['compile'])).code).toBe(0);
    const dir = 'target/compiled/proj/models';
    // pid 4194304 is above Linux's highest (pid_max): no process has it
    p.write(`${dir}/m1.sql.4194304.tmp`, 'select half');
    p.write(`${dir}/m2.sql.4194304-7.tmp`, 'select half');
    p.write(`${dir}/m1.sql.${process.pid}.tmp`, 'being written by a live process');
    p.write('models/m1.sql', 'select id, tag, 1 as one from {{ref "m0"}}');
    const next = await p.ft(['compile']);
    expect(next.code, next.output).toBe(0);
    expect(readdirSync(p.path(dir)).sort()).toEqual(['m0.sql', 'm1.sql', `m1.sql.${process.pid}.tmp`, 'm2.sql']);
    const ls = await p.ft(['ls', '--output', 'name']);
    expect(ls.stdout.trim().split('\n').sort()).toEqual(['m0', 'm1', 'm2']);
  });

  // caches are checked when read too, but a reader (another tool, a person) must not meet half of
  // one; the compile record and cache are withdrawn before the compiled files are written, so
  // after the kill they are gone, or whole
  for (const cache of ['partial_parse.json', 'compile_record.json', 'compile_cache.json']) {
    it(`kill -9 while compile writes ${cache}: the file before is there, whole (or withdrawn)`, async () => {
      p = await createProject({ label: 'atomiccache', models: models(8) });
      expect((await p.ft(['compile'])).code).toBe(0);
      const before = p.read(`target/${cache}`);
      p.write('models/m0.sql', "select 1 as id, 'v2' as tag");
      p.write('models/m9.sql', 'select id from {{ref "m7"}}');
      const killed = await p.ft(['compile'], { env: killOnWrite(new RegExp(cache.replace('.', '\\.'))) });
      expect(killed.signal, `the write of ${cache} was never reached:\n${killed.output}`).toBe('SIGKILL');
      if (cache === 'partial_parse.json' || p.exists(`target/${cache}`)) expect(p.read(`target/${cache}`)).toBe(before);
      const next = await p.ft(['compile']);
      expect(next.code, next.output).toBe(0);
      expect(() => JSON.parse(p!.read(`target/${cache}`))).not.toThrow();
      expect(p.list('target').filter(isTemporary)).toEqual([]);
    });
  }

  it('kill -9 while ft test writes its JUnit XML report: the report before is there, whole', async () => {
    p = await createProject({
      label: 'atomicjunit',
      models: { 'a.sql': 'select 1 as id' },
      yaml: { 'schema.yml': 'models:\n  - name: a\n    columns:\n      - name: id\n        tests: [not_null, unique]\n' },
    });
    expect((await p.ft(['run'])).code).toBe(0);
    const report = p.path('reports', 'junit.xml');
    expect((await p.ft(['test', '--junit-xml', report])).code).toBe(0);
    const before = p.read('reports/junit.xml');
    const killed = await p.ft(['test', '--junit-xml', report], { env: killOnWrite(/junit\.xml/) });
    expect(killed.signal, killed.output).toBe('SIGKILL');
    expect(p.read('reports/junit.xml')).toBe(before);
  });
});
