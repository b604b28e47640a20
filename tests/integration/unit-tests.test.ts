import { afterEach, describe, expect, it } from 'vitest';
import { createProject, type TestProject } from '../helpers/project-builder.js';

/**
 * Unit tests (dbt 1.8's unit_tests:) run the model's SQL over fixture rows on the real server:
 * no upstream relation needs to exist, the rows compare as multisets, and a failure shows a diff.
 */
describe('unit tests', { timeout: 120_000 }, () => {
  let p: TestProject | undefined;
  afterEach(async () => {
    await p?.cleanup();
    p = undefined;
  });

  type Result = { unique_id: string; status: string; message: string; failures: number | null; unit_test_diff?: { columns: string[]; rows: Array<{ status: string; expected?: Record<string, unknown>; actual?: Record<string, unknown>; differing?: string[] }> } };
  const results = (q: TestProject): Result[] => q.readJson<{ results: Result[] }>('target/run_results.json').results;
  const result = (q: TestProject, id: string): Result => results(q).find((r) => r.unique_id === id)!;

  /** orders and a source of exchange rates feed a model of totals per status (nothing is ever built) */
  const SHOP = {
    models: {
      'orders.sql': "select 1 as id, 10.50 as amount, 'open' as status",
      'totals.sql': [
        'select o.status, count(*) as orders, sum(o.amount * fx.rate) as total_eur,',
        '  round(sum(o.amount) / count(*), 2) as avg_amount',
        'from {{ref "orders"}} o',
        'join {{source "raw" "fx"}} fx on fx.currency = o.currency',
        'group by o.status',
      ].join('\n'),
    },
    yaml: {
      'sources.yml': 'sources:\n  - name: raw\n    tables: [{name: fx}]\n',
    },
  };
  const unit = (body: string[]): string => ['unit_tests:', ...body, ''].join('\n');

  it('passes on rows given as dicts, whatever the order of the expected rows, with nothing built', async () => {
    p = await createProject({
      label: 'unitpass',
      ...SHOP,
      yaml: {
        ...SHOP.yaml,
        'unit.yml': unit([
          '  - name: totals_by_status',
          '    model: totals',
          '    given:',
          "      - input: ref('orders')",
          '        rows:',
          '          - {id: 1, amount: 10, status: open, currency: USD}',
          '          - {id: 2, amount: 20, status: open, currency: EUR}',
          '          - {id: 3, amount: 5.5, status: paid, currency: EUR}',
          "      - input: source('raw', 'fx')",
          '        rows:',
          '          - {currency: USD, rate: 0.5}',
          '          - {currency: EUR, rate: 1}',
          '    expect:',
          '      rows:',
          '        - {status: paid, orders: 1, total_eur: 5.5, avg_amount: 5.50}',
          '        - {status: open, orders: 2, total_eur: 25, avg_amount: 15}',
        ]),
      },
    });
    // nothing exists on the server: not the target database's tables, not the source's
    const r = await p.ft(['test']);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/1 of 1 PASS totals_by_status/);
    expect(result(p, 'unit_test.proj.totals.totals_by_status')).toMatchObject({ status: 'pass', failures: 0 });
    expect(await p.tables()).toEqual([]);
  });

  it("overrides invocation_id and a library macro (dbt_utils.star), as dbt's docs do", async () => {
    p = await createProject({
      label: 'unitovr',
      models: {
        'orders.sql': "select 1 as id, 10.50 as amount, 'open' as status",
        'tagged.sql': 'select {{dbt_utils.star (ref "orders") except=(array "amount")}}, \'{{invocation_id}}\' as inv from {{ref "orders"}}',
      },
      yaml: {
        'unit.yml': unit([
          '  - name: tagged_rows',
          '    model: tagged',
          "    given: [{input: ref('orders'), rows: [{id: 1, amount: 3, status: open}]}]",
          '    overrides:',
          '      macros: {invocation_id: "123", dbt_utils.star: "id, status"}',
          '    expect: {rows: [{id: 1, status: open, inv: "123"}]}',
        ]),
      },
    });
    const r = await p.ft(['test']);
    expect(r.code, r.output).toBe(0);
    expect(result(p, 'unit_test.proj.tagged.tagged_rows')).toMatchObject({ status: 'pass' });
  });

  it('fails with a diff of expected against actual rows, the differing cells marked, in the log, JSON log and run_results.json', async () => {
    p = await createProject({
      label: 'unitfail',
      ...SHOP,
      yaml: {
        ...SHOP.yaml,
        'unit.yml': unit([
          '  - name: totals_wrong',
          '    model: totals',
          '    given:',
          "      - input: ref('orders')",
          '        rows:',
          '          - {id: 1, amount: 10, status: open, currency: EUR}',
          '          - {id: 2, amount: 20, status: open, currency: EUR}',
          '          - {id: 3, amount: 7, status: void, currency: EUR}',
          "      - input: source('raw', 'fx')",
          '        rows: [{currency: EUR, rate: 1}]',
          '    expect:',
          '      rows:',
          '        - {status: open, orders: 2, total_eur: 31}',
          '        - {status: paid, orders: 1, total_eur: 4}',
        ]),
      },
    });
    const r = await p.ft(['test']);
    expect(r.code, r.output).toBe(1);
    expect(r.output).toMatch(/FAIL 3 totals_wrong/);
    expect(r.output).toContain('Failure in test totals_wrong (models/unit.yml:2)');
    expect(r.output).toContain('actual differs from expected: 2 rows expected, 2 returned; 1 changed (~), 1 missing (-), 1 unexpected (+)');
    const table = r.output.slice(r.output.indexOf('actual differs')).split('\n').slice(1, 6).map((l) => l.trim());
    expect(table).toEqual([
      '| status | orders | total_eur',
      '--+--------+--------+----------',
      '~ | open   | 2      | 31 → 30',
      '- | paid   | 1      | 4',
      '+ | void   | 1      | 7',
    ]);
    const res = result(p, 'unit_test.proj.totals.totals_wrong');
    expect(res).toMatchObject({ status: 'fail', failures: 3 });
    expect(res.unit_test_diff!.columns).toEqual(['status', 'orders', 'total_eur']);
    expect(res.unit_test_diff!.rows[0]).toEqual({ status: 'changed', expected: { status: 'open', orders: 2, total_eur: 31 }, actual: { status: 'open', orders: 2, total_eur: '30' }, differing: ['total_eur'] });
    const json = await p.ft(['test', '--log-format', 'json']);
    const finished = json.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>).find((e) => e.event === 'node_finished')!;
    expect(finished.unit_test_diff.rows.map((x: { status: string }) => x.status)).toEqual(['changed', 'missing', 'unexpected']);
  });

  it('reads rows as inline CSV, a CSV fixture file, inline SQL and a SQL fixture file', async () => {
    p = await createProject({
      label: 'unitformats',
      ...SHOP,
      files: {
        'tests/fixtures/fx_rates.csv': 'currency,rate\nEUR,1\nUSD,0.5\n',
        'tests/fixtures/expected_totals.sql': "select 'open' as status, 2 as orders, 15 as total_eur\n",
      },
      yaml: {
        ...SHOP.yaml,
        'unit.yml': unit([
          '  - name: csv_inline_and_file',
          '    model: totals',
          '    given:',
          "      - input: ref('orders')",
          '        format: csv',
          '        rows: |',
          '          id,amount,status,currency',
          '          1,10,open,EUR',
          '          2,10,open,USD',
          "      - input: source('raw', 'fx')",
          '        format: csv',
          '        fixture: fx_rates',
          '    expect:',
          '      format: csv',
          '      rows: |',
          '        status,orders,total_eur',
          '        open,2,15',
          '  - name: sql_inline_and_file',
          '    model: totals',
          '    given:',
          '      - input: \'{{ref "orders"}}\'',
          '        format: sql',
          "        rows: select 1 as id, 10 as amount, 'open' as status, 'EUR' as currency union all select 2, 10, 'open', 'USD'",
          '      - input: \'{{source "raw" "fx"}}\'',
          '        rows: [{currency: EUR, rate: 1}, {currency: USD, rate: 0.5}]',
          '    expect:',
          '      format: sql',
          '      fixture: expected_totals',
        ]),
      },
    });
    const r = await p.ft(['test']);
    expect(r.code, r.output).toBe(0);
    // the .sql fixture is no singular test
    expect(r.output).toMatch(/Running 2 nodes/);
    expect(results(p).map((x) => [x.unique_id, x.status]).sort()).toEqual([
      ['unit_test.proj.totals.csv_inline_and_file', 'pass'],
      ['unit_test.proj.totals.sql_inline_and_file', 'pass'],
    ]);
  });

  it('tests the incremental branch with is_incremental overridden and rows given for this', async () => {
    p = await createProject({
      label: 'unitinc',
      models: {
        'events.sql': "select 1 as id, '2024-01-01 10:00:00' as ts",
        'events_inc.sql': [
          '{{config materialized="incremental" unique_key="id"}}',
          'select id, ts from {{ref "events"}}',
          '{{#if (is_incremental)}}',
          'where ts > (select max(ts) from {{this}})',
          '{{/if}}',
        ].join('\n'),
      },
      yaml: {
        'unit.yml': unit([
          '  - name: only_newer_rows',
          '    model: events_inc',
          '    overrides:',
          '      macros: {is_incremental: true}',
          '    given:',
          "      - input: ref('events')",
          '        rows:',
          "          - {id: 1, ts: '2024-01-01 10:00:00'}",
          "          - {id: 2, ts: '2024-01-02 10:00:00'}",
          "          - {id: 3, ts: '2024-01-03 09:00:00'}",
          '      - input: this',
          "        rows: [{id: 1, ts: '2024-01-02 10:00:00'}]",
          '    expect:',
          "      rows: [{id: 3, ts: '2024-01-03 09:00:00'}]",
          '  - name: full_build',
          '    model: events_inc',
          '    given:',
          "      - input: ref('events')",
          "        rows: [{id: 1, ts: '2024-01-01'}, {id: 2, ts: '2024-01-02'}]",
          '    expect:',
          "      rows: [{id: 1, ts: '2024-01-01'}, {id: 2, ts: '2024-01-02 00:00:00'}]",
        ]),
      },
    });
    const r = await p.ft(['test']);
    expect(r.code, r.output).toBe(0);
    expect(result(p, 'unit_test.proj.events_inc.only_newer_rows').status).toBe('pass');
    expect(result(p, 'unit_test.proj.events_inc.full_build').status).toBe('pass');
    // the SQL run reads the fixture, not the table
    const sql = p.read('target/run/proj/models/unit.yml/only_newer_rows.sql');
    expect(sql).toMatch(/select max\(ts\) from `__ft_unit_this`/);
    expect(sql).not.toContain(p.rel('events_inc'));
  });

  it('types an input from the table when it exists, else from the YAML data_type, else from the values; other columns are NULL', async () => {
    p = await createProject({
      label: 'unittypes',
      models: {
        'prices.sql': "select 1 as id, cast(5 as decimal(10,2)) as price, cast('x' as char(8)) as note",
        'declared.sql': "{{config materialized=\"ephemeral\"}}\nselect 1 as id, 5 as price, 'x' as note",
        'guessed.sql': "{{config materialized=\"ephemeral\"}}\nselect 1 as id, 5 as price",
        'show_prices.sql': 'select p.*, cast(p.price as char) as price_text from {{ref "prices"}} p',
        'show_declared.sql': 'select d.*, cast(d.price as char) as price_text from {{ref "declared"}} d',
        'show_guessed.sql': 'select g.*, cast(g.price as char) as price_text from {{ref "guessed"}} g',
      },
      yaml: {
        'models.yml': [
          'models:',
          '  - name: declared',
          '    columns:',
          '      - {name: id, data_type: int}',
          "      - {name: price, data_type: 'decimal(10,3)'}",
          '      - {name: note, data_type: varchar(8)}',
          '',
        ].join('\n'),
        'unit.yml': unit([
          '  - name: from_the_table',
          '    model: show_prices',
          "    given: [{input: ref('prices'), rows: [{price: 5}]}]",
          "    expect: {rows: [{id: null, price: 5, note: null, price_text: '5.00'}]}",
          '  - name: from_the_yaml',
          '    model: show_declared',
          "    given: [{input: ref('declared'), rows: [{price: 5}]}]",
          "    expect: {rows: [{id: null, price: 5, note: null, price_text: '5.000'}]}",
          '  - name: from_the_values',
          '    model: show_guessed',
          "    given: [{input: ref('guessed'), rows: [{price: 5}, {price: 7}]}]",
          "    expect: {rows: [{price: 7, price_text: '7'}, {price: 5, price_text: '5'}]}",
        ]),
      },
    });
    // prices exists on the server (decimal(10,2)); declared and guessed are ephemeral: no table
    expect((await p.ft(['run', '-s', 'prices'])).code).toBe(0);
    const r = await p.ft(['test']);
    expect(r.code, r.output).toBe(0);
    expect(results(p).filter((x) => x.status === 'pass')).toHaveLength(3);
    // a column the table does not have is a mistake named as such
    p.write('models/unit.yml', unit(['  - name: typo', '    model: show_prices', "    given: [{input: ref('prices'), rows: [{prize: 5}]}]", '    expect: {rows: []}']));
    const bad = await p.ft(['test']);
    expect(bad.code).toBe(2);
    expect(bad.output).toContain(`models/unit.yml:4: unit test typo, input ref('prices'): column "prize" is not a column of ${p.rel('prices')}. Did you mean "price"?`);
  });

  it('a column the model reads that no input has is an error saying where to give it', async () => {
    p = await createProject({
      label: 'unitnocol',
      ...SHOP,
      yaml: { ...SHOP.yaml, 'unit.yml': unit(['  - name: no_currency', '    model: totals', '    given:', "      - input: ref('orders')", '        rows: [{id: 1, amount: 1, status: a}]', "      - input: source('raw', 'fx')", '        rows: [{currency: EUR, rate: 1}]', '    expect: {rows: []}']) },
    });
    const r = await p.ft(['test']);
    expect(r.code).toBe(2);
    // (the server names the clause its own way)
    expect(r.output).toMatch(/models\/unit\.yml:2: unit test no_currency: totals over the given rows fails: Unknown column 'o\.currency' in '[^']+'\. An input has the columns of its table on the server, else of its YAML columns:, else only those its rows give; give the column in the rows of the input that has it\./);
  });

  it('inlines an ephemeral parent over the given rows, or reads it from rows given for it; vars and env_vars are overridden', async () => {
    p = await createProject({
      label: 'uniteph',
      project: { vars: { factor: 1 } },
      models: {
        'base.sql': 'select 1 as n',
        'doubled.sql': '{{config materialized="ephemeral"}}\nselect n * {{var "factor"}} as n from {{ref "base"}}',
        'summed.sql': "select sum(n) as total, '{{env_var \"FT_UNIT_REGION\" \"none\"}}' as region from {{ref \"doubled\"}}",
      },
      yaml: {
        'unit.yml': unit([
          '  - name: through_the_ephemeral',
          '    model: summed',
          '    overrides:',
          '      vars: {factor: 3}',
          '      env_vars: {FT_UNIT_REGION: eu}',
          "    given: [{input: ref('base'), rows: [{n: 1}, {n: 2}]}]",
          '    expect: {rows: [{total: 9, region: eu}]}',
          '  - name: ephemeral_given',
          '    model: summed',
          "    given: [{input: ref('doubled'), format: sql, rows: 'select 5 as n union all select 6'}]",
          '    expect: {rows: [{total: 11, region: none}]}',
        ]),
      },
    });
    const r = await p.ft(['test'], { env: { FT_UNIT_REGION: undefined } });
    expect(r.code, r.output).toBe(0);
    expect(results(p).map((x) => x.status)).toEqual(['pass', 'pass']);
  });
});
