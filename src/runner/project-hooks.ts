import type { Adapter } from '../adapters/adapter.js';
import type { Output } from '../cli/output.js';
import type { Project } from '../project/project.js';
import type { Compiler } from '../template/compiler.js';
import { FtError } from '../util/errors.js';
import { operationNode } from '../compile/operation-node.js';

/** on-run-start / on-run-end from project.yml: rendered like models (ref, var, target) and run in order, statement by statement. */
export async function runProjectHooks(project: Project, compiler: Compiler, adapter: Adapter, which: 'on-run-start' | 'on-run-end', out: Output): Promise<void> {
  const hooks = which === 'on-run-start' ? project.config.onRunStart : project.config.onRunEnd;
  if (!hooks.length) return;
  // hooks may ref any model
  const pseudo = operationNode(project, which, `operation.${project.config.name}.${which}`, project.config.file, [...project.nodes.keys()]);
  await adapter.ensureSchema(project.target.database);
  for (const [i, hook] of hooks.entries()) {
    const sql = compiler.renderTemplate(pseudo, hook, false);
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
