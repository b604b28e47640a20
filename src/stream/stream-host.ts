/**
 * Which server a stream loader's next session goes to (the file loader and the broker loader
 * share it): the first usable host of the profile's list (mysql-hosts.ts — a Galera node that
 * is up, ready and synced), so a loader whose node died resumes on another instead of retrying
 * the dead one.
 */
import { firstUsableHost, hostLabel, type HostPort } from '../adapters/mysql/mysql-hosts.js';
import type { StreamConnection } from './types.js';

type Note = (kind: string, message: string, extra?: Record<string, unknown>) => void;

export class StreamHost {
  /** the server of the current session (null before the first) */
  private host: HostPort | null = null;

  /** `resuming`: what the loader does on the new host, ending the `moved to host` line */
  constructor(
    private readonly c: StreamConnection,
    private readonly note: Note,
    private readonly resuming: string,
  ) {}

  /**
   * The connection settings for a new session. A host other than the last session's is a move:
   * logged (event `failover`) and returned as `moved`. A profile with one host is used as it is
   * (its first connection tells, as before host lists existed).
   */
  async pick(): Promise<{ at: StreamConnection; moved: boolean }> {
    const c = this.c;
    if (!c.hosts || c.hosts.length < 2) return { at: c, moved: false };
    const { host: h, passedOver } = await firstUsableHost(c.hosts, c);
    const was = this.host;
    const moved = was !== null && (h.host !== was.host || h.port !== was.port);
    if (moved) this.note('warn', `moved to host ${hostLabel(h)} (${hostLabel(was)} is gone or not ready${passedOver ? `; passed over ${passedOver}` : ''}); ${this.resuming}`, { event: 'failover' });
    this.host = h;
    return { at: this.inUse(), moved };
  }

  /** The settings of the host in use (the profile's first before any session): for connections of their own, e.g. lease renewals. */
  inUse(): StreamConnection {
    return this.host ? { ...this.c, host: this.host.host, port: this.host.port } : this.c;
  }
}
