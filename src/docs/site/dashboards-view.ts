/**
 * The dashboards a project declares in its schema YAML (`dashboards:`): each panel drawn by its
 * kind from the rows `ft docs generate` (or `ft docs serve --live`) read, with where the rows
 * come from and how fresh they are.
 */
import { barChart, compactNumber, heatmap, lineChart, sparkline } from './charts.js';
import { formatDelta, formatValue, toNumber } from './dashboard-view.js';
import { esc } from './markdown.js';
import type { DashboardData, DashboardPanelData, DashboardView, ValueFormat } from './types.js';

type Link = (id: string, label?: string) => string;
type Cell = string | number | null;

const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

export function renderDeclaredDashboards(d: DashboardData, link: Link): string {
  return (d.dashboards ?? []).map((dash) => renderOne(dash, link)).join('');
}

function renderOne(dash: DashboardView, link: Link): string {
  const parts = [`<section class="declared-dashboard" data-testid="declared-dashboard" data-name="${esc(dash.name)}"><h2 class="dash-title">${esc(dash.label)}</h2>`];
  if (dash.description) parts.push(`<p class="muted">${esc(dash.description)}</p>`);
  dash.panels.forEach((p, i) => parts.push(renderPanel(p, i, link)));
  parts.push('</section>');
  return parts.join('');
}

function notice(p: DashboardPanelData, link: Link): string | null {
  const from = p.models.length ? ` (${p.models.map((m) => link(m)).join(', ')})` : '';
  switch (p.status) {
    case 'ok':
      return null;
    case 'missing':
      return `<div class="notice" data-status="missing">${esc(p.title || p.kind)}: not built yet${from}. Run <code>ft build</code>, then <code>ft docs generate</code>.</div>`;
    case 'empty':
      return `<div class="notice" data-status="empty">${esc(p.title || p.kind)}: no rows yet${from}.</div>`;
    case 'unavailable':
      return `<div class="notice" data-status="unavailable">${esc(p.title || p.kind)}: the database was not reachable when the docs were generated${from}.</div>`;
    default:
      return `<div class="notice error" data-status="error">${esc(p.title || p.kind)}: could not be read${from}: ${esc(p.message ?? 'error')}</div>`;
  }
}

