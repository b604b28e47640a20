import { sourceNode, type Project } from '../project/project.js';
import { quoteIdent } from '../project/relation-names.js';
import type { Node } from '../project/types.js';
import { FtError } from '../util/errors.js';
import { sha256 } from '../util/hash.js';
import { ThisRelation, type RenderState } from './render-context.js';
import { ALLOWED_PROTO_PROPERTIES, AstRenderer, canInterpret } from './render-ast.js';
import { parseTemplate } from './template-analysis.js';
import type { CompileCache } from './compile-cache.js';
import { macroReads, templateReads, withMacros, type TemplateReads } from './template-reads.js';
import { invocationId } from '../util/invocation-id.js';
import { wholeEnvHash } from '../util/env-reads.js';
import { IntrospectionPending, type Introspector, type ReadScope } from './introspector.js';

export interface CompileOptions {
  /** is_incremental() for this render (the runner knows; compile alone says false) */
  isIncremental?: (node: Node) => boolean;
  /** --defer: relation to use for a parent that this run does not build */
  deferred?: Map<string, string>;
  /** a model's watermark before this invocation ran it incrementally, as a SQL literal */
  watermark?: (id: string) => string | undefined;
  /** reads the database for get_columns_in_relation, get_relation, run_query (none: a render asking fails with IntrospectionPending) */
  introspector?: Introspector;
  /** values of the root context every render sees instead of ft's (a unit test's overrides of invocation_id, run_started_at) */
  context?: Record<string, unknown>;
}

/** What rendering reads of a project (a patch compile builds just this from the manifest). */
export type RenderProject = Pick<Project, 'nodes' | 'config' | 'env' | 'vars' | 'target' | 'globalKey' | 'helpersReadEnv'>;

export function cteName(node: Node): string {
  return quoteIdent(`__ft_cte__${node.name}`);
}

/** Turns templated nodes into SQL: refs resolved, ephemeral parents inlined as CTEs. */
export class Compiler {
  private readonly templates = new Map<string, HandlebarsTemplateDelegate>();
  private readonly renderer: AstRenderer;
  private readonly rendered = new Map<string, string>();
  private macros: TemplateReads | undefined;
  private wholeEnv: string | undefined;
  /** ids rendered in this process (not taken from the cache) */
  readonly fresh = new Set<string>();
  /**
   * ids whose SQL read the database (itself, through a macro or an ephemeral parent): never
   * kept in the compile cache nor memoized, so each compile renders them from what the
   * database holds then
   */
  readonly introspecting = new Set<string>();
  /** reads of the database made by all renders so far */
  private reads = 0;

  constructor(
    private readonly project: RenderProject,
    readonly cache: CompileCache,
    private readonly opts: CompileOptions = {},
  ) {
    this.renderer = new AstRenderer(project.env, (source, name) => parseTemplate(source, `${project.config.macroPaths[0] ?? 'macros'}/${name}.sql`));
  }

  get introspector(): Introspector | undefined {
    return this.opts.introspector;
  }

  relationFor(dep: Node): string {
    const d = this.opts.deferred?.get(dep.unique_id);
    if (d) return d;
    if (dep.resource_type === 'model' && dep.config.materialized === 'ephemeral') return cteName(dep);
    return dep.relation_name!;
  }

  /** Renders a template for a node (model, singular test, custom generic test) with ft's helpers. */
  renderTemplate(node: Node, source: string, isIncremental: boolean, extraContext: Record<string, unknown> = {}): string {
    const p = this.project;
    const file = node.original_file_path;
    const allowed = new Set(node.depends_on.nodes);
    const reads: ReadScope = { introspector: this.opts.introspector, count: 0, misses: [] };
    const st: RenderState = {
      node,
      file,
      isIncremental,
      reads,
      resolveRef: (name) => {
        const dep =
          p.nodes.get(`model.${p.config.name}.${name}`) ??
          p.nodes.get(`seed.${p.config.name}.${name}`) ??
          p.nodes.get(`snapshot.${p.config.name}.${name}`) ??
          // a package's model (ft deps): one of this node's dependencies
          node.depends_on.nodes.map((d) => p.nodes.get(d)).find((d) => d?.resource_type === 'model' && d.name === name);
        if (!dep) throw new FtError(`ref "${name}" matches no model or seed.`, 2, file);
        if (!allowed.has(dep.unique_id)) {
          throw new FtError(`ref "${name}" is computed at render time, so ft could not see it as a dependency. Add a line \`-- depends_on: {{ref "${name}"}}\` to the model.`, 2, file);
        }
        return this.relationFor(dep);
      },
      resolveSource: (s, t) => {
        const dep = sourceNode(p, s, t);
        if (!dep) throw new FtError(`source "${s}.${t}" is not declared.`, 2, file);
        return dep.relation_name!;
      },
      lookupVar: (name) => p.vars[name],
      watermark: (name) => {
        const dep = p.nodes.get(`model.${p.config.name}.${name}`);
        if (!dep) throw new FtError(`watermark "${name}" matches no model.`, 2, file);
        if (!allowed.has(dep.unique_id)) throw new FtError(`watermark "${name}": ${name} is not a dependency here. Add {{ref "${name}"}} where the query reads it.`, 2, file);
        return this.opts.watermark?.(dep.unique_id) ?? 'NULL';
      },
    };
    const ast = parseTemplate(source, file);
    let tpl: HandlebarsTemplateDelegate | undefined;
    if (!canInterpret(ast)) {
      tpl = this.templates.get(source);
      if (!tpl) {
        // the parsed AST, whose namespaced calls (`dbt.x`) are already helper names
        tpl = p.env.compile(ast, { noEscape: true });
        this.templates.set(source, tpl);
      }
    }
    const t = p.target;
    const root = new ThisRelation(node.schema, node.alias, node.relation_name ?? cteName(node), {
      name: t.targetName,
      schema: t.database,
      database: t.database,
      type: t.type,
      profile_name: t.profileName,
      threads: t.threads,
      host: t.host,
      port: t.port,
      user: t.user,
    });
    Object.assign(root, this.opts.context, extraContext);
    let out: string;
    try {
      out = tpl
        ? tpl(root, { data: { ft: st }, allowedProtoProperties: ALLOWED_PROTO_PROPERTIES })
        : this.renderer.render(ast, root, { ft: st });
    } catch (e) {
      if (e instanceof FtError) throw e;
      throw new FtError(`cannot render: ${(e as Error).message.split('\n')[0]}.`, 2, file);
    } finally {
      this.reads += reads.count;
    }
    // rendered with placeholders for what is not read yet: read it, then render again (withReads)
    if (reads.misses.length) throw new IntrospectionPending(reads.misses);
    return out;
  }

