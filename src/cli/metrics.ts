import { createAdapter } from '../adapters/mysql/mysql-adapter.js';
import type { DbError } from '../adapters/adapter.js';
import { compileQuery, type MetricsRequest } from '../metrics/compile-query.js';
import { describeMetrics } from '../metrics/describe-metrics.js';
import { formatResult, OUTPUT_FORMATS, type OutputFormat } from '../metrics/format-result.js';
import type { SemanticLayer } from '../metrics/semantic-layer.js';
import type { Project } from '../project/project.js';
import { FtError } from '../util/errors.js';
import { didYouMean } from '../util/suggest.js';
import { openProject, type GlobalFlags } from './context.js';

export interface MetricsListFlags extends GlobalFlags {
  output?: string;
}

export interface MetricsQueryFlags extends GlobalFlags {
  metrics?: string[];
  groupBy?: string[];
  where?: string[];
  orderBy?: string[];
  limit?: string;
  output?: string;
  explain?: boolean;
  savedQuery?: string;
}

const split = (v: string[] | undefined): string[] => (v ?? []).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);

function layerOf(project: Project): SemanticLayer {
  if (!project.semantic?.metrics.size) throw new FtError('this project declares no metrics: add `semantic_models:` and `metrics:` to a schema YAML file (see the README, "Metrics").');
  return project.semantic;
}

/** ft metrics list: every metric with its type, description and the dimensions it can be grouped by. */
export async function metricsListCommand(flags: MetricsListFlags): Promise<number> {
  const { project } = await openProject(flags);
  const layer = layerOf(project);
  const list = describeMetrics(layer);
  if (flags.output === 'json') {
    process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
    return 0;
  }
  if (flags.output !== undefined && flags.output !== 'text') throw new FtError(`--output must be text or json, not "${flags.output}".`);
  const lines: string[] = [];
  for (const m of list) {
    lines.push(`${m.name} (${m.type})${m.label ? ` — ${m.label}` : ''}`);
    if (m.description) lines.push(`  ${m.description.replace(/\s+/g, ' ')}`);
    lines.push(`  dimensions: ${m.dimensions.join(', ')}`);
  }
  if (layer.savedQueries.size) {
    lines.push('', 'saved queries:');
    for (const q of layer.savedQueries.values()) lines.push(`  ${q.name}: ${q.metrics.join(', ')}${q.group_by.length ? ` by ${q.group_by.join(', ')}` : ''}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

/** ft metrics query: the metrics, grouped and filtered, compiled to one SELECT run on the server. */
export async function metricsQueryCommand(flags: MetricsQueryFlags): Promise<number> {
  const format = (flags.output ?? 'table') as OutputFormat;
  if (!OUTPUT_FORMATS.includes(format)) throw new FtError(`--output must be ${OUTPUT_FORMATS.join(', ')}, not "${flags.output}".${didYouMean(String(flags.output), OUTPUT_FORMATS)}`);
  let limit: number | undefined;
  if (flags.limit !== undefined) {
    limit = Number(flags.limit);
    if (!Number.isInteger(limit) || limit < 0) throw new FtError(`--limit must be a whole number, not "${flags.limit}".`);
  }
  const { project, out } = await openProject(flags);
  const layer = layerOf(project);
  let req: MetricsRequest;
  if (flags.savedQuery !== undefined) {
    const sq = layer.savedQueries.get(flags.savedQuery);
    if (!sq) throw new FtError(`"${flags.savedQuery}" is not a saved query.${didYouMean(flags.savedQuery, layer.savedQueries.keys()) || (layer.savedQueries.size ? ` Saved queries: ${[...layer.savedQueries.keys()].join(', ')}.` : ' The project declares none.')}`);
    if (flags.metrics?.length || flags.groupBy?.length) throw new FtError('--saved-query holds its metrics and group by: leave out --metrics and --group-by (--where, --order-by and --limit add to it).');
    req = { metrics: sq.metrics, groupBy: sq.group_by, where: [...sq.where, ...(flags.where ?? [])], orderBy: flags.orderBy?.length ? split(flags.orderBy) : sq.order_by, limit: limit ?? sq.limit, file: sq.file, line: sq.line };
  } else {
    if (!flags.metrics?.length) throw new FtError('name the metrics: --metrics a,b (or --saved-query <name>); ft metrics list shows them.');
    req = { metrics: split(flags.metrics), groupBy: split(flags.groupBy), where: flags.where ?? [], orderBy: split(flags.orderBy), limit };
  }
  const compiled = compileQuery(layer, req);
  for (const n of compiled.notes) out.warn(n);
  if (flags.explain) {
    process.stdout.write(`${compiled.sql};\n`);
    return 0;
  }
  const adapter = createAdapter(project.target, 1);
  let rows: Record<string, unknown>[];
  try {
    rows = await adapter.withSession(async (s) => (await s.execute(compiled.sql)).rows);
  } catch (e) {
    const err = e as DbError;
    // ER_NO_SUCH_TABLE: a semantic model's model is not built (yet) in this target
    if (err.errno === 1146) throw new FtError(`the metrics query failed on the server: ${err.sqlMessage}. Build the models the metrics read first: ft build -s ${req.metrics.map((m) => `+metric:${m}`).join(' ')}`, 1);
    if (err.sqlMessage) throw new FtError(`the metrics query failed on the server: ${err.sqlMessage}. A dimension's or measure's expr may name a column the model lacks; --explain prints the SQL.`, 1);
    throw e;
  } finally {
    await adapter.close();
  }
  process.stdout.write(formatResult(format, rows, [...compiled.groupColumns, ...compiled.metricColumns], compiled.metricColumns));
  return 0;
}
