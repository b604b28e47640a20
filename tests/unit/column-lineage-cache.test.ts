import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LineageCache, modelLineage } from '../../src/docs/lineage-cache.js';

const dir = mkdtempSync(join(tmpdir(), 'ft-lineage-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('model lineage and its cache', () => {
  const sql = 'select e.id, p.name from s.events e join s.products p on p.id = e.pid';
  const cols = [{ name: 'id', inRelation: true }, { name: 'name', inRelation: true }];

  it('resolves each model column; a star over an unknown relation only for columns of the built relation', () => {
    const star = 'select d.*, 1 as one from s.not_built d';
    const r = modelLineage(star, [{ name: 'amount', inRelation: true }, { name: 'typo', inRelation: false }, { name: 'one', inRelation: true }], () => undefined);
    expect(r.columns).toEqual({ amount: [{ relation: 's.not_built', column: 'amount' }], typo: 'unknown', one: [] });
    expect(r.outputs).toBeNull();
    expect(modelLineage('select a from t', [], () => undefined).outputs).toEqual(['a']);
  });

  it('reuses a result while the SQL, the columns and the catalog columns it read are unchanged', () => {
    const file = join(dir, 'cache.json');
    let catalog: Record<string, string[]> = { 's.events': ['id', 'pid'], 's.products': ['id', 'name'] };
    const lookup = ({ db, table }: { db: string | null; table: string }) => catalog[`${db}.${table}`];
    const first = new LineageCache(file);
    const a = first.get(sql, cols, lookup);
    expect(first.misses).toBe(1);
    first.save();

    const second = new LineageCache(file);
    expect(second.get(sql, cols, lookup)).toEqual(a);
    expect(second.hits).toBe(1);
    second.save();

    // a looked-up relation changed: analysed again
    catalog = { ...catalog, 's.products': ['id', 'name', 'price'] };
    const third = new LineageCache(file);
    third.get(sql, cols, lookup);
    expect(third.misses).toBe(1);
    // other SQL or other columns: a different entry
    third.get(`${sql} where 1 = 1`, cols, lookup);
    third.get(sql, [{ name: 'id', inRelation: false }], lookup);
    expect(third.misses).toBe(3);
  });

  it('ignores a damaged cache file', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, '{not json');
    const c = new LineageCache(file);
    c.get(sql, cols, () => undefined);
    expect(c.misses).toBe(1);
  });
});
