/**
 * NATS JetStream as a broker source: every loader of a table pulls from ONE durable pull
 * consumer (explicit acks), so JetStream shares the messages out and redelivers those a loader
 * did not acknowledge within `ack_wait` (it died, or is stuck) to the others.
 */
import { readFileSync } from 'node:fs';
import { AckPolicy, DeliverPolicy, connect, createInbox, credsAuthenticator, nanos, type ConnectionOptions, type JetStreamManager, type NatsConnection } from 'nats';
import { StreamLoadError, errorMessage } from '../stream-errors.js';
import type { BrokerBacklog, BrokerMessage, BrokerSource } from './broker-source.js';
import type { NatsSourceOptions } from './nats-config.js';

/** JetStream's acknowledgement payloads, published to a message's reply subject. */
const ACK = new TextEncoder().encode('+ACK');
const NAK = new TextEncoder().encode('-NAK');

export class NatsSource implements BrokerSource {
  private nc: NatsConnection | null = null;
  private jsm: JetStreamManager | null = null;
  /** Fetches waiting for the server's answer: ended at once when the connection drops or comes back (a request sent meanwhile may have reached no JetStream). */
  private readonly waiting = new Set<() => void>();

  constructor(private readonly o: NatsSourceOptions) {}

  get stream(): string {
    return this.o.stream;
  }

  get describe(): string {
    return `NATS stream ${this.o.stream}${this.o.subject ? ` (${this.o.subject})` : ''} via consumer ${this.o.durable} on ${this.o.servers.join(',')}`;
  }

  async open(): Promise<void> {
    const o = this.o;
    const opts: ConnectionOptions = {
      servers: o.servers,
      name: `ft stream-load ${process.pid}`,
      // the server may restart: keep trying, fetches fail meanwhile and are retried
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
    };
    if (o.user !== undefined) opts.user = o.user;
    if (o.password !== undefined) opts.pass = o.password;
    if (o.token !== undefined) opts.token = o.token;
    if (o.credsFile !== undefined) {
      try {
        opts.authenticator = credsAuthenticator(readFileSync(o.credsFile));
      } catch (e) {
        throw new StreamLoadError(`cannot read the NATS credentials file named by loader.nats.creds_env: ${errorMessage(e)}`);
      }
    }
    try {
      this.nc = await connect(opts);
    } catch (e) {
      throw new StreamLoadError(`cannot connect to NATS at ${o.servers.join(', ')} (${errorMessage(e)}); check loader.nats.servers and that nats-server runs with JetStream (-js).`);
    }
    const nc = this.nc;
    void (async () => {
      for await (const st of nc.status()) if (st.type === 'disconnect' || st.type === 'reconnect') for (const end of [...this.waiting]) end();
    })().catch(() => undefined);
    const jsm = await this.nc.jetstreamManager().catch((e: unknown) => {
      throw new StreamLoadError(`NATS at ${o.servers.join(', ')} has no JetStream (${errorMessage(e)}); start nats-server with -js.`);
    });
    this.jsm = jsm;
    try {
      await jsm.streams.info(o.stream);
    } catch (e) {
      throw new StreamLoadError(`NATS stream ${o.stream} does not exist (${errorMessage(e)}); create it (e.g. nats stream add ${o.stream} --subjects '${o.subject ?? 'events.>'}') or let the producer create it.`);
    }
    await this.ensureConsumer(jsm);
  }

  /** Every loader asks for the same durable consumer; the first one creates it. */
  private async ensureConsumer(jsm: JetStreamManager): Promise<void> {
    const o = this.o;
    try {
      const info = await jsm.consumers.info(o.stream, o.durable);
      if (info.config.ack_policy !== AckPolicy.Explicit) throw new StreamLoadError(`NATS consumer ${o.durable} on ${o.stream} exists with ack_policy ${info.config.ack_policy}; the loader needs explicit acks. Delete it or name another durable.`);
      const want = o.subject ?? undefined;
      const have = info.config.filter_subject || undefined;
      if (want !== have) throw new StreamLoadError(`NATS consumer ${o.durable} on ${o.stream} filters ${have ?? 'nothing'}, but loader.nats.subject is ${want ?? 'unset'}. Delete the consumer or name another durable.`);
      return;
    } catch (e) {
      if (e instanceof StreamLoadError) throw e;
      if (!/not found/i.test(errorMessage(e))) throw e;
    }
    try {
      await jsm.consumers.add(o.stream, {
        durable_name: o.durable,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ack_wait: nanos(o.ackWaitMs),
        max_deliver: -1,
        // several loaders, each holding up to a couple of batches unacknowledged
        max_ack_pending: -1,
        ...(o.subject ? { filter_subject: o.subject } : {}),
      });
    } catch (e) {
      // another loader created it in between
      if (!/already (exists|in use)/i.test(errorMessage(e))) throw e;
    }
  }

