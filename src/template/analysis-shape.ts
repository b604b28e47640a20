import { sha256 } from '../util/hash.js';
import type { CallSite, TemplateAnalysis } from './template-analysis.js';

/**
 * What of a template's analysis the rest of the project sees — the names it refs, reads and
 * calls and its inline config, without positions — as a hash. An edit that keeps the shape
 * changes only the node's own SQL: a patch compile relies on this. 80 bits of the hash: the
 * compile record keeps one per model.
 */
export function analysisShape(a: TemplateAnalysis): string {
  const names = (xs: Array<CallSite<unknown>>): unknown[] => xs.map((x) => x.value);
  return sha256(JSON.stringify([names(a.refs), names(a.sources), a.config, names(a.partials), names(a.helpers), names(a.lookups), a.dynamicRefs])).slice(0, 20);
}
