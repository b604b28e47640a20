/**
 * The page shell, stylesheet and Content-Security-Policy of the docs site. The page holds no
 * inline script or style: the stylesheet is site.css and the browser code app.js, beside it,
 * so the policy can refuse every inline script, style attribute and javascript: URL.
 */
import { PALETTE } from './site/charts.js';
import { esc } from './site/markdown.js';

export const SITE_CSS = `
:root { --fg:#1f2937; --muted:#6b7280; --line:#e5e7eb; --bg:#fff; --soft:#f8fafc; --accent:#2563eb;
  --model:#2563eb; --seed:#16a34a; --source:#d97706; --exposure:#7c3aed; --test:#6b7280; }
* { box-sizing: border-box; }
html, body { margin:0; height:100%; }
body { font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color:var(--fg); background:var(--bg); }
a { color: var(--accent); text-decoration: none; } a:hover { text-decoration: underline; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
header.top { position: sticky; top:0; z-index: 10; display:flex; align-items:center; gap:16px; padding:8px 16px; background:#0f172a; color:#fff; }
.brand { color:#fff; font-weight:700; font-size:16px; white-space:nowrap; } .brand span { font-weight:400; opacity:.7; }
header nav { display:flex; gap:4px; margin-left:auto; }
header nav a { color:#cbd5e1; padding:6px 10px; border-radius:6px; } header nav a.active, header nav a:hover { background:#1e293b; color:#fff; text-decoration:none; }
.searchbox { position:relative; flex: 0 1 460px; }
.searchbox input { width:100%; padding:7px 10px; border-radius:6px; border:1px solid #334155; background:#1e293b; color:#fff; }
.search-pop { position:absolute; top:38px; left:0; right:0; background:#fff; color:var(--fg); border:1px solid var(--line); border-radius:8px; box-shadow:0 10px 30px rgba(0,0,0,.15); max-height:70vh; overflow:auto; }
.hit { display:block; padding:7px 10px; border-bottom:1px solid var(--line); color:var(--fg); } .hit:hover { background:var(--soft); text-decoration:none; }
.search-all { display:block; padding:8px 10px; } .pad { padding:10px; }
.layout { display:flex; min-height: calc(100vh - 50px); }
aside.tree { width: 270px; flex: 0 0 270px; align-self: flex-start; height: calc(100vh - 50px); border-right:1px solid var(--line); padding:10px 8px; overflow:auto; max-height: calc(100vh - 50px); position: sticky; top:50px; background: var(--soft); font-size:13px; }
aside.tree summary { cursor:pointer; padding:2px 4px; border-radius:4px; user-select:none; } aside.tree summary:hover { background:#eef2f7; }
.tree-type > summary { font-weight:600; text-transform: capitalize; }
.tree-body, .tree-folder-body { padding-left: 12px; }
.tree-leaf { display:block; padding:1px 6px; color:var(--fg); white-space:nowrap; overflow:hidden; text-overflow:ellipsis; border-radius:4px; } .tree-leaf:hover { background:#e2e8f0; text-decoration:none; }
.count { color: var(--muted); font-weight: 400; font-size: 11px; }
main { flex:1; min-width:0; padding: 18px 28px 60px; }
h1 { font-size: 24px; margin: 4px 0 10px; } h2 { font-size: 16px; margin: 0 0 10px; } h3 { font-size: 15px; }
.crumbs { font-size: 12px; }
.muted { color: var(--muted); } .small { font-size: 12px; font-weight: 400; }
.badge { display:inline-block; font-size:11px; font-weight:600; padding:1px 7px; border-radius:10px; background:#e5e7eb; color:#374151; vertical-align: middle; }
.badge.t-model { background:#dbeafe; color:#1d4ed8; } .badge.t-seed { background:#dcfce7; color:#15803d; } .badge.t-source { background:#fef3c7; color:#b45309; }
.badge.t-exposure { background:#ede9fe; color:#6d28d9; } .badge.t-test { background:#f3f4f6; color:#4b5563; }
.tag { display:inline-block; font-size:11px; padding:0 6px; border:1px solid var(--line); border-radius:10px; margin-right:3px; color: var(--muted); font-weight: 400; vertical-align: middle; }
.panel { border:1px solid var(--line); border-radius:10px; padding:14px 16px; margin: 14px 0; background:#fff; }
.panel.two { display:grid; grid-template-columns: 1fr 1fr; gap: 20px; }
table.kv th { text-align:left; color: var(--muted); font-weight:500; padding: 3px 16px 3px 0; vertical-align: top; white-space: nowrap; }
table.kv td { padding: 3px 0; }
table.grid { border-collapse: collapse; width:100%; } table.grid th, table.grid td { border-bottom:1px solid var(--line); padding:6px 8px; text-align:left; vertical-align:top; }
table.grid th { font-weight:600; background: var(--soft); white-space: nowrap; }
table.grid td p { margin: 0; }
.scroll { overflow:auto; max-height: 560px; } .scroll-x { overflow-x:auto; }
pre.code { background:#0f172a; color:#e2e8f0; padding:12px 14px; border-radius:8px; overflow:auto; max-height: 520px; margin: 0; }
.tabs { display:flex; gap:4px; margin-bottom:8px; } .tab, .copy { border:1px solid var(--line); background:#fff; border-radius:6px; padding:3px 10px; cursor:pointer; }
.tab.active { background: var(--fg); color:#fff; border-color: var(--fg); } .copy { margin-left:auto; }
.status { display:inline-block; font-size:11px; font-weight:600; padding:0 6px; border-radius:8px; }
.status.ok { background:#dcfce7; color:#166534; } .status.bad { background:#fee2e2; color:#991b1b; } .status.warn { background:#fef3c7; color:#92400e; } .status.none { background:#f3f4f6; color:#6b7280; font-weight:400; }
.ctest { display:inline-block; margin: 0 6px 2px 0; white-space: nowrap; }
ul.rel { margin:0; padding-left: 18px; }
.notice { border:1px solid #fcd34d; background:#fffbeb; padding:8px 12px; border-radius:8px; margin: 8px 0; }
.notice.error { border-color:#fca5a5; background:#fef2f2; }
.md-body p:first-child { margin-top:0; } .md-body table.md { border-collapse: collapse; } .md-body table.md td, .md-body table.md th { border:1px solid var(--line); padding: 4px 8px; }
blockquote { border-left: 3px solid var(--line); margin: 0; padding-left: 12px; color: var(--muted); }
.lineage-bar { display:flex; gap:8px; align-items:center; margin-bottom:6px; flex-wrap: wrap; }
.lineage-bar input { flex: 1 1 320px; padding:6px 10px; line-height:1.5; font-size:13px; border:1px solid #cbd5e1; border-radius:6px; font-family: ui-monospace, monospace; }
.lineage-bar button { padding:6px 14px; border-radius:6px; border:1px solid var(--accent); background: var(--accent); color:#fff; cursor:pointer; }
.lineage-status { font-size: 12px; color: var(--muted); } .lineage-status.error { color:#b91c1c; } .lineage-status.capped { color:#92400e; font-weight:600; }
.lineage-canvas { position: relative; border:1px solid var(--line); border-radius:8px; background: #fbfdff; overflow:hidden; cursor: grab; touch-action: none; }
.lineage-tip { position:absolute; pointer-events:none; background:#0f172a; color:#fff; font-size:12px; padding:3px 8px; border-radius:4px; white-space:nowrap; }
.lineage-canvas:active { cursor: grabbing; }
.lineage-svg { width:100%; height:100%; display:block; user-select: none; }
.gnode { cursor:pointer; } .gnode rect { fill:#fff; stroke: var(--model); stroke-width:1.5; } .gnode text { font-size: 12px; fill: var(--fg); pointer-events: none; }
.gnode.t-seed rect { stroke: var(--seed); } .gnode.t-source rect { stroke: var(--source); } .gnode.t-exposure rect { stroke: var(--exposure); }
.gnode.focus rect { fill: #1e3a8a; stroke:#1e3a8a; } .gnode.focus text { fill:#fff; font-weight:600; }
.gnode:hover rect { stroke-width: 3; }
.edge { fill:none; stroke:#94a3b8; stroke-width:1.2; }
.lineage-legend { display:flex; gap:14px; align-items:center; font-size:12px; margin-top:6px; }
.lg i { display:inline-block; width:10px; height:10px; border-radius:2px; border:2px solid var(--model); margin-right:4px; vertical-align: -1px; }
.lg.t-seed i { border-color: var(--seed); } .lg.t-source i { border-color: var(--source); } .lg.t-exposure i { border-color: var(--exposure); }
.tiles { display:grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); gap: 12px; }
.tile { border:1px solid var(--line); border-radius:10px; padding: 12px 14px; background: var(--soft); }
.tile-label { font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: .03em; }
.tile-value { font-size: 28px; font-weight: 700; margin: 2px 0; }
.tile-delta { font-size: 12px; } .tile-delta.good { color:#15803d; } .tile-delta.bad { color:#b91c1c; } .tile-delta.neutral { color:#475569; }
.tile-foot { font-size: 11px; } .tile-spark { color: var(--accent); margin-top: 4px; height: 28px; }
.chart { max-width: 100%; height: auto; } .chart .grid { stroke: #eef2f7; } .chart .tick { font-size: 10px; fill: var(--muted); }
.chart .bar-label, .chart .bar-value { font-size: 12px; fill: var(--fg); }
.legend { display:flex; flex-wrap: wrap; gap: 10px; font-size: 12px; } .legend-item i { display:inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 4px; }
table.anomalies tr.spike td.z { color:#b91c1c; font-weight:600; } table.anomalies tr.drop td.z { color:#1d4ed8; font-weight:600; }
table.grid td.tone { font-weight:600; } table.grid td.tone-up, table.grid td.tone.bad { color:#b91c1c; } table.grid td.tone-down { color:#1d4ed8; } table.grid td.tone.good { color:#15803d; }
.exposure { padding: 6px 0; border-bottom: 1px solid var(--line); }
details.kpi-table { margin-top: 10px; } details.kpi-table summary { cursor: pointer; color: var(--accent); }
p.boot-message { padding: 2em; }
${PALETTE.map((c, k) => `.legend-item i.c${k} { background:${c}; }`).join(' ')}
@media (max-width: 900px) { aside.tree { display:none; } .panel.two { grid-template-columns: 1fr; } main { padding: 12px; } }
`;

/**
 * What the site may load: its own files (scripts, the stylesheet, the data it fetches when
 * served), and nothing inline. `'self'` covers a site opened from disk (file://) as well.
 */
const POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
];

/** The policy as the page's <meta> carries it (a <meta> policy cannot hold frame-ancestors). */
export const SITE_CSP_META = POLICY.join('; ');
/** The policy `ft docs serve` sends as a header: the same, and no framing by other sites. */
export const SITE_CSP_HEADER = [...POLICY, "frame-ancestors 'none'"].join('; ');

/** The files beside index.html that it loads. */
export const SITE_CSS_FILE = 'site.css';
export const SITE_JS_FILE = 'app.js';

export function siteHtml(projectName: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${SITE_CSP_META}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(projectName)} — ft docs</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${SITE_CSS_FILE}">
</head>
<body>
<div id="app"><p class="boot-message" id="loading">Loading…</p></div>
<script src="${SITE_JS_FILE}"></script>
</body>
</html>
`;
}
