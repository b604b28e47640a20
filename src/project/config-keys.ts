import { FtError } from '../util/errors.js';
import type { NodeConfig, ResourceType } from './types.js';

/** Every config key ft understands; anything else gets a warning with the closest key. */
export const KNOWN_CONFIG_KEYS = new Set([
  'enabled', 'materialized', 'alias', 'schema', 'database', 'tags', 'meta', 'docs', 'group', 'access', 'contract',
  'unique_key', 'incremental_strategy', 'incremental_predicates', 'merge_update_columns', 'merge_exclude_columns', 'on_schema_change', 'indexes',
  'pre_hook', 'post_hook', 'pre-hook', 'post-hook', 'persist_docs', 'full_refresh', 'column_types', 'quote_columns',
  'delimiter', 'severity', 'warn_if', 'error_if', 'where', 'limit', 'store_failures', 'fail_calc', 'quoting',
  'grants', 'packages', 'sql_header', 'batch_size', 'lookback', 'event_time', 'freshness', 'loaded_at_field',
  'watermark_column', 'scope', 'lint_ignore',
  // snapshots (project/snapshot-config.ts)
  'strategy', 'updated_at', 'check_cols', 'hard_deletes', 'invalidate_hard_deletes', 'dbt_valid_to_current',
  'snapshot_meta_column_names', 'target_schema', 'target_database',
  // known so that they are warned of as not acted on (not-supported.ts), not as typos
  'begin', 'concurrent_batches',
]);

/** Config keys whose values add up across levels instead of replacing (as dbt does). */
const CLOBBER_EXCEPT = new Set(['tags', 'pre_hook', 'post_hook', 'meta']);

export function defaultConfig(type: ResourceType): NodeConfig {
  // one literal per type, not spreads: called once per node (15,000 times for 5,000 models)
  if (type === 'test') {
    return { enabled: true, materialized: 'test', tags: [], meta: {}, pre_hook: [], post_hook: [], persist_docs: {}, severity: 'error', warn_if: '!= 0', error_if: '!= 0', store_failures: false };
  }
  if (type === 'seed') return { enabled: true, materialized: 'seed', tags: [], meta: {}, pre_hook: [], post_hook: [], persist_docs: {}, quote_columns: true, delimiter: ',' };
  return { enabled: true, materialized: type === 'model' ? 'view' : type, tags: [], meta: {}, pre_hook: [], post_hook: [], persist_docs: {} };
}

function asList(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.map(String);
  return [String(v)];
}

/**
 * Hooks as dbt takes them: SQL text, or `{sql: …, transaction: …}` (its SQL; ft runs every hook
 * on the model's session, outside any transaction of its own), one or a list. An object without
 * `sql` was printed as "[object Object]" and sent to the server.
 */
function hookList(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  return (Array.isArray(v) ? v : [v]).map((h) => {
    if (h && typeof h === 'object' && !Array.isArray(h)) {
      const sql = (h as { sql?: unknown }).sql;
      if (typeof sql !== 'string') throw new FtError(`a hook is SQL text or {sql: "…", transaction: true|false}; got ${JSON.stringify(h)}.`, 2);
      return sql;
    }
    return String(h);
  });
}

/** Normalises a key (`+materialized`, `pre-hook`) to its config name. */
export function normaliseKey(key: string): string {
  const k = key.startsWith('+') ? key.slice(1) : key;
  if (k === 'pre-hook') return 'pre_hook';
  if (k === 'post-hook') return 'post_hook';
  return k;
}

/** Applies one level of config over another with dbt's merge rules. */
export function mergeConfig(base: NodeConfig, layer: Record<string, unknown>): NodeConfig {
  // most folder levels configure nothing: no copy for them (15,000 nodes ask for every level)
  let empty = true;
  for (const _ in layer) {
    empty = false;
    break;
  }
  if (empty) return base;
  const out: NodeConfig = { ...base };
  for (const [rawKey, value] of Object.entries(layer)) {
    const key = normaliseKey(rawKey);
    if (value === undefined) continue;
    if (key === 'tags' || key === 'pre_hook' || key === 'post_hook') {
      const merged = [...(out[key] as string[]), ...(key === 'tags' ? asList(value) : hookList(value))];
      out[key] = key === 'tags' ? [...new Set(merged)] : merged;
    } else if (key === 'meta' || key === 'persist_docs' || key === 'column_types') {
      // dicts merge key by key across levels, as dbt merges them (a file's column_types add to its folder's)
      out[key] = { ...(out[key] as object), ...(value as object) } as never;
    } else if (!CLOBBER_EXCEPT.has(key)) {
      out[key] = value;
    }
  }
  return out;
}
