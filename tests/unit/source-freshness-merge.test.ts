import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadProject } from '../../src/project/load-project.js';

// A table's freshness merges over its source's key by key, as dbt merges them: a table that sets
// only warn_after kept no error_after, so a 3-day-old table passed where dbt reports ERROR STALE.
const root = mkdtempSync(join(tmpdir(), 'ft-freshmerge-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('source freshness, table over source', () => {
  it('keys the table sets win, the others come from the source; freshness: null turns it off', async () => {
    const files: Record<string, string> = {
      'project.yml': 'name: p\nprofile: p\n',
      'profiles.yml': 'p:\n  target: dev\n  outputs:\n    dev: {type: mysql, database: db}\n',
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
    };
    for (const [rel, text] of Object.entries(files)) {
      mkdirSync(dirname(join(root, rel)), { recursive: true });
      writeFileSync(join(root, rel), text);
    }
    const project = await loadProject({ projectDir: root, partialParse: false });
    const fresh = (t: string): unknown => project.nodes.get(`source.p.shop.${t}`)!.freshness;
    expect(fresh('orders')).toEqual({ warn_after: { count: 10, period: 'day' }, error_after: { count: 2, period: 'day' }, filter: "status <> 'returned'" });
    expect(fresh('archive')).toBeNull();
    expect(fresh('customers')).toEqual({ warn_after: { count: 1, period: 'hour' }, error_after: { count: 2, period: 'day' } });
    expect(fresh('notes')).toEqual({ warn_after: { count: 1, period: 'hour' }, error_after: { count: 2, period: 'day' } });
  });
});
