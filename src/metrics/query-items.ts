// What a metrics query groups by and filters on, as dbt's semantic layer names them:
// `metric_time__day`, `product__category`, `order__ordered_at__month`, `customer` — or as
// calls: TimeDimension('metric_time', 'day'), Dimension('product__category').grain('month'),
// Entity('customer'). `{{ … }}` around a call in a filter marks where SQL is put.
import { FtError } from '../util/errors.js';
import { didYouMean } from '../util/suggest.js';
import { GRAINS, type TimeGrain } from './types.js';

export type GroupItem =
  /** `custom`: a time spine's custom granularity (metric_time__fiscal_quarter); `grain` then is the spine's */
  | { kind: 'metric_time'; grain?: TimeGrain; custom?: string }
  /** `via`: the entity joined first, for a dimension two entities away (customer__country__region) */
  | { kind: 'dimension'; entity: string; dim: string; grain?: TimeGrain; via?: string }
  | { kind: 'entity'; entity: string };

/** Where a query item or filter was written, for messages. */
export interface Origin {
  file?: string;
  line?: number;
  /** e.g. `--where`, `metric revenue's filter` */
  what: string;
}

export const originError = (origin: Origin, message: string): FtError => new FtError(`${origin.what}: ${message}`, 2, origin.file, origin.line);

/** The column name of an item in the query's result (metric_time without a grain gets one first). */
export function itemName(item: GroupItem): string {
  if (item.kind === 'metric_time') return item.custom || item.grain ? `metric_time__${item.custom ?? item.grain}` : 'metric_time';
  if (item.kind === 'entity') return item.entity;
  return `${item.via ? `${item.via}__` : ''}${item.entity}__${item.dim}${item.grain ? `__${item.grain}` : ''}`;
}

const isGrain = (v: string): boolean => GRAINS.includes(v.toLowerCase() as TimeGrain);

/** metric_time at a grain as written: a standard grain, or another name (a spine's custom granularity, checked where the spines are known). */
function metricTimeAt(v: string): GroupItem {
  return isGrain(v) ? { kind: 'metric_time', grain: v.toLowerCase() as TimeGrain } : { kind: 'metric_time', custom: v.toLowerCase() };
}

function grainOf(v: string, origin: Origin): TimeGrain {
  const g = v.toLowerCase();
  if (!GRAINS.includes(g as TimeGrain)) throw originError(origin, `"${v}" is not a time grain; use one of ${GRAINS.join(', ')}.${didYouMean(g, GRAINS)}`);
  return g as TimeGrain;
}

/** `metric_time__day`, `product__category`, `order__ordered_at__month` or `customer`. */
export function parseItemName(raw: string, origin: Origin): GroupItem {
  const name = raw.trim();
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw originError(origin, `"${raw}" is not a dimension name; write entity__dimension (product__category), metric_time__day, or an entity.`);
  const parts = name.split('__');
  if (parts[0] === 'metric_time') {
    if (parts.length > 2) throw originError(origin, `"${raw}": write metric_time__<grain>, e.g. metric_time__day.`);
    return parts[1] === undefined ? { kind: 'metric_time' } : metricTimeAt(parts[1]);
  }
  if (parts.some((p) => !p)) throw originError(origin, `"${raw}" has an empty part between "__".`);
  if (parts.length === 1) return { kind: 'entity', entity: parts[0]! };
  if (parts.length === 2) return { kind: 'dimension', entity: parts[0]!, dim: parts[1]! };
  if (parts.length === 3 && isGrain(parts[2]!)) return { kind: 'dimension', entity: parts[0]!, dim: parts[1]!, grain: parts[2]!.toLowerCase() as TimeGrain };
  if (parts.length === 3) return { kind: 'dimension', via: parts[0]!, entity: parts[1]!, dim: parts[2]! };
  if (parts.length === 4 && isGrain(parts[3]!)) return { kind: 'dimension', via: parts[0]!, entity: parts[1]!, dim: parts[2]!, grain: parts[3]!.toLowerCase() as TimeGrain };
  throw originError(origin, `"${raw}" goes through more than two entities (${parts.slice(0, -1).join(' → ')}); ft joins up to two entities away from a measure's semantic model.`);
}

