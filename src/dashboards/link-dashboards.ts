// Checks the dashboards' references when the project loads: each model a panel reads is one of
// the project's, each metric and saved query is declared; a wrong name is an error naming the
// panel's file and line and the nearest name.
import { compileQuery, type MetricsRequest } from '../metrics/compile-query.js';
import type { SemanticLayer } from '../metrics/semantic-layer.js';
import type { Node } from '../project/types.js';
import { FtError } from '../util/errors.js';
import { didYouMean } from '../util/suggest.js';
import type { DashboardDecl, PanelDecl } from './types.js';

const READABLE = new Set(['model', 'seed', 'snapshot']);

export function linkDashboards(decls: DashboardDecl[], nodes: Map<string, Node>, layer: SemanticLayer | undefined): DashboardDecl[] {
  const seen = new Map<string, DashboardDecl>();
  const models = new Set<string>();
  for (const n of nodes.values()) if (READABLE.has(n.resource_type)) models.add(n.name);
  for (const d of decls) {
    const before = seen.get(d.name);
    if (before) throw new FtError(`dashboard ${d.name} is declared twice (also at ${before.file}:${before.line}); rename one.`, 2, d.file, d.line);
    seen.set(d.name, d);
    for (const p of d.panels) {
      const where = `dashboard ${d.name}, panel "${p.title || p.kind}"`;
      const fail = (m: string): never => {
        throw new FtError(`${where}: ${m}`, 2, p.file, p.line);
      };
      const s = p.source;
      if (s.kind === 'model' && !models.has(s.model)) fail(`model "${s.model}" is not a model, seed or snapshot of the project.${didYouMean(s.model, models)}`);
      if (s.kind === 'metrics') {
        if (!layer) fail('the project declares no metrics (add semantic_models: and metrics: to a schema file), or read a model with `model: ref(…)`.');
        for (const m of s.metrics) if (!layer!.metrics.has(m)) fail(`"${m}" is not a metric.${didYouMean(m, layer!.metrics.keys()) || ` Metrics: ${[...layer!.metrics.keys()].sort().join(', ')}.`}`);
      }
      if (s.kind === 'saved_query' && !layer?.savedQueries.has(s.name)) {
        fail(`"${s.name}" is not a saved query.${layer ? didYouMean(s.name, layer.savedQueries.keys()) : ' The project declares no saved_queries:.'}`);
      }
      // group_by and where are checked as the metrics layer compiles them (errors name the panel's line)
      const req = panelRequest(p, layer);
      if (req) compileQuery(layer!, req);
    }
  }
  return decls;
}

/** The metrics request a metrics or saved-query panel runs (null: a model panel). */
export function panelRequest(p: PanelDecl, layer: SemanticLayer | undefined): MetricsRequest | null {
  const s = p.source;
  if (s.kind === 'metrics') return { metrics: s.metrics, groupBy: s.group_by, where: s.where, orderBy: [], limit: p.limit, file: p.file, line: p.line };
  if (s.kind === 'saved_query') {
    const sq = layer!.savedQueries.get(s.name)!;
    return { metrics: sq.metrics, groupBy: sq.group_by, where: sq.where, orderBy: sq.order_by, limit: p.limit ?? sq.limit, file: sq.file, line: sq.line };
  }
  return null;
}

