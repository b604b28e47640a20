import { describe, expect, it } from 'vitest';
import { genericTestName, genericTestNames, pythonStr, synthesizeGenericTestNames } from '../../src/testing/test-naming.js';

// Expected values computed with dbt-core's synthesize_generic_test_names (Python) on the same inputs.
describe('dbt generic test names', () => {
  it('column tests', () => {
    expect(genericTestName({ testName: 'not_null', modelName: 'orders', columnName: 'order_id', args: {} })).toBe('not_null_orders_order_id');
    expect(genericTestName({ testName: 'unique', modelName: 'orders', columnName: 'id', args: {}, version: 2 })).toBe('unique_orders_v2_id');
    expect(
      genericTestName({ testName: 'accepted_values', modelName: 'stg_orders', columnName: 'status', args: { values: ['placed', 'shipped', 'completed'] } }),
    ).toBe('accepted_values_stg_orders_status__placed__shipped__completed');
    expect(
      genericTestName({ testName: 'relationships', modelName: 'orders', columnName: 'customer_id', args: { to: "ref('customers')", field: 'customer_id' } }),
    ).toBe('relationships_orders_customer_id__customer_id__ref_customers_');
  });

  it('long names: first 30 characters of <test>_<model> + md5 of the full name as the alias', () => {
    const names = genericTestNames({
      testName: 'accepted_values',
      modelName: 'stg_orders',
      columnName: 'status',
      args: { values: ['placed', 'shipped', 'completed', 'return_pending', 'returned'] },
    });
    expect(names.name).toBe('accepted_values_stg_orders_status__placed__shipped__completed__return_pending__returned');
    expect(names.alias).toBe('accepted_values_stg_orders_4f514bf94b77b7ea437830eec4421c58');
    expect(names.alias.length).toBeLessThanOrEqual(64);
  });

  it('namespaced tests keep the package prefix', () => {
    const names = genericTestNames({
      testName: 'dbt_utils.unique_combination_of_columns',
      modelName: 'order_items',
      args: { combination_of_columns: ['order_id', 'line_number'] },
    });
    expect(names.name).toBe('dbt_utils_unique_combination_of_columns_order_items_order_id__line_number');
    expect(names.alias).toBe('dbt_utils_unique_combination_o_14e01f520ef56b4d4f6f6eb4c8651474');
    expect(
      genericTestNames({
        testName: 'expect_column_values_to_match_regex',
        namespace: 'dbt_expectations',
        modelName: 'customers',
        columnName: 'email',
        args: { regex: '^[a-z]+@[a-z]+\\.com$' },
      }),
    ).toEqual({
      name: 'dbt_expectations_expect_column_values_to_match_regex_customers_email___a_z_a_z_com_',
      alias: 'dbt_expectations_expect_column_585f07d7910102dd32008cfe05cd7f74',
    });
  });

  it('source tests are prefixed source_', () => {
    expect(genericTestName({ testName: 'not_null', modelName: 'raw_events', columnName: 'event_id', args: {}, isSource: true })).toBe(
      'source_not_null_raw_events_event_id',
    );
  });

  it('arguments are sorted; values str()-ed as Python does; config keys ignored', () => {
    expect(
      genericTestName({
        testName: 'accepted_values',
        modelName: 'orders',
        columnName: 'flag',
        args: { values: [true, false, null, 1.5, 2], quote: false, severity: 'warn', config: { where: 'x' } },
      }),
    ).toBe('accepted_values_orders_flag__False__True__False__None__1_5__2');
    expect(
      genericTestName({ testName: 'dbt_utils.accepted_range', modelName: 'orders', columnName: 'amount', args: { min_value: 0, max_value: 1e-5, inclusive: true } }),
    ).toBe('dbt_utils_accepted_range_orders_amount__True__1e_05__0');
    expect(
      genericTestName({
        testName: 'volume_anomalies',
        modelName: 'orders',
        args: { timestamp_column: 'created_at', training_period: { period: 'day', count: 14 }, seasonality: 'day_of_week' },
      }),
    ).toBe('volume_anomalies_orders_day_of_week__created_at__day__14');
    expect(genericTestName({ testName: 'expression_is_true', modelName: 'orders', args: { expression: "amount >= 0 and status != 'x'" } })).toBe(
      'expression_is_true_orders_amount_0_and_status_x_',
    );
  });

  it('nested containers use Python repr', () => {
    expect(synthesizeGenericTestNames('x', 'm', { values: [['a', 'b'], { k: "it's" }] })).toEqual(['x_m__a_b____k_it_s_', 'x_m__a_b____k_it_s_']);
    expect(pythonStr(['a', "it's", 1, null])).toBe(`['a', "it's", 1, None]`);
    expect(pythonStr(1e16)).toBe('1e+16');
    expect(pythonStr(0.0001)).toBe('0.0001');
    expect(pythonStr(2.5e-7)).toBe('2.5e-07');
  });

  it('the 64-character boundary: 63 stays, 64 is hashed', () => {
    const at = (len: number) => synthesizeGenericTestNames('t', 'm', { a: 'x'.repeat(len - 't_m_'.length) });
    expect(at(63)[0]).toHaveLength(63);
    expect(at(63)[0]).toBe(at(63)[1]);
    expect(at(64)[0]).toMatch(/^t_m_[0-9a-f]{32}$/);
  });

  it('dbt 1.10 `arguments:` names the same as top-level arguments', () => {
    expect(genericTestName({ testName: 'accepted_values', modelName: 'stg_orders', columnName: 'status', args: { arguments: { values: ['placed', 'shipped', 'completed'] } } })).toBe(
      'accepted_values_stg_orders_status__placed__shipped__completed',
    );
  });
});
