/**
 * The lineage explorer: a selector box, the selected sub-DAG laid out in layers
 * and drawn as SVG (pan with drag, zoom with the wheel), at most `cap` nodes so a
 * big project never freezes the tab. Clicking a node opens its page.
 */
import { capSelection, layoutIncremental, type LayoutResult } from './layout.js';
import { esc } from './markdown.js';
import { selectWithBase, SelectorError, type SelGraph } from './selector.js';

export interface LineageOptions {
  graph: SelGraph;
  selector: string;
  /** nodes drawn at most */
  cap?: number;
  navigate(id: string): void;
  /** called with the selector text when the user applies a new one */
  onApply?(text: string): void;
  /** a short hint shown under the box */
  hint?: string;
  height?: number;
}

export const DEFAULT_CAP = 300;
const NODE_W = 190;
const NODE_H = 30;
const COL_W = 250;
const ROW_H = 44;

const TYPE_LABEL: Record<string, string> = { model: 'model', seed: 'seed', snapshot: 'snapshot', source: 'source', exposure: 'exposure', test: 'test' };

/** Hands the main thread back to the browser (a new task), so input and painting go on. */
export function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof MessageChannel === 'undefined') {
      setTimeout(resolve, 0);
      return;
    }
    const ch = new MessageChannel();
    ch.port1.onmessage = () => resolve();
    ch.port2.postMessage(null);
  });
}

