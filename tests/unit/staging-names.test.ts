import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeSqlArtifactLater } from '../../src/artifacts/compiled-files.js';
import { isStagingName, removeLeftovers, stagingName } from '../../src/artifacts/staging-names.js';

const work = mkdtempSync(join(tmpdir(), 'ft-staging-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// above Linux's highest pid (pid_max is at most 2^22): no process has it
const GONE = 4194304;

describe('temporary names of files being written', () => {
  it('end in .tmp with the writer pid, and are never an artifact name', () => {
    expect(stagingName('/t/m.sql')).toBe(`/t/m.sql.${process.pid}.tmp`);
    expect(stagingName('/t/m.sql', 3)).toBe(`/t/m.sql.${process.pid}-3.tmp`);
    expect(isStagingName(`m.sql.${process.pid}.tmp`)).toBe(true);
    expect(isStagingName(`m.sql.12-3.tmp`)).toBe(true);
    expect(isStagingName('m.sql')).toBe(false);
    expect(isStagingName('manifest.json')).toBe(false);
  });

  it("removes a killed writer's leftovers, keeps a running writer's file and everything else", () => {
    const dir = join(work, 'sweep');
    mkdirSync(dir);
    const files = ['a.sql', `a.sql.${GONE}.tmp`, `b.sql.${GONE}-4.tmp`, `a.sql.${process.pid}.tmp`, `c.sql.${process.ppid}-1.tmp`, 'notes.tmp'];
    for (const f of files) writeFileSync(join(dir, f), 'x');
    const names = new Set(readdirSync(dir));
    removeLeftovers(dir, names);
    const kept = ['a.sql', `a.sql.${process.pid}.tmp`, `c.sql.${process.ppid}-1.tmp`, 'notes.tmp'].sort();
    expect(readdirSync(dir).sort()).toEqual(kept);
    expect([...names].sort()).toEqual(kept);
  });

  it('a target/run file is written whole through a temporary name, which is gone after; its folder loses its leftovers', async () => {
    const dir = join(work, 'run', 'models');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `m.sql.${GONE}-9.tmp`), 'select hal');
    const pending: Array<Promise<string | null>> = [];
    writeSqlArtifactLater(join(dir, 'm.sql'), 'select 1;\n', pending);
    writeSqlArtifactLater(join(dir, 'm.sql'), 'select 2;\n', pending);
    expect(await Promise.all(pending)).toEqual([null, null]);
    expect(readdirSync(dir)).toEqual(['m.sql']);
    expect(readFileSync(join(dir, 'm.sql'), 'utf8')).toMatch(/^select [12];\n$/);
  });

  it('a target/run file that cannot be written is reported, and leaves no temporary file', async () => {
    const dir = join(work, 'run2');
    mkdirSync(join(dir, 'm.sql'), { recursive: true });
    const pending: Array<Promise<string | null>> = [];
    writeSqlArtifactLater(join(dir, 'm.sql'), 'select 1;\n', pending);
    const [failed] = await Promise.all(pending);
    expect(failed).toMatch(/cannot write .*m\.sql/);
    expect(readdirSync(dir)).toEqual(['m.sql']);
  });
});
