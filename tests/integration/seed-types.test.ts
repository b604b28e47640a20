import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inferColumnType, toTsvField } from '../../src/materializations/seed-types.js';
import { createProject, type CliResult, type TestProject } from '../helpers/project-builder.js';

/** ft seed on the real server: inferred types, NULLs, CSV quoting, overrides, delimiter, reloads. */
const TYPES_CSV = [
  'id,big,price,flag,day,ts,ts_frac,name,maybe,note',
  '1,3000000000,1.50,true,2024-01-31,2024-01-31 10:20:30,2024-01-31 10:20:30.125,ann,,"a, b"',
  '2,-5,22.25,false,2024-02-29,2024-02-29T23:59:59,2024-02-29T23:59:59.5,bob,7,"line1\nline2"',
  '3,0,0.1,TRUE,2024-03-01,2024-03-01 00:00:00,2024-03-01 00:00:00.000,"cy ""the"" guy",8,',
  '4,12,-3,False,2024-12-31,2024-12-31 23:59:59,2024-12-31 23:59:59.999,"Zoë 🎉",,"tab\there, back\\slash"',
].join('\n');

describe('seeds', () => {
  /** A fresh project (its own database): for the tests that change seeds. */
  const fresh = (): Promise<TestProject> =>
    createProject({
      label: 'seedtypes',
      seeds: {
        'typed.csv': TYPES_CSV + '\n',
        'codes.csv': 'code,label\n007,bond\n042,answer\n',
        'semi.csv': 'id;label;amount\n1;a, with comma;1,5\n2;"quoted; semi";2,25\n',
        'crlf.csv': 'id,name\r\n1,x\r\n2,y\r\n',
        'wide.csv': 'huge,neg_edge,pos_edge\n99999999999999999999,-9223372036854775808,9223372036854775807\n1,1,1\n',
      },
      yaml: {},
      files: {
        'seeds/seeds.yml': `seeds:
  - name: codes
    config:
      column_types:
        code: varchar(10)
  - name: semi
    config:
      delimiter: ";"
      column_types:
        amount: varchar(8)
`,
      },
    });
  /** The shared, read-only fixture: every seed loaded once; the tests that change a seed use their own project. */
  let p: TestProject;
  let seedRun: CliResult;

  beforeAll(async () => {
    p = await fresh();
    seedRun = await p.ft(['seed']);
  });

  afterAll(async () => {
    await p?.cleanup();
  });

  const types = async (t: string, q: TestProject = p) =>
    Object.fromEntries(
      (
        await q.query<{ n: string; t: string }>(
          'select column_name as n, column_type as t from information_schema.columns where table_schema = ? and table_name = ? order by ordinal_position',
          [q.database, t],
        )
      ).map((r) => [r.n, r.t.replace(/^(int|bigint|tinyint)\(\d+\)/, '$1')]),
    );

  it('loads every seed and reports the rows', async () => {
    const r = seedRun;
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(new RegExp(`OK loaded seed file ${p.prefix}\\.typed \\.+ \\[4 rows in [\\d.]+s\\]`));
    expect(r.output).toMatch(/Done\. PASS=5 /);
  });

  it('infers int, bigint, decimal, boolean, date, datetime and varchar', async () => {
    expect(await types('typed')).toEqual({
      id: 'int',
      big: 'bigint',
      price: 'decimal(4,2)',
      flag: 'tinyint', // boolean
      day: 'date',
      ts: 'datetime',
      ts_frac: 'datetime(3)',
      name: 'varchar(255)',
      maybe: 'int',
      note: 'varchar(255)',
    });
  });

  it('loads the values: empty fields are NULL, quoted fields keep commas, quotes, newlines and unicode', async () => {
    const rows = await p.query(`select * from ${p.rel('typed')} order by id`);
    expect(rows).toEqual([
      { id: 1, big: '3000000000', price: '1.50', flag: 1, day: '2024-01-31', ts: '2024-01-31 10:20:30', ts_frac: '2024-01-31 10:20:30.125', name: 'ann', maybe: null, note: 'a, b' },
      { id: 2, big: '-5', price: '22.25', flag: 0, day: '2024-02-29', ts: '2024-02-29 23:59:59', ts_frac: '2024-02-29 23:59:59.500', name: 'bob', maybe: 7, note: 'line1\nline2' },
      { id: 3, big: '0', price: '0.10', flag: 1, day: '2024-03-01', ts: '2024-03-01 00:00:00', ts_frac: '2024-03-01 00:00:00.000', name: 'cy "the" guy', maybe: 8, note: null },
      { id: 4, big: '12', price: '-3.00', flag: 0, day: '2024-12-31', ts: '2024-12-31 23:59:59', ts_frac: '2024-12-31 23:59:59.999', name: 'Zoë 🎉', maybe: null, note: 'tab\there, back\\slash' },
    ].map((r) => ({ ...r, big: Number(r.big) })));
  });

  it('column_types overrides the inferred type (leading zeros kept)', async () => {
    expect(await types('codes')).toEqual({ code: 'varchar(10)', label: 'varchar(255)' });
    expect(await p.query(`select code from ${p.rel('codes')} order by code`)).toEqual([{ code: '007' }, { code: '042' }]);
  });

  it('delimiter: a semicolon-separated seed', async () => {
    expect(await p.query(`select id, label, amount from ${p.rel('semi')} order by id`)).toEqual([
      { id: 1, label: 'a, with comma', amount: '1,5' },
      { id: 2, label: 'quoted; semi', amount: '2,25' },
    ]);
  });

  it('CRLF line endings load without stray carriage returns', async () => {
    expect(await p.query(`select id, name from ${p.rel('crlf')} order by id`)).toEqual([
      { id: 1, name: 'x' },
      { id: 2, name: 'y' },
    ]);
  });

  it('re-seeding replaces the content (and the types) atomically', async () => {
    const p = await fresh();
    try {
      const first = await p.ft(['seed', '-s', 'codes']);
      expect(first.code, first.output).toBe(0);
      p.write('seeds/codes.csv', 'code,label,extra\n1,one,2024-01-01\n');
      p.write('seeds/seeds.yml', p.read('seeds/seeds.yml').replace('code: varchar(10)', 'label: varchar(20)'));
      const r = await p.ft(['seed', '-s', 'codes']);
      expect(r.code, r.output).toBe(0);
      expect(await types('codes', p)).toEqual({ code: 'int', label: 'varchar(20)', extra: 'date' });
      expect(await p.query(`select * from ${p.rel('codes')}`)).toEqual([{ code: 1, label: 'one', extra: '2024-01-01' }]);
      expect((await p.tables()).filter((t) => t.includes('__ft_'))).toEqual([]);
      const run = p.read('target/run/proj/seeds/codes.csv');
      expect(run).toContain(`RENAME TABLE \`${p.prefix}\`.\`codes\` TO \`${p.prefix}\`.\`codes__ft_old\`, \`${p.prefix}\`.\`codes__ft_tmp\` TO \`${p.prefix}\`.\`codes\``);
    } finally {
      await p.cleanup();
    }
  });

  it('a malformed seed fails with the file and line, and leaves the old table', async () => {
    const p = await fresh();
    try {
      const first = await p.ft(['seed', '-s', 'crlf']);
      expect(first.code, first.output).toBe(0);
      // a quoted line break before the bad row: the message names the line the row starts on
      p.write('seeds/crlf.csv', 'id,name\n1,"x\nx"\n2,y,extra\n');
      const r = await p.ft(['seed', '-s', 'crlf']);
      expect(r.code).toBe(1);
      expect(r.output).toMatch(/seeds\/crlf\.csv:4: line 4 has 3 fields but the header has 2/);
      expect((await p.query(`select count(*) as c from ${p.rel('crlf')}`))[0]!.c).toBe(2);
    } finally {
      await p.cleanup();
    }
  });

  it('integers beyond BIGINT become DECIMAL(n,0); BIGINT bounds stay BIGINT', async () => {
    expect(await types('wide')).toEqual({ huge: 'decimal(20,0)', neg_edge: 'bigint', pos_edge: 'bigint' });
    expect(await p.query(`select cast(huge as char) as huge, cast(neg_edge as char) as neg_edge, cast(pos_edge as char) as pos_edge from ${p.rel('wide')} where huge > 1`)).toEqual([
      { huge: '99999999999999999999', neg_edge: '-9223372036854775808', pos_edge: '9223372036854775807' },
    ]);
  });

  it('inferColumnType and toTsvField (pure)', () => {
    expect(inferColumnType(['1', '', '-2147483648', '2147483647'])).toBe('int');
    expect(inferColumnType(['2147483648'])).toBe('bigint');
    expect(inferColumnType(['007', '1.250', '-.5'])).toBe('decimal(4,3)');
    expect(inferColumnType(['TRUE', 'false'])).toBe('boolean');
    expect(inferColumnType(['1', '0'])).toBe('int');
    expect(inferColumnType(['2024-01-01T10:00:00Z', '2024-01-02 11:00'])).toBe('datetime');
    expect(inferColumnType(['2024-01-01', '2024-01-02 11:00'])).toBe('varchar(255)');
    expect(inferColumnType([''])).toBe('varchar(255)');
    expect(inferColumnType(['é'.repeat(255)])).toBe('varchar(255)');
    expect(inferColumnType(['x'.repeat(256)])).toBe('varchar(1024)');
    expect(inferColumnType(['x'.repeat(1025)])).toBe('text');
    expect(toTsvField('', 'int')).toBe('\\N');
    expect(toTsvField('True', 'boolean')).toBe('1');
    expect(toTsvField('2024-01-01T10:00:00Z', 'datetime')).toBe('2024-01-01 10:00:00');
    expect(toTsvField('a\tb\\c\nd', 'varchar(255)')).toBe('a\\tb\\\\c\\nd');
    expect(toTsvField('plain', 'varchar(255)')).toBe('plain');
    // null in any case is NULL, as dbt loads it (agate's null_values); it kept the text 'null'
    expect(inferColumnType(['1', 'null', 'NULL', ''])).toBe('int');
    expect(toTsvField('NULL', 'varchar(255)')).toBe('\\N');
    expect(toTsvField('Null', 'int')).toBe('\\N');
    expect(toTsvField('nullable', 'varchar(255)')).toBe('nullable');
    expect(inferColumnType(['None', 'x'])).toBe('varchar(255)');
  });
});
