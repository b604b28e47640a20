import nodeSqlParser from 'node-sql-parser';

/**
 * Column-level lineage of one SELECT: for each output column, the upstream
 * relation columns its value is computed from. Pure: the SQL text plus a lookup
 * of relation columns (the catalog) in, a map out.
 *
 * The rule is "never a wrong edge": whenever the parser, an unexpandable `*`, an
 * ambiguous unqualified column or an unsupported construct leaves doubt, the
 * column is 'unknown' rather than guessed.
 */
export interface ColumnRef {
  /** `db.table` as written in the SQL (unquoted), or `table` when unqualified */
  relation: string;
  column: string;
}

export type ColumnSources = ColumnRef[] | 'unknown';

/** The columns of a base relation, in order, or undefined when not known (not built, not in the catalog). */
export type RelationColumnsLookup = (relation: { db: string | null; table: string }) => string[] | undefined;

export interface ColumnLineageDetail {
  /** output column name → upstream columns ([] = computed from no column, e.g. a literal or COUNT(*)) */
  columns: Map<string, ColumnSources>;
  /** false when some output columns could not be named (an unexpandable `*`) */
  complete: boolean;
  /** why the SQL could not be analysed at all */
  error?: string;
  /**
   * For an output column the SQL does not name because it comes through a `*` over
   * a relation whose columns are not known (`select d.*, x as y from d`): where such a
   * column must come from. Only meaningful for a column the output really has (from
   * the built relation), so callers use it for catalog columns only.
   */
  throughStar?: (column: string) => ColumnSources;
}

const { Parser } = nodeSqlParser as unknown as { Parser: new () => { astify(sql: string, opts: { database: string }): unknown } };
let parser: { astify(sql: string, opts: { database: string }): unknown } | null = null;

/** (sql, relation columns) → output column → upstream columns | 'unknown'. Never throws. */
export function columnLineage(sql: string, lookup: RelationColumnsLookup): Map<string, ColumnSources> {
  return analyseColumnLineage(sql, lookup).columns;
}

/** The lineage of one output column, matched case-insensitively as MySQL does; 'unknown' when absent. */
export function lineageOf(lineage: Map<string, ColumnSources>, column: string): ColumnSources {
  const exact = lineage.get(column);
  if (exact !== undefined) return exact;
  const lc = column.toLowerCase();
  for (const [k, v] of lineage) if (k.toLowerCase() === lc) return v;
  return 'unknown';
}

export function analyseColumnLineage(sql: string, lookup: RelationColumnsLookup): ColumnLineageDetail {
  let ast: unknown;
  parser ??= new Parser();
  try {
    ast = parser.astify(stripTrailing(sql), { database: 'MySQL' });
  } catch (e) {
    // The parser lacks some syntax that does not change lineage; try once more without it.
    const retry = lineageNeutral(sql);
    try {
      if (retry === sql) throw e;
      ast = parser.astify(stripTrailing(retry), { database: 'MySQL' });
    } catch {
      return { columns: new Map(), complete: false, error: `cannot parse the SQL: ${firstLine((e as Error).message)}` };
    }
  }
  if (Array.isArray(ast)) {
    if (ast.length !== 1) return { columns: new Map(), complete: false, error: 'more than one statement' };
    ast = ast[0];
  }
  const stmt = ast as AstNode;
  if (!stmt || stmt.type !== 'select') return { columns: new Map(), complete: false, error: `not a SELECT (${String(stmt?.type)})` };
  try {
    const analyzer = new Analyzer(lookup);
    const out = analyzer.query(stmt, new Map(), undefined);
    const columns = new Map<string, ColumnSources>();
    const seen = new Map<string, number>();
    for (const c of out.cols) if (c.name !== null) seen.set(c.name.toLowerCase(), (seen.get(c.name.toLowerCase()) ?? 0) + 1);
    for (const c of out.cols) {
      if (c.name === null) continue;
      // two output columns with one name: which is which is not ours to guess
      columns.set(c.name, seen.get(c.name.toLowerCase())! > 1 ? 'unknown' : c.lin);
    }
    const pass = out.passthrough;
    const throughStar = pass
      ? (column: string): ColumnSources => (out.cols.some((c) => c.name !== null && lc(c.name) === lc(column)) ? 'unknown' : analyzer.columnOf(pass, column))
      : undefined;
    return { columns, complete: out.complete && out.cols.every((c) => c.name !== null), throughStar };
  } catch (e) {
    return { columns: new Map(), complete: false, error: `cannot analyse the SQL: ${firstLine((e as Error).message)}` };
  }
}

