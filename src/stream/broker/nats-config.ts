/** The `nats:` part of a source table's `loader:` block → options of the NATS source. */
import { StreamLoadError } from '../stream-errors.js';

export interface NatsSourceOptions {
  servers: string[];
  stream: string;
  /** Subject filter of the durable consumer (default: the whole stream). */
  subject?: string | undefined;
  /** Durable consumer shared by every loader of the table. */
  durable: string;
  /** Redelivery of a message whose loader did not acknowledge it in time. */
  ackWaitMs: number;
  user?: string | undefined;
  /** Never logged. */
  password?: string | undefined;
  token?: string | undefined;
  /** Path of a .creds file. */
  credsFile?: string | undefined;
}

const KEYS = new Set(['servers', 'stream', 'subject', 'durable', 'ack_wait', 'user_env', 'password_env', 'token_env', 'creds_env']);

/**
 * Credentials are never written in the YAML: `user_env`, `password_env`, `token_env` and
 * `creds_env` name environment variables (creds_env: one holding the path of a .creds file).
 */
export function parseNatsConfig(raw: unknown, where: string, parseMs: (v: string | number, what: string) => number, env: NodeJS.ProcessEnv = process.env): NatsSourceOptions {
  const bad = (msg: string): never => {
    throw new StreamLoadError(`loader.nats of ${where}: ${msg}`);
  };
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) bad('must be a mapping, e.g. {servers: [nats://127.0.0.1:4222], stream: EVENTS, durable: ft_bronze}.');
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (k === 'user' || k === 'password' || k === 'token' || k === 'creds') bad(`"${k}" is not read from the YAML; put it in an environment variable and name it with ${k}_env.`);
    if (!KEYS.has(k)) bad(`unknown key "${k}" (known: ${[...KEYS].join(', ')}).`);
  }
  const servers = typeof o.servers === 'string' ? [o.servers] : o.servers;
  if (!Array.isArray(servers) || !servers.length || servers.some((s) => typeof s !== 'string' || !s)) bad('servers must list the NATS URLs, e.g. [nats://127.0.0.1:4222].');
  const name = (k: string, required: boolean): string | undefined => {
    const v = o[k];
    if (v === undefined && !required) return undefined;
    if (typeof v !== 'string' || !/^[A-Za-z0-9_-]{1,200}$/.test(v)) bad(`${k} must be a name of letters, digits, _ or - (got ${JSON.stringify(v)}).`);
    return v as string;
  };
  const stream = name('stream', true)!;
  const durable = name('durable', false) ?? 'ft_loader';
  const subject = o.subject === undefined ? undefined : typeof o.subject === 'string' && o.subject && !/\s/.test(o.subject) ? o.subject : bad(`subject must be a NATS subject, e.g. events.> (got ${JSON.stringify(o.subject)}).`);
  const ackWaitMs = parseMs((o.ack_wait as string | number | undefined) ?? '30s', 'loader.nats.ack_wait');
  if (ackWaitMs < 1000) bad(`ack_wait must be at least 1s (got ${String(o.ack_wait)}).`);
  const fromEnv = (k: string): string | undefined => {
    const v = o[k];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || !v) return bad(`${k} must name an environment variable.`);
    const val = env[v];
    if (val === undefined || val === '') return bad(`${k} names the environment variable ${v}, which is not set.`);
    return val;
  };
  return {
    servers: servers as string[],
    stream,
    subject,
    durable,
    ackWaitMs,
    user: fromEnv('user_env'),
    password: fromEnv('password_env'),
    token: fromEnv('token_env'),
    credsFile: fromEnv('creds_env'),
  };
}
