import { createAdapter } from '../adapters/mysql/mysql-adapter.js';
import type { Session } from '../adapters/adapter.js';
import { operationNode } from '../compile/operation-node.js';
import { newCompiler } from '../compile/compile-nodes.js';
import { yamlLibrary } from '../project/yaml-file.js';
import { FtError } from '../util/errors.js';
import { didYouMean } from '../util/suggest.js';
import { openProject, type GlobalFlags } from './context.js';

export interface RunOperationFlags extends GlobalFlags {
  args?: string;
}

/**
 * What a JS macro run by `ft run-operation` receives as its second argument (the first is the
 * --args mapping). It may return SQL text, which is run like a .sql macro's.
 */
export interface OperationContext {
  /** rows of a query on the operation's one session (`?` placeholders take `params`) */
  query(sql: string, params?: unknown[]): Promise<Array<Record<string, unknown>>>;
  /** runs a statement; the rows it changed */
  execute(sql: string, params?: unknown[]): Promise<{ rowsAffected: number }>;
  /** the target: its name, database (the schema prefix) and type */
  target: { name: string; database: string; schema: string; type: string };
  /** prints a line */
  log(message: string): void;
}

/**
 * ft run-operation <macro> --args '<yaml>': a .sql macro rendered with the args (and ref, source,
 * var, target, …) and run statement by statement, or a JS macro called with the args and a query
 * function — grants, maintenance, one-off fixes.
 */
export async function runOperationCommand(macro: string, flags: RunOperationFlags): Promise<number> {
  const args = parseArgs(flags.args);
  const { project, out } = await openProject(flags);
  const partial = project.partials.get(macro);
  const helper = project.helpers.get(macro);
  if (partial === undefined && !helper) {
    throw new FtError(`no macro "${macro}": ft run-operation runs a partial (macros/${macro}.sql) or a function exported by a macros/*.js file.${didYouMean(macro, [...project.partials.keys(), ...project.helpers.keys()])}`);
  }
  const file = `${project.config.macroPaths[0] ?? 'macros'}/${macro}.sql`;
  const adapter = createAdapter(project.target, 1);
  const started = performance.now();
  try {
    const statements = await adapter.withSession(async (session) => {
      let sql: string;
      if (partial !== undefined) {
        // every node is a possible ref, as in a project hook
        const node = operationNode(project, macro, `operation.${project.config.name}.${macro}`, file, [...project.nodes.keys()]);
        sql = newCompiler(project).compiler.renderTemplate(node, partial, false, args);
      } else {
        const result: unknown = await helper!(args, operationContext(session, project.target, (m) => out.info(m)));
        if (result === undefined || result === null) return 0;
        if (typeof result !== 'string') {
          out.info(JSON.stringify(result));
          return 0;
        }
        sql = result;
      }
      const list = adapter.splitStatements(sql).map((s) => s.trim()).filter(Boolean);
      for (const [i, stmt] of list.entries()) {
        try {
          const r = await session.execute(stmt);
          out.info(`${i + 1} of ${list.length} OK ${firstLine(stmt)} [${r.affectedRows} row${r.affectedRows === 1 ? '' : 's'}]`);
        } catch (e) {
          throw new FtError(`macro ${macro}, statement ${i + 1} of ${list.length}: ${(e as Error).message}\n  ${stmt.split('\n').join('\n  ')}\n${i ? `The ${i} statement${i === 1 ? '' : 's'} before it ran (and stay done); fix this one and run the operation again.` : 'Nothing was changed; fix the statement and run the operation again.'}`, 1);
        }
      }
      return list.length;
    });
    out.info(`Ran operation ${macro}${statements ? ` (${statements} statement${statements === 1 ? '' : 's'})` : ''} in ${((performance.now() - started) / 1000).toFixed(2)}s.`);
    return 0;
  } finally {
    await adapter.close();
  }
}

function parseArgs(text: string | undefined): Record<string, unknown> {
  if (text === undefined || text.trim() === '') return {};
  let v: unknown;
  try {
    v = yamlLibrary().parse(text);
  } catch (e) {
    throw new FtError(`--args is not valid YAML (${(e as Error).message.split('\n')[0]}). Pass a mapping, e.g. --args '{table: orders, days: 7}'.`);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new FtError(`--args must be a mapping of argument names to values, e.g. --args '{table: orders, days: 7}', not ${JSON.stringify(text)}.`);
  return v as Record<string, unknown>;
}

function operationContext(session: Session, target: { targetName: string; database: string; type: string }, log: (m: string) => void): OperationContext {
  return {
    query: (sql, params) => session.query(sql, params),
    execute: async (sql, params) => ({ rowsAffected: (await session.execute(sql, params)).affectedRows }),
    target: { name: target.targetName, database: target.database, schema: target.database, type: target.type },
    log,
  };
}

function firstLine(stmt: string): string {
  const line = stmt.split('\n').find((l) => l.trim() && !l.trim().startsWith('--'))?.trim() ?? stmt.trim();
  return line.length > 70 ? `${line.slice(0, 67)}...` : line;
}
