import { didYouMean } from '../util/suggest.js';
import { KNOWN_CONFIG_KEYS, normaliseKey } from './config-keys.js';
import { unsupportedConfig } from './not-supported.js';

/** A warning about project.yml's folder config: its text, and the mapping and key it is about (for the line). */
export interface FolderWarning {
  text: string;
  level: object;
  key: string;
}

/**
 * Folder-level config from project.yml (`models: {proj: {silver: {+materialized: incremental}}}`).
 * A `+key` is always config; a bare key is config when it is a known config name and a
 * folder (or file) name otherwise, as in dbt.
 */
export class FolderConfig {
  private readonly used = new Set<object>();

  constructor(private readonly tree: Record<string, unknown>, private readonly section: string) {}

  /** Config layers from the least to the most specific, for a node with this fqn. */
  layersFor(fqn: string[]): Record<string, unknown>[] {
    const layers: Record<string, unknown>[] = [];
    let level: Record<string, unknown> | undefined = this.tree;
    for (let depth = 0; level; depth++) {
      this.used.add(level);
      layers.push(configPart(level));
      const next: unknown = depth < fqn.length ? level[fqn[depth]!] : undefined;
      level = next && typeof next === 'object' && !Array.isArray(next) ? (next as Record<string, unknown>) : undefined;
    }
    return layers;
  }

  /**
   * Keys that matched neither a config name nor any folder (typos worth a warning), and
   * config keys ft does not act on.
   */
  unusedKeys(): FolderWarning[] {
    const out: FolderWarning[] = [];
    const walk = (level: Record<string, unknown>, path: string[]): void => {
      const say = (key: string, what: string): void => {
        out.push({ text: `${this.section}.${[...path, key].join('.')}: ${what}`, level, key });
      };
      for (const [key, value] of Object.entries(level)) {
        if (key.startsWith('+') || KNOWN_CONFIG_KEYS.has(normaliseKey(key))) {
          if (key.startsWith('+') && !KNOWN_CONFIG_KEYS.has(normaliseKey(key))) {
            say(key, `unknown config key "${key}".${didYouMean(normaliseKey(key), KNOWN_CONFIG_KEYS)}`);
            continue;
          }
          // a bare config name holding a mapping is a folder of that name (configPart)
          if (key.startsWith('+') || configPart(level)[normaliseKey(key)] !== undefined) {
            const why = unsupportedConfig(normaliseKey(key), value);
            if (why) say(key, `${why}.`);
            continue;
          }
        }
        if (value && typeof value === 'object' && !Array.isArray(value)) {
          if (!this.used.has(value)) {
            say(key, `matches no folder or node and is not a config key.${didYouMean(key, KNOWN_CONFIG_KEYS)}`);
          } else walk(value as Record<string, unknown>, [...path, key]);
        } else {
          say(key, `unknown config key "${key}".${didYouMean(key, KNOWN_CONFIG_KEYS)}`);
        }
      }
    };
    walk(this.tree, []);
    return out;
  }
}

/** configPart of each level, computed once: every node under a folder asks for the same levels. */
const parts = new WeakMap<Record<string, unknown>, Record<string, unknown>>();

function configPart(level: Record<string, unknown>): Record<string, unknown> {
  const known = parts.get(level);
  if (known) return known;
  const out: Record<string, unknown> = {};
  parts.set(level, out);
  for (const [key, value] of Object.entries(level)) {
    const isConfig = key.startsWith('+') || (KNOWN_CONFIG_KEYS.has(normaliseKey(key)) && (typeof value !== 'object' || value === null || Array.isArray(value) || key === 'meta' || key === 'persist_docs' || key === 'column_types' || key === 'docs' || key === 'snapshot_meta_column_names'));
    if (isConfig) out[normaliseKey(key)] = value;
  }
  return out;
}
