import { sourceNode, type Project } from '../project/project.js';
import { quoteIdent } from '../project/relation-names.js';
import type { Node } from '../project/types.js';
import type { Compiler } from '../template/compiler.js';
import { FtError } from '../util/errors.js';
import { changedRowsRelation, type ChangedRows } from './changed-rows.js';
import { definitionOf } from './generic/registry.js';
import type { GenericTestContext } from './generic/types.js';
import { customTestPartial, REF, SOURCE } from './test-nodes.js';

/** A SQL literal for a YAML value. */
export function sqlLiteral(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'NULL';
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (v instanceof Date) return `'${v.toISOString().slice(0, 23).replace('T', ' ')}'`;
  return `'${String(v).replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
}

/** The relation a test argument names: ref('x'), source('s','t') or a bare model name. */
function resolver(project: Project, compiler: Compiler, test: Node): (ref: string) => string {
  return (ref: string): string => {
    const r = REF.exec(ref);
    const s = SOURCE.exec(ref);
    const name = r?.[1] ?? (s ? undefined : ref.trim());
    const node = s
      ? sourceNode(project, s[1]!, s[2]!)
      : project.nodes.get(`model.${project.config.name}.${name}`) ?? project.nodes.get(`seed.${project.config.name}.${name}`);
    if (!node) throw new FtError(`test ${test.name}: "${ref}" is no model, seed or source.`, 2, test.declared_at?.file, test.declared_at?.line);
    return compiler.relationFor(node);
  };
}

/**
 * The SQL that selects a test's failing rows. With `changed` (for a `scope: changed_rows` test,
 * the attached model's watermark before this invocation ran it incrementally), it reads only
 * what the run changed, where its kind of test allows (see changed-rows.ts).
 */
export function compileTest(project: Project, compiler: Compiler, test: Node, changed?: ChangedRows): string {
  if (!test.test_metadata) return compiler.compile(test);
  const attached = project.nodes.get(test.attached_node!)!;
  // an ephemeral model has no relation: the test reads its SQL, inlined as dbt inlines it
  const ephemeral = attached.resource_type === 'model' && attached.config.materialized === 'ephemeral';
  const relation = ephemeral ? `(\n${compiler.compile(attached).trim().replace(/;\s*$/, '')}\n) AS ${quoteIdent(attached.name)}` : compiler.relationFor(attached);
  const where = test.config.where;
  const model = where ? `(SELECT * FROM ${relation} WHERE ${where}) AS ft_where` : relation;
  const { column_name: _c, ...args } = test.test_metadata.kwargs;
  const custom = customTestPartial(project, test.test_metadata.name);
  if (custom) {
    // as dbt renders a test's arguments: `compare_model: ref('x')` is the relation, in lists too
    const resolve = resolver(project, compiler, test);
    const relations = (v: unknown): unknown => (typeof v === 'string' && (REF.test(v) || SOURCE.test(v)) ? resolve(v) : Array.isArray(v) ? v.map(relations) : v);
    return compiler.renderTemplate(test, `{{> ${custom}}}`, false, {
      ...Object.fromEntries(Object.entries(args).map(([k, v]) => [k, relations(v)])),
      model,
      column_name: test.column_name ? quoteIdent(test.column_name) : undefined,
      column_name_raw: test.column_name ?? undefined,
    });
  }
  const def = definitionOf(test)!;
  const ctx: GenericTestContext = {
    model,
    columnName: test.column_name ?? undefined,
    args,
    quote: quoteIdent,
    literal: sqlLiteral,
    resolveRelation: resolver(project, compiler, test),
  };
  try {
    if (changed) ctx.model = changedRowsRelation(def, ctx, relation, where, changed, attached.resource_type === 'model' ? attached.config : undefined) ?? model;
    return def.sql(ctx);
  } catch (e) {
    if (e instanceof FtError) throw e;
    throw new FtError(`test ${test.name}: ${(e as Error).message}`, 2, test.declared_at?.file, test.declared_at?.line);
  }
}
