import { describe, expect, it } from 'vitest';
import { capSelection, layoutIncremental, layoutSync } from '../../src/docs/site/layout.js';

function randomDag(n: number, seed = 1): Map<string, string[]> {
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  const parents = new Map<string, string[]>();
  for (let i = 0; i < n; i++) {
    const ps = new Set<string>();
    if (i > 0) for (let k = 0; k < 1 + Math.floor(rand() * 3); k++) ps.add(`n${Math.floor(rand() * i)}`);
    parents.set(`n${i}`, [...ps]);
  }
  return parents;
}

function crossings(layers: string[][], parents: Map<string, string[]>): number {
  const pos = new Map<string, { l: number; i: number }>();
  layers.forEach((row, l) => row.forEach((id, i) => pos.set(id, { l, i })));
  const edges: Array<[number, number, number]> = [];
  for (const [c, ps] of parents) for (const p of ps) if (pos.get(p)!.l === pos.get(c)!.l - 1) edges.push([pos.get(p)!.l, pos.get(p)!.i, pos.get(c)!.i]);
  let x = 0;
  for (let a = 0; a < edges.length; a++)
    for (let b = a + 1; b < edges.length; b++) if (edges[a]![0] === edges[b]![0] && (edges[a]![1] - edges[b]![1]) * (edges[a]![2] - edges[b]![2]) < 0) x++;
  return x;
}

describe('layered layout', () => {
  it('puts every node right of its parents (longest-path layering)', () => {
    const parents = randomDag(300);
    const ids = [...parents.keys()];
    const r = layoutSync(ids, (id) => parents.get(id)!);
    for (const [id, ps] of parents) for (const p of ps) expect(r.pos.get(p)!.layer).toBeLessThan(r.pos.get(id)!.layer);
    expect(r.pos.size).toBe(300);
    // no two nodes on one spot
    expect(new Set([...r.pos.values()].map((p) => `${p.x},${p.y}`)).size).toBe(300);
  });

  it('barycenter sweeps reduce edge crossings', () => {
    const parents = randomDag(200, 7);
    const ids = [...parents.keys()];
    const none = layoutSync(ids, (id) => parents.get(id)!, { sweeps: 0 });
    const swept = layoutSync(ids, (id) => parents.get(id)!, { sweeps: 4 });
    expect(crossings(swept.layers, parents)).toBeLessThan(crossings(none.layers, parents));
  });

  it('ignores parents outside the drawn set and survives a cycle', () => {
    const r = layoutSync(['a', 'b'], (id) => (id === 'b' ? ['a', 'zzz'] : ['b']));
    expect(r.pos.size).toBe(2);
  });

  it('runs in slices, yielding to the caller, and can be cancelled', async () => {
    const parents = randomDag(2000, 3);
    const ids = [...parents.keys()];
    let pauses = 0;
    const r = await layoutIncremental(ids, (id) => parents.get(id)!, { sliceMs: 1, yieldFn: async () => void pauses++ });
    expect(r!.pos.size).toBe(2000);
    expect(pauses).toBeGreaterThan(0);
    let n = 0;
    const cancelled = await layoutIncremental(ids, (id) => parents.get(id)!, { sliceMs: 0, yieldFn: async () => void n++, cancelled: () => n > 1 });
    expect(cancelled).toBeNull();
  });

  // Its speed is measured by bench/docs.ts, not asserted here.
  it('lays out 5,000 nodes, every one placed', () => {
    const parents = randomDag(5000, 11);
    const r = layoutSync([...parents.keys()], (id) => parents.get(id)!);
    expect(r.pos.size).toBe(5000);
  });
});

describe('capSelection', () => {
  it('keeps everything under the cap', () => {
    expect(capSelection(['a', 'b'], 5, [], () => [])).toEqual(['a', 'b']);
  });
  it('keeps the nodes nearest the focus first', () => {
    // chain n0 - n1 - … - n99
    const ids = Array.from({ length: 100 }, (_, i) => `n${i}`);
    const nb = (id: string) => {
      const i = Number(id.slice(1));
      return [`n${i - 1}`, `n${i + 1}`].filter((x) => ids.includes(x));
    };
    const kept = capSelection(ids, 5, ['n50'], nb);
    expect(kept).toEqual(['n48', 'n49', 'n50', 'n51', 'n52']);
  });
});
