import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// ft clean through the real CLI: deletes clean-targets inside the project, never what ft reads.

const bin = join(resolve(import.meta.dirname, '../..'), 'bin', 'ft.js');
const work = mkdtempSync(join(tmpdir(), 'ft-clean-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

let n = 0;
function project(extra: string): string {
  const dir = join(work, `p${++n}`);
  const files: Record<string, string> = {
    'project.yml': `name: c\nprofile: c\n${extra}`,
    'models/a.sql': 'select 1 as x\n',
    'target/manifest.json': '{}',
    'target/compiled/c/models/a.sql': 'select 1 as x\n',
    'logs/ft.log': 'x',
  };
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

function ft(dir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    // no profiles.yml anywhere: clean does not need one
    execFile(process.execPath, [bin, 'clean', '--project-dir', dir], { env: { PATH: process.env.PATH, HOME: work, NO_COLOR: '1' } }, (err, stdout, stderr) =>
      done({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

describe('ft clean', () => {
  it('deletes the target folder by default, and says when there is nothing to clean', async () => {
    const dir = project('');
    const r = await ft(dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Cleaned target/');
    expect(existsSync(join(dir, 'target'))).toBe(false);
    expect(existsSync(join(dir, 'models/a.sql'))).toBe(true);
    expect((await ft(dir)).stdout).toContain('Nothing to clean (target/ not there)');
  });

  it('deletes every clean-target', async () => {
    const dir = project('clean-targets: [target, logs]\n');
    expect((await ft(dir)).stdout).toContain('Cleaned target/, logs/');
    expect(existsSync(join(dir, 'target')) || existsSync(join(dir, 'logs'))).toBe(false);
  });

  it('refuses a folder outside the project, the project itself or one ft reads, deleting nothing', async () => {
    for (const [targets, message] of [
      ['[target, ../elsewhere]', 'clean-targets: "../elsewhere" is not a folder inside the project'],
      ['["."]', 'clean-targets: "." is not a folder inside the project'],
      ['[target, models]', 'clean-targets: "models" holds models, which the project reads; ft clean will not delete it'],
    ]) {
      const dir = project(`clean-targets: ${targets}\n`);
      const r = await ft(dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`error: project.yml: ${message}`);
      expect(r.stderr).not.toMatch(/^\s+at /m);
      expect(existsSync(join(dir, 'target/manifest.json'))).toBe(true);
    }
  });
});
