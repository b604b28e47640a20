import { describe, expect, it } from 'vitest';
import { analyseColumnLineage, columnLineage, lineageOf, type ColumnSources, type RelationColumnsLookup } from '../../src/docs/column-lineage.js';

const CATALOG: Record<string, string[]> = {
  'raw.events': ['event_id', 'event_type', 'product_id', 'user_id', 'price', 'quantity', 'ts'],
  'raw.products': ['product_id', 'product_name', 'category', 'price'],
  'raw.users': ['user_id', 'country'],
};

const lookup: RelationColumnsLookup = ({ db, table }) => CATALOG[`${db ?? 'raw'}.${table}`];
const none: RelationColumnsLookup = () => undefined;

function lin(sql: string, l: RelationColumnsLookup = lookup): Record<string, ColumnSources> {
  return Object.fromEntries(columnLineage(sql, l));
}
const ref = (relation: string, ...columns: string[]) => columns.map((column) => ({ relation, column }));

describe('column lineage', () => {
  it('follows plain columns and aliases', () => {
    expect(lin('select e.event_id, e.price as unit_price from `raw`.`events` e')).toEqual({
      event_id: ref('raw.events', 'event_id'),
      unit_price: ref('raw.events', 'price'),
    });
  });

  it('collects every column an expression reads', () => {
    const out = lin('select price * quantity as revenue, date(ts) as day, 42 as answer, case when event_type = "purchase" then quantity else 0 end as units from raw.events');
    expect(out.revenue).toEqual(ref('raw.events', 'price', 'quantity'));
    expect(out.day).toEqual(ref('raw.events', 'ts'));
    expect(out.answer).toEqual([]);
    expect(out.units).toEqual(ref('raw.events', 'event_type', 'quantity'));
  });

  it('resolves CTEs, including chains of them', () => {
    const sql = `
      with purchases as (
        select product_id, price * quantity as revenue from raw.events where event_type = 'purchase'
      ), by_product as (
        select product_id as pid, sum(revenue) as revenue from purchases group by product_id
      )
      select pid, revenue from by_product`;
    expect(lin(sql)).toEqual({ pid: ref('raw.events', 'product_id'), revenue: ref('raw.events', 'price', 'quantity') });
  });

  it('reads through optimizer hints: index hints, STRAIGHT_JOIN and SQL_BIG_RESULT', () => {
    const sql = `select straight_join sql_big_result e.event_id, p.category
      from raw.events e use index for group by ()
      straight_join raw.products p force index (primary) on p.product_id = e.product_id`;
    expect(lin(sql)).toEqual({ event_id: ref('raw.events', 'event_id'), category: ref('raw.products', 'category') });
  });

  it('resolves joins by qualifier and by the catalog for unqualified columns', () => {
    const sql = `select e.event_id, p.product_name, category, e.price as paid, p.price as list_price, country
      from raw.events e join raw.products p on p.product_id = e.product_id left join raw.users u on u.user_id = e.user_id`;
    expect(lin(sql)).toEqual({
      event_id: ref('raw.events', 'event_id'),
      product_name: ref('raw.products', 'product_name'),
      category: ref('raw.products', 'category'),
      paid: ref('raw.events', 'price'),
      list_price: ref('raw.products', 'price'),
      country: ref('raw.users', 'country'),
    });
  });

  it('says unknown for an unqualified column two joined tables both have', () => {
    const out = lin('select price from raw.events e join raw.products p on p.product_id = e.product_id');
    expect(out.price).toBe('unknown');
  });

  it('says unknown for an unqualified column when the catalog cannot tell which join side has it', () => {
    const out = lin('select e.event_id, country from raw.events e join raw.users u on u.user_id = e.user_id', none);
    expect(out.event_id).toEqual(ref('raw.events', 'event_id'));
    expect(out.country).toBe('unknown');
  });

  it('merges JOIN … USING columns from both sides', () => {
    const out = lin('select product_id, product_name from raw.events join raw.products using (product_id)');
    expect(out.product_id).toEqual([...ref('raw.events', 'product_id'), ...ref('raw.products', 'product_id')]);
    expect(out.product_name).toEqual(ref('raw.products', 'product_name'));
  });

  it('handles aggregates and window functions (arguments, PARTITION BY and ORDER BY)', () => {
    const sql = `select product_id, count(*) as n, count(distinct user_id) as buyers, sum(price) as total,
        row_number() over (partition by product_id order by ts desc) as rn,
        lag(price, 1) over w as prev_price
      from raw.events group by product_id window w as (partition by user_id order by ts)`;
    const out = lin(sql);
    expect(out.n).toEqual([]);
    expect(out.buyers).toEqual(ref('raw.events', 'user_id'));
    expect(out.total).toEqual(ref('raw.events', 'price'));
    expect(out.rn).toEqual(ref('raw.events', 'product_id', 'ts'));
    expect(out.prev_price).toEqual(ref('raw.events', 'price', 'user_id', 'ts'));
  });

  it('expands * from the catalog, from CTEs and per qualifier', () => {
    expect(Object.keys(lin('select * from raw.users'))).toEqual(['user_id', 'country']);
    const sql = `with u as (select user_id as uid, upper(country) as country_code from raw.users)
      select u.*, e.event_id from u join raw.events e on e.user_id = u.uid`;
    expect(lin(sql)).toEqual({
      uid: ref('raw.users', 'user_id'),
      country_code: ref('raw.users', 'country'),
      event_id: ref('raw.events', 'event_id'),
    });
  });

  it('cannot name the columns of * over a relation missing from the catalog', () => {
    const detail = analyseColumnLineage('select * from raw.unknown_table', lookup);
    expect(detail.complete).toBe(false);
    expect(detail.columns.size).toBe(0);
    expect(lineageOf(detail.columns, 'anything')).toBe('unknown');
    // but a single-table query still resolves named columns without the catalog
    expect(lin('select a, b + 1 as c from raw.unknown_table', none)).toEqual({ a: ref('raw.unknown_table', 'a'), c: ref('raw.unknown_table', 'b') });
  });

  it('passes columns through a * over a relation the catalog does not know', () => {
    const sql = 'with daily as (select d.* from raw.not_built d) select day, sum(revenue) as revenue from daily group by day';
    expect(lin(sql)).toEqual({ day: ref('raw.not_built', 'day'), revenue: ref('raw.not_built', 'revenue') });
    // two stars, or a star over a join, could be either side: unknown
    expect(lin('with j as (select * from raw.not_built a join raw.other b on a.id = b.id) select x from j').x).toBe('unknown');
    // the output's own unnamed columns, for callers that know them from the built relation
    const detail = analyseColumnLineage('select n.*, 1 as one from raw.not_built n', lookup);
    expect(detail.complete).toBe(false);
    expect(detail.throughStar?.('amount')).toEqual(ref('raw.not_built', 'amount'));
    expect(detail.throughStar?.('one')).toBe('unknown');
  });

  it('reads through window frames the parser lacks (RANGE, N PRECEDING AND 1 PRECEDING): a frame does not change the columns', () => {
    const sql = 'select product_id, sum(quantity) over (partition by product_id order by ts range between 24 preceding and current row) as trailing_qty from raw.events';
    expect(lin(sql).trailing_qty).toEqual(ref('raw.events', 'quantity', 'product_id', 'ts'));
    const named = `select sum(quantity) over w as before_qty, sum(price) over (order by ts rows unbounded preceding) as running_price
      from raw.events window w as (partition by product_id order by ts rows between 24 preceding and 1 preceding)`;
    const out = lin(named);
    expect(out.running_price).toEqual(ref('raw.events', 'price', 'ts'));
    expect(out.before_qty).toEqual(ref('raw.events', 'quantity', 'product_id', 'ts'));
  });

  it('resolves subqueries in FROM and scalar subqueries, including correlated ones', () => {
    const sql = `select s.product_id, s.revenue,
        (select max(p.price) from raw.products p where p.product_id = s.product_id) as list_price
      from (select product_id, sum(price * quantity) as revenue from raw.events group by product_id) as s`;
    expect(lin(sql)).toEqual({
      product_id: ref('raw.events', 'product_id'),
      revenue: ref('raw.events', 'price', 'quantity'),
      list_price: ref('raw.products', 'price'),
    });
  });

  it('merges UNION branches by position', () => {
    const sql = 'select user_id as id, country from raw.users union all select product_id, category from raw.products';
    expect(lin(sql)).toEqual({
      id: [...ref('raw.users', 'user_id'), ...ref('raw.products', 'product_id')],
      country: [...ref('raw.users', 'country'), ...ref('raw.products', 'category')],
    });
  });

  it('reads ft compiled SQL: backquoted schemas and ephemeral CTEs', () => {
    const sql = 'WITH `__ft_cte__stg_users` AS (\nselect user_id, country from `raw`.`users`\n)\nselect c.user_id, c.country from `__ft_cte__stg_users` c;';
    expect(lin(sql)).toEqual({ user_id: ref('raw.users', 'user_id'), country: ref('raw.users', 'country') });
  });

  it('says unknown, and never fails, on SQL the parser cannot read', () => {
    const detail = analyseColumnLineage('select substring(x from 2 for 3) as y from t', lookup);
    expect(detail.error).toMatch(/cannot parse/);
    expect(lineageOf(detail.columns, 'y')).toBe('unknown');
    expect(analyseColumnLineage('this is not sql', lookup).error).toBeDefined();
    expect(analyseColumnLineage('delete from t', lookup).error).toMatch(/not a SELECT/);
  });

  it('says unknown for recursive CTEs and duplicate output names', () => {
    const rec = lin('with recursive r(n) as (select 1 union all select n + 1 from r where n < 3) select n from r');
    expect(rec.n).toBe('unknown');
    const dup = lin('select e.price, p.price from raw.events e join raw.products p on p.product_id = e.product_id');
    expect(dup.price).toBe('unknown');
  });

  it('looks columns up case-insensitively', () => {
    const m = columnLineage('select EVENT_ID as Id from raw.events', lookup);
    expect(lineageOf(m, 'id')).toEqual(ref('raw.events', 'event_id'));
  });
});