// ---------------------------------------------------------------------------

// The parser's AST is loosely typed; this is the little we rely on.
type AstNode = { type?: string; [key: string]: unknown };

interface OutCol {
  name: string | null;
  lin: ColumnSources;
}

/** The columns a query or derived table produces; complete=false when a `*` could not be expanded. */
interface Derived {
  cols: OutCol[];
  complete: boolean;
  /** the one source whose unknown columns a `*` passed through (columns not in `cols` come from it) */
  passthrough?: Source;
}

type Source =
  | { alias: string; kind: 'base'; relation: string; columns: string[] | undefined }
  | { alias: string; kind: 'derived'; derived: Derived };

interface Scope {
  sources: Source[];
  /** JOIN … USING columns: an unqualified reference means either side */
  using: Set<string>;
  windows: Map<string, unknown>;
  parent: Scope | undefined;
}

type Ctes = Map<string, Derived | 'recursive'>;

const UNKNOWN: ColumnSources = 'unknown';

function firstLine(s: string): string {
  return (s.split('\n')[0] ?? '').slice(0, 200);
}

function stripTrailing(sql: string): string {
  return sql.trim().replace(/;+\s*$/, '');
}

/**
 * Rewrites the parser does not support into forms it does, keeping which columns
 * feed which: window frames (`RANGE BETWEEN 24 PRECEDING AND 1 PRECEDING`) go, as a frame's
 * extent does not change the columns read; optimizer hints go — index hints (`USE INDEX FOR GROUP BY ()`),
 * `STRAIGHT_JOIN` as a join (a plain JOIN) or a SELECT modifier, and `SQL_BIG_RESULT`-style
 * modifiers — as they change how rows are read, not which.
 */
export function lineageNeutral(sql: string): string {
  return sql
    .replace(/\b(?:rows|range)\s+between\s+(?:unbounded|current|\d+)\s*(?:preceding|following|row)?\s+and\s+(?:unbounded|current|\d+)\s*(?:preceding|following|row)\b/gi, ' ')
    .replace(/\b(?:rows|range)\s+(?:unbounded\s+preceding|current\s+row|\d+\s+preceding)\b/gi, ' ')
    .replace(/\b(?:use|force|ignore)\s+(?:index|key)\s*(?:for\s+(?:join|order\s+by|group\s+by)\s*)?\([^()]*\)/gi, ' ')
    .replace(/\bselect(\s+)(?:(?:straight_join|sql_big_result|sql_small_result|sql_buffer_result|sql_no_cache|high_priority)\s+)+/gi, 'select$1')
    .replace(/\bstraight_join\b/gi, 'join');
}

/** An identifier as the parser gives it: a string or {type, value} / {expr: {value}}. */
function ident(x: unknown): string | null {
  if (x === null || x === undefined) return null;
  if (typeof x === 'string') return x;
  if (typeof x === 'object') {
    const o = x as Record<string, unknown>;
    if (typeof o.value === 'string') return o.value;
    if (o.expr !== undefined) return ident(o.expr);
  }
  return null;
}

const lc = (s: string): string => s.toLowerCase();

function merge(a: ColumnSources, b: ColumnSources): ColumnSources {
  if (a === 'unknown' || b === 'unknown') return 'unknown';
  if (!b.length) return a;
  const out = [...a];
  for (const r of b) if (!out.some((o) => o.relation === r.relation && lc(o.column) === lc(r.column))) out.push(r);
  return out;
}

