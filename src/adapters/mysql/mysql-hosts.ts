import mysql from 'mysql2/promise';

/** One server of a target's host list. */
export interface HostPort {
  host: string;
  port: number;
}

/** How a host list is written in messages: `db1:3306, db2:3307`. */
export function describeHosts(hosts: HostPort[]): string {
  return hosts.map(hostLabel).join(', ');
}

export function hostLabel(h: HostPort): string {
  return `${h.host.includes(':') ? `[${h.host}]` : h.host}:${h.port}`;
}

/**
 * The hosts of a profile's `host:`, in the form MySQL's connectors accept (Connector/J, MariaDB
 * Connector): `db1,db2:3307` as text, or a YAML list `[db1, "db2:3307"]`; a host without a port
 * gets `defaultPort` (the profile's `port:`). An IPv6 address with a port is written `[::1]:3307`.
 * Returns the problem as text when the value is malformed (the caller names the file and target).
 */
export function parseHostList(raw: unknown, defaultPort: number): HostPort[] | string {
  const items: unknown[] = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : [raw];
  if (!items.length) return 'an empty list';
  const hosts: HostPort[] = [];
  for (const item of items) {
    if (typeof item !== 'string' && typeof item !== 'number') return `${JSON.stringify(item)} is not a host name`;
    const text = String(item).trim();
    if (!text) return Array.isArray(raw) ? 'an empty entry' : 'an empty entry between commas';
    const m = /^\[([0-9a-fA-F:.]+)\](?::(\d+))?$/.exec(text) ?? /^([^\s:[\]/,"'{}#@]+)(?::(\d+))?$/.exec(text) ?? /^([0-9a-fA-F]*:[0-9a-fA-F:.]+)()$/.exec(text);
    if (!m) return `"${text}" is not a host or host:port`;
    const port = m[2] ? Number(m[2]) : defaultPort;
    if (!Number.isInteger(port) || port < 1 || port > 65535) return `"${text}" has port ${m[2]}, not a port number (1-65535)`;
    if (hosts.some((h) => h.host === m[1] && h.port === port)) return `"${text}" is listed twice`;
    hosts.push({ host: m[1]!, port });
  }
  return hosts;
}

/** Credentials and timeouts for probing a host (never shown). */
export interface ProbeLogin {
  user: string;
  password: string;
  connectTimeout?: number;
}

/** Why a host was passed over, for messages. */
interface Skipped {
  host: HostPort;
  why: string;
  code?: string;
  errno?: number;
}

/**
 * Is this server usable? It answers, and — on a Galera node — is ready and synced: a node that
 * is not (joining, donor, in a non-primary component) refuses queries with 1047 or serves stale
 * data. A server without wsrep (MySQL, a lone MariaDB) is usable once it answers.
 */
async function probe(h: HostPort, login: ProbeLogin): Promise<string | null> {
  const conn = await mysql.createConnection({ host: h.host, port: h.port, user: login.user, password: login.password, connectTimeout: login.connectTimeout ?? 10_000 });
  conn.on('error', () => undefined);
  try {
    let wsrep: unknown = null;
    try {
      const [rows] = await conn.query('SELECT @@wsrep_on AS w');
      wsrep = (rows as Array<{ w: unknown }>)[0]?.w;
    } catch (e) {
      if ((e as { errno?: number }).errno !== 1193) throw e; // 1193: no such variable (MySQL)
    }
    if (!(Number(wsrep) === 1 || String(wsrep).toUpperCase() === 'ON')) return null;
    const [rows] = await conn.query("SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_ready', 'wsrep_local_state_comment')");
    const s = Object.fromEntries((rows as Array<{ Variable_name: string; Value: string }>).map((r) => [r.Variable_name.toLowerCase(), r.Value]));
    if (s.wsrep_ready !== 'ON') return `Galera node not ready (wsrep_ready = ${s.wsrep_ready ?? 'unknown'})`;
    if (s.wsrep_local_state_comment !== 'Synced') return `Galera node not synced (wsrep_local_state_comment = ${s.wsrep_local_state_comment ?? 'unknown'})`;
    return null;
  } finally {
    await conn.end().catch(() => conn.destroy());
  }
}

/** No host of the list is usable; marked fatal, so loaders treat it as a lost connection and retry later. */
export class NoHostError extends Error {
  readonly fatal = true;
  constructor(
    readonly tried: Skipped[],
    readonly code?: string,
    readonly errno?: number,
  ) {
    super(`no host answered and was ready; tried ${tried.map((t) => `${hostLabel(t.host)} (${t.why})`).join(', ')}`);
    this.name = 'NoHostError';
  }
}

/** Access denied & co: the same on every host, so trying the others only hides the real problem. */
const PERMANENT = new Set([1044, 1045, 1049, 1251, 1698]);

/**
 * The first host of the list, in order, that answers and is ready (see probe), and why the ones
 * before it were passed over. A list of one host is returned as is: the first connection tells,
 * as before lists existed.
 */
export async function firstUsableHost(hosts: HostPort[], login: ProbeLogin): Promise<{ host: HostPort; passedOver: string }> {
  if (hosts.length === 1) return { host: hosts[0]!, passedOver: '' };
  const skipped: Skipped[] = [];
  for (const h of hosts) {
    try {
      const problem = await probe(h, login);
      if (!problem) return { host: h, passedOver: skipped.map((t) => `${hostLabel(t.host)}: ${t.why}`).join('; ') };
      skipped.push({ host: h, why: problem, errno: 1047 });
    } catch (e) {
      const err = e as { code?: string; errno?: number; message?: string };
      if (err.errno !== undefined && PERMANENT.has(err.errno)) throw e;
      skipped.push({ host: h, why: err.code ?? err.message ?? String(e), code: err.code, errno: err.errno });
    }
  }
  const last = skipped[skipped.length - 1];
  throw new NoHostError(skipped, last?.code, last?.errno);
}

/**
 * The node in use is gone or cannot serve: lost connection (2006/2013, reset, refused), a server
 * shutting down (1053) or a connection killed by it (1927), a Galera node that left the primary
 * component (1047 WSREP has not yet prepared node for application use).
 */
export function isNodeLost(e: unknown): boolean {
  const err = e as { code?: string; errno?: number; fatal?: boolean };
  if (!err || typeof err !== 'object') return false;
  if (e instanceof NoHostError) return false;
  if (err.errno !== undefined && [1047, 1053, 1927, 2002, 2003, 2006, 2013].includes(err.errno)) return true;
  return ['PROTOCOL_CONNECTION_LOST', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ER_SERVER_SHUTDOWN', 'ER_CONNECTION_KILLED'].includes(err.code ?? '');
}
