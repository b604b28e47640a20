import type { Adapter, ColumnDef, RelationType } from '../adapters/adapter.js';
import { quoteIdent } from '../project/relation-names.js';
import { FtError } from '../util/errors.js';

/**
 * Compile-time introspection: what templates read of the database while they render (a
 * relation's columns, whether it exists, a query's rows), as dbt's get_columns_in_relation,
 * get_relation and run_query.
 *
 * Handlebars helpers are synchronous and the database is not, so a render is done in rounds:
 * a helper asking for something not read yet records the wish and renders a placeholder (no
 * columns, no relation, no rows); the render then fails with IntrospectionPending, every wish
 * of every pending render is read in one round trip (one information_schema statement for all
 * relations, one statement per distinct query), and the render runs again — see withReads and
 * compile/compile-reading.ts. What was read is kept for the whole invocation, except that a
 * relation the run builds is read again afterwards (`built`).
 */

/** A column as templates see it: dbt's Column fields (name, column, data_type, dtype, quoted) and its position. */
export interface IntrospectedColumn {
  name: string;
  /** same as name (dbt's Column.column) */
  column: string;
  /** the full type as the server reports it: varchar(64), decimal(12,2), int(11) unsigned */
  data_type: string;
  /** the base type, lower case: varchar, decimal, int */
  dtype: string;
  /** 1-based position in the relation */
  ordinal: number;
  nullable: boolean;
  /** the name quoted for MySQL: `name` */
  quoted: string;
  comment: string;
}

/** A relation that exists, as get_relation returns it; prints as its quoted name. */
export class IntrospectedRelation {
  constructor(
    readonly schema: string,
    readonly identifier: string,
    readonly type: RelationType,
  ) {}

  get name(): string {
    return this.identifier;
  }

  /** MySQL has no level above the schema: dbt's database is the schema */
  get database(): string {
    return this.schema;
  }

  get is_table(): boolean {
    return this.type === 'table';
  }

  get is_view(): boolean {
    return this.type === 'view';
  }

  toString(): string {
    return `${quoteIdent(this.schema)}.${quoteIdent(this.identifier)}`;
  }
}

export type QueryRow = Record<string, unknown>;

/** Where a template asked for something: for messages. */
export interface ReadSite {
  /** the node's file */
  file: string;
  line?: number;
  /** the helper that asked (get_columns_in_relation, run_query, dbt_utils.star …) */
  helper: string;
  /** what it asked for: a relation or a query, as text */
  what: string;
}

/** The reads of one render (a RenderState's): how many, and those that are not known yet. */
export interface ReadScope {
  introspector: Introspector | undefined;
  count: number;
  misses: ReadSite[];
}

interface Described {
  relation: IntrospectedRelation;
  columns: IntrospectedColumn[];
}

const relKey = (schema: string, name: string): string => `${schema}\u0000${name}`;

