import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { discover, type Listings } from '../../src/project/discovery.js';

const root = mkdtempSync(join(tmpdir(), 'ft-discovery-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
for (const f of ['models/b.sql', 'models/a.sql', 'models/schema.yml', 'models/sub/c.sql', 'models/.hidden/d.sql', 'models/node_modules/e.sql', 'seeds/s.csv']) {
  mkdirSync(join(root, f, '..'), { recursive: true });
  writeFileSync(join(root, f), '');
}

describe('discover', () => {
  it('finds files by extension in name order, skipping hidden folders and node_modules', () => {
    expect(discover(root, ['models'], ['.sql']).map((f) => [f.rel, f.inResource, f.abs])).toEqual([
      ['models/a.sql', 'a.sql', join(root, 'models/a.sql')],
      ['models/b.sql', 'b.sql', join(root, 'models/b.sql')],
      ['models/sub/c.sql', 'sub/c.sql', join(root, 'models/sub/c.sql')],
    ]);
  });

  it('gives the same paths for a folder written with a trailing slash, and skips a missing folder', () => {
    expect(discover(root, ['models/', 'nowhere'], ['.yml']).map((f) => [f.rel, f.abs])).toEqual([['models/schema.yml', join(root, 'models/schema.yml')]]);
  });

  it('lists each folder once for all the calls sharing listings', () => {
    const listings: Listings = new Map();
    const read: string[] = [];
    discover(root, ['models', 'seeds'], ['.sql'], listings, (dir) => read.push(dir));
    expect(discover(root, ['models', 'seeds'], ['.yml', '.csv'], listings, (dir) => read.push(dir)).map((f) => f.rel)).toEqual(['models/schema.yml', 'seeds/s.csv']);
    expect(read.sort()).toEqual([join(root, 'models'), join(root, 'models/sub'), join(root, 'seeds')]);
  });
});
