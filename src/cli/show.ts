import { createAdapter } from '../adapters/mysql/mysql-adapter.js';
import { compileInline } from '../compile/compile-inline.js';
import { newCompiler } from '../compile/compile-nodes.js';
import { ownIntrospector } from '../compile/compile-reading.js';
import { withReads } from '../template/introspector.js';
import { selectNodes, unmatchedMessage } from '../graph/selector.js';
import { relationName } from '../project/relation-names.js';
import { csvField } from '../util/csv.js';
import { FtError } from '../util/errors.js';
import { openProject, selectSpecs, splitSelectors, type GlobalFlags } from './context.js';

export interface ShowFlags extends GlobalFlags {
  select?: string[];
  exclude?: string[];
  selector?: string;
  inline?: string;
  limit?: string;
  output?: string;
}

const OUTPUTS = ['table', 'json', 'csv'];
const SHOWN = new Set(['model', 'seed', 'snapshot']);

/** ft show: compiles a model (or --inline SQL), runs it on the server with a limit and prints the rows. */
export async function showCommand(flags: ShowFlags): Promise<number> {
  const output = flags.output ?? 'table';
  if (!OUTPUTS.includes(output)) throw new FtError(`--output must be table, json or csv, not "${output}".`);
  const limit = Number(flags.limit ?? 5);
  if (!Number.isInteger(limit) || limit < 0) throw new FtError(`--limit must be a whole number of rows, not "${flags.limit}".`);
  const selecting = Boolean(flags.select?.length || flags.selector !== undefined);
  if (flags.inline !== undefined && selecting) throw new FtError('--inline shows its own query: leave out --select and --selector.');
  if (flags.inline === undefined && !selecting) throw new FtError("ft show needs what to show: -s <model> or --inline 'select …'.");

  const { project, graph, out, state } = await openProject(flags);
  const queries: Array<{ name: string; sql: string }> = [];
  // a model may read the database while compiling (get_columns_in_relation…)
  const introspector = ownIntrospector(project.target);
  try {
    if (flags.inline !== undefined) {
      queries.push({ name: 'inline', sql: await withReads(introspector, () => compileInline(project, flags.inline!, { introspector })) });
    } else {
      const ids = selectNodes(project, graph, { select: selectSpecs(flags, project), exclude: splitSelectors(flags.exclude), state, unmatched: (c) => out.warn(unmatchedMessage(c)) });
      const nodes = [...ids].sort().map((id) => project.nodes.get(id)!).filter((n) => SHOWN.has(n.resource_type));
      if (!nodes.length) throw new FtError('the selection holds no model, seed or snapshot to show; name one with -s <name>.');
      const { compiler } = newCompiler(project, { introspector });
      for (const n of nodes) {
        // a seed or snapshot is its table; a model is its SQL, as it would run now (dbt's show)
        const sql = n.resource_type === 'model' ? await withReads(introspector, () => compiler.compile(n)) : `select * from ${relationName(n.schema, n.alias)}`;
        queries.push({ name: n.name, sql });
      }
    }
  } catch (e) {
    await introspector.close();
    throw e;
  }

  const adapter = createAdapter(project.target, 1);
  try {
    for (const q of queries) {
      // the query's own trailing `;` or line comment must not swallow the wrapper
      const body = q.sql.trim().replace(/;\s*$/, '');
      let rows: Array<Record<string, unknown>>;
      try {
        rows = await adapter.withSession((s) => s.query(`select * from (\n${body}\n) as ft_show limit ${limit}`));
      } catch (e) {
        const err = e as Error & { errno?: number };
        // a model's parents are read where the last build put them
        const hint = err.errno === 1146 ? ' Build what it reads first: ft build -s +<model>.' : '';
        throw new FtError(`${q.name === 'inline' ? '--inline' : `model ${q.name}`}: ${err.message}.${hint}`);
      }
      process.stdout.write(render(q.name, rows, output));
    }
    return 0;
  } finally {
    await adapter.close();
    await introspector.close();
  }
}

function text(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function render(name: string, rows: Array<Record<string, unknown>>, output: string): string {
  const columns = rows.length ? Object.keys(rows[0]!) : [];
  if (output === 'json') {
    const plain = rows.map((r) => Object.fromEntries(columns.map((c) => [c, Buffer.isBuffer(r[c]) ? text(r[c]) : r[c] ?? null])));
    return `${JSON.stringify({ node: name, show: plain }, null, 2)}\n`;
  }
  if (output === 'csv') return [columns.map(csvField), ...rows.map((r) => columns.map((c) => csvField(text(r[c]))))].map((l) => `${l.join(',')}\n`).join('');
  const cells = rows.map((r) => columns.map((c) => text(r[c]) ?? 'NULL'));
  const widths = columns.map((c, i) => Math.max(c.length, 3, ...cells.map((row) => row[i]!.length)));
  const numeric = columns.map((_c, i) => cells.length > 0 && rows.every((r) => typeof r[columns[i]!] === 'number' || /^-?\d+(\.\d+)?$/.test(text(r[columns[i]!]) ?? '')));
  const line = (vals: string[]): string => `| ${vals.map((v, i) => (numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join(' | ')} |\n`;
  const head = `Previewing ${name === 'inline' ? 'inline node' : `node '${name}'`}:\n`;
  if (!columns.length) return `${head}(no rows)\n`;
  return head + line(columns) + `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |\n` + cells.map(line).join('');
}
