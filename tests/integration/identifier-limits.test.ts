import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject, type TestProject } from '../helpers/project-builder.js';

/** Relation and database names the server would refuse are ft's own error, before any DDL. */
describe('identifier limits', () => {
  let p: TestProject;
  const long = `m${'x'.repeat(64)}`; // 65 characters
  const max = `m${'y'.repeat(63)}`; // 64 characters: its __ft_tmp sibling is shortened with a hash

  beforeAll(async () => {
    p = await createProject({
      label: 'idents',
      models: {
        'first.sql': '{{config materialized="table"}}\nselect 1 as id',
        [`${max}.sql`]: '{{config materialized="table"}}\nselect 1 as id',
      },
    });
  });

  afterAll(async () => {
    await p.cleanup();
  });

  const schemas = async (): Promise<string[]> =>
    (await p.query<{ s: string }>('select schema_name as s from information_schema.schemata where schema_name like ?', [`${p.prefix}%`])).map((r) => r.s);

  it('a 64-character model name builds (and rebuilds) as a table', async () => {
    for (let i = 0; i < 2; i++) {
      const r = await p.ft(['run', '-s', max]);
      expect(r.code, r.output).toBe(0);
    }
    expect(await p.tables()).toContain(max);
    expect((await p.tables()).filter((t) => t.includes('__ft_'))).toEqual([]);
  });

  it('a 65-character model name is refused, naming the file and the limit, before anything is built', async () => {
    await p.query(`drop database if exists \`${p.prefix}\``);
    p.write(`models/${long}.sql`, 'select 1 as id');
    try {
      const r = await p.ft(['run']);
      expect(r.code, r.output).toBe(2);
      expect(r.output).toContain(`models/${long}.sql`);
      expect(r.output).toMatch(/64/);
      expect(r.output).not.toMatch(/\n\s+at /);
      expect(await schemas()).toEqual([]);
    } finally {
      p.remove(`models/${long}.sql`);
    }
  });

  it('a custom schema whose database name <database>_<schema> passes 64 characters is refused', async () => {
    p.write('models/deep.sql', `{{config schema="${'s'.repeat(64 - p.prefix.length)}"}}\nselect 1 as id`);
    try {
      const r = await p.ft(['run']);
      expect(r.code, r.output).toBe(2);
      expect(r.output).toContain('models/deep.sql');
      expect(r.output).toMatch(/database name/);
      expect(r.output).toMatch(/64/);
      expect(await p.tables()).not.toContain('first');
    } finally {
      p.remove('models/deep.sql');
    }
  });

  it('an alias the server refuses (trailing space, a character outside the BMP) is refused by ft', async () => {
    for (const alias of ['trailing ', 'emoji_\u{1F389}']) {
      p.write('models/odd.sql', `{{config alias="${alias}"}}\nselect 1 as id`);
      try {
        const r = await p.ft(['run', '-s', 'odd']);
        expect(r.code, r.output).toBe(2);
        expect(r.output).toContain('models/odd.sql');
        expect(await p.tables()).not.toContain(alias);
      } finally {
        p.remove('models/odd.sql');
      }
    }
  });

  it("a seed column name over 64 characters is refused before the seed's table is created", async () => {
    p.write('seeds/wide_head.csv', `id,${'c'.repeat(65)}\n1,2\n`);
    try {
      const r = await p.ft(['seed', '-s', 'wide_head']);
      expect(r.code, r.output).not.toBe(0);
      expect(r.output).toMatch(/seeds\/wide_head\.csv:1/);
      expect(r.output).toMatch(/65 characters; MySQL and MariaDB allow 64/);
      expect((await p.tables()).filter((t) => t.startsWith('wide_head'))).toEqual([]);
    } finally {
      p.remove('seeds/wide_head.csv');
    }
  });
});
