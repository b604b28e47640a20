// `metric:<name>`, `semantic_model:<name>` and `saved_query:<name>` in a selection. They are
// not graph nodes: on the graph such a selector picks the models they read (so
// `ft build -s +metric:revenue` builds what revenue needs), and `ft ls` lists them as well.
import { fnmatch } from '../util/fnmatch.js';
import type { Project } from '../project/project.js';
import { metricModels, type SemanticLayer } from './semantic-layer.js';
import { usesTimeSpine } from './time-spines.js';

export const SEMANTIC_RESOURCE_TYPES = ['semantic_model', 'metric', 'saved_query'] as const;
export type SemanticResourceType = (typeof SEMANTIC_RESOURCE_TYPES)[number];


/** Names of the entries of one kind a value (a name or a glob) matches. */
export function matchingEntries(layer: SemanticLayer | undefined, kind: SemanticResourceType, value: string): string[] {
  if (!layer) return [];
  const names = kind === 'metric' ? layer.metrics.keys() : kind === 'semantic_model' ? layer.models.keys() : layer.savedQueries.keys();
  const re = fnmatch(value);
  return [...names].filter((n) => re.test(n));
}

const cache = new WeakMap<object, Map<string, Set<string>>>();

/** Unique ids of the models and seeds the matching entries read. */
export function semanticReads(project: Project, kind: SemanticResourceType, value: string): Set<string> {
  const layer = project.semantic;
  if (!layer) return new Set();
  let byKey = cache.get(layer);
  if (!byKey) cache.set(layer, (byKey = new Map()));
  const key = `${kind}:${value}`;
  let ids = byKey.get(key);
  if (!ids) {
    ids = new Set();
    for (const name of matchingEntries(layer, kind, value)) {
      const metrics = kind === 'metric' ? [name] : kind === 'saved_query' ? layer.savedQueries.get(name)!.metrics : [];
      const models = kind === 'semantic_model' ? [name] : metrics.flatMap((m) => [...metricModels(layer, m)]);
      for (const model of models) ids.add(layer.models.get(model)!.node_id);
      // the query of a cumulative (or join_to_timespine) metric reads the time spine too
      if (metrics.some((m) => usesTimeSpine(layer.metrics, m))) for (const s of layer.timeSpines) ids.add(s.node_id);
    }
    byKey.set(key, ids);
  }
  return ids;
}
