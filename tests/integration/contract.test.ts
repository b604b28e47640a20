import { afterEach, describe, expect, it } from 'vitest';
import { createProject, type ProjectSpec, type TestProject } from '../helpers/project-builder.js';

/**
 * Model contracts and constraints on the real server: a contract is checked before anything is
 * swapped in, and a table under one is created with the declared types and constraints.
 */
describe('model contracts', () => {
  let p: TestProject | undefined;

  afterEach(async () => {
    await p?.cleanup();
    p = undefined;
  });

  const make = async (spec: Omit<ProjectSpec, 'label'>): Promise<TestProject> => {
    p = await createProject({ label: 'contract', ...spec });
    return p;
  };

  const CUSTOMERS_YML = (idType = 'int', extra = '') => `version: 2
models:
  - name: customers
    config:
      materialized: table
      contract: {enforced: true}
    columns:
      - name: id
        data_type: ${idType}
        constraints: [{type: primary_key}]
      - name: name
        data_type: varchar(20)
        constraints: [{type: not_null}, {type: unique}]
${extra}`;

  const CUSTOMERS_SQL = "select 1 as id, cast('ann' as char(20)) as name union all select 2, 'bob'";

  const showCreate = async (t: TestProject, table: string): Promise<string> =>
    String((await t.query<Record<string, string>>(`SHOW CREATE TABLE ${t.rel(table)}`))[0]!['Create Table']);

  const leftovers = async (t: TestProject): Promise<string[]> => (await t.tables()).filter((n) => /__ft_/.test(n));

  it('a matching contract builds the table with the declared types and constraints', async () => {
    const t = await make({ models: { 'customers.sql': CUSTOMERS_SQL }, yaml: { 'schema.yml': CUSTOMERS_YML() } });
    const r = await t.ft(['run']);
    expect(r.code, r.output).toBe(0);
    const ddl = await showCreate(t, 'customers');
    expect(ddl).toMatch(/`id` int(\(11\))? NOT NULL/);
    expect(ddl).toMatch(/`name` varchar\(20\) NOT NULL/);
    expect(ddl).toMatch(/PRIMARY KEY \(`id`\)/);
    expect(ddl).toMatch(/UNIQUE KEY `\w+` \(`name`\)/);
    expect(await t.query(`select id, name from ${t.rel('customers')} order by id`)).toEqual([{ id: 1, name: 'ann' }, { id: 2, name: 'bob' }]);
    const run = t.read('target/run/proj/models/customers.sql');
    expect(run).toMatch(/CREATE TABLE `[^`]+`\.`customers__ft_tmp` \(/);
    expect(run).toMatch(/INSERT INTO `[^`]+`\.`customers__ft_tmp` \(`id`, `name`\)/);
    expect(await leftovers(t)).toEqual([]);
  });

  it('types that differ only in spelling pass: integer, int(11), numeric, bool, character varying, double precision', async () => {
    const t = await make({
      models: {
        'spelled.sql': "select 1 as a, cast(2.5 as decimal(10,2)) as b, cast(x'01' = x'01' as unsigned) as c, cast('q' as char(5)) as d, cast(1.5 as double) as e, cast(7 as unsigned) as f",
      },
      yaml: {
        'schema.yml': `version: 2
models:
  - name: spelled
    config: {materialized: table, contract: {enforced: true}}
    columns:
      - {name: F, data_type: BIGINT UNSIGNED}
      - {name: a, data_type: int(11)}
      - {name: b, data_type: "numeric(10,2)"}
      - {name: c, data_type: bigint(20) unsigned}
      - {name: d, data_type: character varying(5)}
      - {name: e, data_type: double precision}
`,
      },
    });
    const r = await t.ft(['run']);
    expect(r.code, r.output).toBe(0);
    const cols = await t.query<{ n: string; t: string }>('select column_name n, column_type t from information_schema.columns where table_schema = ? and table_name = ? order by ordinal_position', [t.database, 'spelled']);
    // the table's columns are the contract's, in the contract's order
    expect(cols.map((c) => c.n)).toEqual(['F', 'a', 'b', 'c', 'd', 'e']);
    expect(cols.map((c) => c.t.replace(/\(\d+\)/, (m, i: number) => (i === 3 || i === 6 ? '' : m)))).toEqual(['bigint unsigned', 'int', 'decimal(10,2)', 'bigint unsigned', 'varchar(5)', 'double']);
  });

  for (const [what, sql, row] of [
    ['a missing column', 'select 1 as id', /\| name +\| - +\| varchar\(20\) +\| missing in the model +\|/],
    ['an extra column', "select 1 as id, cast('x' as char(20)) as name, 3 as extra_col", /\| extra_col +\| int +\| - +\| not in the contract +\|/],
    ['a wrong type', "select cast('1' as char(3)) as id, cast('x' as char(20)) as name", /\| id +\| varchar\(3\) +\| int +\| data type differs +\|/],
  ] as const) {
    it(`${what} fails the model with the table of differences and leaves the old table and its rows`, async () => {
      const t = await make({ models: { 'customers.sql': CUSTOMERS_SQL }, yaml: { 'schema.yml': CUSTOMERS_YML() } });
      expect((await t.ft(['run'])).code).toBe(0);
      const before = await showCreate(t, 'customers');
      t.write('models/customers.sql', sql);
      const r = await t.ft(['run']);
      expect(r.code, r.output).toBe(1);
      expect(r.output).toContain('models/schema.yml:3: customers has an enforced contract that its SQL does not meet');
      expect(r.output).toMatch(/\| column_name +\| definition_type +\| contract_type +\| mismatch_reason +\|/);
      expect(r.output).toMatch(row);
      expect(r.output).not.toMatch(/\n\s+at \S+ \(/); // no stack trace
      expect(await showCreate(t, 'customers')).toBe(before);
      expect(await t.query(`select id, name from ${t.rel('customers')} order by id`)).toEqual([{ id: 1, name: 'ann' }, { id: 2, name: 'bob' }]);
      expect(await leftovers(t)).toEqual([]);
    });
  }

  it('column names match in any order and case; the table takes the contract order', async () => {
    const t = await make({ models: { 'customers.sql': "select cast('ann' as char(20)) as NAME, 1 as Id" }, yaml: { 'schema.yml': CUSTOMERS_YML() } });
    const r = await t.ft(['run']);
    expect(r.code, r.output).toBe(0);
    expect(await t.query(`select * from ${t.rel('customers')}`)).toEqual([{ id: 1, name: 'ann' }]);
  });

  it('constraints are in SHOW CREATE TABLE: primary key, unique, not null, check, and a foreign key to another model', async () => {
    const t = await make({
      models: {
        'customers.sql': CUSTOMERS_SQL,
        'orders.sql': 'select 10 as order_id, 1 as customer_id, cast(12.5 as decimal(10,2)) as amount union all select 11, 2, 3.00',
      },
      yaml: {
        'schema.yml': CUSTOMERS_YML(
          'int',
          `  - name: orders
    config: {materialized: table, contract: {enforced: true}}
    constraints:
      - {type: check, name: amount_not_negative, expression: "amount >= 0"}
      - {type: unique, columns: [customer_id, order_id]}
    columns:
      - {name: order_id, data_type: int, constraints: [{type: primary_key}]}
      - name: customer_id
        data_type: int
        constraints:
          - {type: not_null}
          - {type: foreign_key, to: "{{ref \\"customers\\"}}", to_columns: [id]}
      - {name: amount, data_type: "decimal(10,2)"}
`,
        ),
      },
    });
    const r = await t.ft(['run']);
    expect(r.code, r.output).toBe(0);
    const ddl = await showCreate(t, 'orders');
    expect(ddl).toMatch(/PRIMARY KEY \(`order_id`\)/);
    expect(ddl).toMatch(/`customer_id` int(\(11\))? NOT NULL/);
    expect(ddl).toMatch(/UNIQUE KEY `\w+` \(`customer_id`,`order_id`\)/);
    expect(ddl).toMatch(/CONSTRAINT `amount_not_negative` CHECK \(`amount` >= 0\)/);
    expect(ddl).toMatch(/CONSTRAINT `orders_ibfk_1` FOREIGN KEY \(`customer_id`\) REFERENCES `customers` \(`id`\)/);
    // the manifest has them as dbt's does, and the foreign key's table is a parent
    const m = t.readJson('target/manifest.json');
    const orders = m.nodes['model.proj.orders'];
    expect(orders.contract).toEqual({ enforced: true, alias_types: true, checksum: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(orders.config.contract).toEqual({ enforced: true, alias_types: true });
    expect(orders.constraints).toEqual([
      expect.objectContaining({ type: 'check', name: 'amount_not_negative', expression: 'amount >= 0', columns: [] }),
      expect.objectContaining({ type: 'unique', columns: ['customer_id', 'order_id'] }),
    ]);
    expect(orders.columns.customer_id.constraints).toEqual([
      expect.objectContaining({ type: 'not_null' }),
      expect.objectContaining({ type: 'foreign_key', to: `\`${t.database}\`.\`customers\``, to_columns: ['id'] }),
    ]);
    expect(orders.depends_on.nodes).toEqual(['model.proj.customers']);
    // rebuilding the referenced table alone works (the old one is dropped although the key follows it)
    const again = await t.ft(['run', '-s', 'customers']);
    expect(again.code, again.output).toBe(0);
    // …and says what it leaves behind: the child's key follows the replaced table
    expect(again.stderr).toContain('warning: orders has a foreign key to customers, which this run rebuilds without it: the key will point at the replaced table until orders is built again. Select customers+ to rebuild both.');
    const both = await t.ft(['run', '-s', 'customers+']);
    expect(both.stderr).not.toContain('has a foreign key to');
    // and the whole build puts the key back on the new table
    const all = await t.ft(['run']);
    expect(all.code, all.output).toBe(0);
    expect(await showCreate(t, 'orders')).toMatch(/FOREIGN KEY \(`customer_id`\) REFERENCES `customers` \(`id`\)/);
    expect(await leftovers(t)).toEqual([]);
  });

  for (const [what, sql, error] of [
    ['a duplicate primary key', "select 1 as id, cast('ann' as char(20)) as name union all select 1, 'bob'", /Duplicate entry '1' for key 'PRIMARY'/],
    ['a NULL in a not_null column', "select 1 as id, cast(null as char(20)) as name", /Column 'name' cannot be null/],
    ['a row breaking a check', "select -1 as id, cast('ann' as char(20)) as name", /CONSTRAINT `id_positive` failed|Check constraint 'id_positive' is violated/],
  ] as const) {
    it(`${what} fails the build and leaves the old table`, async () => {
      const t = await make({
        models: { 'customers.sql': CUSTOMERS_SQL },
        yaml: { 'schema.yml': CUSTOMERS_YML().replace('    columns:', '    constraints:\n      - {type: check, name: id_positive, expression: "id > 0"}\n    columns:') },
      });
      expect((await t.ft(['run'])).code).toBe(0);
      const before = await showCreate(t, 'customers');
      t.write('models/customers.sql', sql);
      const r = await t.ft(['run']);
      expect(r.code, r.output).toBe(1);
      expect(r.output).toMatch(error);
      expect(await showCreate(t, 'customers')).toBe(before);
      expect(await t.query(`select id, name from ${t.rel('customers')} order by id`)).toEqual([{ id: 1, name: 'ann' }, { id: 2, name: 'bob' }]);
      expect(await leftovers(t)).toEqual([]);
    });
  }

  it('a view checks names and types only: constraints get one warning each, a mismatch leaves the old view', async () => {
    const t = await make({
      models: { 'v.sql': "select 1 as id, cast('a' as char(3)) as code" },
      yaml: {
        'schema.yml': `version: 2
models:
  - name: v
    config: {materialized: view, contract: {enforced: true}}
    columns:
      - name: id
        data_type: int
        constraints: [{type: primary_key}, {type: not_null, warn_unsupported: false}]
      - {name: code, data_type: varchar(3)}
`,
      },
    });
    const r = await t.ft(['run']);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain('models/schema.yml:8: primary_key constraint of v: a view cannot hold constraints; not applied');
    expect(r.output).not.toMatch(/not_null constraint of v/);
    expect(await t.relationType('v')).toBe('view');
    t.write('models/v.sql', "select 'x' as id, cast('a' as char(3)) as code");
    const bad = await t.ft(['run']);
    expect(bad.code, bad.output).toBe(1);
    expect(bad.output).toMatch(/the view `[^`]+`\.`v` was left as it was/);
    expect(bad.output).toMatch(/\| id +\| varchar\(1\) +\| int +\| data type differs +\|/);
    expect(await t.query(`select id from ${t.rel('v')}`)).toEqual([{ id: 1 }]);
  });

  it('an incremental model is created under its contract, and each run checks the new rows before writing (on_schema_change: fail sees the declared types)', async () => {
    const t = await make({
      models: { 'events.sql': '{{config materialized="incremental" unique_key="id" on_schema_change="fail"}}\nselect 1 as id, cast(10 as signed) as qty' },
      yaml: {
        'schema.yml': `version: 2
models:
  - name: events
    config: {contract: {enforced: true}}
    columns:
      - {name: id, data_type: int, constraints: [{type: primary_key}]}
      - name: qty
        data_type: bigint
        constraints: [{type: check, expression: "qty >= 0"}]
`,
      },
    });
    let r = await t.ft(['run']);
    expect(r.code, r.output).toBe(0);
    const created = await showCreate(t, 'events');
    expect(created).toMatch(/PRIMARY KEY \(`id`\)/);
    expect(created).toMatch(/CHECK \(`qty` >= 0\)/);
    // the merge key's index is the primary key: no second unique index
    expect(created).not.toMatch(/UNIQUE KEY/);
    t.write('models/events.sql', '{{config materialized="incremental" unique_key="id" on_schema_change="fail"}}\nselect 2 as id, cast(20 as signed) as qty');
    r = await t.ft(['run']);
    expect(r.code, r.output).toBe(0);
    expect(await t.query(`select id, qty from ${t.rel('events')} order by id`)).toEqual([{ id: 1, qty: 10 }, { id: 2, qty: 20 }]);
    // a column of another type: refused before anything is written
    t.write('models/events.sql', "{{config materialized=\"incremental\" unique_key=\"id\" on_schema_change=\"fail\"}}\nselect 3 as id, 'many' as qty");
    r = await t.ft(['run']);
    expect(r.code, r.output).toBe(1);
    expect(r.output).toMatch(/\| qty +\| varchar\(4\) +\| bigint +\| data type differs +\|/);
    // a row breaking the check: the statement is undone whole
    t.write('models/events.sql', '{{config materialized="incremental" unique_key="id" on_schema_change="fail"}}\nselect 3 as id, cast(1 as signed) as qty union all select 4, cast(-1 as signed)');
    r = await t.ft(['run']);
    expect(r.code, r.output).toBe(1);
    expect(await t.query(`select id, qty from ${t.rel('events')} order by id`)).toEqual([{ id: 1, qty: 10 }, { id: 2, qty: 20 }]);
    expect(await showCreate(t, 'events')).toBe(created);
  });

  it('constraints without an enforced contract: one warning, and the table is built as before', async () => {
    const t = await make({
      models: { 'plain.sql': '{{config materialized="table"}}\nselect 1 as id' },
      yaml: { 'schema.yml': 'version: 2\nmodels:\n  - name: plain\n    columns:\n      - name: id\n        constraints: [{type: primary_key}, {type: not_null}]\n' },
    });
    const r = await t.ft(['run']);
    expect(r.code, r.output).toBe(0);
    expect(r.output.match(/plain has 2 constraints but no enforced contract/g)).toHaveLength(1);
    expect(r.output).toContain('models/schema.yml:6: plain has 2 constraints');
    expect(await showCreate(t, 'plain')).not.toMatch(/PRIMARY KEY/);
  });

  it('a contract set in {{config}} or in project.yml applies as one set in YAML', async () => {
    const t = await make({
      project: { models: { proj: { gold: { '+contract': { enforced: true } } } } },
      models: { 'gold/k.sql': '{{config materialized="table"}}\nselect 1 as id', 'inline.sql': '{{config materialized="table" contract=\'{"enforced": true}\'}}\nselect 1 as id' },
      yaml: { 'schema.yml': 'version: 2\nmodels:\n  - name: k\n    columns: [{name: id, data_type: date}]\n  - name: inline\n    columns: [{name: id, data_type: date}]\n' },
    });
    const r = await t.ft(['run']);
    expect(r.code, r.output).toBe(1);
    expect(r.output).toMatch(/k has an enforced contract that its SQL does not meet/);
    expect(r.output).toMatch(/inline has an enforced contract that its SQL does not meet/);
  });
});

describe('state:modified.contract', () => {
  let p: TestProject | undefined;
  afterEach(async () => {
    await p?.cleanup();
    p = undefined;
  });

  it('a changed data_type or constraint of an enforced contract is modified (and modified.contract); docs are not', async () => {
    const yml = (type: string, description: string, constraint = '') =>
      `version: 2\nmodels:\n  - name: m\n    config: {materialized: table, contract: {enforced: true}}\n    columns:\n      - name: id\n        description: ${description}\n        data_type: ${type}\n${constraint}  - name: other\n    columns: [{name: id, data_type: int}]\n`;
    p = await createProject({ label: 'contractstate', models: { 'm.sql': 'select 1 as id', 'other.sql': 'select 1 as id' }, yaml: { 'schema.yml': yml('int', 'the key') } });
    expect((await p.ft(['compile'])).code).toBe(0);
    p.write('prod/manifest.json', p.read('target/manifest.json'));
    const modified = async (selector: string): Promise<string> => {
      const r = await p!.ft(['ls', '-s', selector, '--state', p!.path('prod'), '--resource-type', 'model']);
      expect(r.code, r.output).toBe(0);
      return r.stdout.trim();
    };
    p.write('models/schema.yml', yml('int', 'the key, described again'));
    expect(await modified('state:modified')).toBe('');
    p.write('models/schema.yml', yml('bigint', 'the key'));
    expect(await modified('state:modified.contract')).toBe('m');
    expect(await modified('state:modified')).toBe('m');
    expect(await modified('state:modified.configs')).toBe('');
    p.write('models/schema.yml', yml('int', 'the key', '        constraints: [{type: primary_key}]\n'));
    expect(await modified('state:modified.contract')).toBe('m');
  });
});

describe('contract and constraint YAML errors', () => {
  let p: TestProject | undefined;
  afterEach(async () => {
    await p?.cleanup();
    p = undefined;
  });

  const errorOf = async (yml: string, sql = 'select 1 as id'): Promise<string> => {
    p = await createProject({ label: 'contractyml', models: { 'm.sql': sql, 'other.sql': 'select 1 as id' }, yaml: { 'schema.yml': yml } });
    const r = await p.ft(['compile']);
    expect(r.code, r.output).toBe(2);
    expect(r.output).not.toMatch(/\n\s+at \S+ \(/);
    return r.output;
  };

  it('a column without data_type under an enforced contract names the file and line', async () => {
    const out = await errorOf('version: 2\nmodels:\n  - name: m\n    config: {contract: {enforced: true}}\n    columns:\n      - name: id\n        description: the key\n');
    expect(out).toContain('models/schema.yml:6: column id of m has no data_type, and the model\'s contract is enforced');
  });

  it('an unknown constraint type, a check without expression, a foreign key without to_columns', async () => {
    const head = 'version: 2\nmodels:\n  - name: m\n    config: {materialized: table, contract: {enforced: true}}\n    columns:\n      - name: id\n        data_type: int\n        constraints:\n';
    expect(await errorOf(`${head}          - type: primary\n`)).toMatch(/models\/schema\.yml:9: a column constraint has type "primary"; use not_null, unique, primary_key, foreign_key, check or custom/);
    await p!.cleanup();
    expect(await errorOf(`${head}          - type: not_null\n          - type: check\n`)).toMatch(/models\/schema\.yml:10: a check constraint needs expression:/);
    await p!.cleanup();
    expect(await errorOf(`${head}          - {type: foreign_key, to: ref('other')}\n`)).toMatch(/models\/schema\.yml:9: a foreign_key constraint needs to: and to_columns:/);
    await p!.cleanup();
    expect(await errorOf(`${head}          - {type: foreign_key, to: ref('othr'), to_columns: [id]}\n`)).toMatch(/models\/schema\.yml:9: ref "othr" matches no model or seed/);
  });

  it('a contract that is not a mapping, and a model-level constraint naming an undeclared column', async () => {
    expect(await errorOf('version: 2\nmodels:\n  - name: m\n    config: {contract: true}\n    columns: [{name: id, data_type: int}]\n')).toMatch(/models\/schema\.yml:3: config contract must be a mapping, e.g. contract: \{enforced: true\}/);
    await p!.cleanup();
    expect(await errorOf('version: 2\nmodels:\n  - name: m\n    config: {contract: {enforced: true}}\n    constraints:\n      - {type: primary_key, columns: [idx]}\n    columns: [{name: id, data_type: int}]\n')).toMatch(/models\/schema\.yml:6: the primary_key constraint names column idx, which m's YAML does not declare/);
  });

  it('a foreign key into columns that are not a key of the referenced table fails the model at the constraint\'s line', async () => {
    p = await createProject({
      label: 'contractyml',
      models: { 'parent.sql': '{{config materialized="table"}}\nselect 1 as id', 'child.sql': '{{config materialized="table"}}\nselect 1 as pid' },
      yaml: { 'schema.yml': "version: 2\nmodels:\n  - name: child\n    config: {contract: {enforced: true}}\n    columns:\n      - name: pid\n        data_type: int\n        constraints:\n          - {type: foreign_key, to: ref('parent'), to_columns: [id]}\n" },
    });
    const r = await p.ft(['run']);
    expect(r.code, r.output).toBe(1);
    expect(r.output).toMatch(/models\/schema\.yml:9: child: the server refuses a foreign key \(.*\)\. The referenced columns must be the primary key or a unique key of the referenced table/);
    expect(await p.tables()).toEqual(['parent']);
  });

  it('an ephemeral model cannot have an enforced contract', async () => {
    expect(await errorOf('version: 2\nmodels:\n  - name: m\n    config: {materialized: ephemeral, contract: {enforced: true}}\n    columns: [{name: id, data_type: int}]\n')).toMatch(/models\/schema\.yml:3: m is ephemeral and has an enforced contract/);
  });

  it('constraints on a source table and a contract on a seed are warned of, once each, at their line', async () => {
    p = await createProject({
      label: 'contractyml',
      models: { 'm.sql': 'select 1 as id' },
      seeds: { 's.csv': 'id\n1\n' },
      yaml: {
        'schema.yml': [
          'version: 2', // 1
          'sources:', // 2
          '  - name: raw', // 3
          '    tables:', // 4
          '      - name: t', // 5
          '        columns:', // 6
          '          - name: id', // 7
          '            constraints: [{type: primary_key}]', // 8
          'seeds:', // 9
          '  - name: s', // 10
          '    config: {contract: {enforced: true}}', // 11
          '    columns:', // 12
          '      - name: id', // 13
          '        constraints:', // 14
          '          - type: not_null', // 15
          '',
        ].join('\n'),
      },
    });
    const r = await p.ft(['compile']);
    expect(r.code, r.output).toBe(0);
    expect(r.output.match(/models\/schema\.yml:8: constraints apply to models with an enforced contract, not to source tables; ignored\./g)).toHaveLength(1);
    expect(r.output.match(/models\/schema\.yml:10: config contract applies to models, not to seeds/g)).toHaveLength(1);
    expect(r.output.match(/models\/schema\.yml:15: constraints apply to models with an enforced contract, not to seeds; ignored\./g)).toHaveLength(1);
  });

  it('a data_type the server does not know fails the model at the column\'s line', async () => {
    p = await createProject({ label: 'contractyml', models: { 'm.sql': '{{config materialized="table"}}\nselect 1 as id' }, yaml: { 'schema.yml': 'version: 2\nmodels:\n  - name: m\n    config: {contract: {enforced: true}}\n    columns:\n      - name: id\n        data_type: integr\n' } });
    const r = await p.ft(['run']);
    expect(r.code, r.output).toBe(1);
    expect(r.output).toContain('models/schema.yml:6: data_type "integr" of column id is not a column type the server accepts');
    expect(await p.tables()).toEqual([]);
  });
});
