import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createProject, REPO_ROOT, type TestProject } from '../helpers/project-builder.js';

/** kill -9 of ft in the middle of writing the first file whose path matches `file` (see the preload). */
const killOnWrite = (file: RegExp) => ({ NODE_OPTIONS: `--import ${join(REPO_ROOT, 'tests', 'helpers', 'kill-on-write.mjs')}`, FT_TEST_KILL_ON_WRITE: file.source });

/**
 * target/ survives what can happen to a command: kill -9 in the middle of writing an artifact
 * or a cache (the next command works and reads no half file: each is written under a temporary
 * name and renamed, or checked when read), two commands writing it at once (both succeed, no
 * corrupt file), and a --state manifest that is not one (a clear message naming it, exit 2).
 */
describe('target/ failure paths', { timeout: 180_000 }, () => {
  let p: TestProject | undefined;
  afterEach(async () => {
    await p?.cleanup();
    p = undefined;
  });

  const models = (n: number, tag = 'v1'): Record<string, string> =>
    Object.fromEntries(Array.from({ length: n }, (_, i) => [`m${i}.sql`, i === 0 ? `select 1 as id, '${tag}' as tag` : `select id, tag from {{ref "m${i - 1}"}}`]));

  /** every JSON file under target/ parses, and no temporary file is left where a reader looks */
  const targetIsWhole = (q: TestProject): string[] => {
    const files = q.list('target').filter((f) => f.endsWith('.json'));
    for (const f of files) expect(() => JSON.parse(q.read(f)), f).not.toThrow();
    return files;
  };

  /** [what, path pattern, the artifact a reader may open right after the kill (caches are checked when read instead)] */
  const artifacts: Array<[string, RegExp, string | null]> = [
    ['manifest.json', /manifest\.json/, 'target/manifest.json'],
    // compiled SQL files are written whole under a temporary name and renamed (more cases in
    // atomic-compiled-files.test.ts); the compile cache is withdrawn before the first is written
    // and saved once all are, so the next compile does not trust a file it did not finish
    // rewriting (see also the "changed back" cases below)
    ['a compiled SQL file', /compiled\/proj\/models\/m3\.sql/, 'target/compiled/proj/models/m3.sql'],
    ['partial_parse.json', /partial_parse\.json/, null],
    ['compile_record.json', /compile_record\.json/, null],
  ];
  for (const [what, file, readable] of artifacts) {
    it(`kill -9 while compile writes ${what}: the next compile and ls work, every artifact is whole and current`, async () => {
      p = await createProject({ label: 'killwrite', models: models(8) });
      expect((await p.ft(['compile'])).code).toBe(0);
      const before = readable ? p.read(readable) : '';
      // a change, so the killed compile has something to write
      p.write('models/m0.sql', "select 1 as id, 'v2' as tag");
      p.write('models/m3.sql', 'select id, tag, 3 as three from {{ref "m2"}}');
      const killed = await p.ft(['compile'], { env: killOnWrite(file) });
      expect(killed.signal, `the write of ${what} was never reached:\n${killed.output}`).toBe('SIGKILL');
      // what a reader (ls, docs, another tool) finds right after the kill: the previous file, whole
      if (readable) expect(p.read(readable)).toBe(before);
      const next = await p.ft(['compile']);
      expect(next.code, next.output).toBe(0);
      expect(next.output).not.toMatch(/\n\s+at /);
      targetIsWhole(p);
      const manifest = p.readJson<{ nodes: Record<string, { raw_code: string }> }>('target/manifest.json');
      expect(manifest.nodes['model.proj.m0']!.raw_code).toContain("'v2'");
      expect(p.read('target/compiled/proj/models/m3.sql')).toMatch(/^select id, tag, 3 as three from `[^`]+`\.`m2`\n?$/);
      const ls = await p.ft(['ls', '--output', 'name']);
      expect(ls.code, ls.output).toBe(0);
      expect(ls.stdout.trim().split('\n').sort()).toEqual(Array.from({ length: 8 }, (_, i) => `m${i}`).sort());
    });
  }

  // The compile cache vouches that a compiled file on disk holds the SQL it remembers. A compile
  // killed while it wrote one must leave no file the cache vouches for wrongly — not even when the
  // model then goes back to what the cache remembers (its SQL "unchanged", the file not rewritten).
  for (const [cmd, what, kill] of [
    ['compile', 'while it is half written', /compiled\/proj\/models\/m3\.sql/],
    ['compile', 'once it is written, at a later file', /compiled\/proj\/models\/m5\.sql/],
    ['run', 'while it is half written', /compiled\/proj\/models\/m3\.sql/],
  ] as const) {
    it(`kill -9 of ft ${cmd} that changed a model, ${what}; the model changed back: the next compile's file holds its SQL`, async () => {
      p = await createProject({ label: 'killback', models: models(8) });
      expect((await p.ft(['compile'])).code).toBe(0);
      const original = p.read('target/compiled/proj/models/m3.sql');
      const source = p.read('models/m3.sql');
      p.write('models/m3.sql', 'select id, tag, 3 as three from {{ref "m2"}}');
      p.write('models/m5.sql', 'select id, tag, 5 as five from {{ref "m4"}}');
      const killed = await p.ft([cmd], { env: killOnWrite(kill) });
      expect(killed.signal, killed.output).toBe('SIGKILL');
      p.write('models/m3.sql', source);
      const next = await p.ft(['compile']);
      expect(next.code, next.output).toBe(0);
      expect(p.read('target/compiled/proj/models/m3.sql')).toBe(original);
      expect(p.read('target/compiled/proj/models/m5.sql')).toMatch(/^select id, tag, 5 as five from `[^`]+`\.`m4`\n?$/);
    });
  }

  it('kill -9 while ft run writes run_results.json: the next run works and writes it whole', async () => {
    p = await createProject({ label: 'killresults', models: { 'a.sql': 'select 1 as id' } });
    expect((await p.ft(['run'])).code).toBe(0);
    const before = p.read('target/run_results.json');
    const killed = await p.ft(['run'], { env: killOnWrite(/run_results\.json/) });
    expect(killed.signal, killed.output).toBe('SIGKILL');
    expect(p.read('target/run_results.json')).toBe(before);
    const next = await p.ft(['run']);
    expect(next.code, next.output).toBe(0);
    targetIsWhole(p);
    expect(p.readJson<{ results: Array<{ status: string }> }>('target/run_results.json').results.map((r) => r.status)).toEqual(['success']);
  });

  it('two compiles of one project at once: both succeed and leave whole, current files', async () => {
    p = await createProject({ label: 'twocompiles', models: models(60) });
    const [a, b] = await Promise.all([p.ft(['compile', '--no-partial-parse']), p.ft(['compile', '--no-partial-parse'])]);
    expect(a.code, a.output).toBe(0);
    expect(b.code, b.output).toBe(0);
    targetIsWhole(p);
    expect(Object.keys(p.readJson<{ nodes: object }>('target/manifest.json').nodes)).toHaveLength(60);
    expect(readdirSync(p.path('target')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const next = await p.ft(['compile']);
    expect(next.code, next.output).toBe(0);
  });

  it('compile and ls writing target/ at once: both succeed, no corrupt file', async () => {
    p = await createProject({ label: 'compilels', models: models(60) });
    const [a, b] = await Promise.all([p.ft(['compile']), p.ft(['ls', '--output', 'name'])]);
    expect(a.code, a.output).toBe(0);
    expect(b.code, b.output).toBe(0);
    expect(b.stdout.trim().split('\n')).toHaveLength(60);
    targetIsWhole(p);
  });

  const corrupt: Array<[string, string]> = [
    ['truncated JSON', '{"metadata": {"dbt_schema_version": "x"}, "nodes": {"model.proj.a": {"checksum"'],
    ['JSON that is not a manifest (a list)', '[1, 2, 3]'],
    ['JSON null', 'null'],
    ['an object without nodes', '{"metadata": {}}'],
  ];
  for (const [what, text] of corrupt) {
    it(`--state with ${what}: a message naming the file, exit 2, no stack trace`, async () => {
      p = await createProject({ label: 'badstate', models: { 'a.sql': 'select 1 as id' }, files: { 'prod/manifest.json': text } });
      for (const cmd of [['ls', '-s', 'state:modified'], ['run', '-s', 'state:modified+']]) {
        const r = await p.ft([...cmd, '--state', p.path('prod')]);
        expect(r.code, r.output).toBe(2);
        expect(r.output).toContain(join(p.path('prod'), 'manifest.json'));
        expect(r.output).toMatch(/Regenerate it with ft compile/);
        expect(r.output).not.toMatch(/\n\s+at /);
      }
      expect(await p.tables()).toEqual([]);
    });
  }
});
