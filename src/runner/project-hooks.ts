import type { Adapter } from '../adapters/adapter.js';
import type { Output } from '../cli/output.js';
import type { Project } from '../project/project.js';
import type { Compiler } from '../template/compiler.js';
import { FtError } from '../util/errors.js';
import { operationNode } from '../compile/operation-node.js';
import type { NodeResult } from './node-result.js';

/**
 * What dbt gives on-run-end: `results` (each node's status, message, timing and node), `schemas`
 * (where the run's models, seeds and snapshots are) and `database_schemas` ([database, schema]
 * pairs; MySQL's database is the schema).
 */
function runEndContext(project: Project, results: readonly NodeResult[]): Record<string, unknown> {
  const schemas = new Set<string>();
  const list = results.map((r) => {
    const n = project.nodes.get(r.unique_id);
    if (n && (n.resource_type === 'model' || n.resource_type === 'seed' || n.resource_type === 'snapshot') && n.config.materialized !== 'ephemeral') schemas.add(n.schema);
    return {
      status: r.status,
      message: r.message,
      execution_time: r.executionTime,
      failures: r.failures,
      adapter_response: { rows_affected: r.rowsAffected },
      node: n ? { unique_id: n.unique_id, name: n.name, resource_type: n.resource_type, package_name: n.package_name, schema: n.schema, alias: n.alias, relation_name: n.relation_name, original_file_path: n.original_file_path, tags: n.tags, config: { materialized: n.config.materialized } } : { unique_id: r.unique_id },
    };
  });
  return { results: list, schemas: [...schemas], database_schemas: [...schemas].map((s) => [s, s]) };
}

/** on-run-start / on-run-end from project.yml: rendered like models (ref, var, target) and run in order, statement by statement. */
export async function runProjectHooks(project: Project, compiler: Compiler, adapter: Adapter, which: 'on-run-start' | 'on-run-end', out: Output, results?: readonly NodeResult[]): Promise<void> {
  const hooks = which === 'on-run-start' ? project.config.onRunStart : project.config.onRunEnd;
  if (!hooks.length) return;
  // hooks may ref any model
  const pseudo = operationNode(project, which, `operation.${project.config.name}.${which}`, project.config.file, [...project.nodes.keys()]);
  await adapter.ensureSchema(project.target.database);
  for (const [i, hook] of hooks.entries()) {
    const sql = compiler.renderTemplate(pseudo, hook, false, which === 'on-run-end' ? runEndContext(project, results ?? []) : {});
    // ft's connections take one statement per call: a hook holding several is split (quotes,
    // comments and routine bodies respected) and run in order on one session.
    const statements = adapter.splitStatements(sql);
    try {
      await adapter.withSession(async (s) => {
        for (const stmt of statements) await s.execute(stmt);
      });
    } catch (e) {
      throw new FtError(`${which} hook ${i + 1} failed: ${(e as { sqlMessage?: string; message: string }).sqlMessage ?? (e as Error).message}`, 1, project.config.file);
    }
    out.event('hook', { hook: which, index: i + 1 });
  }
}