  /**
   * One pull request (`CONSUMER.MSG.NEXT`) answered on an inbox of our own, ended by the server:
   * the batch is complete, or its 408 (expired) status arrives. The client's `fetch()` ends on a
   * timer of its own instead, and messages the server had already sent past it were lost to
   * this loader until their ack wait ran out (delivered, never seen).
   */
  async fetch(max: number, waitMs: number): Promise<BrokerMessage[]> {
    const nc = this.nc;
    if (!nc || nc.isClosed()) throw new Error('the NATS connection is closed');
    const stream = this.o.stream;
    const expiresMs = Math.max(1000, waitMs);
    const out: BrokerMessage[] = [];
    return new Promise((resolve) => {
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        this.waiting.delete(finish);
        clearTimeout(safety);
        sub.unsubscribe();
        resolve(out);
      };
      const sub = nc.subscribe(createInbox(), {
        callback: (err, m) => {
          if (err) return finish();
          const data = m.data;
          if (data.length === 0) {
            // a status (404/408/409…) ends the request; 100 would be a heartbeat (none asked)
            const code = m.headers?.code ?? 0;
            if (code >= 100) {
              if (code !== 100) finish();
              return;
            }
          }
          const reply = m.reply;
          const seq = streamSeq(reply ?? '');
          if (seq === null) return;
          out.push({ stream, seq, data, ref: reply });
          if (out.length >= max) finish();
        },
      });
      // the server's answer should come at expiresMs; a server gone meanwhile never answers
      const safety = setTimeout(finish, expiresMs + 10_000);
      this.waiting.add(finish);
      nc.publish(`$JS.API.CONSUMER.MSG.NEXT.${stream}.${this.o.durable}`, JSON.stringify({ batch: max, expires: expiresMs * 1_000_000 }), { reply: sub.getSubject() });
    });
  }

  async ack(msgs: BrokerMessage[]): Promise<void> {
    const nc = this.nc;
    if (!nc) return;
    for (const m of msgs) nc.publish(m.ref as string, ACK);
    // the acks are out (a lost one only means a redelivery, which the bronze key absorbs)
    await this.nc?.flush();
  }

  release(msgs: BrokerMessage[]): void {
    for (const m of msgs) {
      try {
        this.nc?.publish(m.ref as string, NAK);
      } catch {
        /* disconnected: the ack wait hands them over */
      }
    }
  }

  async backlog(): Promise<BrokerBacklog> {
    const info = await this.jsm!.consumers.info(this.o.stream, this.o.durable);
    return { pending: info.num_pending, unacked: info.num_ack_pending };
  }

  async close(): Promise<void> {
    const nc = this.nc;
    this.nc = null;
    if (!nc) return;
    await nc.drain().catch(() => nc.close());
  }
}

/**
 * The stream sequence in a JetStream ack subject: `$JS.ACK.<stream>.<consumer>.<delivered>.<sseq>.…`
 * (9 tokens), or with domain and account hash (12 or more, the sequence 8th). Read in place: no
 * token strings per message.
 */
export function streamSeq(reply: string): number | null {
  if (!reply.startsWith('$JS.ACK.')) return null;
  let tokens = 1;
  for (let k = reply.indexOf('.'); k >= 0; k = reply.indexOf('.', k + 1)) tokens++;
  const i = tokens === 9 ? 5 : tokens >= 12 ? 7 : -1;
  if (i < 0) return null;
  let at = 0;
  for (let t = 0; t < i; t++) at = reply.indexOf('.', at) + 1;
  let n = 0;
  let k = at;
  for (; k < reply.length; k++) {
    const c = reply.charCodeAt(k);
    if (c === 46) break;
    if (c < 48 || c > 57) return null;
    n = n * 10 + (c - 48);
  }
  return k > at && Number.isSafeInteger(n) && n > 0 ? n : null;
}