  /** Compiled SQL of a model or singular test, with ephemeral parents as CTEs. */
  compile(node: Node): string {
    const isInc = this.opts.isIncremental?.(node) ?? false;
    const memo = `${node.unique_id}|${isInc}`;
    const readsBefore = this.reads;
    // {{watermark}} values change between (and within) runs: part of what the SQL depends on
    const marks = this.opts.watermark ? node.depends_on.nodes.map((d) => this.opts.watermark!(d) ?? '').join('\u0001') : '';
    const done = this.rendered.get(`${memo}|${marks}`);
    if (done !== undefined) return done;
    const ephemerals = this.ephemeralParents(node);
    const key = sha256(
      [
        node.checksum.checksum,
        this.project.globalKey,
        String(isInc),
        marks,
        this.outsideValues(node),
        node.schema,
        node.alias,
        ...node.depends_on.nodes.map((d) => {
          const dep = this.project.nodes.get(d);
          return dep ? this.relationFor(dep) : d;
        }),
        ...ephemerals.map((e) => this.compile(e)),
      ].join('\u0000'),
    );
    let sql = this.cache.get(memo, key);
    if (sql === undefined) {
      const body = this.renderTemplate(node, node.raw_code ?? '', isInc);
      sql = injectCtes(body, ephemerals.map((e) => [cteName(e), this.bodyOf(e)] as [string, string]));
      if (this.reads === readsBefore) this.cache.set(memo, key, sql);
      this.fresh.add(node.unique_id);
    }
    if (this.reads !== readsBefore) this.introspecting.add(node.unique_id);
    else this.rendered.set(`${memo}|${marks}`, sql);
    return sql;
  }

  /**
   * What a node's SQL reads from outside the project, in its own template or in any macro: the
   * environment variables it names (`{{env_var "NAME"}}`), the whole environment if a JS helper
   * or an env_var with a computed name may read it, and, if it reads `run_started_at` or `invocation_id`, this invocation's id — so
   * that a change re-renders it.
   */
  private outsideValues(node: Node): string {
    this.macros ??= macroReads(Object.values(this.project.env.partials as Record<string, unknown>));
    const reads = withMacros(templateReads(node.raw_code ?? ''), this.macros);
    const env = [...reads.envNames].sort().map((n) => `${n}=${process.env[n] ?? '\u0000unset'}`);
    if (reads.invocation) env.push(invocationId);
    // a JS helper, or an env_var whose name is computed, may read any variable
    if (this.project.helpersReadEnv || reads.anyEnv) env.push((this.wholeEnv ??= wholeEnvHash()));
    return env.join('\u0001');
  }

  /** An ephemeral model's own SQL, without its parents' CTEs (those are hoisted to the top). */
  private bodyOf(node: Node): string {
    return this.renderTemplate(node, node.raw_code ?? '', false).trim().replace(/;\s*$/, '');
  }

  /** All ephemeral ancestors reachable through ephemeral refs, parents before children. */
  ephemeralParents(node: Node): Node[] {
    const isEphemeral = (d: string): boolean => {
      const dep = this.project.nodes.get(d);
      return dep?.resource_type === 'model' && dep.config.materialized === 'ephemeral';
    };
    // the usual case, no ephemeral parent at all, without the walk
    if (!node.depends_on.nodes.some(isEphemeral)) return [];
    const out: Node[] = [];
    const seen = new Set<string>();
    const visit = (n: Node): void => {
      for (const d of n.depends_on.nodes) {
        const dep = this.project.nodes.get(d);
        if (!dep || seen.has(d) || dep.resource_type !== 'model' || dep.config.materialized !== 'ephemeral' || this.opts.deferred?.has(d)) continue;
        seen.add(d);
        visit(dep);
        out.push(dep);
      }
    };
    visit(node);
    return out;
  }
}

/** Puts CTEs in front of a query, merging with the query's own WITH clause. */
export function injectCtes(sql: string, ctes: Array<[string, string]>): string {
  if (!ctes.length) return sql;
  const defs = ctes.map(([name, body]) => `${name} AS (\n${body}\n)`).join(',\n');
  const lead = /^(\s*(?:--[^\n]*\n\s*|\/\*[\s\S]*?\*\/\s*)*)/.exec(sql)![1]!;
  const rest = sql.slice(lead.length);
  const w = /^with(\s+recursive)?\s+/i.exec(rest);
  if (w) return `${lead}WITH${w[1] ? ' RECURSIVE' : ''} ${defs},\n${rest.slice(w[0].length)}`;
  return `${lead}WITH ${defs}\n${rest}`;
}