function toColumn(c: ColumnDef, i: number): IntrospectedColumn {
  return {
    name: c.name,
    column: c.name,
    data_type: c.type,
    dtype: (/^[a-z ]+?(?=\(|\s|$)/i.exec(c.type)?.[0] ?? c.type).toLowerCase(),
    ordinal: i + 1,
    nullable: c.nullable,
    quoted: quoteIdent(c.name),
    comment: c.comment,
  };
}

/** A render needs what the database holds, not read yet: read it (Introspector.fetch) and render again. */
export class IntrospectionPending extends FtError {
  constructor(readonly sites: ReadSite[]) {
    const s = sites[0]!;
    super(
      `${s.helper} reads the database while compiling (${s.what}), and this template is rendered where ft does not read it first (a hook or an operation). Read it in a model instead, or pass the value in a var.`,
      2,
      s.file,
      s.line,
    );
  }
}

/** One invocation's reads of the database, kept until the invocation ends. */
export class Introspector {
  private readonly relations = new Map<string, Described | null>();
  private readonly queries = new Map<string, QueryRow[]>();
  /** a query that failed, with its error, thrown to the render that asks for it (not to whichever render fetched) */
  private readonly failed = new Map<string, FtError>();
  /**
   * builds reported (built()), in all and per relation: an answer read while its relation (or,
   * for a query, any relation) was being built may be stale, so it is not kept — the render
   * asks again (a read started before a parent was built ended after it: a thread building a
   * model fetched its wishes while another thread built the parent)
   */
  private builds = 0;
  private readonly buildsOf = new Map<string, number>();
  private readonly wantedRelations = new Map<string, { schema: string; name: string }>();
  private readonly wantedQueries = new Map<string, ReadSite>();
  private chain: Promise<void> = Promise.resolve();
  private adapterMade: Promise<Adapter> | undefined;
  /** the round trips made (statements sent), for tests and --debug */
  roundTrips = 0;
  /** relations read, in the order read (`schema.name`) */
  readonly relationsRead: string[] = [];
  /** a column list asked of a relation that does not exist: one message each, for the command to print */
  readonly notes: string[] = [];
  private readonly noted = new Set<string>();

  /** `adapter`: the run's adapter, or a factory for one the introspector opens when first needed (and closes) */
  constructor(private readonly adapter: Adapter | (() => Adapter | Promise<Adapter>)) {}

  private db(): Promise<Adapter> {
    if (typeof this.adapter !== 'function') return Promise.resolve(this.adapter);
    const make = this.adapter;
    return (this.adapterMade ??= Promise.resolve().then(make));
  }

  /** A relation's columns and type; null when it does not exist; undefined when not read yet (asked for now). */
  describe(schema: string, name: string): Described | null | undefined {
    const key = relKey(schema, name);
    const known = this.relations.get(key);
    if (known !== undefined) return known;
    this.wantedRelations.set(key, { schema, name });
    return undefined;
  }

  /** A query's rows; undefined when not run yet (asked for now). */
  rows(sql: string, site: ReadSite): QueryRow[] | undefined {
    const error = this.failed.get(sql);
    if (error) throw error;
    const known = this.queries.get(sql);
    if (known) return known;
    if (!this.wantedQueries.has(sql)) this.wantedQueries.set(sql, site);
    return undefined;
  }

  /** Says once per model and relation that a column list was asked of a relation that does not exist. */
  noteMissing(site: ReadSite): void {
    const key = `${site.file}\u0000${site.what}`;
    if (this.noted.has(key)) return;
    this.noted.add(key);
    this.notes.push(
      `${site.file}${site.line ? `:${site.line}` : ''}: ${site.helper} reads ${site.what}, which does not exist (yet): rendered with no columns. Build it first (ft run --select +<model>); ft run and ft build render a model after its parents are built.`,
    );
  }

  /** Whether some render asked for what is not read yet. */
  get pending(): boolean {
    return this.wantedRelations.size > 0 || this.wantedQueries.size > 0;
  }

  /** Reads everything asked for so far: all relations in one statement, then each query. */
  fetch(): Promise<void> {
    const next = this.chain.then(() => this.fetchNow());
    // a failed read fails its callers, not the next fetch
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async fetchNow(): Promise<void> {
    const rels = [...this.wantedRelations.entries()];
    const queries = [...this.wantedQueries.entries()];
    this.wantedRelations.clear();
    this.wantedQueries.clear();
    const db = rels.length || queries.length ? await this.db() : undefined;
    if (db && rels.length) {
      const buildsBefore = rels.map(([key]) => this.buildsOf.get(key) ?? 0);
      const found = await db.describeRelations(rels.map(([, r]) => r));
      this.roundTrips++;
      for (const [i, [key, r]] of rels.entries()) {
        if ((this.buildsOf.get(key) ?? 0) !== buildsBefore[i]) continue;
        const d = found.get(`${r.schema}.${r.name}`);
        this.relationsRead.push(`${r.schema}.${r.name}`);
        this.relations.set(key, d ? { relation: new IntrospectedRelation(r.schema, r.name, d.type), columns: d.columns.map(toColumn) } : null);
      }
    }
    for (const [sql, site] of db ? queries : []) {
      let rows: QueryRow[];
      const buildsBefore = this.builds;
      try {
        rows = await db!.withSession((s) => s.query(sql));
      } catch (e) {
        if (e instanceof FtError) throw e;
        if (this.builds !== buildsBefore) continue;
        const err = e as { sqlMessage?: string; errno?: number; message?: string };
        const why = err.sqlMessage ? `server error ${err.errno}: ${err.sqlMessage}` : err.message ?? String(e);
        // kept for the model that asked: a query left by an earlier render of another model
        // (one whose parents are not built yet) must not fail the render that fetches now
        this.failed.set(sql, new FtError(`${site.helper} failed: ${why}. The query was: ${sql.trim().slice(0, 300)}. Fix the query (run it in a SQL client to try it).`, 2, site.file, site.line));
        continue;
      } finally {
        this.roundTrips++;
      }
      if (this.builds === buildsBefore) this.queries.set(sql, rows);
    }
  }

  /**
   * A node of the run built this relation: its columns may have changed, and queries may read
   * it, so both are read again when next asked for.
   */
  built(schema: string, name: string): void {
    const key = relKey(schema, name);
    this.builds++;
    this.buildsOf.set(key, (this.buildsOf.get(key) ?? 0) + 1);
    this.relations.delete(key);
    this.queries.clear();
    this.failed.clear();
  }

  /** Closes the connection the introspector opened itself (never the run's). */
  async close(): Promise<void> {
    const a = this.adapterMade;
    this.adapterMade = undefined;
    if (a) await (await a.catch(() => undefined))?.close();
  }
}

/**
 * Runs a synchronous render, reading what it asks of the database and rendering again until
 * it asks for nothing new (a template may ask for more once it sees the first answers).
 */
export async function withReads<T>(introspector: Introspector | undefined, render: () => T, rounds = 8): Promise<T> {
  for (let round = 0; ; round++) {
    try {
      return render();
    } catch (e) {
      if (!(e instanceof IntrospectionPending) || !introspector || round >= rounds) throw e;
      await introspector.fetch();
    }
  }
}
