import { isAbsolute, resolve } from 'node:path';
import type { Node } from '../project/types.js';
import { parseByteSize, parseDuration } from '../stream/options.js';
import { streamLoad } from '../stream/stream-load.js';
import type { StreamLoadOptions, StreamTarget } from '../stream/types.js';
import { FtError } from '../util/errors.js';
import { onInterrupt, setStopGrace } from '../util/interrupt.js';
import { openProject, splitSelectors, type GlobalFlags } from './context.js';
import { parseVarsFlag } from '../project/vars.js';

export interface StreamLoadFlags extends GlobalFlags {
  source?: string;
  path?: string;
  format?: string;
  once?: boolean;
  maxBatchRows?: string;
  maxBatchBytes?: string;
  triggerInterval?: string;
  maxLineBytes?: string;
  cleanSource?: string;
  statusInterval?: string;
  /** continuous mode: build these after each committed batch */
  build?: string[];
  buildExclude?: string[];
  threads?: string;
  /** continuous mode: how often the selection's tests run (alongside the builds, and at stop) */
  testInterval?: string;
  maxBatchesPerBuild?: string;
}

/** How long a stopping continuous loader waits for the build in flight before it exits anyway. */
const BUILD_STOP_GRACE_MS = 300_000;

/** The source table the loader fills: the one named by --source, or the only one with a loader: block. */
function pickSource(nodes: Node[], wanted: string | undefined): Node {
  const loadable = nodes.filter((n) => n.resource_type === 'source' && n.loader);
  const names = loadable.map((n) => `${n.source_name}.${n.name}`);
  if (wanted) {
    const n = loadable.find((x) => `${x.source_name}.${x.name}` === wanted);
    if (!n) throw new FtError(`--source ${wanted}: no source table with a loader: block has that name. Tables with one: ${names.join(', ') || 'none'}.`);
    return n;
  }
  if (!loadable.length) throw new FtError('no source table declares a loader: block. Add `loader: {path: landing/events, format: ndjson}` to the bronze table in its schema YAML.');
  if (loadable.length > 1) throw new FtError(`several source tables declare a loader (${names.join(', ')}); pick one with --source NAME.TABLE.`);
  return loadable[0]!;
}

function target(node: Node): StreamTarget {
  const columns = Object.values(node.columns).map((c) => {
    if (!c.data_type) {
      throw new FtError(`column ${c.name} of ${node.source_name}.${node.name} needs a data_type (e.g. varchar(64)) so the loader can create and validate the table.`, 2, node.declared_at?.file, node.declared_at?.line);
    }
    return { name: c.name, dataType: c.data_type, required: Boolean(c.required) };
  });
  if (!columns.length) throw new FtError(`${node.source_name}.${node.name} declares no columns; list them with data_type and required.`, 2, node.declared_at?.file, node.declared_at?.line);
  return { database: node.schema, table: node.identifier ?? node.name, columns };
}

const MAX_BATCHES_VAR = 'max_batches_per_build';

/**
 * --max-batches-per-build N: each continuous build takes at most N loader batches (Spark's
 * maxOffsetsPerTrigger), so a backlog is worked off in builds of a size the server handles well
 * instead of one build whose work outgrows memory. The models read the cap as a var and bound
 * their batch horizon by it; the builds go on while they advance.
 */
function maxBatchesPerBuild(flags: StreamLoadFlags): number | undefined {
  if (flags.maxBatchesPerBuild === undefined) return undefined;
  if (!flags.build?.length) throw new FtError('--max-batches-per-build goes with --build <selector> (it bounds each continuous build).');
  const n = Number(flags.maxBatchesPerBuild);
  if (!Number.isInteger(n) || n < 1) throw new FtError(`--max-batches-per-build must be a whole number ≥ 1 (loader batches per build), not "${flags.maxBatchesPerBuild}".`);
  if (parseVarsFlag(flags.vars)[MAX_BATCHES_VAR] !== undefined) throw new FtError(`--max-batches-per-build sets the var ${MAX_BATCHES_VAR}; leave it out of --vars.`);
  return n;
}

