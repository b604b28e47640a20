/**
 * `npm run bench:startup` — how long the `ft` command takes to start, against Node itself:
 *
 *   node -e 0        the baseline: starting Node and exiting
 *   ft --version     bin/ft.js → dist/cli/main.js, commander, the version; no project
 *   ft ls            the project loaded and its 11 nodes listed (the `ft init` scaffold:
 *                    2 models, a seed, 8 tests), parse cache warm
 *
 * Each figure is the median wall time of BENCH_REPS runs (default 15, after 2 warm-ups),
 * interleaved so machine load hits all three alike; the ratio is ft's median over Node's.
 * The machine's load average is printed: on a shared 2-core box every figure scales with it.
 *
 * Env: BENCH_REPS=15
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ftBin = join(repo, 'bin', 'ft.js');
const REPS = Number(process.env.BENCH_REPS ?? 15);

const work = mkdtempSync(join(tmpdir(), 'ft-bench-startup-'));
const project = join(work, 'bench_startup');
const env = { ...process.env, CI: '1', NO_COLOR: '1' };

function time(args: string[], cwd = work): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd, env, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

try {
  time([ftBin, 'init', project]);
  const cases: Array<[string, string[], string]> = [
    ['node -e 0', ['-e', '0'], work],
    ['ft --version', [ftBin, '--version'], work],
    ['ft ls', [ftBin, 'ls'], project],
  ];
  const samples = new Map<string, number[]>(cases.map(([name]) => [name, []]));
  for (let i = 0; i < REPS + 2; i++) {
    for (const [name, args, cwd] of cases) {
      const ms = time(args, cwd);
      if (i >= 2) samples.get(name)!.push(ms);
    }
  }
  const base = median(samples.get('node -e 0')!);
  console.log(`startup, median of ${REPS} runs (${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(2)).join(' ')})`);
  for (const [name] of cases) {
    const m = median(samples.get(name)!);
    console.log(`  ${name.padEnd(14)} ${m.toFixed(0).padStart(5)} ms   ${(m / base).toFixed(2)}x node -e 0   (min ${Math.min(...samples.get(name)!).toFixed(0)} ms)`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
