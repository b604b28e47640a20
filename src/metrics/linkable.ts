// Which dimensions and entities a measure's rows can be grouped or filtered by: its own
// semantic model's, and those of models one entity away (joined on that entity, toward the
// model where it is primary or unique, so a join never multiplies the measure's rows).
import type { LinkedModel, SemanticLayer } from './semantic-layer.js';
import type { SemanticDimension, SemanticEntity } from './types.js';

/** Entity types that name one row of their model. */
export const IDENTIFYING = new Set(['primary', 'unique', 'natural']);

export interface DimensionHome {
  /** the model holding the dimension */
  model: LinkedModel;
  dimension: SemanticDimension;
  /** undefined: the measure's own model; else the entity it is joined on */
  via?: { from: SemanticEntity; to: SemanticEntity };
}

/** Where `entity__dim` is, seen from the measure's model `base`, or undefined. */
export function findDimension(layer: SemanticLayer, base: LinkedModel, entity: string, dim: string): DimensionHome | undefined {
  const own = base.entities.find((e) => e.name === entity && IDENTIFYING.has(e.type));
  const local = base.dimensions.find((d) => d.name === dim);
  if (own && local) return { model: base, dimension: local };
  const from = base.entities.find((e) => e.name === entity);
  if (!from) return undefined;
  for (const model of layer.models.values()) {
    if (model === base) continue;
    const to = model.entities.find((e) => e.name === entity && IDENTIFYING.has(e.type));
    const dimension = model.dimensions.find((d) => d.name === dim);
    if (to && dimension) return { model, dimension, via: { from, to } };
  }
  return undefined;
}

/**
 * Where `via__entity__dim` is: `via` joins `base` to the model where it is primary or unique,
 * and that model reaches the dimension one entity further.
 */
export function findDimensionTwoAway(layer: SemanticLayer, base: LinkedModel, via: string, entity: string, dim: string): { first: DimensionHome; second: DimensionHome } | undefined {
  const from = base.entities.find((e) => e.name === via);
  if (!from) return undefined;
  for (const model of layer.models.values()) {
    if (model === base) continue;
    const to = model.entities.find((e) => e.name === via && IDENTIFYING.has(e.type));
    if (!to) continue;
    const second = findDimension(layer, model, entity, dim);
    if (second?.via) return { first: { model, dimension: second.dimension, via: { from, to } }, second };
  }
  return undefined;
}

/** Every name a measure of `base` can be grouped by (time dimensions at their declared grain). */
export function linkableNames(layer: SemanticLayer, base: LinkedModel): string[] {
  const out = new Set<string>(['metric_time']);
  for (const e of base.entities) {
    out.add(e.name);
    if (IDENTIFYING.has(e.type)) for (const d of base.dimensions) out.add(`${e.name}__${d.name}`);
    for (const model of layer.models.values()) {
      if (model === base || !model.entities.some((x) => x.name === e.name && IDENTIFYING.has(x.type))) continue;
      for (const d of model.dimensions) out.add(`${e.name}__${d.name}`);
    }
  }
  return [...out];
}
