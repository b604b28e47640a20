import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO = resolve(import.meta.dirname, '../..');

/** `npm run produce` runs the producer from its TypeScript source: no compile of the whole project on every call (it was a tsc build, ~13 s). */
describe('npm run produce', () => {
  it('builds nothing and writes the events', () => {
    const script = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.produce!;
    expect(script).not.toMatch(/\b(tsc|build)\b/);
    const out = mkdtempSync(join(tmpdir(), 'ft-produce-'));
    try {
      execFileSync('npm', ['run', '--silent', 'produce', '--', '--events', '10', '--out', out, '--quiet'], { cwd: REPO, stdio: 'pipe' });
      const lines = readdirSync(out).flatMap((f) => readFileSync(join(out, f), 'utf8').split('\n').filter(Boolean));
      expect(lines).toHaveLength(10);
      expect(() => lines.map((l) => JSON.parse(l))).not.toThrow();
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 60_000);
});