export function truncate(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

export function mountLineage(host: HTMLElement, opts: LineageOptions): { destroy(): void } {
  const cap = opts.cap ?? DEFAULT_CAP;
  host.classList.add('lineage');
  host.innerHTML = `
    <form class="lineage-bar" autocomplete="off">
      <input class="selector" name="selector" spellcheck="false" aria-label="selector" value="${esc(opts.selector)}" placeholder="+name, name+, 2+name, @name, tag:x, path:models/gold, resource_type:seed">
      <button type="submit">Show</button>
      <span class="lineage-status" data-testid="lineage-status"></span>
    </form>
    ${opts.hint ? `<div class="muted small">${esc(opts.hint)}</div>` : ''}
    <div class="lineage-canvas"><svg class="lineage-svg" xmlns="http://www.w3.org/2000/svg"></svg><div class="lineage-tip" hidden></div></div>
    <div class="lineage-legend">${Object.keys(TYPE_LABEL)
      .filter((t) => t !== 'test')
      .map((t) => `<span class="lg t-${t}"><i></i>${t}</span>`)
      .join('')}<span class="muted small">drag to pan · wheel to zoom · click a node to open it</span></div>`;
  const form = host.querySelector('form') as HTMLFormElement;
  const input = host.querySelector('input.selector') as HTMLInputElement;
  const status = host.querySelector('.lineage-status') as HTMLElement;
  const svg = host.querySelector('svg') as SVGSVGElement;
  const canvas = host.querySelector('.lineage-canvas') as HTMLElement;
  // set through the DOM, not a style attribute: the site's Content-Security-Policy refuses those
  canvas.style.height = `${opts.height ?? 520}px`;
  const tip = host.querySelector('.lineage-tip') as HTMLElement;
  let token = 0;
  let view = { x: 0, y: 0, w: 100, h: 100 };
  const setView = (): void => svg.setAttribute('viewBox', `${view.x} ${view.y} ${view.w} ${view.h}`);

  const draw = async (text: string): Promise<void> => {
    const my = ++token;
    host.dataset.state = 'busy';
    const t0 = performance.now();
    // each step in its own task: selecting, laying out (itself sliced) and drawing
    await nextTask();
    if (my !== token) return;
    let ids: string[];
    let base: Set<string>;
    try {
      const sel = selectWithBase(opts.graph, text);
      base = sel.base;
      ids = [...sel.ids].filter((id) => opts.graph.nodes.get(id)?.type !== 'test');
    } catch (e) {
      status.textContent = e instanceof SelectorError ? e.message : String((e as Error).message);
      status.className = 'lineage-status error';
      svg.innerHTML = '';
      host.dataset.state = 'error';
      return;
    }
    status.className = 'lineage-status';
    if (!ids.length) {
      status.textContent = 'no nodes match this selector';
      svg.innerHTML = '';
      host.dataset.state = 'ready';
      return;
    }
    const total = ids.length;
    const ordered = topoOrder(ids, opts.graph);
    const neighbours = (id: string): string[] => [...(opts.graph.parents.get(id) ?? []), ...(opts.graph.children.get(id) ?? [])];
    const shown = capSelection(ordered, cap, [...base].filter((b) => opts.graph.nodes.get(b)?.type !== 'test').slice(0, cap), neighbours);
    status.textContent = shown.length < total ? `laying out ${shown.length} of ${total} nodes…` : `laying out ${total} nodes…`;
    performance.mark('ft:lineage-selected');
    await nextTask();
    const layout = await layoutIncremental(shown, (id) => opts.graph.parents.get(id) ?? [], { colWidth: COL_W, rowHeight: ROW_H, cancelled: () => my !== token, yieldFn: nextTask });
    if (!layout || my !== token) return;
    performance.mark('ft:lineage-laid-out');
    await nextTask();
    if (my !== token) return;
    // highlight the nodes the selector names, unless it names (nearly) everything
    const focus = base.size < total && base.size <= 50 ? base : new Set<string>();
    // size the view before the SVG goes in: reading sizes after would force a layout of it
    fit(layout, base);
    svg.innerHTML = renderSvg(layout, opts.graph, focus);
    performance.mark('ft:lineage-svg-set');
    performance.mark('ft:lineage-drawn');
    status.textContent =
      shown.length < total
        ? `showing ${shown.length} of ${total} nodes — refine the selection to see the rest`
        : `${total} node${total === 1 ? '' : 's'}`;
    status.classList.toggle('capped', shown.length < total);
    host.dataset.state = 'ready';
    host.dataset.shown = String(shown.length);
    host.dataset.total = String(total);
    host.dataset.ms = String(Math.round(performance.now() - t0));
    host.dataset.readyAt = String(Math.round(performance.now()));
    document.dispatchEvent(new CustomEvent('ft:lineage-drawn'));
  };

  const fit = (layout: LayoutResult, base: Set<string>): void => {
    const cw = canvas.clientWidth || 800;
    const ch = canvas.clientHeight || 500;
    const W = layout.width - COL_W + NODE_W + 40;
    const H = layout.height + 20;
    let scale = Math.min(cw / W, ch / H, 1.25);
    let x = -20;
    let y = -10;
    if (scale < 0.45) {
      scale = 0.45;
      // centre on the first focus node
      const f = [...base].map((b) => layout.pos.get(b)).find(Boolean);
      if (f) {
        x = f.x + NODE_W / 2 - cw / scale / 2;
        y = f.y + NODE_H / 2 - ch / scale / 2;
      }
    } else {
      x = -20 - (cw / scale - W) / 2;
      y = -10 - (ch / scale - H) / 2;
    }
    view = { x, y, w: cw / scale, h: ch / scale };
    setView();
  };

  // pan and zoom
  let drag: { x: number; y: number; vx: number; vy: number; moved: boolean } | null = null;
  const onDown = (e: PointerEvent): void => {
    drag = { x: e.clientX, y: e.clientY, vx: view.x, vy: view.y, moved: false };
  };
  const onMove = (e: PointerEvent): void => {
    if (!drag) return;
    tip.hidden = true;
    const k = view.w / (canvas.clientWidth || 1);
    const dx = e.clientX - drag.x;
    const dy = e.clientY - drag.y;
    if (Math.abs(dx) + Math.abs(dy) > 4) drag.moved = true;
    if (drag.moved) {
      view.x = drag.vx - dx * k;
      view.y = drag.vy - dy * k;
      setView();
    }
  };
  const onUp = (): void => {
    setTimeout(() => (drag = null), 0);
  };
  const onWheel = (e: WheelEvent): void => {
    e.preventDefault();
    const rect = canvas.getBoundingClientRect();
    const fx = (e.clientX - rect.left) / (rect.width || 1);
    const fy = (e.clientY - rect.top) / (rect.height || 1);
    const f = e.deltaY > 0 ? 1.15 : 1 / 1.15;
    const w = Math.min(Math.max(view.w * f, 80), 200000);
    const h = (w / view.w) * view.h;
    view = { x: view.x + (view.w - w) * fx, y: view.y + (view.h - h) * fy, w, h };
    setView();
  };
  const onClick = (e: MouseEvent): void => {
    if (drag?.moved) return;
    const g = (e.target as Element).closest('g.gnode') as SVGGElement | null;
    if (g?.dataset.id) opts.navigate(g.dataset.id);
  };
  canvas.addEventListener('pointerdown', onDown);
  // one tooltip for all nodes (a <title> per node costs as much as the node)
  svg.addEventListener('pointerover', (e) => {
    const g = (e.target as Element).closest?.('g.gnode') as SVGGElement | null;
    if (!g || drag) return;
    const rect = canvas.getBoundingClientRect();
    tip.textContent = g.dataset.label ?? '';
    tip.style.left = `${e.clientX - rect.left + 12}px`;
    tip.style.top = `${e.clientY - rect.top + 12}px`;
    tip.hidden = false;
  });
  svg.addEventListener('pointerout', () => (tip.hidden = true));
  window.addEventListener('pointermove', onMove);
  window.addEventListener('pointerup', onUp);
  canvas.addEventListener('wheel', onWheel, { passive: false });
  svg.addEventListener('click', onClick);
  svg.addEventListener('keydown', (e) => {
    const g = (e.target as Element).closest?.('g.gnode') as SVGGElement | null;
    if (e.key === 'Enter' && g?.dataset.id) opts.navigate(g.dataset.id);
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const text = input.value.trim();
    opts.onApply?.(text);
    void draw(text);
  });
  void draw(opts.selector);
  return {
    destroy() {
      token++;
      window.removeEventListener('pointermove', onMove);
      window.removeEventListener('pointerup', onUp);
    },
  };
}

/** Parents-first order of a subset (ties in the given order). */
export function topoOrder(ids: string[], g: SelGraph): string[] {
  const inSet = new Set(ids);
  const indeg = new Map<string, number>();
  for (const id of ids) indeg.set(id, (g.parents.get(id) ?? []).filter((p) => inSet.has(p)).length);
  const out = ids.filter((id) => indeg.get(id) === 0);
  for (let h = 0; h < out.length; h++) {
    for (const c of g.children.get(out[h]!) ?? []) {
      if (!inSet.has(c)) continue;
      const d = indeg.get(c)! - 1;
      indeg.set(c, d);
      if (d === 0) out.push(c);
    }
  }
  if (out.length < ids.length) for (const id of ids) if (indeg.get(id)! > 0) out.push(id);
  return out;
}

function renderSvg(layout: LayoutResult, g: SelGraph, focus: Set<string>): string {
  const edges: string[] = [];
  const nodes: string[] = [];
  for (const [id, p] of layout.pos) {
    for (const parent of g.parents.get(id) ?? []) {
      const q = layout.pos.get(parent);
      if (!q) continue;
      const x1 = q.x + NODE_W;
      const y1 = q.y + NODE_H / 2;
      const x2 = p.x;
      const y2 = p.y + NODE_H / 2;
      const mx = (x1 + x2) / 2;
      edges.push(`<path class="edge" d="M${x1},${y1}C${mx},${y1} ${mx},${y2} ${x2},${y2}" data-from="${esc(parent)}" data-to="${esc(id)}"/>`);
    }
    const n = g.nodes.get(id)!;
    const label = n.type === 'source' && n.source_name ? `${n.source_name}.${n.name}` : n.name;
    nodes.push(
      `<g class="gnode t-${esc(n.type)}${focus.has(id) ? ' focus' : ''}" data-id="${esc(id)}" data-name="${esc(n.name)}" data-label="${esc(`${n.type} ${label}`)}" transform="translate(${p.x},${p.y})" tabindex="0">` +
        `<rect width="${NODE_W}" height="${NODE_H}" rx="6"/><text x="10" y="${NODE_H / 2 + 4}">${esc(truncate(label, 26))}</text></g>`,
    );
  }
  // edges run left to right, parents to children: no arrowheads needed (and none to render)
  return `<g class="edges">${edges.join('')}</g><g class="nodes">${nodes.join('')}</g>`;
}
