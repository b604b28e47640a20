/**
 * `npm run produce -- [options]`: the flash-sale event producer on the command line.
 * Exit codes: 0 done, 2 bad flags or unusable input/output (one line on stderr, no stack trace).
 */
import { realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDuration } from '../util/duration.js';
import { isFtError } from '../util/errors.js';
import { didYouMean } from '../util/suggest.js';
import { findProjectRoot } from './catalog.js';
import type { EventFormat } from './event.js';
import type { DirtRatios } from './generate-events.js';
import { DEFAULT_SEED, DEFAULT_START } from './generate-events.js';
import type { ProduceOptions, ProduceSummary } from './produce.js';
import { DEFAULT_EVENTS, DEFAULT_FILE_EVENTS, produce } from './produce.js';

export const USAGE = `Usage: npm run produce -- [options]

Simulates flash-sale shopping traffic and writes events (NDJSON or CSV) to rolling files.

  --events N          lines to write (default ${DEFAULT_EVENTS}, or rate × duration)
  --duration D        wall-clock run length with --rate, e.g. 60s, 5m, 1h30m
  --rate R            events per second; 0 = as fast as possible (default 0)
  --out DIR|-         output directory, or - for stdout (default <project>/landing/events)
  --format F          ndjson | csv (default ndjson)
  --file-events N     lines per file (default ${DEFAULT_FILE_EVENTS}); with --rate also one file per second
  --prefix NAME       file name prefix (default events → events-000001.ndjson)
  --seed S            PRNG seed; same seed and options → byte-identical output (default ${DEFAULT_SEED})
  --start TIME        simulated clock start, ISO-8601 (default ${DEFAULT_START})
  --span D            simulated time the events cover (default 24h)
  --catalog PATH      product catalog CSV (default <project>/seeds/products.csv)
  --summary PATH      also write a JSON summary of what was produced
  --duplicates F      fraction (0..1) of lines that are exact copies of earlier events
  --malformed F       fraction of unparseable lines
  --nulls F           fraction of events with a required field null or missing
  --invalid F         fraction of events with an unknown type/product, price ≤ 0 or quantity < 1
  --late F            fraction of events arriving 1–6 h behind the stream clock
  --profile P         traffic: realistic (default) or seed-report (KPIs as the original
                      system published them: conversion 84.63%, cart abandonment 7.88%,
                      average order value $4.78K, demand pressure 0.54)
  --nats-subject S    publish each line to NATS JetStream subject S instead of files
  --nats-url URL      NATS server (default nats://127.0.0.1:4222)
  --nats-stream NAME  stream created when none captures the subject (default EVENTS)
  --quiet             no summary line on stderr
  -h, --help          this help
`;

class UsageError extends Error {}

type FlagKind = 'int' | 'number' | 'duration' | 'string' | 'ratio' | 'format' | 'bool';

const FLAGS: Record<string, FlagKind> = {
  events: 'int',
  duration: 'duration',
  rate: 'number',
  out: 'string',
  format: 'format',
  'file-events': 'int',
  prefix: 'string',
  seed: 'string',
  start: 'string',
  span: 'duration',
  catalog: 'string',
  summary: 'string',
  duplicates: 'ratio',
  malformed: 'ratio',
  nulls: 'ratio',
  invalid: 'ratio',
  late: 'ratio',
  profile: 'string',
  quiet: 'bool',
  help: 'bool',
  'nats-subject': 'string',
  'nats-url': 'string',
  'nats-stream': 'string',
};

const EXAMPLE: Record<string, string> = {
  events: '--events 100000',
  duration: '--duration 60s',
  rate: '--rate 500',
  'file-events': '--file-events 10000',
  span: '--span 24h',
  format: '--format csv',
  duplicates: '--duplicates 0.02',
  seed: '--seed 7',
  out: '--out landing/events (or --out - for stdout)',
  start: `--start ${DEFAULT_START}`,
  catalog: '--catalog seeds/products.csv',
  summary: '--summary landing/summary.json',
  prefix: '--prefix events',
  profile: '--profile seed-report',
};

