/**
 * The dashboard page: the panels the project's models declare in their YAML (meta.dashboard):
 * KPI tiles and their table, a trend of the top labels over time, bars, the hour × weekday
 * heatmap, flagged rows; then the exposures. A panel no model declares is not shown; titles and
 * tiles are the project's.
 */
import { barChart, heatmap, lineChart, sparkline } from './charts.js';
import { esc, linkHtml, safeUrl } from './markdown.js';
import type { DashboardData, PanelBase, ValueFormat } from './types.js';

/** A panel's title when its model's YAML gives none. */
const DEFAULT_TITLES = { kpis: 'Key indicators', products: 'Trends', categories: 'Totals', heatmap: 'Pattern', anomalies: 'Flagged rows' } as const;

export function toNumber(v: unknown): number | null {
  if (v === null || v === undefined || v === '') return null;
  const n = typeof v === 'number' ? v : Number(v);
  return Number.isFinite(n) ? n : null;
}

/** A KPI value for people: 'fraction' is a rate in [0, 1], 'percent' one already in percent; money with 2 decimals. */
export function formatValue(v: number | null, format: ValueFormat): string {
  if (v === null) return '—';
  switch (format) {
    case 'percent':
      return `${v.toFixed(2)}%`;
    case 'fraction':
      return `${(v * 100).toFixed(2)}%`;
    case 'currency':
      return `$${v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
    case 'integer':
      return Math.round(v).toLocaleString('en-US');
    default:
      return Math.abs(v) >= 1000 ? v.toLocaleString('en-US', { maximumFractionDigits: 2 }) : v.toFixed(Math.abs(v) < 10 ? 2 : 1);
  }
}

/** The change between two days, in the KPI's unit (percentage points for rates). */
export function formatDelta(cur: number | null, prev: number | null, format: ValueFormat): { text: string; dir: 'up' | 'down' | 'flat' } | null {
  if (cur === null || prev === null) return null;
  const d = cur - prev;
  const dir = Math.abs(d) < 1e-12 ? 'flat' : d > 0 ? 'up' : 'down';
  const sign = d > 0 ? '+' : d < 0 ? '−' : '±';
  const a = Math.abs(d);
  let text: string;
  if (format === 'percent' || format === 'fraction') {
    const scaled = format === 'fraction' ? a * 100 : a;
    text = `${sign}${scaled.toFixed(2)} pp`;
  } else if (format === 'currency') {
    text = `${sign}$${a.toFixed(2)}${prev !== 0 ? ` (${sign}${((a / Math.abs(prev)) * 100).toFixed(1)}%)` : ''}`;
  } else {
    text = `${sign}${a.toFixed(2)}${prev !== 0 ? ` (${sign}${((a / Math.abs(prev)) * 100).toFixed(1)}%)` : ''}`;
  }
  return { text, dir };
}

function panelNotice(p: PanelBase, what: string, link: (id: string) => string): string | null {
  const model = p.model ? ` (${link(p.model)})` : '';
  switch (p.status) {
    case 'ok':
      return null;
    case 'missing':
      return `<div class="notice" data-status="missing">${esc(what)}: not built yet${model}. ${p.model ? 'Run <code>ft build</code>, then <code>ft docs generate</code>.' : 'No gold model provides it yet.'}</div>`;
    case 'empty':
      return `<div class="notice" data-status="empty">${esc(what)}: the table is empty${model}.</div>`;
    case 'unavailable':
      return `<div class="notice" data-status="unavailable">${esc(what)}: the database was not reachable when the docs were generated${model}.</div>`;
    default:
      return `<div class="notice error" data-status="error">${esc(what)}: could not be read${model}: ${esc(p.message ?? 'error')}</div>`;
  }
}

export function renderDashboard(d: DashboardData, link: (id: string, label?: string) => string, declared = ''): string {
  const parts: string[] = [];
  parts.push(`<h1>Dashboard</h1><p class="muted" data-testid="dashboard-generated">Gold-layer data read at ${esc(d.generated_at)}${d.live ? ' · live: read again as each build lands' : d.refresh_seconds ? ` · refreshes every ${d.refresh_seconds}s` : ''}</p>`);
  if (!d.database) parts.push(`<div class="notice">${esc(d.message ?? 'The database was not reachable when the docs were generated: no dashboard data.')}</div>`);
  const title = (key: keyof typeof DEFAULT_TITLES): string => d[key].title ?? DEFAULT_TITLES[key];
  // the dashboards of the schema YAML's dashboards: section first
  parts.push(declared);
  if (!declared && ![d.kpis, d.products, d.categories, d.heatmap, d.anomalies].some((p) => p.model)) {
    parts.push('<div class="notice" data-status="none">The project declares no dashboard. Declare one in a schema YAML file, e.g. <code>dashboards: [{name: sales, panels: [{kind: kpi_tiles, metrics: [revenue]}]}]</code> (panel kinds: kpi_tiles, time_series, bars, heatmap, table).</div>');
  }

  // KPI tiles: the latest day, its change from the day before, and the overall value
  const k = d.kpis;
  if (k.model) {
    parts.push(`<section class="panel"><h2>${esc(title('kpis'))}</h2>`);
    const kn = panelNotice(k, 'KPIs', link);
    if (kn) parts.push(kn);
    else {
      const daily = k.rows.filter((r) => r.day !== null && r.day !== undefined).sort((a, b) => String(a.day).localeCompare(String(b.day)));
      const overall = k.rows.find((r) => r.day === null || r.day === undefined) ?? null;
      const latest = daily[daily.length - 1] ?? null;
      const prev = daily[daily.length - 2] ?? null;
      parts.push('<div class="tiles">');
      for (const t of k.tiles) {
        const fmt = k.formats[t.column] ?? t.format;
        const present = k.columns.includes(t.column);
        const cur = toNumber((latest ?? overall)?.[t.column]);
        const before = latest ? toNumber(prev?.[t.column]) : null;
        const delta = present ? formatDelta(cur, before, fmt) : null;
        const all = overall ? toNumber(overall[t.column]) : null;
        parts.push(
          `<div class="tile" data-testid="kpi-${esc(t.column)}" data-value="${cur ?? ''}" data-overall="${all ?? ''}" data-day="${esc(latest?.day ?? '')}">` +
            `<div class="tile-label">${esc(t.label)}</div>` +
            (present
              ? `<div class="tile-value">${esc(formatValue(cur, fmt))}</div>` +
                `<div class="tile-delta ${delta ? delta.dir : 'flat'} ${delta && t.better && delta.dir !== 'flat' ? (delta.dir === t.better ? 'good' : 'bad') : 'neutral'}">${delta ? `${delta.dir === 'up' ? '▲' : delta.dir === 'down' ? '▼' : '■'} ${esc(delta.text)} <span class="muted">day over day</span>` : '<span class="muted">no previous day</span>'}</div>` +
                `<div class="tile-foot muted">${latest ? `on ${esc(latest.day)}` : 'all days'}${overall && latest ? ` · all days ${esc(formatValue(all, fmt))}` : ''}</div>` +
                `<div class="tile-spark">${sparkline(daily.map((r) => toNumber(r[t.column]) ?? NaN))}</div>`
              : '<div class="tile-value muted">—</div><div class="tile-foot muted">not a column of the model</div>') +
            '</div>',
        );
      }
      parts.push('</div>');
      if (k.model) parts.push(`<p class="muted small">from ${link(k.model)}</p>`);
      if (k.rows.length) {
        // bookkeeping columns (_-prefixed; those the YAML hides are not in k.columns) stay out of the table
        const shown = k.columns.filter((c) => !c.startsWith('_'));
        parts.push(`<details class="kpi-table"><summary>By day (${daily.length} day${daily.length === 1 ? '' : 's'})</summary><div class="scroll"><table class="grid" data-testid="kpi-table"><thead><tr>${shown.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead><tbody>`);
        for (const r of [...daily].reverse().concat(overall ? [overall] : [])) {
          parts.push(`<tr>${shown.map((c) => `<td>${c === 'day' && (r[c] === null || r[c] === undefined) ? '<em>all days</em>' : esc(cellText(r[c], k.formats[c]))}</td>`).join('')}</tr>`);
        }
        parts.push('</tbody></table></div></details>');
      }
    }
    parts.push('</section>');
  }

  const p = d.products;
  if (p.model) {
    parts.push(`<section class="panel" data-testid="panel-products"><h2>${esc(title('products'))}${p.measure ? ` <span class="muted small">${esc(p.measure)} by ${esc(p.time_column ?? 'time')}, top ${p.series.length}</span>` : ''}</h2>`);
    parts.push(panelNotice(p, title('products'), link) ?? lineChart(p.series, { yLabel: p.measure ?? undefined }));
    if (p.status === 'ok') parts.push(`<p class="muted small">from ${link(p.model)}</p>`);
    parts.push('</section>');
  }

  const c = d.categories;
  if (c.model) {
    parts.push(`<section class="panel" data-testid="panel-categories"><h2>${esc(title('categories'))}${c.measure ? ` <span class="muted small">${esc(c.measure)}</span>` : ''}</h2>`);
    parts.push(panelNotice(c, title('categories'), link) ?? barChart(c.bars));
    if (c.status === 'ok') parts.push(`<p class="muted small">from ${link(c.model)}</p>`);
    parts.push('</section>');
  }

  const h = d.heatmap;
  if (h.model) {
    parts.push(`<section class="panel" data-testid="panel-heatmap"><h2>${esc(title('heatmap'))} <span class="muted small">hour of day × day of week${h.measure ? `, ${esc(h.measure)}` : ''}</span></h2>`);
    parts.push(panelNotice(h, title('heatmap'), link) ?? heatmap(h.days, h.cells, { measure: h.measure ?? undefined }));
    if (h.status === 'ok') parts.push(`<p class="muted small">from ${link(h.model)}</p>`);
    parts.push('</section>');
  }

  const a = d.anomalies;
  if (a.model) {
    parts.push(`<section class="panel" data-testid="panel-anomalies"><h2>${esc(title('anomalies'))}${a.status === 'ok' ? ` <span class="muted small">${a.total_flagged} flagged</span>` : ''}</h2>`);
    const an = panelNotice(a, title('anomalies'), link);
    if (an) parts.push(an);
    else if (!a.rows.length) parts.push('<p class="muted">No flagged spikes or drops.</p>');
    else {
      parts.push(`<div class="scroll"><table class="grid anomalies"><thead><tr>${a.columns.map((col) => `<th>${esc(col)}</th>`).join('')}</tr></thead><tbody>`);
      for (const r of a.rows) {
        const z = a.z_column ? toNumber(r[a.z_column]) : null;
        parts.push(
          `<tr class="${z === null ? '' : z > 0 ? 'spike' : 'drop'}">${a.columns
            .map((col) => `<td${col === a.z_column ? ' class="z"' : ''}>${esc(cellText(r[col]))}</td>`)
            .join('')}</tr>`,
        );
      }
      parts.push('</tbody></table></div>');
    }
    if (a.status === 'ok') parts.push(`<p class="muted small">from ${link(a.model)}</p>`);
    parts.push('</section>');
  }

  parts.push('<section class="panel"><h2>Exposures</h2>');
  if (!d.exposures.length) parts.push('<p class="muted">No exposures declared. Declare one in a schema YAML file (<code>exposures:</code>) to show which models feed this dashboard.</p>');
  for (const e of d.exposures) {
    parts.push(
      `<div class="exposure"><strong>${link(e.id, e.label ?? e.name)}</strong> <span class="badge">${esc(e.type ?? 'exposure')}</span>` +
        `${e.owner && (e.owner.name || e.owner.email) ? ` <span class="muted">owner ${esc(String(e.owner.name ?? e.owner.email))}</span>` : ''}` +
        `${e.url && safeUrl(e.url) !== null ? ` ${linkHtml(e.url, 'open', ' rel="noopener noreferrer"')}` : ''}` +
        `<div class="small">fed by ${e.depends_on.length ? e.depends_on.map((id) => link(id)).join(', ') : '<span class="muted">nothing declared</span>'}</div></div>`,
    );
  }
  parts.push('</section>');
  return parts.join('');
}

function cellText(v: unknown, format?: ValueFormat): string {
  if (v === null || v === undefined) return '';
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+(\.\d+)?(e[-+]?\d+)?$/i.test(v) ? Number(v) : null;
  if (n !== null && format) return formatValue(n, format);
  if (n !== null && !Number.isInteger(n)) return String(Math.round(n * 10000) / 10000);
  return String(v);
}
