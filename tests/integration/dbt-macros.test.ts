import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type mysql from 'mysql2/promise';
import { FAMILIES } from '../fixtures/dbt-macros/cases.js';
import { renderCases } from '../fixtures/dbt-macros/render-cases.js';
import { connect, dropSchemas, uniquePrefix } from '../helpers/db.js';

// Every case of tests/fixtures/dbt-macros/cases.ts that states what it gives is rendered by ft's
// compiler and run on the server: `select (<sql>) as v [from …]`, v compared with the case.

let conn: mysql.Connection;
const prefix = uniquePrefix('dbtmacros');
const db = `${prefix}_db`;
const quote = (s: string) => `\`${s.replace(/`/g, '``')}\``;
const rendered = new Map<string, Map<string, string[]>>();
beforeAll(async () => {
  conn = await connect();
  // MySQL 8's default sql_mode, so strict-mode and GROUP BY problems show up on MariaDB too
  await conn.query("SET SESSION sql_mode = 'ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'");
  await conn.query(`create database ${quote(db)}`);
  // type: mysql renders what both servers run; type: mariadb may use what only MariaDB has
  for (const type of ['mysql', 'mariadb'] as const) rendered.set(type, await renderCases(type));
});
afterAll(async () => {
  await conn?.end();
  await dropSchemas(prefix);
});

function shown(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  // a JSON value comes back parsed (MySQL's JSON type) or as its text (MariaDB's): compared in one spelling
  if (typeof v === 'object') return JSON.stringify(v);
  if (typeof v === 'string' && /^[[{]/.test(v)) {
    try {
      return JSON.stringify(JSON.parse(v));
    } catch {
      return v;
    }
  }
  return String(v);
}

describe('dbt macro library on the server', () => {
  for (const [f, type] of FAMILIES.flatMap((f) => [[f, 'mysql'], [f, 'mariadb']] as const)) {
    it(`${f.family} (profile type: ${type}): each rendered expression gives what dbt's macro gives`, async () => {
      const sql = rendered.get(type)!.get(f.family)!;
      const wrong: string[] = [];
      for (const [i, c] of f.cases.entries()) {
        if (!('expect' in c)) continue;
        // as a model is built: CREATE TABLE … AS in strict mode, where a warning is an error
        const t = `${quote(db)}.${quote(`${type}_${f.family.replace(/-/g, '_')}_${i}`)}`;
        let got: string | null;
        try {
          await conn.query(`create table ${t} as select (${sql[i]}) as v${c.from ? ` from ${c.from}` : ''}`);
          const [rows] = await conn.query(`select v from ${t}`);
          got = shown((rows as Array<{ v: unknown }>)[0]?.v);
        } catch (e) {
          got = `error: ${(e as Error).message}`;
        }
        const want = c.expect === null ? null : String(c.expect);
        if (got !== want) wrong.push(`${c.template}\n  rendered: ${sql[i]}\n  gave ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
      }
      expect(wrong.join('\n\n')).toBe('');
    });
  }
});
