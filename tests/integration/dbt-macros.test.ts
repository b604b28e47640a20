import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type mysql from 'mysql2/promise';
import { FAMILIES } from '../fixtures/dbt-macros/cases.js';
import { renderCases } from '../fixtures/dbt-macros/render-cases.js';
import { connect } from '../helpers/db.js';

// Every case of tests/fixtures/dbt-macros/cases.ts that states what it gives is rendered by ft's
// compiler and run on the server: `select (<sql>) as v [from …]`, v compared with the case.

let conn: mysql.Connection;
const rendered = new Map<string, Map<string, string[]>>();
beforeAll(async () => {
  conn = await connect();
  // type: mysql renders what both servers run; type: mariadb may use what only MariaDB has
  for (const type of ['mysql', 'mariadb'] as const) rendered.set(type, await renderCases(type));
});
afterAll(async () => {
  await conn?.end();
});

function shown(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  // a JSON value comes back parsed
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

describe('dbt macro library on the server', () => {
  for (const [f, type] of FAMILIES.flatMap((f) => [[f, 'mysql'], [f, 'mariadb']] as const)) {
    it(`${f.family} (profile type: ${type}): each rendered expression gives what dbt's macro gives`, async () => {
      const sql = rendered.get(type)!.get(f.family)!;
      const wrong: string[] = [];
      for (const [i, c] of f.cases.entries()) {
        if (!('expect' in c)) continue;
        const [rows] = await conn.query(`select (${sql[i]}) as v${c.from ? ` from ${c.from}` : ''}`);
        const got = shown((rows as Array<{ v: unknown }>)[0]?.v);
        const want = c.expect === null ? null : String(c.expect);
        if (got !== want) wrong.push(`${c.template}\n  rendered: ${sql[i]}\n  gave ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
      }
      expect(wrong.join('\n\n')).toBe('');
    });
  }
});