export interface ParsedArgs {
  help: boolean;
  quiet: boolean;
  options: ProduceOptions;
}

function convert(flag: string, kind: FlagKind, raw: string): unknown {
  const example = EXAMPLE[flag] ?? `--${flag} 0.05`;
  switch (kind) {
    case 'int': {
      if (!/^\d+$/.test(raw.replace(/_/g, ''))) throw new UsageError(`--${flag} "${raw}" is not a whole number; use e.g. ${example}`);
      return Number(raw.replace(/_/g, ''));
    }
    case 'number': {
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`--${flag} "${raw}" is not a number ≥ 0; use e.g. ${example}`);
      return n;
    }
    case 'duration': {
      const parsed = parseDuration(raw, 's');
      const ms = parsed === null ? null : Math.round(parsed);
      if (ms === null || ms <= 0) throw new UsageError(`--${flag} "${raw}" is not a duration; use e.g. ${example} (units ms, s, m, h, d)`);
      return ms;
    }
    case 'ratio': {
      const pct = raw.endsWith('%');
      const n = Number(pct ? raw.slice(0, -1) : raw) / (pct ? 100 : 1);
      if (raw.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) {
        throw new UsageError(`--${flag} "${raw}" must be a fraction between 0 and 1; use e.g. --${flag} 0.05 (or 5%)`);
      }
      return n;
    }
    case 'format': {
      if (raw !== 'ndjson' && raw !== 'csv') throw new UsageError(`--format "${raw}" is not supported; use --format ndjson or --format csv`);
      return raw;
    }
    default:
      return raw;
  }
}

