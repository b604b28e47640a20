/** Inline SVG charts for the dashboard: lines, bars, a heatmap and sparklines. Each returns an SVG string. */
import { esc } from './markdown.js';

export const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#65a30d'];

export function compactNumber(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e9) return `${(v / 1e9).toFixed(1)}B`;
  if (a >= 1e6) return `${(v / 1e6).toFixed(1)}M`;
  if (a >= 1e4) return `${(v / 1e3).toFixed(1)}k`;
  if (a >= 100 || Number.isInteger(v)) return String(Math.round(v));
  return v.toFixed(2);
}

/** Round tick values covering [min, max]. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0];
  if (min === max) {
    if (min === 0) return [0, 1];
    min = Math.min(0, min);
    max = Math.max(0, max);
  }
  const span = max - min;
  const raw = span / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let t = Math.floor(min / step) * step; t <= max + step * 1e-9; t += step) ticks.push(Number(t.toFixed(10)));
  if (ticks[ticks.length - 1]! < max) ticks.push(ticks[ticks.length - 1]! + step);
  return ticks;
}

export interface LineSeries {
  label: string;
  points: Array<[string, number]>;
}

/** A multi-series line chart over a categorical (time) axis. */
export function lineChart(series: LineSeries[], opts: { width?: number; height?: number; yLabel?: string } = {}): string {
  const W = opts.width ?? 720;
  const H = opts.height ?? 280;
  const m = { l: 56, r: 16, t: 12, b: 44 };
  const xs = [...new Set(series.flatMap((s) => s.points.map((p) => p[0])))].sort();
  if (!xs.length) return '<p class="muted">no data</p>';
  const values = series.flatMap((s) => s.points.map((p) => p[1]));
  const ticks = niceTicks(Math.min(0, ...values), Math.max(...values));
  const y0 = ticks[0]!;
  const y1 = ticks[ticks.length - 1]!;
  const px = (i: number) => m.l + (xs.length === 1 ? (W - m.l - m.r) / 2 : (i * (W - m.l - m.r)) / (xs.length - 1));
  const py = (v: number) => H - m.b - ((v - y0) / (y1 - y0 || 1)) * (H - m.t - m.b);
  const xi = new Map(xs.map((x, i) => [x, i]));
  const parts: string[] = [`<svg class="chart" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${esc(opts.yLabel ?? 'line chart')}">`];
  for (const t of ticks) parts.push(`<line class="grid" x1="${m.l}" x2="${W - m.r}" y1="${py(t)}" y2="${py(t)}"/><text class="tick" x="${m.l - 6}" y="${py(t) + 4}" text-anchor="end">${esc(compactNumber(t))}</text>`);
  const every = Math.max(1, Math.ceil(xs.length / 8));
  xs.forEach((x, i) => {
    if (i % every === 0 || i === xs.length - 1) parts.push(`<text class="tick" x="${px(i)}" y="${H - m.b + 16}" text-anchor="middle">${esc(shortTime(x))}</text>`);
  });
  series.forEach((s, k) => {
    const color = PALETTE[k % PALETTE.length];
    const pts = s.points.filter((p) => xi.has(p[0])).sort((a, b) => xi.get(a[0])! - xi.get(b[0])!);
    const d = pts.map((p, j) => `${j ? 'L' : 'M'}${px(xi.get(p[0])!).toFixed(1)},${py(p[1]).toFixed(1)}`).join('');
    parts.push(`<path class="line" d="${d}" stroke="${color}" fill="none" stroke-width="2"><title>${esc(s.label)}</title></path>`);
    for (const p of pts) parts.push(`<circle cx="${px(xi.get(p[0])!).toFixed(1)}" cy="${py(p[1]).toFixed(1)}" r="2.5" fill="${color}"><title>${esc(`${s.label} · ${p[0]}: ${compactNumber(p[1])}`)}</title></circle>`);
  });
  parts.push('</svg>');
  const legend = series.map((s, k) => `<span class="legend-item"><i class="c${k % PALETTE.length}"></i>${esc(s.label)}</span>`).join('');
  return `${parts.join('')}<div class="legend">${legend}</div>`;
}

