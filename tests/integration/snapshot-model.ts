/**
 * An independent model of dbt's snapshot semantics, for the snapshot tests: given the source's
 * rows at each run, the history a snapshot table must hold. Written from dbt's documented
 * behaviour, in plain TypeScript — it shares no code or SQL with ft's materialization.
 *
 * Run times are symbolic (`{ run: i }`) until the test learns the server time each run used.
 */
import { createHash } from 'node:crypto';

export type Row = Record<string, string | number | null>;
export type Time = string | { run: number };

export interface ModelOptions {
  strategy: 'timestamp' | 'check';
  uniqueKey: string[];
  updatedAt?: string;
  checkCols?: 'all' | string[];
  hardDeletes: 'ignore' | 'invalidate' | 'new_record';
  /** dbt_valid_to of open versions, as the server returns it (default null) */
  validToCurrent?: string | null;
  names?: Partial<Record<'dbt_scd_id' | 'dbt_updated_at' | 'dbt_valid_from' | 'dbt_valid_to' | 'dbt_is_deleted', string>>;
}

export interface Version {
  row: Row;
  /** the hash's inputs: the key values and the time string (or the closed version's scd and the time) */
  scd: { of: Array<string | number | null | Time> };
  updated: Time;
  from: Time;
  to: Time | null;
  deleted?: 'True' | 'False';
}

const md5 = (s: string): string => createHash('md5').update(s).digest('hex');
/** a DATETIME as the server shows it at microsecond precision */
const micro = (t: string): string => (/\.\d{6}$/.test(t) ? t : `${t}.000000`);

export class SnapshotModel {
  readonly versions: Version[] = [];
  private tableCols: string[] = [];
  private runs = 0;

  constructor(private readonly o: ModelOptions) {}

  private key(r: Row): string {
    return JSON.stringify(this.o.uniqueKey.map((k) => r[k] ?? null));
  }

  private open(v: Version): boolean {
    return v.to === null;
  }

  /** one snapshot run over the source's rows */
  run(source: Row[]): void {
    const run = this.runs++;
    const T: Time = { run };
    const srcCols = source.length ? Object.keys(source[0]!) : [];
    // dbt: a version starts at updated_at (timestamp; check too when it is given), else at the run's time
    const upd = (r: Row): Time => (this.o.updatedAt ? micro(String(r[this.o.updatedAt])) : T);
    const hashTime = (r: Row): string | Time => (this.o.updatedAt ? String(r[this.o.updatedAt]) : T);
    const newVersion = (r: Row): Version => {
      const row: Row = {};
      for (const c of new Set([...this.tableCols, ...srcCols])) row[c] = r[c] ?? null;
      const v: Version = { row, scd: { of: [...this.o.uniqueKey.map((k) => r[k] ?? null), hashTime(r)] }, updated: upd(r), from: upd(r), to: null };
      if (this.o.hardDeletes === 'new_record') v.deleted = 'False';
      return v;
    };
    if (run === 0) {
      this.tableCols = srcCols;
      for (const r of source) this.versions.push(newVersion(r));
      return;
    }
    const compared = this.o.checkCols === 'all' ? srcCols : this.o.checkCols ?? [];
    const columnAdded = this.o.strategy === 'check' && compared.some((c) => !this.tableCols.includes(c));
    for (const c of srcCols) if (!this.tableCols.includes(c)) this.tableCols.push(c);
    for (const v of this.versions) for (const c of this.tableCols) if (!(c in v.row)) v.row[c] = null;
    const bySource = new Map(source.map((r) => [this.key(r), r]));
    const current = new Map(this.versions.filter((v) => this.open(v)).map((v) => [this.key(v.row), v]));
    // hard deletes
    if (this.o.hardDeletes !== 'ignore') {
      for (const [k, cur] of current) {
        if (bySource.has(k)) continue;
        if (this.o.hardDeletes === 'new_record' && cur.deleted === 'True') continue;
        if (this.o.hardDeletes === 'new_record') {
          this.versions.push({ row: { ...cur.row }, scd: { of: [{ scdOf: cur } as unknown as Time, T] }, updated: T, from: T, to: null, deleted: 'True' });
        }
        cur.to = T;
      }
    }
    // new keys and changed rows
    for (const r of source) {
      const cur = current.get(this.key(r));
      if (!cur) {
        this.versions.push(newVersion(r));
        continue;
      }
      let changed: boolean;
      if (this.o.strategy === 'timestamp') changed = String(cur.from) < micro(String(r[this.o.updatedAt!]));
      else changed = columnAdded || compared.some((c) => (cur.row[c] ?? null) !== (r[c] ?? null));
      if (this.o.hardDeletes === 'new_record' && cur.deleted === 'True') changed = true;
      if (!changed) continue;
      cur.to = upd(r);
      this.versions.push(newVersion(r));
    }
  }

  /**
   * The expected table, its run times replaced by the server's (`times[i]`: the one time run i
   * wrote, or undefined when it wrote none), in the table's column names, sorted like `sortRows`.
   */
  expected(times: Array<string | undefined>): Row[] {
    const n = { dbt_scd_id: 'dbt_scd_id', dbt_updated_at: 'dbt_updated_at', dbt_valid_from: 'dbt_valid_from', dbt_valid_to: 'dbt_valid_to', dbt_is_deleted: 'dbt_is_deleted', ...this.o.names };
    const at = (t: Time): string => (typeof t === 'string' ? t : times[t.run] ?? `<no time from run ${t.run}>`);
    const scd = (v: Version): string =>
      md5(
        v.scd.of
          .map((x) => {
            if (x && typeof x === 'object' && 'scdOf' in x) return scd((x as unknown as { scdOf: Version }).scdOf);
            if (x && typeof x === 'object') return at(x as Time);
            return x === null ? '' : String(x);
          })
          .join('|'),
      );
    const rows = this.versions.map((v) => {
      const r: Row = { ...v.row };
      r[n.dbt_scd_id] = scd(v);
      r[n.dbt_updated_at] = at(v.updated);
      r[n.dbt_valid_from] = at(v.from);
      r[n.dbt_valid_to] = v.to === null ? this.o.validToCurrent ?? null : at(v.to);
      if (v.deleted) r[n.dbt_is_deleted] = v.deleted;
      return r;
    });
    return sortRows(rows, [...this.o.uniqueKey, n.dbt_valid_from, n.dbt_scd_id]);
  }
}

/** Rows in a stable order, values as strings (the server's DECIMALs come back as text). */
export function sortRows(rows: Row[], by: string[]): Row[] {
  const norm = rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === null ? null : String(v)])) as Row);
  return norm.sort((a, b) => {
    for (const k of by) {
      const x = String(a[k] ?? '');
      const y = String(b[k] ?? '');
      if (x !== y) return x < y ? -1 : 1;
    }
    return 0;
  });
}