/** Parses produce flags (`--name value`, `--name=value`). Throws UsageError on bad input. */
export function parseProduceArgs(argv: readonly string[], cwd: string = process.cwd()): ParsedArgs {
  const values: Record<string, unknown> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h') {
      values.help = true;
      continue;
    }
    if (!arg.startsWith('--') || arg === '--') {
      throw new UsageError(`unexpected argument "${arg}"; options are written --name value (see --help)`);
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    const kind = FLAGS[name];
    if (!kind) throw new UsageError(`unknown option --${name}.${didYouMean(name, Object.keys(FLAGS)).replace(/"([^"]+)"/g, '--$1')} See --help.`);
    if (kind === 'bool') {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`);
      values[name] = true;
      continue;
    }
    let raw: string | undefined;
    if (eq !== -1) raw = arg.slice(eq + 1);
    else {
      raw = argv[i + 1];
      // A value may be "-" (stdout) or a negative-looking token, but not another --option.
      if (raw === undefined || (raw.startsWith('--') && raw.length > 2)) {
        throw new UsageError(`--${name} needs a value; use e.g. ${EXAMPLE[name] ?? `--${name} VALUE`}`);
      }
      i++;
    }
    if (name in values) throw new UsageError(`--${name} is given twice; keep one`);
    values[name] = convert(name, kind, raw);
  }

  if (values.duration !== undefined && (values.rate === undefined || values.rate === 0)) {
    throw new UsageError('--duration needs a steady --rate > 0 (e.g. --rate 500 --duration 60s); without a rate use --events N');
  }
  const start = values.start as string | undefined;
  if (start !== undefined && (!/^\d{4}-\d{2}-\d{2}/.test(start) || Number.isNaN(Date.parse(start)))) {
    throw new UsageError(`--start "${start}" is not an ISO-8601 time; use e.g. --start ${DEFAULT_START}`);
  }
  const seedRaw = values.seed as string | undefined;
  const dirt: Partial<DirtRatios> = {};
  for (const k of ['duplicates', 'malformed', 'nulls', 'invalid', 'late'] as const) {
    if (values[k] !== undefined) dirt[k] = values[k] as number;
  }
  const sum = Object.values(dirt).reduce((a, b) => a + b, 0);
  if (sum > 1 + 1e-9) throw new UsageError(`the dirt ratios add up to ${sum.toFixed(3)}; --duplicates + --malformed + --nulls + --invalid + --late must be ≤ 1`);

  const root = findProjectRoot(cwd);
  const out = (values.out as string | undefined) ?? join(root, 'landing', 'events');
  const options: ProduceOptions = {
    out: out === '-' ? '-' : resolve(cwd, out),
    events: values.events as number | undefined,
    durationMs: values.duration as number | undefined,
    rate: values.rate as number | undefined,
    format: values.format as EventFormat | undefined,
    fileEvents: values['file-events'] as number | undefined,
    filePrefix: values.prefix as string | undefined,
    seed: seedRaw === undefined ? undefined : /^\d+$/.test(seedRaw) && Number.isSafeInteger(Number(seedRaw)) ? Number(seedRaw) : seedRaw,
    start,
    spanMs: values.span as number | undefined,
    catalog: values.catalog === undefined ? join(root, 'seeds', 'products.csv') : resolve(cwd, values.catalog as string),
    summaryPath: values.summary === undefined ? undefined : resolve(cwd, values.summary as string),
    dirt,
    profile: values.profile as string | undefined,
  };
  if (values['nats-subject'] !== undefined) {
    options.nats = { subject: values['nats-subject'] as string, url: (values['nats-url'] as string | undefined) ?? 'nats://127.0.0.1:4222', stream: values['nats-stream'] as string | undefined };
  } else if (values['nats-url'] !== undefined || values['nats-stream'] !== undefined) {
    throw new UsageError('--nats-url and --nats-stream go with --nats-subject (e.g. --nats-subject events.flash)');
  }
  return { help: values.help === true, quiet: values.quiet === true, options };
}

export function describeSummary(s: ProduceSummary): string {
  const n = (x: number): string => x.toLocaleString('en-US');
  const dirt = [
    s.duplicates && `${n(s.duplicates)} duplicates`,
    s.malformed && `${n(s.malformed)} malformed`,
    s.nulls && `${n(s.nulls)} with nulls`,
    s.invalid && `${n(s.invalid)} invalid`,
    s.late && `${n(s.late)} late`,
  ].filter(Boolean);
  const where = s.out === '-' ? 'stdout' : s.out.startsWith('nats:') ? `NATS subject ${s.out.slice(5)}` : `${s.files.length} file${s.files.length === 1 ? '' : 's'} in ${s.out}`;
  const secs = s.elapsed_ms / 1000;
  return (
    `produced ${n(s.lines)} line${s.lines === 1 ? '' : 's'} (${n(s.distinct_valid_events)} valid event${s.distinct_valid_events === 1 ? '' : 's'}${dirt.length ? `, ${dirt.join(', ')}` : ''}) ` +
    `to ${where} in ${secs.toFixed(2)} s (${n(Math.round(s.lines / Math.max(secs, 0.001)))} lines/s)` +
    (s.stopped_by === 'events' ? '' : `; stopped by ${s.stopped_by}`)
  );
}

/** Runs the producer with CLI arguments; returns the exit code. */
export async function runProduceCli(argv: readonly string[], io: { stderr?: NodeJS.WritableStream; stdout?: NodeJS.WritableStream } = {}): Promise<number> {
  const stderr = io.stderr ?? process.stderr;
  const stdout = io.stdout ?? process.stdout;
  let parsed: ParsedArgs;
  try {
    parsed = parseProduceArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      stderr.write(`produce: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  if (parsed.help) {
    stdout.write(USAGE);
    return 0;
  }
  const ac = new AbortController();
  const onSigint = (): void => ac.abort();
  process.once('SIGINT', onSigint);
  process.once('SIGTERM', onSigint);
  try {
    const summary = await produce({ ...parsed.options, stdout, signal: ac.signal });
    if (!parsed.quiet) stderr.write(`${describeSummary(summary)}\n`);
    return 0;
  } catch (e) {
    if (isFtError(e)) {
      stderr.write(`produce: ${e.format()}\n`);
      return e.exitCode;
    }
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}

function invokedDirectly(): boolean {
  const arg = process.argv[1];
  if (!arg) return false;
  try {
    return realpathSync(resolve(arg)) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (invokedDirectly()) {
  process.exitCode = await runProduceCli(process.argv.slice(2));
}