class Analyzer {
  constructor(private readonly lookup: RelationColumnsLookup) {}

  /** A full query: WITH, then a SELECT and any UNION branches. */
  query(node: AstNode, ctes: Ctes, outer: Scope | undefined): Derived {
    let scopeCtes = ctes;
    if (Array.isArray(node.with) && node.with.length) {
      scopeCtes = new Map(ctes);
      for (const w of node.with as AstNode[]) {
        const name = ident(w.name);
        if (!name) throw new Error('a CTE without a name');
        const stmt = (w.stmt as AstNode | undefined)?.ast ?? w.stmt;
        let d: Derived;
        if (w.recursive || refersTo(stmt, name)) {
          // a recursive CTE's columns depend on themselves: not resolved
          scopeCtes.set(lc(name), 'recursive');
          d = { cols: this.query(stmt as AstNode, scopeCtes, outer).cols.map((c) => ({ name: c.name, lin: UNKNOWN })), complete: true };
        } else {
          d = this.query(stmt as AstNode, scopeCtes, outer);
        }
        const renames = Array.isArray(w.columns) ? (w.columns as unknown[]).map((c) => ident((c as AstNode).column ?? c)) : null;
        if (renames) {
          if (!d.complete || renames.length !== d.cols.length) d = { cols: renames.map((n) => ({ name: n, lin: UNKNOWN })), complete: true };
          else d = { cols: d.cols.map((c, i) => ({ name: renames[i] ?? c.name, lin: c.lin })), complete: true };
        }
        scopeCtes.set(lc(name), d);
      }
    }
    let out = this.select(node, scopeCtes, outer);
    // UNION / INTERSECT / EXCEPT: names from the first branch, sources merged by position
    for (let next = node._next as AstNode | undefined; next; next = next._next as AstNode | undefined) {
      const branch = this.select(next, scopeCtes, outer);
      if (!out.complete || !branch.complete || branch.cols.length !== out.cols.length) {
        out = { cols: out.cols.map((c) => ({ name: c.name, lin: UNKNOWN })), complete: out.complete && branch.complete };
      } else {
        out = { cols: out.cols.map((c, i) => ({ name: c.name, lin: merge(c.lin, branch.cols[i]!.lin) })), complete: true };
      }
    }
    return out;
  }

  private select(node: AstNode, ctes: Ctes, outer: Scope | undefined): Derived {
    if (node.type !== 'select') throw new Error(`unsupported statement ${String(node.type)}`);
    const scope: Scope = { sources: [], using: new Set(), windows: new Map(), parent: outer };
    const win = node.window as AstNode | null | undefined;
    if (win && Array.isArray(win.expr)) for (const w of win.expr as AstNode[]) if (typeof w.name === 'string') scope.windows.set(lc(w.name), w.as_window_specification);
    for (const item of (Array.isArray(node.from) ? node.from : []) as AstNode[]) this.addFrom(item, scope, ctes, outer);

    const cols: OutCol[] = [];
    let complete = true;
    const passthroughs: Array<Source | undefined> = [];
    for (const c of (Array.isArray(node.columns) ? node.columns : []) as AstNode[]) {
      const expr = (c.expr ?? c) as AstNode;
      const isStar = (expr.type === 'column_ref' && ident(expr.column) === '*') || expr.type === 'star';
      if (isStar) {
        const star = this.expandStar(expr.type === 'star' ? null : ident(expr.table), scope);
        cols.push(...star.cols);
        if (!star.complete) {
          complete = false;
          passthroughs.push(star.passthrough);
        }
        continue;
      }
      const alias = ident(c.as);
      const name = alias ?? (expr.type === 'column_ref' ? ident(expr.column) : null);
      cols.push({ name, lin: this.expr(expr, scope, ctes) });
    }
    // one unexpandable star over one source: the columns it brings come from that source
    const passthrough = passthroughs.length === 1 ? passthroughs[0] : undefined;
    return passthrough ? { cols, complete, passthrough } : { cols, complete };
  }

