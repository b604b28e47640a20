/**
 * Produced lines published to NATS JetStream, one message per line (no CSV header: a broker
 * loader reads CSV fields in the declared column order). The stream is created when no stream
 * captures the subject yet: `<name>` with subjects `<first token>.>`.
 */
import { connect, type JetStreamClient, type NatsConnection, type PubAck } from 'nats';
import { FtError } from '../util/errors.js';
import type { EventSink } from './event-sink.js';

/** Publishes awaiting their acknowledgement before `write` waits (through flush) for them. */
const MAX_IN_FLIGHT = 16_384;

export interface NatsSinkOptions {
  url: string;
  subject: string;
  /** Stream created when none captures the subject (default EVENTS). */
  stream?: string;
}

export class NatsSink implements EventSink {
  readonly files: string[] = [];
  readonly broken = false;
  private inFlight: Array<Promise<PubAck>> = [];
  private failure: unknown = null;
  private readonly enc = new TextEncoder();

  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly subject: string,
  ) {}

  static async open(o: NatsSinkOptions): Promise<NatsSink> {
    let nc: NatsConnection;
    try {
      nc = await connect({ servers: o.url, maxReconnectAttempts: -1 });
    } catch (e) {
      throw new FtError(`cannot connect to NATS at ${o.url}: ${(e as Error).message} — start nats-server -js, or pass --nats-url`);
    }
    try {
      const jsm = await nc.jetstreamManager();
      const found = await jsm.streams.find(o.subject).catch(() => null);
      if (!found) {
        const name = o.stream ?? 'EVENTS';
        await jsm.streams.add({ name, subjects: [`${o.subject.split('.')[0]}.>`] });
      }
    } catch (e) {
      await nc.close();
      throw new FtError(`NATS at ${o.url}: cannot find or create a JetStream stream for ${o.subject}: ${(e as Error).message}`);
    }
    return new NatsSink(nc, nc.jetstream(), o.subject);
  }

  /** True when enough publishes wait for their acknowledgement that the producer should flush. */
  get full(): boolean {
    return this.inFlight.length >= MAX_IN_FLIGHT;
  }

  write(line: string): void {
    const p = this.js.publish(this.subject, this.enc.encode(line));
    p.catch((e: unknown) => (this.failure ??= e));
    this.inFlight.push(p);
  }

  async flush(): Promise<void> {
    const pending = this.inFlight;
    this.inFlight = [];
    await Promise.allSettled(pending);
    if (this.failure) throw new FtError(`publishing to NATS subject ${this.subject} failed: ${(this.failure as Error).message}`);
  }

  rollIfOlderThan(): void {}

  msUntilRoll(): number {
    return Number.POSITIVE_INFINITY;
  }

  async close(): Promise<void> {
    try {
      await this.flush();
    } finally {
      await this.nc.drain().catch(() => this.nc.close());
    }
  }
}
