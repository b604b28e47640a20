import { SEMANTIC_RESOURCE_TYPES } from '../metrics/semantic-selection.js';
import type { Node, ResourceType } from '../project/types.js';
import { FtError } from '../util/errors.js';
import { didYouMean } from '../util/suggest.js';

// every resource type of the graph (a Record, so a type added to ResourceType must be added here)
const NODE_TYPES: Record<ResourceType, true> = { model: true, seed: true, source: true, test: true, exposure: true, snapshot: true };

/** The types --resource-type and --exclude-resource-type take, as dbt names them. */
export const RESOURCE_TYPE_NAMES = [...Object.keys(NODE_TYPES), 'unit_test', ...SEMANTIC_RESOURCE_TYPES];

/** A node's type as dbt lists it: a unit test is a test node of type unit_test. */
export const resourceTypeOf = (n: Node): string => (n.unit_test ? 'unit_test' : n.resource_type);

/**
 * --resource-type / --exclude-resource-type values checked, as dbt does: a misspelled one is an
 * error, not an empty selection. null: no filter (none given, or `all` / dbt's `default`).
 */
export function resourceTypeSet(given: string[] | undefined, flag: '--resource-type' | '--exclude-resource-type' = '--resource-type'): Set<string> | null {
  const values = given?.flatMap((v) => v.split(/[\s,]+/)).filter(Boolean);
  if (!values?.length) return null;
  const everything = flag === '--resource-type' ? ['all', 'default'] : [];
  for (const t of values) {
    if (!everything.includes(t) && !RESOURCE_TYPE_NAMES.includes(t)) {
      throw new FtError(`${flag} "${t}" is not a resource type.${didYouMean(t, RESOURCE_TYPE_NAMES)} Use ${RESOURCE_TYPE_NAMES.join(', ')}${everything.length ? ' or all' : ''}.`);
    }
  }
  return values.some((t) => everything.includes(t)) ? null : new Set(values);
}

/** Whether a node passes --resource-type (`only`) and --exclude-resource-type (`without`). */
export const keepsResourceType = (n: Node, only: Set<string> | null, without: Set<string> | null): boolean => {
  const type = resourceTypeOf(n);
  return (!only || only.has(type)) && !without?.has(type);
};