function timeText(iso: string): string {
  const t = new Date(iso);
  return Number.isNaN(t.getTime()) ? iso : t.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

function freshness(p: DashboardPanelData, link: Link): string {
  const from = p.models.length ? ` · from ${p.models.map((m) => link(m)).join(', ')}` : '';
  return (
    `<p class="muted small freshness" data-testid="panel-freshness" data-read-at="${esc(p.read_at)}" data-newest="${esc(p.newest ?? '')}">` +
    `read ${esc(timeText(p.read_at))}${p.newest ? ` · newest shown: ${esc(p.newest)}` : ''} · ${esc(p.source)}${from}</p>`
  );
}

function renderPanel(p: DashboardPanelData, index: number, link: Link): string {
  const parts = [`<section class="panel" data-testid="dash-panel" data-kind="${esc(p.kind)}" data-index="${index}" data-status="${esc(p.status)}"><h2>${esc(p.title || p.kind)}</h2>`];
  if (p.description) parts.push(`<p class="muted small">${esc(p.description)}</p>`);
  parts.push(notice(p, link) ?? body(p));
  parts.push(freshness(p, link));
  parts.push('</section>');
  return parts.join('');
}

const col = (p: DashboardPanelData, name: string | null): number => (name === null ? -1 : p.columns.indexOf(name));
const fmtOf = (p: DashboardPanelData, c: string): ValueFormat => p.formats[c] ?? 'number';
const label = (p: DashboardPanelData, c: string): string => p.labels[c] ?? c;

function body(p: DashboardPanelData): string {
  switch (p.kind) {
    case 'kpi_tiles':
      return tiles(p);
    case 'time_series':
      return series(p);
    case 'bars': {
      const xi = col(p, p.x);
      const y = p.y[0]!;
      const yi = col(p, y);
      const bars = p.rows.map((r) => ({ label: r[xi] === null ? '(none)' : String(r[xi]), value: toNumber(r[yi]) ?? 0 }));
      return `<p class="muted small">${esc(label(p, y))} by ${esc(p.x ?? '')}</p>${barChart(bars, { format: (v) => short(v, fmtOf(p, y)) })}`;
    }
    case 'heatmap':
      return heat(p);
    default:
      return table(p);
  }
}

/** The period the x column steps by, from the metrics layer's name for it (metric_time__day → day). */
function period(x: string | null): string {
  const m = /__(\w+)$/.exec(x ?? '');
  return m ? m[1]! : /day|date/i.test(x ?? '') ? 'day' : 'period';
}

function tiles(p: DashboardPanelData): string {
  const xi = col(p, p.x);
  const rows = xi >= 0 ? [...p.rows].sort((a, b) => String(a[xi]).localeCompare(String(b[xi]))) : p.rows;
  const latest = rows[rows.length - 1] ?? null;
  const prev = rows[rows.length - 2] ?? null;
  const per = period(p.x);
  const out = ['<div class="tiles">'];
  p.y.forEach((y, k) => {
    const yi = col(p, y);
    const fmt = fmtOf(p, y);
    const all = p.overall?.[k] ?? null;
    const cur = latest ? toNumber(latest[yi]) : all;
    const before = latest && prev ? toNumber(prev[yi]) : null;
    const delta = formatDelta(cur, before, fmt);
    const better = p.better[y];
    const tone = delta && better && delta.dir !== 'flat' ? (delta.dir === better ? 'good' : 'bad') : 'neutral';
    const day = latest && xi >= 0 ? String(latest[xi]) : '';
    out.push(
      `<div class="tile" data-testid="kpi-${esc(y)}" data-value="${cur ?? ''}" data-previous="${before ?? ''}" data-overall="${all ?? ''}" data-day="${esc(day)}">` +
        `<div class="tile-label">${esc(label(p, y))}</div>` +
        `<div class="tile-value">${esc(formatValue(cur, fmt))}</div>` +
        `<div class="tile-delta ${delta ? delta.dir : 'flat'} ${tone}">${delta ? `${delta.dir === 'up' ? '▲' : delta.dir === 'down' ? '▼' : '■'} ${esc(delta.text)} <span class="muted">vs previous ${esc(per)}</span>` : `<span class="muted">no previous ${esc(per)}</span>`}</div>` +
        `<div class="tile-foot muted">${day ? `on ${esc(day)}` : `all ${esc(per)}s`}${day && all !== null ? ` · all ${esc(per)}s ${esc(formatValue(all, fmt))}` : ''}</div>` +
        `<div class="tile-spark">${sparkline(rows.map((r) => toNumber(r[yi]) ?? NaN))}</div></div>`,
    );
  });
  out.push('</div>');
  if (rows.length) {
    // the rows behind the tiles, newest first
    const head = p.columns.map((c) => `<th>${esc(label(p, c))}</th>`).join('');
    const body = [...rows].reverse().map((r) => `<tr>${r.map((v, i) => `<td>${esc(cellText(v, p.formats[p.columns[i]!]))}</td>`).join('')}</tr>`).join('');
    out.push(`<details class="kpi-table"><summary>By ${esc(per)} (${rows.length})</summary><div class="scroll"><table class="grid" data-testid="kpi-table"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div></details>`);
  }
  return out.join('');
}

function series(p: DashboardPanelData): string {
  const xi = col(p, p.x);
  const si = col(p, p.series);
  const lines = new Map<string, Array<[string, number]>>();
  for (const r of p.rows) {
    for (const y of si >= 0 ? [p.y[0]!] : p.y) {
      const key = si >= 0 ? String(r[si]) : label(p, y);
      const v = toNumber(r[col(p, y)]);
      if (v === null || r[xi] === null) continue;
      if (!lines.has(key)) lines.set(key, []);
      lines.get(key)!.push([String(r[xi]), v]);
    }
  }
  const y = p.y.map((c) => label(p, c)).join(', ');
  return `<p class="muted small">${esc(y)} by ${esc(p.x ?? '')}${si >= 0 ? `, one line per ${esc(p.series!)}` : ''}</p>${lineChart([...lines].map(([l, points]) => ({ label: l, points })), { yLabel: y })}`;
}

function heat(p: DashboardPanelData): string {
  const xi = col(p, p.x);
  const ri = col(p, p.series);
  const vi = col(p, p.y[0] ?? null);
  const keys = [...new Set(p.rows.map((r) => r[ri]))];
  const nums = keys.map((k) => Number(k));
  // ISO days of week (1 = Monday) read as names; other row labels as they are, in order
  const iso = nums.every((n) => Number.isInteger(n) && n >= 1 && n <= 7);
  keys.sort((a, b) => (iso || nums.every(Number.isFinite) ? Number(a) - Number(b) : String(a).localeCompare(String(b))));
  const names = keys.map((k) => (iso ? DAYS[Number(k) - 1]! : String(k)));
  const index = new Map<Cell, number>(keys.map((k, i) => [k, i]));
  const cells = p.rows.map((r) => [index.get(r[ri])!, Number(r[xi]), toNumber(r[vi]) ?? 0] as [number, number, number]);
  return `<p class="muted small">${esc(p.x ?? '')} × ${esc(p.series ?? '')}, ${esc(label(p, p.y[0] ?? ''))}</p>${heatmap(names, cells, { measure: label(p, p.y[0] ?? '') })}`;
}

function table(p: DashboardPanelData): string {
  const head = p.columns.map((c) => `<th>${esc(label(p, c))}</th>`).join('');
  const ti = p.tone ? p.columns.indexOf(p.tone) : -1;
  const better = p.tone ? p.better[p.tone] : undefined;
  // the tone column's cell: up or down by its sign, or good or bad when the column says which is better
  const toneClass = (v: Cell): string => {
    if (typeof v !== 'number' || v === 0) return '';
    const dir = v > 0 ? 'up' : 'down';
    return ` class="tone ${better ? (dir === better ? 'good' : 'bad') : `tone-${dir}`}"`;
  };
  const body = p.rows.map((r) => `<tr>${r.map((v, i) => `<td${i === ti ? toneClass(v) : ''}>${esc(cellText(v, p.formats[p.columns[i]!]))}</td>`).join('')}</tr>`).join('');
  const count = p.total !== null ? `<p class="muted small" data-testid="table-total">${p.total} row${p.total === 1 ? '' : 's'}${p.total > p.rows.length ? `, the first ${p.rows.length} shown` : ''}</p>` : '';
  return `${count}<div class="scroll"><table class="grid"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div>`;
}

/** A value beside a bar: short enough to fit ($839.8k), rates as percent. */
function short(v: number, format: ValueFormat): string {
  if (format === 'fraction' || format === 'percent') return formatValue(v, format);
  return `${format === 'currency' ? '$' : ''}${compactNumber(v)}`;
}

function cellText(v: Cell, format?: ValueFormat): string {
  if (v === null) return '';
  if (typeof v === 'number') return format ? formatValue(v, format) : Number.isInteger(v) ? String(v) : String(Math.round(v * 10000) / 10000);
  return v;
}
