// Models that still declare a docs panel as `meta: {dashboard: {panel: …}}`: the panel is still
// drawn, and each declaration is named, with the `dashboards:` entry that replaces it.
import { choosePanelModels, panelDeclaration } from '../docs/dashboard-data.js';
import type { Project } from '../project/project.js';

const KIND: Record<string, string> = { kpis: 'kpi_tiles', products: 'time_series', categories: 'bars', heatmap: 'heatmap', anomalies: 'table' };

/** A warning per model declaring a meta.dashboard panel, naming its file and line. */
export function legacyPanelWarnings(project: Project): string[] {
  const out: string[] = [];
  for (const n of project.nodes.values()) {
    if (n.resource_type !== 'model') continue;
    const d = panelDeclaration(n);
    if (!d) continue;
    const at = n.patch_path ?? n.original_file_path;
    out.push(
      `${at}: model ${n.name}: \`meta: {dashboard: {panel: …}}\` is deprecated and will be removed; declare the panel in a \`dashboards:\` section instead, ` +
        `e.g. dashboards: [{name: main, panels: [{kind: ${KIND[d.panel]}, title: ${d.title ?? n.name}, model: ref('${n.name}'), …}]}] (README, "Dashboards").`,
    );
  }
  return out;
}

/** The project has something to show on the Dashboard page: declared dashboards, or legacy panels. */
export function hasDashboard(project: Project): boolean {
  if (project.dashboards?.length) return true;
  return Object.keys(choosePanelModels([...project.nodes.values()])).length > 0;
}
