import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildGraph, findCycle, topoSort } from '../../src/graph/build-graph.js';
import { DepGraph } from '../../src/graph/dep-graph.js';
import { loadProject } from '../../src/project/load-project.js';
import { FtError } from '../../src/util/errors.js';

// The DAG: edges from refs/sources/tests, cycle reporting with the path, unknown refs and sources.

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function write(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'ft-graph-'));
  dirs.push(root);
  const all: Record<string, string> = {
    'project.yml': 'name: g\nprofile: g\n',
    'profiles.yml': 'g:\n  target: dev\n  outputs:\n    dev: {type: mysql, database: db}\n',
    ...files,
  };
  for (const [rel, text] of Object.entries(all)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

async function error(root: string): Promise<FtError> {
  try {
    const p = await loadProject({ projectDir: root, partialParse: false });
    buildGraph(p);
  } catch (e) {
    expect(e).toBeInstanceOf(FtError);
    return e as FtError;
  }
  throw new Error('expected an FtError');
}

describe('graph', () => {
  it('has an edge parent -> child for refs, sources and tests, and sorts parents first', async () => {
    const root = write({
      'models/a.sql': 'select * from {{source "raw" "t"}}\n',
      'models/b.sql': 'select * from {{ref "a"}}\n',
      'models/c.sql': 'select * from {{ref "a"}} join {{ref "b"}}\n',
      'models/schema.yml': 'version: 2\nsources: [{name: raw, tables: [{name: t}]}]\nmodels:\n  - name: c\n    columns: [{name: id, tests: [unique]}]\n',
    });
    const p = await loadProject({ projectDir: root, partialParse: false });
    const g = buildGraph(p);
    expect(g.successors('model.g.a')!.sort()).toEqual(['model.g.b', 'model.g.c']);
    expect(g.predecessors('model.g.a')).toEqual(['source.g.raw.t']);
    expect(g.successors('model.g.c')!.map((id) => id.split('.').slice(0, 3).join('.'))).toEqual(['test.g.unique_c_id']);
    const order = topoSort(g);
    expect(order.indexOf('source.g.raw.t')).toBeLessThan(order.indexOf('model.g.a'));
    expect(order.indexOf('model.g.a')).toBeLessThan(order.indexOf('model.g.b'));
    expect(order.indexOf('model.g.b')).toBeLessThan(order.indexOf('model.g.c'));
    expect(findCycle(g)).toBeNull();
  });

  it('a cycle is an error printing the path a -> b -> c -> a, with the file and line of the closing ref', async () => {
    const root = write({
      'models/a.sql': 'select *\nfrom {{ref "c"}}\n',
      'models/b.sql': 'select * from {{ref "a"}}\n',
      'models/c.sql': 'select * from {{ref "b"}}\n',
      'models/d.sql': 'select * from {{ref "c"}}\n',
    });
    const e = await error(root);
    expect(e.message).toContain('dependency cycle: a -> b -> c -> a');
    expect(e.format()).toMatch(/^models\/a\.sql:2: /);
    expect(e.exitCode).toBe(2);
  });

  it('a model that refs itself is a cycle of one', async () => {
    const e = await error(write({ 'models/selfish.sql': 'select * from {{ref "selfish"}}\n' }));
    expect(e.message).toContain('selfish -> selfish');
  });

  it('a project of a 2,000-model chain builds in chain order', async () => {
    const files: Record<string, string> = { 'models/m0.sql': 'select 1\n' };
    for (let i = 1; i < 2000; i++) files[`models/m${i}.sql`] = `select * from {{ref "m${i - 1}"}}\n`;
    const p = await loadProject({ projectDir: write(files), partialParse: false });
    const g = buildGraph(p);
    expect(topoSort(g)[1999]).toBe("model.g.m1999");
  });

  it('findCycle and topoSort survive a chain deeper than the call stack', () => {
    // 100,000 deep: Node's default stack (~1 MB) holds roughly 10,000-14,000 frames of a
    // recursive depth-first search, so a recursive findCycle overflows here (RangeError);
    // a 2,000-deep chain did not tell them apart. Names sort in chain order, so the search
    // starts at the head and walks the whole chain.
    const N = 100_000;
    const id = (i: number): string => `n${String(i).padStart(6, '0')}`;
    const chain = (): DepGraph => {
      const g = new DepGraph();
      for (let i = 0; i < N; i++) g.setNode(id(i));
      for (let i = 1; i < N; i++) g.setEdge(id(i - 1), id(i));
      return g;
    };
    expect(findCycle(chain())).toBeNull();
    const order = topoSort(chain());
    expect(order).toHaveLength(N);
    expect(order[N - 1]).toBe(id(N - 1));
    // closed at its end: the cycle is the whole chain
    const loop = chain();
    loop.setEdge(id(N - 1), id(0));
    const cycle = findCycle(loop)!;
    expect(cycle).toHaveLength(N + 1);
    expect([cycle[0], cycle[1], cycle[N - 1], cycle[N]]).toEqual([id(0), id(1), id(N - 1), id(0)]);
  });

  it('an unknown ref names the file and line and suggests the closest names', async () => {
    const e = await error(
      write({
        'models/stg_orders.sql': 'select 1\n',
        'models/stg_order_items.sql': 'select 1\n',
        'models/mart.sql': 'select *\nfrom x\njoin {{ref "stg_ordrs"}}\n',
      }),
    );
    expect(e.format()).toMatch(/^models\/mart\.sql:3: ref "stg_ordrs" matches no model or seed\. Did you mean "stg_orders"/);
    expect(e.exitCode).toBe(2);
  });

  it('an unknown source names the file and line and suggests the closest declared source', async () => {
    const e = await error(
      write({
        'models/sources.yml': 'version: 2\nsources:\n  - name: raw\n    tables: [{name: events}, {name: orders}]\n',
        'models/m.sql': '\n\nselect * from {{source "raw" "event"}}\n',
      }),
    );
    expect(e.format()).toMatch(/^models\/m\.sql:3: source "raw\.event" is not declared\. Did you mean "raw\.events"/);
  });

  it('an exposure depending on an unknown model names the YAML file and line', async () => {
    const e = await error(
      write({
        'models/a.sql': 'select 1\n',
        'models/exp.yml': "version: 2\nexposures:\n  - name: dash\n    owner: {name: x}\n    depends_on: [\"ref('b')\"]\n",
      }),
    );
    expect(e.format()).toMatch(/^models\/exp\.yml:3: ref "b" matches no model or seed/);
  });
});
