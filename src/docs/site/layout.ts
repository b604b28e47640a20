/**
 * Layered DAG layout for the lineage view: longest-path layering (parents to the
 * left), then barycenter ordering sweeps within layers. Written as a generator
 * that yields between units of work so the browser can run it in time slices
 * and never block the tab on a big graph.
 */
export interface LayoutOptions {
  /** horizontal distance between layers */
  colWidth?: number;
  /** vertical distance between nodes of a layer */
  rowHeight?: number;
  /** down+up sweep pairs of barycenter ordering */
  sweeps?: number;
}

export interface LayoutResult {
  pos: Map<string, { x: number; y: number; layer: number }>;
  layers: string[][];
  width: number;
  height: number;
}

/**
 * `ids` are the nodes to place; `parentsOf` gives a node's parents (only those in
 * `ids` are used). Yields after each layer of work; the return value is the layout.
 */
export function* layoutSteps(ids: string[], parentsOf: (id: string) => readonly string[], opts: LayoutOptions = {}): Generator<void, LayoutResult, void> {
  const colWidth = opts.colWidth ?? 240;
  const rowHeight = opts.rowHeight ?? 44;
  const sweeps = opts.sweeps ?? 4;
  // Integer indices and typed arrays: this runs on thousands of nodes in the browser.
  const n = ids.length;
  const index = new Map<string, number>();
  ids.forEach((id, i) => index.set(id, i));
  const parents: number[][] = [];
  const children: number[][] = ids.map(() => []);
  for (let i = 0; i < n; i++) {
    const ps: number[] = [];
    for (const p of parentsOf(ids[i]!)) {
      const j = index.get(p);
      if (j !== undefined && j !== i && !ps.includes(j)) ps.push(j);
    }
    parents.push(ps);
    for (const j of ps) children[j]!.push(i);
  }

  // Longest-path layering in topological order (Kahn); anything left by a cycle goes last.
  const layer = new Int32Array(n).fill(-1);
  const indeg = new Int32Array(n);
  const queue: number[] = [];
  for (let i = 0; i < n; i++) {
    indeg[i] = parents[i]!.length;
    if (indeg[i] === 0) queue.push(i);
  }
  let maxLayer = 0;
  for (let head = 0; head < queue.length; head++) {
    const i = queue[head]!;
    let l = 0;
    for (const p of parents[i]!) l = Math.max(l, layer[p]! + 1);
    layer[i] = l;
    maxLayer = Math.max(maxLayer, l);
    for (const c of children[i]!) if (--indeg[c]! === 0) queue.push(c);
  }
  for (let i = 0; i < n; i++) if (layer[i]! < 0) layer[i] = maxLayer + 1;
  // Pull sources right, next to their first child, so they do not all pile up in column 0.
  for (let i = 0; i < n; i++) {
    if (parents[i]!.length === 0 && children[i]!.length) {
      let min = Infinity;
      for (const c of children[i]!) min = Math.min(min, layer[c]!);
      layer[i] = Math.max(0, min - 1);
    }
  }
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) (rows[layer[i]!] ??= []).push(i);
  for (let l = 0; l < rows.length; l++) rows[l] ??= [];
  yield;

  const order = new Float64Array(n);
  const setOrder = (l: number): void => rows[l]!.forEach((i, k) => (order[i] = k));
  for (let l = 0; l < rows.length; l++) setOrder(l);
  const bary = new Float64Array(n);
  const reorder = (l: number, neighbours: number[][]): void => {
    const row = rows[l]!;
    for (const i of row) {
      const ns = neighbours[i]!;
      if (!ns.length) {
        bary[i] = order[i]!;
        continue;
      }
      let sum = 0;
      for (const j of ns) sum += order[j]!;
      bary[i] = sum / ns.length;
    }
    row.sort((a, b) => bary[a]! - bary[b]! || order[a]! - order[b]!);
    setOrder(l);
  };
  for (let s = 0; s < sweeps; s++) {
    for (let l = 1; l < rows.length; l++) {
      reorder(l, parents);
      yield;
    }
    for (let l = rows.length - 2; l >= 0; l--) {
      reorder(l, children);
      yield;
    }
  }

  let tallest = 0;
  for (const row of rows) tallest = Math.max(tallest, row.length);
  const pos = new Map<string, { x: number; y: number; layer: number }>();
  rows.forEach((row, l) => {
    const offset = ((tallest - row.length) * rowHeight) / 2;
    row.forEach((i, k) => pos.set(ids[i]!, { x: l * colWidth, y: offset + k * rowHeight, layer: l }));
  });
  return { pos, layers: rows.map((row) => row.map((i) => ids[i]!)), width: Math.max(1, rows.length) * colWidth, height: Math.max(1, tallest) * rowHeight };
}

/** Runs a layout to the end at once (tests, small graphs). */
export function layoutSync(ids: string[], parentsOf: (id: string) => readonly string[], opts?: LayoutOptions): LayoutResult {
  const gen = layoutSteps(ids, parentsOf, opts);
  for (;;) {
    const r = gen.next();
    if (r.done) return r.value;
  }
}

/**
 * Runs a layout in slices of `sliceMs`, handing control back between slices via
 * `yieldFn` (setTimeout in the browser). `cancelled()` stops it early (null).
 */
export async function layoutIncremental(
  ids: string[],
  parentsOf: (id: string) => readonly string[],
  opts: LayoutOptions & { sliceMs?: number; yieldFn?: () => Promise<void>; cancelled?: () => boolean } = {},
): Promise<LayoutResult | null> {
  const slice = opts.sliceMs ?? 12;
  const pause = opts.yieldFn ?? (() => new Promise<void>((r) => setTimeout(r, 0)));
  const gen = layoutSteps(ids, parentsOf, opts);
  let started = Date.now();
  for (;;) {
    const r = gen.next();
    if (r.done) return r.value;
    if (Date.now() - started > slice) {
      await pause();
      if (opts.cancelled?.()) return null;
      started = Date.now();
    }
  }
}

/**
 * Which nodes to draw when a selection is larger than the cap: those closest
 * to the focus nodes (breadth-first over parents and children), then the rest in
 * the given order.
 */
export function capSelection(ids: string[], cap: number, focus: string[], neighbours: (id: string) => readonly string[]): string[] {
  if (ids.length <= cap) return ids;
  const inSet = new Set(ids);
  const picked = new Set<string>();
  let frontier = focus.filter((f) => inSet.has(f));
  for (const f of frontier) picked.add(f);
  while (frontier.length && picked.size < cap) {
    const next: string[] = [];
    for (const id of frontier) {
      for (const n of neighbours(id)) {
        if (picked.size >= cap) break;
        if (inSet.has(n) && !picked.has(n)) {
          picked.add(n);
          next.push(n);
        }
      }
    }
    frontier = next;
  }
  for (const id of ids) {
    if (picked.size >= cap) break;
    picked.add(id);
  }
  return ids.filter((id) => picked.has(id));
}