function shortTime(x: string): string {
  // 2026-11-25 13:00:00 → 11-25 13h; 2026-11-25 → 11-25
  const m = /^\d{4}-(\d{2}-\d{2})(?:[ T](\d{2}):\d{2})?/.exec(x);
  if (!m) return x.length > 12 ? `${x.slice(0, 11)}…` : x;
  return m[2] ? `${m[1]} ${m[2]}h` : m[1]!;
}

/** Horizontal bars, largest first. */
export function barChart(bars: Array<{ label: string; value: number }>, opts: { width?: number; format?: (v: number) => string } = {}): string {
  if (!bars.length) return '<p class="muted">no data</p>';
  const W = opts.width ?? 720;
  const row = 26;
  const labelW = 170;
  const H = bars.length * row + 8;
  const max = Math.max(...bars.map((b) => b.value), 0) || 1;
  const fmt = opts.format ?? compactNumber;
  const parts = [`<svg class="chart bars" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="bar chart">`];
  bars.forEach((b, i) => {
    const w = Math.max(0, (b.value / max) * (W - labelW - 80));
    const y = 4 + i * row;
    parts.push(
      `<g class="bar"><text class="bar-label" x="${labelW - 8}" y="${y + 17}" text-anchor="end">${esc(b.label.length > 24 ? `${b.label.slice(0, 23)}…` : b.label)}</text>` +
        `<rect x="${labelW}" y="${y + 3}" width="${w.toFixed(1)}" height="${row - 8}" rx="3" fill="${PALETTE[0]}"><title>${esc(`${b.label}: ${fmt(b.value)}`)}</title></rect>` +
        `<text class="bar-value" x="${(labelW + w + 6).toFixed(1)}" y="${y + 17}">${esc(fmt(b.value))}</text></g>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}

/** Day-of-week × hour-of-day grid, darker = more. */
export function heatmap(days: string[], cells: Array<[number, number, number]>, opts: { width?: number; measure?: string } = {}): string {
  if (!cells.length) return '<p class="muted">no data</p>';
  const W = opts.width ?? 760;
  const left = 48;
  const top = 20;
  const cw = (W - left - 8) / 24;
  const ch = 24;
  const H = top + days.length * ch + 8;
  const max = Math.max(...cells.map((c) => c[2]), 0) || 1;
  const parts = [`<svg class="chart heatmap" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="hour of day by day of week">`];
  for (let h = 0; h < 24; h += 2) parts.push(`<text class="tick" x="${left + h * cw + cw / 2}" y="${top - 6}" text-anchor="middle">${h}</text>`);
  days.forEach((d, i) => parts.push(`<text class="tick" x="${left - 6}" y="${top + i * ch + ch / 2 + 4}" text-anchor="end">${esc(d)}</text>`));
  for (const [d, h, v] of cells) {
    if (d < 0 || d >= days.length || h < 0 || h > 23) continue;
    const t = v / max;
    const fill = `rgba(37,99,235,${(0.06 + 0.94 * t).toFixed(3)})`;
    parts.push(
      `<rect class="cell" x="${(left + h * cw + 1).toFixed(1)}" y="${top + d * ch + 1}" width="${(cw - 2).toFixed(1)}" height="${ch - 2}" rx="2" fill="${fill}" data-day="${esc(days[d])}" data-hour="${h}" data-value="${v}"><title>${esc(`${days[d]} ${String(h).padStart(2, '0')}:00 — ${compactNumber(v)}${opts.measure ? ` ${opts.measure}` : ''}`)}</title></rect>`,
    );
  }
  parts.push('</svg>');
  return parts.join('');
}

/** A tiny trend line for a KPI tile. */
export function sparkline(values: number[], opts: { width?: number; height?: number } = {}): string {
  const pts = values.filter((v) => Number.isFinite(v));
  if (pts.length < 2) return '';
  const W = opts.width ?? 120;
  const H = opts.height ?? 28;
  const min = Math.min(...pts);
  const max = Math.max(...pts);
  const d = pts.map((v, i) => `${i ? 'L' : 'M'}${((i * W) / (pts.length - 1)).toFixed(1)},${(H - 2 - ((v - min) / (max - min || 1)) * (H - 4)).toFixed(1)}`).join('');
  return `<svg class="spark" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" aria-hidden="true"><path d="${d}" fill="none" stroke="currentColor" stroke-width="1.5"/></svg>`;
}
