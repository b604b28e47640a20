import { afterEach, describe, expect, it } from 'vitest';
import { createProject, type TestProject } from '../helpers/project-builder.js';

/**
 * The gate must not pass what it did not run: every selected node gets a result, tests that
 * read a node downstream of the model they are attached to do not deadlock the build, and a
 * selection that matches nothing says so.
 */
describe('ft build: an honest gate', { timeout: 120_000 }, () => {
  let p: TestProject | undefined;
  afterEach(async () => {
    await p?.cleanup();
    p = undefined;
  });

  type Result = { unique_id: string; status: string; message: string };
  const results = (q: TestProject): Result[] => q.readJson<{ results: Result[] }>('target/run_results.json').results;

  /** jaffle-shop's shape: order_items.order_id → orders, where orders reads order_items */
  const jaffle = {
    models: {
      'order_items.sql': 'select 1 as order_item_id, 10 as order_id union all select 2, 11',
      'orders.sql': 'select order_id, count(*) as items from {{ref "order_items"}} group by order_id',
      'customers_orders.sql': 'select order_id, items from {{ref "orders"}}',
    },
    yaml: {
      'schema.yml': [
        'models:',
        '  - name: order_items',
        '    columns:',
        '      - name: order_item_id',
        '        tests: [not_null, unique]',
        '      - name: order_id',
        '        tests:',
        '          - relationships:',
        "              to: ref('orders')",
        '              field: order_id',
        '  - name: orders',
        '    columns:',
        '      - name: order_id',
        '        tests: [unique]',
        '',
      ].join('\n'),
    },
  };

  it('runs every node when a test on a model reads a model downstream of it', async () => {
    p = await createProject({ label: 'gatejaffle', ...jaffle });
    const r = await p.ft(['build', '--threads', '1']);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/Running 7 nodes/);
    expect(r.output).toMatch(/PASS=7 WARN=0 ERROR=0 FAIL=0 SKIP=0 TOTAL=7/);
    const statuses = Object.fromEntries(results(p).map((x) => [x.unique_id.split('.').slice(2).join('.'), x.status]));
    expect(statuses['orders']).toBe('success');
    expect(statuses['customers_orders']).toBe('success');
    expect(Object.keys(statuses)).toHaveLength(7);
  });

  it('still gates a downstream model on its parents’ tests where that adds no cycle', async () => {
    p = await createProject({
      label: 'gatefail',
      ...jaffle,
      models: { ...jaffle.models, 'order_items.sql': 'select 1 as order_item_id, 10 as order_id union all select 1, 11' },
    });
    const r = await p.ft(['build', '--threads', '2']);
    expect(r.code, r.output).toBe(1);
    const byName = new Map(results(p).map((x) => [x.unique_id.split('.').slice(2).join('.'), x]));
    expect(byName.size).toBe(7);
    // the failing unique test on order_items skips orders and what reads it, with the reason
    expect(byName.get('orders')!.status).toBe('skipped');
    expect(byName.get('orders')!.message).toMatch(/unique_order_items_order_item_id/);
    expect(byName.get('customers_orders')!.status).toBe('skipped');
    // the relationships test reads orders, which never ran: skipped, not silently dropped
    const rel = [...byName.entries()].find(([k]) => k.startsWith('relationships_'))!;
    expect(rel[1].status).toBe('skipped');
    expect(r.output).toMatch(/SKIP=4 TOTAL=7/);
  });

  it('warns when a selection matches nothing, and fails with --warn-error', async () => {
    p = await createProject({ label: 'gatenone', models: { 'a.sql': 'select 1 as id' } });
    const r = await p.ft(['run', '-s', 'nosuchmodel']);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/The selection criterion 'nosuchmodel' does not match any enabled nodes/);
    const e = await p.ft(['run', '-s', 'nosuchmodel', '--warn-error']);
    expect(e.code, e.output).toBe(1);
    expect(e.output).toMatch(/nosuchmodel/);
    // one criterion matching nothing is reported even when another matches
    const both = await p.ft(['run', '-s', 'a', 'nosuchmodel']);
    expect(both.code, both.output).toBe(0);
    expect(both.output).toMatch(/'nosuchmodel' does not match/);
    expect(both.output).not.toMatch(/'a' does not match/);
  });
});
