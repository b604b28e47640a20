// What `ft metrics list` shows of each metric: its type, description and the dimensions its
// measures can be grouped by (those every one of its semantic models reaches).
import { linkableNames } from './linkable.js';
import { metricModels, type SemanticLayer } from './semantic-layer.js';

export interface MetricSummary {
  name: string;
  type: string;
  label?: string;
  description: string;
  dimensions: string[];
  file: string;
  line: number;
}

export function describeMetrics(layer: SemanticLayer): MetricSummary[] {
  return [...layer.metrics.values()]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((m) => {
      const models = [...metricModels(layer, m.name)].map((n) => layer.models.get(n)!);
      // a conversion's dimensions are its base rows'
      const base = m.conversion ? [layer.measures.get(m.conversion.base_measure.name)!.model] : models;
      const sets = base.map((model) => new Set(linkableNames(layer, model)));
      const dims = sets.length ? [...sets[0]!].filter((d) => sets.every((s) => s.has(d))).sort() : [];
      return { name: m.name, type: m.type, label: m.label, description: m.description.trim(), dimensions: dims, file: m.file, line: m.line };
    });
}