  private addFrom(item: AstNode, scope: Scope, ctes: Ctes, outer: Scope | undefined): void {
    if (item.type === 'dual') return;
    if (Array.isArray(item.using) && item.using.length) for (const u of item.using) scope.using.add(lc(ident(u) ?? ''));
    if (item.join && /natural/i.test(String(item.join))) throw new Error('NATURAL JOIN is not analysed');
    const table = ident(item.table);
    if (table !== null && item.expr === undefined) {
      const db = ident(item.db);
      const alias = ident(item.as) ?? table;
      const cte = db === null ? ctes.get(lc(table)) : undefined;
      if (cte === 'recursive') {
        scope.sources.push({ alias, kind: 'derived', derived: { cols: [], complete: false } });
      } else if (cte) {
        scope.sources.push({ alias, kind: 'derived', derived: cte });
      } else {
        const relation = db ? `${db}.${table}` : table;
        scope.sources.push({ alias, kind: 'base', relation, columns: this.lookup({ db, table }) });
      }
      return;
    }
    const sub = item.expr as AstNode | undefined;
    const ast = (sub?.ast ?? null) as AstNode | null;
    const alias = ident(item.as) ?? '';
    if (ast && ast.type === 'select') {
      // a LATERAL derived table also sees the FROM items before it
      const lateral = /lateral/i.test(String(item.prefix ?? ''));
      const visible: Scope | undefined = lateral ? { ...scope, sources: [...scope.sources], parent: outer } : outer;
      scope.sources.push({ alias, kind: 'derived', derived: this.query(ast, ctes, visible) });
      return;
    }
    // table functions (JSON_TABLE), VALUES lists, …: columns not known
    scope.sources.push({ alias, kind: 'derived', derived: { cols: [], complete: false } });
  }

  private expandStar(qualifier: string | null, scope: Scope): Derived {
    const sources = qualifier === null ? scope.sources : scope.sources.filter((s) => lc(s.alias) === lc(qualifier));
    if (qualifier !== null && sources.length !== 1) return { cols: [], complete: false };
    if (qualifier === null && scope.using.size) return { cols: [], complete: false };
    const cols: OutCol[] = [];
    let complete = true;
    for (const s of sources) {
      if (s.kind === 'base') {
        if (!s.columns) complete = false;
        else for (const c of s.columns) cols.push({ name: c, lin: [{ relation: s.relation, column: c }] });
      } else {
        cols.push(...s.derived.cols);
        if (!s.derived.complete) complete = false;
      }
    }
    // without knowing every column's position, a star's names may be wrong: keep none,
    // but remember the source when it is the only one (its columns pass through by name)
    if (complete) return { cols, complete };
    return sources.length === 1 ? { cols: [], complete: false, passthrough: sources[0] } : { cols: [], complete: false };
  }

  /** Union of the upstream columns an expression reads. */
  private expr(e: unknown, scope: Scope, ctes: Ctes): ColumnSources {
    if (e === null || e === undefined || typeof e !== 'object') return [];
    if (Array.isArray(e)) {
      let acc: ColumnSources = [];
      for (const x of e) {
        acc = merge(acc, this.expr(x, scope, ctes));
        if (acc === UNKNOWN) return acc;
      }
      return acc;
    }
    const node = e as AstNode;
    if (node.type === 'column_ref') {
      const column = ident(node.column);
      if (column === null) return UNKNOWN;
      if (column === '*') return [];
      return this.resolve(ident(node.db), ident(node.table), column, scope);
    }
    if (node.type === 'star') return [];
    if (node.ast && typeof node.ast === 'object') {
      // a scalar, EXISTS or IN subquery: what it selects, seeing this scope as outer
      const sub = this.query(node.ast as AstNode, ctes, scope);
      if (!sub.complete) return UNKNOWN;
      let acc: ColumnSources = [];
      for (const c of sub.cols) acc = merge(acc, c.lin);
      return acc;
    }
    if (node.type === 'select') return this.expr({ ast: node }, scope, ctes);
    let acc: ColumnSources = [];
    for (const [k, v] of Object.entries(node)) {
      if (k === 'tableList' || k === 'columnList') continue;
      let val = v;
      // OVER w: the named window's PARTITION BY / ORDER BY
      if (k === 'over' && v && typeof v === 'object' && typeof (v as AstNode).as_window_specification === 'string') {
        const named = scope.windows.get(lc((v as AstNode).as_window_specification as string));
        if (named === undefined) return UNKNOWN;
        val = named;
      }
      acc = merge(acc, this.expr(val, scope, ctes));
      if (acc === UNKNOWN) return acc;
    }
    return acc;
  }

