import { existsSync, readFileSync } from 'node:fs';
import { writeJsonAtomic } from '../artifacts/write-json.js';
import { sha256 } from '../util/hash.js';
import { analyseColumnLineage, lineageOf, type ColumnSources, type RelationColumnsLookup } from './column-lineage.js';

/** A model's column lineage as the docs show it: per column, and the columns the SQL names. */
export interface ModelLineage {
  error?: string;
  /** the output columns, when the SQL names all of them */
  outputs: string[] | null;
  columns: Record<string, ColumnSources>;
}

/**
 * Column lineage of one model: each of `columns` (name, and whether the built
 * relation has it) looked up in the analysis of its compiled SQL.
 */
export function modelLineage(sql: string, columns: Array<{ name: string; inRelation: boolean }>, lookup: RelationColumnsLookup): ModelLineage {
  const detail = analyseColumnLineage(sql, lookup);
  const out: ModelLineage = { outputs: detail.complete ? [...detail.columns.keys()] : null, columns: {} };
  if (detail.error) out.error = detail.error;
  const wanted = columns.length ? columns : (out.outputs ?? []).map((name) => ({ name, inRelation: false }));
  for (const c of wanted) {
    let l = lineageOf(detail.columns, c.name);
    // a column of the built relation that the SQL brings in through a `*`
    if (l === 'unknown' && c.inRelation && !detail.columns.has(c.name) && detail.throughStar) l = detail.throughStar(c.name);
    out.columns[c.name] = l;
  }
  return out;
}

interface Entry {
  /** relation → hash of the columns the lookup gave (null: not known) at analysis time */
  lookups: Record<string, string | null>;
  result: ModelLineage;
}

/**
 * Parsing SQL is most of what `ft docs generate` spends on a big project; the result
 * only changes with the SQL, the model's columns and the catalog columns the analysis
 * looked up, so it is kept in target/column_lineage_cache.json and reused when all of
 * those are unchanged.
 */
export class LineageCache {
  private readonly old: Record<string, Entry>;
  private readonly next: Record<string, Entry> = {};
  hits = 0;
  misses = 0;

  constructor(private readonly file: string | null) {
    let old: Record<string, Entry> = {};
    if (file && existsSync(file)) {
      try {
        const v = JSON.parse(readFileSync(file, 'utf8')) as { version?: number; entries?: Record<string, Entry> };
        if (v.version === CACHE_VERSION && v.entries) old = v.entries;
      } catch {
        // a damaged cache is rebuilt
      }
    }
    this.old = old;
  }

  get(sql: string, columns: Array<{ name: string; inRelation: boolean }>, lookup: RelationColumnsLookup): ModelLineage {
    const key = sha256(`${sql}\u0000${JSON.stringify(columns)}`);
    const hashOf = (cols: string[] | undefined): string | null => (cols ? sha256(cols.join('\u0000')) : null);
    const hit = this.old[key];
    if (hit && Object.entries(hit.lookups).every(([rel, h]) => hashOf(lookup(splitRelation(rel))) === h)) {
      this.next[key] = hit;
      this.hits++;
      return hit.result;
    }
    const lookups: Record<string, string | null> = {};
    const recording: RelationColumnsLookup = (r) => {
      const cols = lookup(r);
      lookups[`${r.db ?? ''}\u0001${r.table}`] = hashOf(cols);
      return cols;
    };
    const result = modelLineage(sql, columns, recording);
    this.next[key] = { lookups, result };
    this.misses++;
    return result;
  }

  /** Writes the entries used in this run (so the file does not grow with old ones). */
  save(): void {
    if (this.file) writeJsonAtomic(this.file, { version: CACHE_VERSION, entries: this.next });
  }
}

/** Bump whenever column-lineage.ts analyses differently: cached results of the old analysis would stay. */
const CACHE_VERSION = 2;

function splitRelation(key: string): { db: string | null; table: string } {
  const [db, table] = key.split('\u0001');
  return { db: db ? db : null, table: table ?? '' };
}
