import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject, type TestProject } from '../helpers/project-builder.js';

/** A 100,000-row seed loads (through LOAD DATA LOCAL INFILE); its time is recorded in bench/RESULTS.md, not asserted. */
export function largeSeedCsv(rows: number): string {
  const lines = ['id,customer,amount,day,note'];
  for (let i = 1; i <= rows; i++) {
    const day = `2024-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}`;
    lines.push(`${i},cust_${i % 997},${(i % 10000) / 100},${day},${i % 5 === 0 ? '"with, comma"' : ''}`);
  }
  return lines.join('\n') + '\n';
}

describe('large seed', () => {
  let p: TestProject;
  const N = 100_000;

  beforeAll(async () => {
    p = await createProject({ label: 'seedbig', seeds: { 'big.csv': largeSeedCsv(N) } });
  });

  afterAll(async () => {
    await p.cleanup();
  });

  it(`loads ${N.toLocaleString('en-US')} rows`, async () => {
    const r = await p.ft(['seed']);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/OK loaded seed file \S+\.big \.+ \[100,000 rows in [\d.]+s\]/);
    const [row] = await p.query<{ c: number; s: string; nulls: number }>(
      `select count(*) as c, sum(amount) as s, sum(note is null) as nulls from ${p.rel('big')}`,
    );
    expect(row!.c).toBe(N);
    expect(Number(row!.nulls)).toBe(N - N / 5);
    const [rr] = p.readJson('target/run_results.json').results;
    // eslint-disable-next-line no-console
    console.log(`[seed-large] ${N} rows: ${rr.execution_time}s in ft, ${(r.ms / 1000).toFixed(2)}s for the whole command`);
  }, 120_000);
});