const CALL = /^\s*(Dimension|TimeDimension|Entity|Metric)\s*\(((?:[^()'"]|'[^']*'|"[^"]*")*)\)((?:\s*\.\s*\w+\s*\((?:[^()'"]|'[^']*'|"[^"]*")*\))*)\s*$/;

/** The quoted strings of an argument list (`'a', 'b'`), keyword arguments as `k=…` skipped with a message. */
function stringArgs(args: string, origin: Origin, call: string): string[] {
  const out: string[] = [];
  const re = /\s*(?:(\w+)\s*=\s*)?(?:'([^']*)'|"([^"]*)"|(\[[^\]]*\])|([^,]+))\s*(?:,|$)/gy;
  let m: RegExpExecArray | null;
  while (re.lastIndex < args.length && (m = re.exec(args))) {
    if (m[0] === '') break;
    if (m[1] !== undefined) {
      if (m[1] === 'entity_path') throw originError(origin, `${call}: entity_path is not supported; name the dimension by the entity that holds it (entity__dimension).`);
      if (m[1] === 'time_granularity_name' || m[1] === 'time_granularity' || m[1] === 'grain') {
        out[1] = m[2] ?? m[3] ?? '';
        continue;
      }
      throw originError(origin, `${call}: the argument ${m[1]}= is not supported.`);
    }
    if (m[2] === undefined && m[3] === undefined) throw originError(origin, `${call}: arguments must be quoted strings, like Dimension('product__category').`);
    out.push(m[2] ?? m[3]!);
  }
  return out;
}

/** A call as written in a filter or a saved query's group_by: `Dimension('product__category').grain('month')`. */
export function parseItemCall(text: string, origin: Origin): GroupItem {
  const m = CALL.exec(text);
  if (!m) throw originError(origin, `cannot read "${text.trim()}"; write Dimension('entity__dimension'), TimeDimension('metric_time', 'day') or Entity('entity').`);
  const [, fn, args, chain] = m;
  const call = `${fn}(${args})`;
  if (fn === 'Metric') throw originError(origin, `${call}: filtering on a metric's value (Metric(…)) is not supported; filter on dimensions.`);
  const a = stringArgs(args!, origin, call);
  if (!a[0]) throw originError(origin, `${call} names nothing; write the name in quotes, like ${fn}('${fn === 'Entity' ? 'customer' : fn === 'TimeDimension' ? 'metric_time' : 'product__category'}').`);
  let item = parseItemName(a[0], origin);
  let grain = a[1] !== undefined && a[1] !== '' ? a[1] : undefined;
  for (const c of chain!.matchAll(/\.\s*(\w+)\s*\(((?:[^()'"]|'[^']*'|"[^"]*")*)\)/g)) {
    if (c[1] === 'grain') grain = stringArgs(c[2]!, origin, call)[0] ?? '';
    else if (c[1] === 'descending') continue;
    else throw originError(origin, `${call}.${c[1]}(…) is not supported (only .grain('<grain>')).`);
  }
  if (fn === 'Entity' && item.kind !== 'entity') throw originError(origin, `${call}: Entity() takes an entity's name alone, like Entity('customer').`);
  if (fn !== 'Entity' && item.kind === 'entity') throw originError(origin, `${call}: name a dimension as entity__dimension (or metric_time).`);
  if (grain !== undefined) {
    if (item.kind === 'entity') throw originError(origin, `${call}: an entity has no grain.`);
    item = item.kind === 'metric_time' && /^\w+$/.test(grain) ? metricTimeAt(grain) : { ...item, grain: grainOf(grain, origin) };
  }
  return item;
}

/** A group-by item as written: a name (`product__category`) or a call (`Dimension('product__category')`), with or without `{{ }}`. */
export function parseGroupItem(raw: string, origin: Origin): GroupItem {
  const text = raw.trim().replace(/^\{\{-?\s*/, '').replace(/\s*-?\}\}$/, '');
  return /^\w+\s*\(/.test(text) ? parseItemCall(text, origin) : parseItemName(text, origin);
}

/** A filter's SQL, each `{{ … }}` replaced by what `render` makes of its item. */
export function renderFilter(filter: string, origin: Origin, render: (item: GroupItem) => string): string {
  const out = filter.replace(/\{\{-?([\s\S]*?)-?\}\}/g, (_all, inner: string) => render(parseItemCall(inner, origin)));
  if (/\{\{|\}\}|\{%/.test(out)) throw originError(origin, `unbalanced {{ }} in "${filter.trim()}".`);
  return `(${out})`;
}

/** The items a filter refers to. */
export function filterItems(filter: string, origin: Origin): GroupItem[] {
  const items: GroupItem[] = [];
  renderFilter(filter, origin, (item) => {
    items.push(item);
    return '1';
  });
  return items;
}
