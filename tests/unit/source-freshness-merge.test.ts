import { describe, expect, it } from 'vitest';
import { loadFiles } from '../helpers/project-files.js';

// A table's freshness merges over its source's key by key, as dbt merges them: a table that sets
// only warn_after kept no error_after, so a 3-day-old table passed where dbt reports ERROR STALE.

describe('source freshness, table over source', () => {
  it('keys the table sets win, the others come from the source; freshness: null turns it off', async () => {
    const project = await loadFiles({
      'models/sources.yml': [
        'sources:',
        '  - name: shop',
        '    loaded_at_field: loaded_at',
        '    freshness: {warn_after: {count: 1, period: hour}, error_after: {count: 2, period: day}}',
        '    tables:',
        "      - {name: orders, freshness: {warn_after: {count: 10, period: day}, filter: \"status <> 'returned'\"}}",
        '      - {name: archive, freshness: null}',
        '      - {name: customers}',
        '      - {name: notes, freshness: {error_after: null}}',
        '',
      ].join('\n'),
    });
    const fresh = (t: string): unknown => project.nodes.get(`source.p.shop.${t}`)!.freshness;
    expect(fresh('orders')).toEqual({ warn_after: { count: 10, period: 'day' }, error_after: { count: 2, period: 'day' }, filter: "status <> 'returned'" });
    expect(fresh('archive')).toBeNull();
    expect(fresh('customers')).toEqual({ warn_after: { count: 1, period: 'hour' }, error_after: { count: 2, period: 'day' } });
    expect(fresh('notes')).toEqual({ warn_after: { count: 1, period: 'hour' }, error_after: { count: 2, period: 'day' } });
  });
});