/** ft stream-load: micro-batches from a landing directory (or stdin) into the bronze table, exactly once. */
export async function streamLoadCommand(flags: StreamLoadFlags): Promise<number> {
  const maxBatches = maxBatchesPerBuild(flags);
  // the cap reaches the models as a var, so it is part of what their SQL is compiled (and cached) from
  const ctx = await openProject(maxBatches === undefined ? flags : { ...flags, vars: JSON.stringify({ ...parseVarsFlag(flags.vars), [MAX_BATCHES_VAR]: maxBatches }) });
  const { project, out } = ctx;
  const node = pickSource([...project.nodes.values()], flags.source);
  const loader = (node.loader ?? {}) as Record<string, unknown>;
  const where = `${node.declared_at?.file}:${node.declared_at?.line}`;
  const pick = <T>(flag: T | undefined, key: string, dflt: T): T => (flag !== undefined ? flag : ((loader[key] as T | undefined) ?? dflt));
  const rawPath = pick<string | undefined>(flags.path, 'path', undefined);
  // a broker source (loader: {nats: …}) instead of a landing directory
  const nats = loader.nats === undefined ? null : await import('../stream/broker/nats-config.js').then((m) => {
    try {
      return m.parseNatsConfig(loader.nats, `${node.source_name}.${node.name}`, parseDuration);
    } catch (e) {
      throw new FtError(`${(e as Error).message} (${where})`, 2, node.declared_at?.file, node.declared_at?.line);
    }
  });
  if (nats && loader.batching !== undefined && loader.batching !== 'message') {
    throw new FtError(`loader batching of ${node.source_name}.${node.name} is ${JSON.stringify(loader.batching)}: a NATS source reads one record per message (batching: message); split multi-line messages at the producer.`, 2, node.declared_at?.file, node.declared_at?.line);
  }
  if (!rawPath && !nats) throw new FtError(`${node.source_name}.${node.name}: the loader: block needs a path (the landing directory), or pass --path DIR (or - for stdin).`, 2, node.declared_at?.file, node.declared_at?.line);
  const format = String(pick(flags.format, 'format', 'ndjson'));
  if (format !== 'ndjson' && format !== 'csv') throw new FtError(`format must be ndjson or csv, not "${format}" (${where}).`);
  const cleanSource = pick<string | undefined>(flags.cleanSource, 'clean_source', undefined);
  if (cleanSource !== undefined && cleanSource !== 'archive' && cleanSource !== 'delete') throw new FtError(`--clean-source must be archive or delete, not "${cleanSource}".`);
  const wrap = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (e) {
      throw new FtError(`${(e as Error).message} (loader settings of ${node.source_name}.${node.name}, ${where}, or the flag)`);
    }
  };
  const eventTime = loader.event_time;
  if (eventTime !== undefined && (typeof eventTime !== 'string' || !(node.columns[eventTime] ?? Object.values(node.columns).find((c) => c.name === eventTime)))) {
    throw new FtError(`loader event_time of ${node.source_name}.${node.name} must name one of its columns (the one holding each event's time), not ${JSON.stringify(eventTime)}.`, 2, node.declared_at?.file, node.declared_at?.line);
  }
  const threads = flags.threads === undefined ? undefined : Number(flags.threads);
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1)) throw new FtError(`--threads must be a whole number ≥ 1, not "${flags.threads}".`);
  const builds = flags.build?.length ? splitSelectors(flags.build) : undefined;
  if (!builds && (flags.buildExclude?.length || threads !== undefined)) throw new FtError('--build-exclude and --threads go with --build <selector> (continuous builds).');
  if (!builds && flags.testInterval !== undefined) throw new FtError('--test-interval goes with --build <selector> (continuous builds test on their own cadence).');
  const testIntervalMs = flags.testInterval === undefined ? undefined : parseDuration(flags.testInterval, '--test-interval');
  const continuous = builds
    ? new (await import('../continuous/continuous-build.js')).ContinuousBuild({ ctx, select: builds, exclude: splitSelectors(flags.buildExclude), threads, bronze: target(node), eventTime: eventTime as string | undefined, testIntervalMs, maxBatchesPerBuild: maxBatches })
    : null;
  const controller = new AbortController();
  const stopListening = onInterrupt(() => {
    controller.abort();
    continuous?.loop.stop();
  });
  const opts: StreamLoadOptions = {
    connection: { host: project.target.host, port: project.target.port, hosts: project.target.hosts, user: project.target.user, password: project.target.password, sqlMode: project.target.sqlMode },
    target: target(node),
    path: nats ? `nats:${nats.stream}` : rawPath === '-' || isAbsolute(rawPath!) ? rawPath! : resolve(project.root, rawPath!),
    format,
    pattern: loader.pattern as string | undefined,
    once: Boolean(flags.once),
    maxBatchRows: Number(pick<string | number>(flags.maxBatchRows, 'max_batch_rows', 50_000)),
    maxBatchBytes: wrap(() => parseByteSize(pick<string | number>(flags.maxBatchBytes, 'max_batch_bytes', '16MB'), 'max_batch_bytes')),
    triggerIntervalMs: wrap(() => parseDuration(pick<string | number>(flags.triggerInterval, 'trigger_interval', '1s'), 'trigger_interval')),
    maxLineBytes: wrap(() => parseByteSize(pick<string | number>(flags.maxLineBytes, 'max_line_bytes', '1MiB'), 'max_line_bytes')),
    cleanSource: cleanSource as StreamLoadOptions['cleanSource'],
    logFormat: out.json ? 'json' : 'text',
    debug: Boolean(flags.debug),
    statusIntervalMs: wrap(() => parseDuration(flags.statusInterval ?? '5s', '--status-interval')),
    log: (line) => process.stdout.write(`${line}\n`),
    signal: controller.signal,
    onCommit: continuous ? (b) => continuous.committed(b) : undefined,
    statusExtra: continuous ? () => continuous.status() : undefined,
  };
  if (!Number.isInteger(opts.maxBatchRows) || opts.maxBatchRows < 1) throw new FtError('--max-batch-rows must be a positive whole number.');
  let building: Promise<void> | null = null;
  try {
    if (continuous) {
      setStopGrace(BUILD_STOP_GRACE_MS);
      building = continuous.loop.run();
      await continuous.start();
    }
    if (nats) {
      const { brokerLoad } = await import('../stream/broker/broker-load.js');
      const { NatsSource } = await import('../stream/broker/nats-source.js');
      await brokerLoad(opts, new NatsSource(nats));
    } else await streamLoad(opts);
    if (continuous) {
      // the last batches get their build (--once); after a signal only the build in flight ends
      continuous.loop.drain();
      await building;
    }
    // --once promises everything present: a signal cut that short. A watching loader has no
    // end of work, so stopping it after its batch is its normal end.
    if (opts.once && controller.signal.aborted) return 130;
    if (continuous) {
      await continuous.testAtStop();
      return continuous.last?.status === 'error' || continuous.lastTests?.status === 'error' ? 1 : 0;
    }
    return 0;
  } finally {
    if (continuous) {
      continuous.loop.stop();
      await building;
      await continuous.close();
    }
    stopListening();
  }
}
