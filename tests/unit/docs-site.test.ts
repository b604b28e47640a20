import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { clientBundle, wrapModule } from '../../src/docs/bundle.js';
import { esc, markdown } from '../../src/docs/site/markdown.js';
import { SearchIndex } from '../../src/docs/site/search.js';
import { barChart, heatmap, lineChart, niceTicks } from '../../src/docs/site/charts.js';

describe('markdown', () => {
  it('renders headings, lists, code, tables, links and emphasis', () => {
    const html = markdown('# Title\n\nSome **bold** and *em* text with `code` and [a link](https://x.test).\n\n- one\n- two\n\n```sql\nselect 1 < 2\n```\n\n| a | b |\n|---|---|\n| 1 | 2 |');
    expect(html).toContain('<h2>Title</h2>');
    expect(html).toContain('<strong>bold</strong>');
    expect(html).toContain('<em>em</em>');
    expect(html).toContain('<code>code</code>');
    expect(html).toContain('<a href="https://x.test">a link</a>');
    expect(html).toContain('<ul><li>one</li><li>two</li></ul>');
    expect(html).toContain('select 1 &lt; 2');
    expect(html).toContain('<td>1</td>');
  });

  it('never lets HTML or script URLs through', () => {
    const html = markdown('<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>');
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('javascript:');
    expect(esc(`<a href="x">'&`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;');
  });
});

describe('search', () => {
  const idx = new SearchIndex([
    { id: 'model.p.kpi_daily', name: 'kpi_daily', type: 'model', description: 'The daily KPIs.', path: 'models/gold/kpi_daily.sql', tags: ['gold'], columns: [{ name: 'conversion_rate', description: 'purchases / views' }] },
    { id: 'model.p.orders', name: 'orders', type: 'model', description: 'Orders with their kpi flags.', path: 'models/orders.sql', tags: [], columns: [{ name: 'order_id', description: '' }] },
    { id: 'model.p.sessions', name: 'sessions', type: 'model', description: 'Sessions.', path: 'models/sessions.sql', tags: [], columns: [{ name: 'user_id', description: 'who converted' }] },
  ]);
  it('ranks name matches first, then descriptions', () => {
    expect(idx.search('kpi').map((h) => h.id)).toEqual(['model.p.kpi_daily', 'model.p.orders']);
  });
  it('finds columns by name and description', () => {
    const [hit] = idx.search('conversion_rate');
    expect(hit).toMatchObject({ id: 'model.p.kpi_daily', field: 'column:conversion_rate' });
    expect(idx.search('converted')[0]).toMatchObject({ id: 'model.p.sessions', field: 'column:user_id' });
  });
  it('needs every term to match', () => {
    expect(idx.search('kpi views').map((h) => h.id)).toEqual(['model.p.kpi_daily']);
    expect(idx.search('nothing-like-this')).toEqual([]);
  });
});

describe('charts', () => {
  it('draws SVG with escaped labels', () => {
    const svg = lineChart([{ label: '<b>', points: [['2026-11-24 10:00:00', 1], ['2026-11-24 11:00:00', 3]] }]);
    expect(svg).toContain('<svg');
    expect(svg).toContain('&lt;b&gt;');
    expect(barChart([{ label: 'Electronics', value: 5 }])).toContain('Electronics');
    expect(heatmap(['Mon'], [[0, 13, 4]])).toContain('data-hour="13"');
    expect(lineChart([])).toContain('no data');
  });
  it('picks round ticks', () => {
    expect(niceTicks(0, 97)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(0, 0)).toEqual([0, 1]);
  });
});

describe('client bundle', () => {
  it('turns sibling imports and exports into one classic script', () => {
    const out = wrapModule('b', "import { a, c as d } from './a.js';\nexport function f() { return a + d; }\nexport const g = 1;\n//# sourceMappingURL=b.js.map\n");
    expect(out).toContain('const { a, c: d } = __ft_m["a"];');
    expect(out).toContain('return { f, g };');
    expect(out).not.toContain('export');
    expect(() => wrapModule('x', "import fs from 'node:fs';")).toThrow(/only named imports/);
  });

  it('is valid JavaScript that defines every module without a browser', async () => {
    const js = await clientBundle();
    expect(js).not.toMatch(/^\s*(import|export)\s/m);
    // no window/document: the modules load, boot() is not started
    expect(() => runInNewContext(js, {})).not.toThrow();
  });
});