  /** Which relation column a reference means, looking outwards through enclosing queries. */
  private resolve(db: string | null, qualifier: string | null, column: string, scope: Scope): ColumnSources {
    for (let s: Scope | undefined = scope; s; s = s.parent) {
      if (qualifier !== null) {
        const matches = s.sources.filter((src) => lc(src.alias) === lc(qualifier) && (db === null || (src.kind === 'base' && lc(src.relation) === lc(`${db}.${qualifier}`))));
        if (matches.length === 0) continue;
        if (matches.length > 1) return UNKNOWN;
        return this.columnOf(matches[0]!, column);
      }
      const has = s.sources.map((src) => this.has(src, column));
      const yes = s.sources.filter((_, i) => has[i] === 'yes');
      const maybe = s.sources.filter((_, i) => has[i] === 'maybe');
      if (yes.length === 0 && maybe.length === 0) continue;
      if (maybe.length === 0 && yes.length === 1) return this.columnOf(yes[0]!, column);
      if (maybe.length === 0 && yes.length > 1 && s.using.has(lc(column))) {
        let acc: ColumnSources = [];
        for (const src of yes) acc = merge(acc, this.columnOf(src, column));
        return acc;
      }
      if (yes.length === 0 && maybe.length === 1 && !this.outerMayHave(s.parent, column)) return this.columnOf(maybe[0]!, column);
      return UNKNOWN;
    }
    return UNKNOWN;
  }

  private outerMayHave(scope: Scope | undefined, column: string): boolean {
    for (let s = scope; s; s = s.parent) if (s.sources.some((src) => this.has(src, column) !== 'no')) return true;
    return false;
  }

  private has(src: Source, column: string): 'yes' | 'no' | 'maybe' {
    const c = lc(column);
    if (src.kind === 'base') {
      if (!src.columns) return 'maybe';
      return src.columns.some((x) => lc(x) === c) ? 'yes' : 'no';
    }
    if (src.derived.cols.some((x) => x.name !== null && lc(x.name) === c)) return 'yes';
    return src.derived.complete && src.derived.cols.every((x) => x.name !== null) ? 'no' : 'maybe';
  }

  columnOf(src: Source, column: string): ColumnSources {
    const c = lc(column);
    if (src.kind === 'base') {
      const canonical = src.columns?.find((x) => lc(x) === c);
      if (src.columns && canonical === undefined) return UNKNOWN;
      return [{ relation: src.relation, column: canonical ?? column }];
    }
    const found = src.derived.cols.filter((x) => x.name !== null && lc(x.name) === c);
    if (found.length === 1) return found[0]!.lin;
    if (found.length === 0 && src.derived.passthrough) return this.columnOf(src.derived.passthrough, column);
    return UNKNOWN;
  }
}

/** Does a statement read a table of this name (a recursive CTE)? */
function refersTo(node: unknown, name: string): boolean {
  if (node === null || typeof node !== 'object') return false;
  if (Array.isArray(node)) return node.some((x) => refersTo(x, name));
  const o = node as AstNode;
  if (Array.isArray(o.from)) {
    for (const f of o.from as AstNode[]) if (f.db == null && ident(f.table) !== null && lc(ident(f.table)!) === lc(name) && f.expr === undefined) return true;
  }
  for (const [k, v] of Object.entries(o)) if (k !== 'tableList' && k !== 'columnList' && refersTo(v, name)) return true;
  return false;
}
