// The semantic sections of one schema file (semantic_models:, metrics:, saved_queries:).
import { keyLine } from '../project/not-supported.js';
import type { YamlWithLines } from '../project/yaml-file.js';
import { readMetrics } from './read-metrics.js';
import { readSavedQueries } from './read-saved-queries.js';
import { readSemanticModels } from './read-semantic-models.js';
import type { SemanticDeclarations } from './types.js';
import { YamlFields } from './yaml-fields.js';

/** Top-level keys this reads (their values hold MetricFlow's `{{ Dimension('…') }}`, not Jinja to convert). */
export const SEMANTIC_SECTIONS = new Set(['semantic_models', 'metrics', 'saved_queries']);

/** The semantic declarations of a parsed schema file, or undefined when it has none; warnings are added to `warnings`. */
export function readSemanticYaml(doc: YamlWithLines, file: string, text: string, warnings: string[]): SemanticDeclarations | undefined {
  const top = doc.value as Record<string, unknown>;
  if (!Object.keys(top).some((k) => SEMANTIC_SECTIONS.has(k))) return undefined;
  const f = new YamlFields(doc, file, text, warnings);
  const at = (key: string): number => keyLine(text, key, 1, true);
  return {
    semantic_models: readSemanticModels(top.semantic_models, f, at('semantic_models')),
    metrics: readMetrics(top.metrics, f, at('metrics')),
    saved_queries: readSavedQueries(top.saved_queries, f, at('saved_queries')),
  };
}
