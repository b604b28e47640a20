import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateProject, modelPath } from '../../bench/gen-project.js';
import { stampOf, type Stamp } from '../../src/project/parse-cache.js';

// A project large enough that `ft compile` reads its templates and writes target/compiled on
// worker threads: what lands on disk must be exactly what the manifest says was compiled.

const repo = resolve(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'ft-large-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function ft(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [join(repo, 'bin', 'ft.js'), ...args], { env: { PATH: process.env.PATH, HOME: work } }, (err, stdout, stderr) =>
      done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

interface ManifestNode {
  resource_type: string;
  name: string;
  original_file_path: string;
  compiled_code?: string;
  raw_code?: string;
}

function compiledFileOf(dir: string, n: ManifestNode): string {
  const base = join(dir, 'target', 'compiled', 'bench');
  return n.resource_type === 'test' ? join(base, n.original_file_path, `${n.name}.sql`) : join(base, n.original_file_path);
}

describe('ft compile of 800 models', () => {
  it('writes every compiled file the manifest lists, with the same SQL, cold and after an edit', async () => {
    const dir = join(work, 'p');
    generateProject(dir, 800);
    const cold = await ft(['compile', '--project-dir', dir]);
    expect(cold.code, cold.stderr).toBe(0);
    const check = (): Record<string, ManifestNode> => {
      const nodes = (JSON.parse(readFileSync(join(dir, 'target', 'manifest.json'), 'utf8')) as { nodes: Record<string, ManifestNode> }).nodes;
      const compiled = Object.values(nodes).filter((n) => n.resource_type === 'model' || n.resource_type === 'test');
      expect(compiled.length).toBe(800 * 3);
      for (const n of compiled) expect(readFileSync(compiledFileOf(dir, n), 'utf8')).toBe(`${n.compiled_code!.replace(/\n$/, '')}\n`);
      return nodes;
    };
    const nodes = check();
    // the compile record has every file's stamp, as a stat gives it now (the templates' taken
    // by the thread that read them)
    const { stamps } = JSON.parse(readFileSync(join(dir, 'target', 'compile_record.json'), 'utf8')) as { stamps: Record<string, Stamp> };
    for (const i of [0, 400, 799]) expect(stamps[modelPath(dir, i)]).toEqual(stampOf(modelPath(dir, i)));
    expect(Object.keys(stamps).filter((f) => f.startsWith(join(dir, 'models')) && f.endsWith('.sql')).length).toBe(800);
    // and what the schema YAML declares
    expect(nodes['model.bench.m_00123']).toMatchObject({ description: 'Model number 123 of the benchmark project.', patch_path: expect.stringContaining('schema.yml') });
    expect(Object.keys(nodes).filter((id) => id.startsWith('test.bench.not_null_m_00123_id')).length).toBe(1);

    // one model edited: its file and its manifest entry change, nothing else is lost
    const edited = modelPath(dir, 400);
    writeFileSync(edited, `${readFileSync(edited, 'utf8')}-- edited\n`);
    const warm = await ft(['compile', '--project-dir', dir]);
    expect(warm.code, warm.stderr).toBe(0);
    const after = check();
    expect(after['model.bench.m_00400']!.compiled_code).toContain('-- edited');
    expect(after['model.bench.m_00400']!.raw_code).toContain('-- edited');
  }, 60_000);
});
